package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

import com.segmentexport.api.FieldType;

/**
 * A destination field every record of an export carries, with its position in the record.
 *
 * @param index the position in {@link ExportRecord#value(int)}; 0 is the e-mail address
 * @param name the destination field name (a standard name such as {@code FirstName}, or a custom one)
 * @param type the type values were converted to
 * @param custom whether it is a custom field
 */
public record MappedField(int index, String name, FieldType type, boolean custom) {
  /**
   * Checks the parts.
   *
   * @param index the position, from 0
   * @param name the destination field's name
   * @param type the type values were converted to
   * @param custom whether it is a custom field
   */
  public MappedField {
    requireNonNull(name, "name == null");
    requireNonNull(type, "type == null");
  }
}
