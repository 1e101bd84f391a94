package com.segmentexport.api;

import java.util.OptionalLong;

/**
 * A vendor's limits as a connector applies them: the engine batches, throttles and caps exports with
 * these numbers.
 *
 * @param maxBatchRecords most profiles in one write request
 * @param maxBatchBytes most bytes of profile data in one write request
 * @param maxConcurrentBatches most requests in flight at once for one export; the engine hands the
 *     connector one batch more, whose body is serialised while the others' requests are out
 * @param requestsPerSecond the request rate the connection's rate limiter is seeded with
 * @param maxProfilesPerExport most profiles one export may send, across all of its segments
 */
public record ConnectorLimits(
    int maxBatchRecords,
    long maxBatchBytes,
    int maxConcurrentBatches,
    double requestsPerSecond,
    OptionalLong maxProfilesPerExport) {

  /**
   * Checks that every number is positive.
   *
   * @param maxBatchRecords most profiles in one write request
   * @param maxBatchBytes most bytes of profile data in one write request
   * @param maxConcurrentBatches most requests in flight at once for one export; the engine hands the connector one
   *     batch more, whose body is serialised while the others' requests are out
   * @param requestsPerSecond the request rate the connection's rate limiter is seeded with
   * @param maxProfilesPerExport most profiles one export may send, across all of its segments
   */
  public ConnectorLimits {
    if (maxBatchRecords < 1) {
      throw new IllegalArgumentException("maxBatchRecords < 1: " + maxBatchRecords);
    }
    if (maxBatchBytes < 1024) {
      throw new IllegalArgumentException("maxBatchBytes < 1024: " + maxBatchBytes);
    }
    if (maxConcurrentBatches < 1) {
      throw new IllegalArgumentException("maxConcurrentBatches < 1: " + maxConcurrentBatches);
    }
    if (!(requestsPerSecond > 0) || !Double.isFinite(requestsPerSecond)) {
      throw new IllegalArgumentException(
          "requestsPerSecond must be positive: " + requestsPerSecond);
    }
    if (maxProfilesPerExport.isPresent() && maxProfilesPerExport.getAsLong() < 1) {
      throw new IllegalArgumentException("maxProfilesPerExport < 1");
    }
  }

  /**
   * Returns a copy with another request rate.
   *
   * @param rate requests per second
   * @return a copy with another request rate
   */
  public ConnectorLimits withRequestsPerSecond(double rate) {
    return new ConnectorLimits(
        maxBatchRecords, maxBatchBytes, maxConcurrentBatches, rate, maxProfilesPerExport);
  }

  /**
   * Returns a copy with another per-export profile cap.
   *
   * @param max the largest value allowed
   * @return a copy with another per-export profile cap
   */
  public ConnectorLimits withMaxProfilesPerExport(long max) {
    return new ConnectorLimits(
        maxBatchRecords,
        maxBatchBytes,
        maxConcurrentBatches,
        requestsPerSecond,
        OptionalLong.of(max));
  }

  /**
   * Returns a copy with another concurrency.
   *
   * @param max the largest value allowed
   * @return a copy with another concurrency
   */
  public ConnectorLimits withMaxConcurrentBatches(int max) {
    return new ConnectorLimits(
        maxBatchRecords, maxBatchBytes, max, requestsPerSecond, maxProfilesPerExport);
  }
}
