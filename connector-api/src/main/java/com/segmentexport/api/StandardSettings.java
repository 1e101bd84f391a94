package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import java.util.OptionalDouble;
import java.util.OptionalLong;

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

  /** The most batches in flight at once any connector allows for one export. */
  public static final int MAX_CONCURRENCY = 64;

  /** The smallest request rate a connection may be given: one request every 100 seconds. */
  public static final double MIN_REQUESTS_PER_SECOND = 0.01;

  /**
   * The largest request rate a connection may be given: a microsecond between requests, far beyond any
   * vendor's limit (tests and benchmarks use it as "unthrottled").
   */
  public static final double MAX_REQUESTS_PER_SECOND = 1_000_000;

  /** The longest base URL accepted. */
  public static final int MAX_URL_LENGTH = 2000;

  private StandardSettings() {}

  /**
   * Describes {@link #REQUESTS_PER_SECOND} with a default: a decimal from {@link #MIN_REQUESTS_PER_SECOND}
   * to {@link #MAX_REQUESTS_PER_SECOND}.
   *
   * @param defaultRate requests per second by default
   * @param why why, shown in the setting's description
   * @return the {@code requestsPerSecond} setting
   */
  public static SettingDescriptor requestsPerSecond(double defaultRate, String why) {
    return SettingDescriptor.connection(REQUESTS_PER_SECOND, SettingDescriptor.Kind.DECIMAL)
        .description("Requests per second this connection may send (" + why + ")")
        .range(SettingDescriptor.Range.between(MIN_REQUESTS_PER_SECOND, MAX_REQUESTS_PER_SECOND))
        .defaultValue(defaultRate)
        .build();
  }

  /**
   * Describes {@link #BASE_URL} with a default.
   *
   * @param defaultUrl the vendor's API URL
   * @return the {@code baseUrl} setting
   */
  public static SettingDescriptor baseUrl(String defaultUrl) {
    requireNonNull(defaultUrl, "defaultUrl == null");
    return SettingDescriptor.connection(BASE_URL, SettingDescriptor.Kind.URL)
        .description("API base URL; HTTPS required except for loopback hosts (simulators)")
        .maxLength(MAX_URL_LENGTH)
        .defaultValue(defaultUrl)
        .build();
  }

  /**
   * Describes {@link #MAX_CONCURRENT_BATCHES} with a default: a whole number from 1 to {@link #MAX_CONCURRENCY}.
   *
   * @param defaultValue the value used when none is given
   * @return the {@code maxConcurrentBatches} setting
   */
  public static SettingDescriptor maxConcurrentBatches(int defaultValue) {
    return maxConcurrentBatches(defaultValue, MAX_CONCURRENCY);
  }

  /**
   * Describes {@link #MAX_CONCURRENT_BATCHES} with a default, for a vendor that allows at most {@code max}
   * (itself at most {@link #MAX_CONCURRENCY}).
   *
   * @param defaultValue the value used when none is given
   * @param max the largest value allowed
   * @return the {@code maxConcurrentBatches} setting
   */
  public static SettingDescriptor maxConcurrentBatches(int defaultValue, int max) {
    if (max < 1 || max > MAX_CONCURRENCY) {
      throw new IllegalArgumentException(
          "max must be between 1 and " + MAX_CONCURRENCY + ": " + max);
    }
    return SettingDescriptor.connection(MAX_CONCURRENT_BATCHES, SettingDescriptor.Kind.INTEGER)
        .description(
            "Requests in flight at once for one export (one more batch is serialised meanwhile)")
        .range(SettingDescriptor.Range.between(1, max))
        .defaultValue(defaultValue)
        .build();
  }

  /**
   * Describes {@link #MAX_PROFILES_PER_EXPORT} for a vendor that caps exports: from 1 to {@code vendorMax},
   * which is also the default.
   *
   * @param vendorMax the vendor's own maximum
   * @param description what it is for, shown to whoever fills in the form
   * @return the {@code maxProfilesPerExport} setting
   */
  public static SettingDescriptor maxProfilesPerExport(long vendorMax, String description) {
    return SettingDescriptor.connection(MAX_PROFILES_PER_EXPORT, SettingDescriptor.Kind.INTEGER)
        .description(description)
        .range(SettingDescriptor.Range.between(1, vendorMax))
        .defaultValue(vendorMax)
        .build();
  }

  /**
   * Describes {@link #MAX_PROFILES_PER_EXPORT} for a vendor without a cap: at least 1, unbounded when absent.
   *
   * @param description what it is for, shown to whoever fills in the form
   * @return the {@code maxProfilesPerExport} setting
   */
  public static SettingDescriptor maxProfilesPerExport(String description) {
    return SettingDescriptor.connection(MAX_PROFILES_PER_EXPORT, SettingDescriptor.Kind.INTEGER)
        .description(description)
        .range(SettingDescriptor.Range.atLeast(1))
        .build();
  }

  /**
   * Applies the standard settings a connection gives to a connector's documented limits. The values
   * were range-checked against the connector's descriptors when the connection was built; a setting
   * the connector does not declare is left alone.
   *
   * @param limits the connector's limits
   * @param connection the connection
   * @return the limits with the connection's settings applied
   * @throws ConfigurationException if a connector declares a standard setting without a range and the
   *     value given is out of what the engine accepts
   */
  public static ConnectorLimits applyTo(ConnectorLimits limits, Connection connection) {
    ConnectorLimits result = limits;
    if (declares(connection, REQUESTS_PER_SECOND)) {
      OptionalDouble rate = connection.decimalSetting(REQUESTS_PER_SECOND);
      if (rate.isPresent()) {
        if (rate.getAsDouble() < MIN_REQUESTS_PER_SECOND
            || rate.getAsDouble() > MAX_REQUESTS_PER_SECOND) {
          throw new ConfigurationException(
              REQUESTS_PER_SECOND
                  + " must be between "
                  + MIN_REQUESTS_PER_SECOND
                  + " and "
                  + (long) MAX_REQUESTS_PER_SECOND);
        }
        result = result.withRequestsPerSecond(rate.getAsDouble());
      }
    }
    if (declares(connection, MAX_PROFILES_PER_EXPORT)) {
      OptionalLong max = connection.longSetting(MAX_PROFILES_PER_EXPORT);
      if (max.isPresent()) {
        if (max.getAsLong() < 1) {
          throw new ConfigurationException(MAX_PROFILES_PER_EXPORT + " must be at least 1");
        }
        result = result.withMaxProfilesPerExport(max.getAsLong());
      }
    }
    if (declares(connection, MAX_CONCURRENT_BATCHES)) {
      OptionalLong concurrency = connection.longSetting(MAX_CONCURRENT_BATCHES);
      if (concurrency.isPresent()) {
        long c = concurrency.getAsLong();
        if (c < 1 || c > MAX_CONCURRENCY) {
          throw new ConfigurationException(
              MAX_CONCURRENT_BATCHES + " must be between 1 and " + MAX_CONCURRENCY);
        }
        result = result.withMaxConcurrentBatches((int) c);
      }
    }
    return result;
  }

  private static boolean declares(Connection connection, String name) {
    return connection.provider().settings().stream()
        .anyMatch(d -> d.name().equals(name) && d.scope() == SettingDescriptor.Scope.CONNECTION);
  }
}
