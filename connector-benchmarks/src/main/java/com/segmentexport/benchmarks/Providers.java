package com.segmentexport.benchmarks;

import com.segmentexport.spi.ConnectorProvider;
import java.util.ServiceLoader;

/** The connector providers on the class path, as the engine sees them (hosts see only their descriptions). */
final class Providers {
  private Providers() {}

  /** {@return the provider with this id} */
  static ConnectorProvider find(String id) {
    for (ConnectorProvider p : ServiceLoader.load(ConnectorProvider.class)) {
      if (p.id().equals(id)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "no connector provider with id '" + id + "' on the class path");
  }
}
