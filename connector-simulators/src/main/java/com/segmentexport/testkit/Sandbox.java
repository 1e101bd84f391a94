package com.segmentexport.testkit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A vendor simulator running in process, with what a connection and an export need to use it: base
 * URL and credentials as settings, and destination options (a list or address book it created).
 * Host applications and the CLI use sandboxes to run real exports offline.
 *
 * <pre>{@code
 * try (Sandbox sandbox = Sandboxes.start("iterable")) {
 *   Connection.Builder b = Connection.builder("iterable");
 *   sandbox.settings().forEach(b::setting);
 *   sandbox.secrets().forEach((k, v) -> b.secret(k, Secret.of(v)));
 *   ...
 * }
 * }</pre>
 */
public interface Sandbox extends AutoCloseable {
  /** The connector this sandbox stands in for. */
  String connectorId();

  /** The running simulator, to inspect its state. */
  VendorSimulator simulator();

  /** Connection settings pointing at the simulator (such as {@code baseUrl}). */
  Map<String, String> settings();

  /** Credentials the simulator accepts, by the connector's secret names. */
  Map<String, String> secrets();

  /** Export options the connector requires, with destinations created in the simulator. */
  Map<String, String> exportOptions();

  /**
   * The credentials of {@link #secrets()}, each changed so that the simulator refuses them: for cases
   * that prove bad credentials fail fast.
   */
  default Map<String, String> wrongSecrets() {
    Map<String, String> wrong = new LinkedHashMap<>();
    secrets().forEach((name, value) -> wrong.put(name, "wrong-" + value));
    return wrong;
  }

  /** Stops the simulator. */
  @Override
  void close();
}
