package com.segmentexport.api;

import com.segmentexport.spi.Connector;
import com.segmentexport.spi.ConnectorContext;
import java.util.List;

/**
 * A connector to one vendor, discovered through {@link java.util.ServiceLoader}.
 *
 * <p>A provider describes itself (settings, destination fields, limits) so that a host application
 * can render configuration forms, and creates a {@link Connector} per connection.
 *
 * <h2>Implementing a provider</h2>
 * <ol>
 *   <li>A public class with a public no-argument constructor that neither throws nor does I/O.
 *   <li>Listed in {@code META-INF/services/com.segmentexport.api.ConnectorProvider}.
 *   <li>Its {@link #id()} unique among the providers on the class path.
 *   <li>Its module's tests extend the testkit's {@code SegmentExporterContract}.
 * </ol>
 */
public interface ConnectorProvider {
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

  /**
   * Creates the connector for one connection. Must not perform network calls.
   *
   * @param context the connection and the engine's services
   * @return a connector for the context's connection
   */
  Connector create(ConnectorContext context);
}
