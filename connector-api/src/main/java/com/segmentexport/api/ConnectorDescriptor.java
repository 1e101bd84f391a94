package com.segmentexport.api;

import java.util.List;

/**
 * What a host application knows of a connector: its id and name, the settings and destination fields
 * it renders configuration and mapping forms from, the vendor's limits, and the connector's own
 * validation rules, which {@link Connection.Builder#build()} and {@link ExportDefinition.Builder#build()}
 * apply. Found through {@link Connectors#providers()} and {@link Connectors#provider(String)}.
 *
 * <p>A vendor module implements it as part of its {@link com.segmentexport.spi.ConnectorProvider},
 * which adds what only the engine calls. Implementations are immutable and thread-safe; none of these
 * methods performs I/O.
 */
public interface ConnectorDescriptor {
  /** {@return a stable lower-case id such as {@code iterable}} */
  String id();

  /** {@return a human-readable name such as {@code Iterable}} */
  String displayName();

  /** {@return the settings this connector understands, on connections and on exports} */
  List<SettingDescriptor> settings();

  /**
   * The standard destination fields; {@link StandardFields#EMAIL} is always among them.
   *
   * @return the standard destination fields
   */
  List<DestinationField> destinationFields();

  /** {@return whether mappings may add custom fields beyond {@link #destinationFields()}} */
  boolean supportsCustomFields();

  /**
   * {@return true if the connector can remove members from its destination list} (list membership only:
   * never an unsubscribe, a deletion of the contact, or a consent change), which a mirroring export
   * needs. False by default.
   */
  default boolean supportsRemoval() {
    return false;
  }

  /** {@return the vendor's documented limits, before any per-connection setting changes them} */
  ConnectorLimits limits();

  /**
   * Checks a connection for vendor rules that the descriptors do not cover (combinations of settings
   * or credentials, such as "an API key or an access token, not both"). Called by
   * {@link Connection.Builder#build()} once every setting and credential passed its descriptor, so that
   * typed getters such as {@link Connection#intSetting} may be used; makes no network call.
   *
   * @param connection the connection
   * @return problems, one sentence each; empty when the connection is acceptable
   */
  default List<String> validate(Connection connection) {
    return List.of();
  }

  /**
   * Checks an export definition for vendor rules that the generic checks do not cover (field-name
   * rules, option combinations). Called before any network call.
   *
   * @param definition the export to run
   * @return problems, one sentence each; empty when the definition is acceptable
   */
  default List<String> validate(ExportDefinition definition) {
    return List.of();
  }
}
