package com.example.host;

import com.segmentexport.api.ConnectorDescriptor;
import com.segmentexport.api.Connectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A host that compiles against the SDK with the BOM's versions: lists the connectors it finds. */
public final class ListConnectors {
  private static final Logger log = LoggerFactory.getLogger(ListConnectors.class);

  private ListConnectors() {}

  /**
   * Logs the id of every connector on the class path, through the host's slf4j binding.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    for (ConnectorDescriptor provider : Connectors.load().providers()) {
      log.info("Connector on the class path: {}", provider.id());
    }
  }
}
