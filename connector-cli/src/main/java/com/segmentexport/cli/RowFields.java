package com.segmentexport.cli;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * One CSV record's fields as a read-only map over the header's names and the record's values, in
 * column order: what {@code Profile.of} copies from, without a hash map built for every row. The
 * header's names are shared by every row.
 */
final class RowFields extends AbstractMap<String, Object> {
  private final String[] names;
  private final Object[] values;

  /** Names and values by column; the names must be distinct (the header's checks ensure it). */
  RowFields(String[] names, Object[] values) {
    if (names.length != values.length) {
      throw new IllegalArgumentException(names.length + " names for " + values.length + " values");
    }
    this.names = names;
    this.values = values;
  }

  @Override
  public int size() {
    return names.length;
  }

  @Override
  public Object get(Object key) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(key)) {
        return values[i];
      }
    }
    return null;
  }

  @Override
  public boolean containsKey(Object key) {
    for (String n : names) {
      if (n.equals(key)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The fields in column order. Its iterator hands out one entry object, moved along by each
   * {@code next()} (valid until the next call), not an entry per field: {@code Profile.of} reads each
   * entry's name and value as it goes, so a row costs no entry objects.
   */
  @Override
  public Set<Map.Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return names.length;
      }

      @Override
      public Iterator<Map.Entry<String, Object>> iterator() {
        return new Cursor();
      }
    };
  }

  /** An iterator over the columns that is also the entry of the column it is on. */
  private final class Cursor
      implements Iterator<Map.Entry<String, Object>>, Map.Entry<String, Object> {
    private int next;
    private int current = -1;

    @Override
    public boolean hasNext() {
      return next < names.length;
    }

    @Override
    public Map.Entry<String, Object> next() {
      if (next >= names.length) {
        throw new NoSuchElementException();
      }
      current = next++;
      return this;
    }

    @Override
    public String getKey() {
      return names[current];
    }

    @Override
    public Object getValue() {
      return values[current];
    }

    @Override
    public Object setValue(Object value) {
      throw new UnsupportedOperationException("read-only");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Map.Entry<?, ?> e
          && getKey().equals(e.getKey())
          && Objects.equals(getValue(), e.getValue());
    }

    @Override
    public int hashCode() {
      return getKey().hashCode() ^ Objects.hashCode(getValue());
    }

    @Override
    public String toString() {
      return getKey() + "=" + getValue();
    }
  }
}
