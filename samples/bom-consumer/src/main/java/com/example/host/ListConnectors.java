package com.example.host;

import com.segmentexport.api.ConnectorDescriptor;
import com.segmentexport.api.Connectors;

/** A host that compiles against the SDK with the BOM's versions: lists the connectors it finds. */
public final class ListConnectors {
  private ListConnectors() {}

  /**
   * Prints the id of every connector on the class path.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    for (ConnectorDescriptor provider : Connectors.load().providers()) {
      System.out.println(provider.id());
    }
  }
}
