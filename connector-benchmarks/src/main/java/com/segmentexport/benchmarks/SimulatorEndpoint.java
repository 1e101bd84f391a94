package com.segmentexport.benchmarks;

import static java.util.Objects.requireNonNull;

import com.segmentexport.testkit.Sandbox;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a connection and an export need to reach a running simulator: the connector id, the
 * connection settings (with the base URL), the secrets the simulator accepts and the export options
 * (destinations it created). Taken from an in-process {@link Sandbox} or from the one line a
 * {@link SimulatorServer} prints.
 *
 * <p>The line is {@code SIMULATOR connector=ID setting.K=V secret.K=V option.K=V ...}, every key and
 * value URL-encoded (UTF-8), so values with spaces, {@code =} or non-ASCII characters survive.
 */
record SimulatorEndpoint(
    String connectorId,
    Map<String, String> settings,
    Map<String, String> secrets,
    Map<String, String> exportOptions) {
  /** The first word of the connect line. */
  static final String LINE_PREFIX = "SIMULATOR ";

  SimulatorEndpoint {
    requireNonNull(connectorId, "connectorId is null");
    settings = Map.copyOf(requireNonNull(settings, "settings is null"));
    secrets = Map.copyOf(requireNonNull(secrets, "secrets is null"));
    exportOptions = Map.copyOf(requireNonNull(exportOptions, "exportOptions is null"));
  }

  /** The endpoint of an in-process sandbox. */
  static SimulatorEndpoint of(Sandbox sandbox) {
    return new SimulatorEndpoint(
        sandbox.connectorId(), sandbox.settings(), sandbox.secrets(), sandbox.exportOptions());
  }

  /** This endpoint as one line (keys sorted, so the line is the same for the same endpoint). */
  String toLine() {
    StringBuilder line =
        new StringBuilder(LINE_PREFIX).append("connector=").append(encode(connectorId));
    append(line, "setting.", settings);
    append(line, "secret.", secrets);
    append(line, "option.", exportOptions);
    return line.toString();
  }

  /**
   * Reads a line written by {@link #toLine()}.
   *
   * @throws IllegalArgumentException if the line is not a connect line, naming the part that is wrong
   */
  static SimulatorEndpoint parse(String line) {
    if (!line.startsWith(LINE_PREFIX)) {
      throw new IllegalArgumentException(
          "not a connect line (no '" + LINE_PREFIX.trim() + "' prefix)");
    }
    String connector = null;
    Map<String, String> settings = new LinkedHashMap<>();
    Map<String, String> secrets = new LinkedHashMap<>();
    Map<String, String> options = new LinkedHashMap<>();
    for (String pair : line.substring(LINE_PREFIX.length()).trim().split(" +")) {
      int eq = pair.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("connect line part '" + pair + "' is not key=value");
      }
      String key = decode(pair.substring(0, eq));
      String value = decode(pair.substring(eq + 1));
      if (key.equals("connector")) {
        connector = value;
      } else if (key.startsWith("setting.")) {
        settings.put(key.substring("setting.".length()), value);
      } else if (key.startsWith("secret.")) {
        secrets.put(key.substring("secret.".length()), value);
      } else if (key.startsWith("option.")) {
        options.put(key.substring("option.".length()), value);
      } else {
        throw new IllegalArgumentException("unknown key '" + key + "' in connect line");
      }
    }
    if (connector == null) {
      throw new IllegalArgumentException("connect line has no connector=");
    }
    return new SimulatorEndpoint(connector, settings, secrets, options);
  }

  /** Secrets are left out: the endpoint may end up in a log. */
  @Override
  public String toString() {
    return "SimulatorEndpoint[connector="
        + connectorId
        + ", settings="
        + new TreeMap<>(settings)
        + ", secrets="
        + new TreeMap<>(secrets).keySet()
        + " (hidden), exportOptions="
        + new TreeMap<>(exportOptions)
        + "]";
  }

  private static void append(StringBuilder line, String prefix, Map<String, String> values) {
    new TreeMap<>(values)
        .forEach(
            (k, v) -> line.append(' ').append(encode(prefix + k)).append('=').append(encode(v)));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
