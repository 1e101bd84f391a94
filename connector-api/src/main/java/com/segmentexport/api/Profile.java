package com.segmentexport.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import static java.util.Objects.requireNonNull;

/**
 * One customer profile as the host application supplies it: field names to values.
 *
 * <p>Values may be {@link String}, {@link Number}, {@link Boolean}, {@link java.time.LocalDate},
 * {@link java.time.Instant}, {@link java.time.OffsetDateTime} or {@code null}; the engine converts
 * them to the destination field's {@link FieldType}. Blank strings count as absent.
 */
public final class Profile {
  private final Map<String, Object> fields;

  private Profile(Map<String, Object> fields) {
    this.fields = fields;
  }

  /** A profile holding a copy of these fields (null values allowed). */
  public static Profile of(Map<String, ?> fields) {
    requireNonNull(fields, "fields == null");
    return new Profile(Collections.unmodifiableMap(new LinkedHashMap<>(fields)));
  }

  /** A profile from alternating names and values: {@code Profile.of("email", "a@b.example", "tier", "gold")}. */
  public static Profile of(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("expected name, value pairs");
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put((String) requireNonNull(namesAndValues[i], "field name == null"), namesAndValues[i + 1]);
    }
    return new Profile(Collections.unmodifiableMap(map));
  }

  /** The value of a field, or null when absent. */
  public Object get(String field) {
    return fields.get(field);
  }

  /** All fields, unmodifiable. */
  public Map<String, Object> fields() {
    return fields;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Profile && ((Profile) o).fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  /** Lists field names only: profile values are personal data and stay out of logs. */
  @Override
  public String toString() {
    return "Profile" + fields.keySet();
  }
}
