package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One customer profile as the host application supplies it: field names to values.
 *
 * <p>Values may be {@link String}, {@link Number}, {@link Boolean}, {@link java.time.LocalDate},
 * {@link java.time.Instant}, {@link java.time.OffsetDateTime} or {@code null}; the engine converts
 * them to the destination field's {@link FieldType}. Blank strings count as absent.
 *
 * <p>A profile of up to {@value #MAX_SCANNED_FIELDS} fields keeps its names and values in one array,
 * looked up by scanning it: the engine reads a handful of fields from each of millions of profiles,
 * and one array is fewer memory reads than a hash map's table and entries. Larger profiles keep a map.
 */
public final class Profile {
  /** The most fields kept in the scanned array; a profile with more keeps a map. */
  static final int MAX_SCANNED_FIELDS = 16;

  /** Names and values, alternating, in the order given; null when {@link #map} holds them. */
  private final Object[] entries;

  /** The fields of a profile with more than {@link #MAX_SCANNED_FIELDS}; null otherwise. */
  private final Map<String, Object> map;

  /** {@link #fields()}, made on first use. */
  private volatile Map<String, Object> view;

  private Profile(Map<String, Object> fields) {
    if (fields.size() <= MAX_SCANNED_FIELDS) {
      Object[] e = new Object[fields.size() * 2];
      int i = 0;
      for (Map.Entry<String, Object> f : fields.entrySet()) {
        e[i++] = requireNonNull(f.getKey(), "field name == null");
        e[i++] = f.getValue();
      }
      this.entries = e;
      this.map = null;
    } else {
      if (fields.containsKey(null)) {
        throw new NullPointerException("field name == null");
      }
      this.entries = null;
      this.map = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
      this.view = map;
    }
  }

  /**
   * {@return a profile holding a copy of these fields (null values allowed, null names not)}
   *
   * @param fields the fields by name
   */
  public static Profile of(Map<String, ?> fields) {
    requireNonNull(fields, "fields == null");
    @SuppressWarnings("unchecked") // read only, into the profile's own array or map
    Map<String, Object> given = (Map<String, Object>) fields;
    return new Profile(given);
  }

  /**
   * A profile from alternating names and values: {@code Profile.of("email", "a@b.example", "tier", "gold")}.
   *
   * @param namesAndValues alternating field names and values
   * @return a profile from alternating names and values
   */
  public static Profile of(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("expected name, value pairs");
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put(
          (String) requireNonNull(namesAndValues[i], "field name == null"), namesAndValues[i + 1]);
    }
    return new Profile(map);
  }

  /**
   * {@return the value of a field, or null when absent}
   *
   * @param field the field's name
   */
  public Object get(String field) {
    Object[] e = entries;
    if (e == null) {
      return map.get(field);
    }
    // Names the host reuses for every profile (constants, a result set's column labels) match by
    // identity, without reading the names themselves.
    for (int i = 0; i < e.length; i += 2) {
      if (e[i] == field) {
        return e[i + 1];
      }
    }
    for (int i = 0; i < e.length; i += 2) {
      if (e[i].equals(field)) {
        return e[i + 1];
      }
    }
    return null;
  }

  /** {@return all fields, unmodifiable, in the order given} */
  public Map<String, Object> fields() {
    Map<String, Object> v = view;
    if (v == null) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int i = 0; i < entries.length; i += 2) {
        m.put((String) entries[i], entries[i + 1]);
      }
      view = v = Collections.unmodifiableMap(m);
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Profile && ((Profile) o).fields().equals(fields());
  }

  @Override
  public int hashCode() {
    return fields().hashCode();
  }

  /** Lists field names only: profile values are personal data and stay out of logs. */
  @Override
  public String toString() {
    return "Profile" + fields().keySet();
  }
}
