package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

/**
 * A standard field a connector can write, such as {@code Email} or {@code FirstName}. Host
 * applications render mapping forms from {@link ConnectorDescriptor#destinationFields()}.
 *
 * @param name the name used in a {@link FieldMapping}
 * @param displayName a human-readable label
 * @param type the type values are converted to
 * @param required whether every mapping must include this field
 */
public record DestinationField(String name, String displayName, FieldType type, boolean required) {
  /**
   * Checks the parts.
   *
   * @param name the field's name
   * @param displayName a human-readable label
   * @param type the type values are converted to
   * @param required whether every mapping must include this field
   */
  public DestinationField {
    requireNonNull(name, "name == null");
    requireNonNull(displayName, "displayName == null");
    requireNonNull(type, "type == null");
  }

  /**
   * {@return an optional text field whose display name is its name}
   *
   * @param name the field's name
   */
  public static DestinationField text(String name) {
    return new DestinationField(name, name, FieldType.TEXT, false);
  }
}
