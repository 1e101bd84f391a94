package com.segmentexport.spi;

import com.segmentexport.api.ConnectorDescriptor;

/**
 * A connector to one vendor, discovered through {@link java.util.ServiceLoader}: what a vendor module
 * implements. It describes itself to hosts (the {@link ConnectorDescriptor} part: settings, destination
 * fields, limits, validation rules) and creates a {@link Connector} per connection for the engine.
 *
 * <h2>Implementing a provider</h2>
 * <ol>
 *   <li>A public class with a public no-argument constructor that neither throws nor does I/O.
 *   <li>Listed in {@code META-INF/services/com.segmentexport.spi.ConnectorProvider}.
 *   <li>Its {@link #id()} unique among the providers on the class path.
 *   <li>Its module's tests extend the testkit's {@code SegmentExporterContract}.
 * </ol>
 *
 * <p>Hosts see a provider as a {@link ConnectorDescriptor} ({@link com.segmentexport.api.Connectors#provider});
 * only the engine calls {@link #create}.
 */
public interface ConnectorProvider extends ConnectorDescriptor {
  /**
   * Creates the connector for one connection. Must not perform network calls.
   *
   * @param context the connection and the engine's services
   * @return a connector for the context's connection
   */
  Connector create(ConnectorContext context);
}
