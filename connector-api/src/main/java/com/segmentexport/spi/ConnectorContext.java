package com.segmentexport.spi;

import com.segmentexport.api.Connection;

/**
 * What a {@link ConnectorProvider} receives when it creates a connector.
 *
 * @param connection the validated connection the connector serves
 */
public record ConnectorContext(Connection connection) {
  /**
   * Checks the connection is present.
   *
   * @param connection the validated connection the connector serves
   */
  public ConnectorContext {
    java.util.Objects.requireNonNull(connection, "connection == null");
  }
}
