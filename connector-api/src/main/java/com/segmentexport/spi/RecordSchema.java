package com.segmentexport.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The mapped fields of an export's records; field 0 is always the e-mail address. */
public final class RecordSchema {
  private final List<MappedField> fields;

  /**
   * Creates a schema; the first field must be the e-mail address.
   *
   * @param fields the mapped fields, in order
   */
  public RecordSchema(List<MappedField> fields) {
    this.fields = List.copyOf(fields);
    for (int i = 0; i < this.fields.size(); i++) {
      if (this.fields.get(i).index() != i) {
        throw new IllegalArgumentException(
            "field " + i + " has index " + this.fields.get(i).index());
      }
    }
  }

  /** {@return all fields, e-mail first} */
  public List<MappedField> fields() {
    return fields;
  }

  /**
   * {@return the field with this destination name}
   *
   * @param name the field's name
   */
  public Optional<MappedField> field(String name) {
    for (MappedField f : fields) {
      if (f.name().equals(name)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** {@return the custom fields} */
  public List<MappedField> customFields() {
    List<MappedField> custom = new ArrayList<>();
    for (MappedField f : fields) {
      if (f.custom()) {
        custom.add(f);
      }
    }
    return custom;
  }

  @Override
  public String toString() {
    return "RecordSchema" + fields;
  }
}
