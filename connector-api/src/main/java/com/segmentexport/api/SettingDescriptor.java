package com.segmentexport.api;

import java.util.List;
import java.util.Optional;
import static java.util.Objects.requireNonNull;

/**
 * Describes one setting a connector understands, so that a host application can render a
 * configuration form and so that values are validated before any network call.
 *
 * @param name the key used in {@link Connection.Builder#setting}, {@link Connection.Builder#secret}
 *     or {@link ExportDefinition.Builder#option}
 * @param description a sentence for the form
 * @param scope whether the setting belongs to the connection or to an export
 * @param kind the kind of value
 * @param required whether a value must be given
 * @param defaultValue the value used when none is given
 * @param allowedValues for {@link Kind#CHOICE}, the values accepted (case-insensitively)
 */
public record SettingDescriptor(
    String name,
    String description,
    Scope scope,
    Kind kind,
    boolean required,
    Optional<String> defaultValue,
    List<String> allowedValues) {

  /** Where a setting is given. */
  public enum Scope {
    /** On the {@link Connection} (credentials, region, base URL). */
    CONNECTION,
    /** On the {@link ExportDefinition} (destination list, options). */
    EXPORT
  }

  /** The kind of value a setting takes. */
  public enum Kind {
    /** Free text. */
    TEXT,
    /** A credential, given as a {@link Secret}. */
    SECRET,
    /** One of {@link #allowedValues()}. */
    CHOICE,
    /** A whole number. */
    INTEGER,
    /** A positive decimal number. */
    DECIMAL,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** An absolute http(s) URL. */
    URL
  }

  /** Checks the parts and copies the list. */
  public SettingDescriptor {
    requireNonNull(name, "name == null");
    requireNonNull(description, "description == null");
    requireNonNull(scope, "scope == null");
    requireNonNull(kind, "kind == null");
    requireNonNull(defaultValue, "defaultValue == null");
    allowedValues = List.copyOf(allowedValues);
    if (kind == Kind.CHOICE && allowedValues.isEmpty()) {
      throw new IllegalArgumentException("a CHOICE setting needs allowed values: " + name);
    }
  }

  /** A required credential on the connection. */
  public static SettingDescriptor secret(String name, String description) {
    return new SettingDescriptor(
        name, description, Scope.CONNECTION, Kind.SECRET, true, Optional.empty(), List.of());
  }

  /** An optional credential on the connection. */
  public static SettingDescriptor optionalSecret(String name, String description) {
    return new SettingDescriptor(
        name, description, Scope.CONNECTION, Kind.SECRET, false, Optional.empty(), List.of());
  }

  /** A connection setting. */
  public static SettingDescriptor connection(
      String name, Kind kind, String description, boolean required, String defaultValue, String... allowed) {
    return new SettingDescriptor(
        name, description, Scope.CONNECTION, kind, required, Optional.ofNullable(defaultValue), List.of(allowed));
  }

  /** An export setting. */
  public static SettingDescriptor export(
      String name, Kind kind, String description, boolean required, String defaultValue, String... allowed) {
    return new SettingDescriptor(
        name, description, Scope.EXPORT, kind, required, Optional.ofNullable(defaultValue), List.of(allowed));
  }

  /**
   * Checks one value against this descriptor.
   *
   * @return a problem description, or empty if the value is acceptable
   */
  public Optional<String> check(String value) {
    requireNonNull(value, "value == null");
    String v = value.trim();
    if (v.isEmpty()) {
      return Optional.of(name + " is empty");
    }
    switch (kind) {
      case CHOICE:
        for (String allowed : allowedValues) {
          if (allowed.equalsIgnoreCase(v)) {
            return Optional.empty();
          }
        }
        return Optional.of(name + " must be one of " + allowedValues + " but was '" + v + "'");
      case INTEGER:
        try {
          Long.parseLong(v);
          return Optional.empty();
        } catch (NumberFormatException e) {
          return Optional.of(name + " must be a whole number but was '" + v + "'");
        }
      case DECIMAL:
        try {
          double d = Double.parseDouble(v);
          return d > 0 && Double.isFinite(d)
              ? Optional.empty()
              : Optional.of(name + " must be a positive number but was '" + v + "'");
        } catch (NumberFormatException e) {
          return Optional.of(name + " must be a number but was '" + v + "'");
        }
      case BOOLEAN:
        return v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")
            ? Optional.empty()
            : Optional.of(name + " must be true or false but was '" + v + "'");
      case URL:
        return UrlRules.check(name, v);
      default:
        return Optional.empty();
    }
  }
}
