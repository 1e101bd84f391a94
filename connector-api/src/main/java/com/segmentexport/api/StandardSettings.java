package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

/**
 * Connection settings every connector understands in the same way, so that hosts (and the testkit)
 * can tune any connector alike.
 */
public final class StandardSettings {
  /** The request rate this connection may use, in requests per second (the vendor's limit by default). */
  public static final String REQUESTS_PER_SECOND = "requestsPerSecond";
  /** The vendor's API base URL (to reach a proxy, a sandbox or a simulator). */
  public static final String BASE_URL = "baseUrl";
  /** The most profiles one export may send (where the customer's contract sets it). */
  public static final String MAX_PROFILES_PER_EXPORT = "maxProfilesPerExport";
  /** The most batches in flight at once for one export. */
  public static final String MAX_CONCURRENT_BATCHES = "maxConcurrentBatches";

  private StandardSettings() {}

  /** Describes {@link #REQUESTS_PER_SECOND} with a default. */
  public static SettingDescriptor requestsPerSecond(double defaultRate, String why) {
    return SettingDescriptor.connection(REQUESTS_PER_SECOND, SettingDescriptor.Kind.DECIMAL,
        "Requests per second this connection may send (" + why + ")", false, formatRate(defaultRate));
  }

  /** Describes {@link #BASE_URL} with a default. */
  public static SettingDescriptor baseUrl(String defaultUrl) {
    requireNonNull(defaultUrl, "defaultUrl == null");
    return SettingDescriptor.connection(BASE_URL, SettingDescriptor.Kind.URL,
        "API base URL; HTTPS required except for loopback hosts (simulators)", false, defaultUrl);
  }

  /** Describes {@link #MAX_CONCURRENT_BATCHES} with a default. */
  public static SettingDescriptor maxConcurrentBatches(int defaultValue) {
    return SettingDescriptor.connection(MAX_CONCURRENT_BATCHES, SettingDescriptor.Kind.INTEGER,
        "Requests in flight at once for one export (one more batch is serialised meanwhile)", false, Integer.toString(defaultValue));
  }

  /**
   * Applies the standard settings a connection gives to a connector's documented limits.
   *
   * @throws ConfigurationException if a value is out of range
   */
  public static ConnectorLimits applyTo(ConnectorLimits limits, Connection connection) {
    ConnectorLimits result = limits;
    String rate = connection.setting(REQUESTS_PER_SECOND).orElse(null);
    if (rate != null) {
      result = result.withRequestsPerSecond(Double.parseDouble(rate.trim()));
    }
    String max = connection.setting(MAX_PROFILES_PER_EXPORT).orElse(null);
    if (max != null) {
      long m = Long.parseLong(max.trim());
      if (m < 1) {
        throw new ConfigurationException(MAX_PROFILES_PER_EXPORT + " must be at least 1");
      }
      result = result.withMaxProfilesPerExport(m);
    }
    String concurrency = connection.setting(MAX_CONCURRENT_BATCHES).orElse(null);
    if (concurrency != null) {
      int c = Integer.parseInt(concurrency.trim());
      if (c < 1 || c > 64) {
        throw new ConfigurationException(MAX_CONCURRENT_BATCHES + " must be between 1 and 64");
      }
      result = result.withMaxConcurrentBatches(c);
    }
    return result;
  }

  private static String formatRate(double rate) {
    return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
  }
}
