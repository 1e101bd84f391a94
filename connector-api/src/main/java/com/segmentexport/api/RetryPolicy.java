package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the engine retries: idempotent requests after 5xx, timeouts and dropped connections, any
 * request after a 429. Exponential backoff from {@code initialDelay}, doubled per attempt up to
 * {@code maxDelay}, with equal jitter (half of each delay fixed, half random); at most
 * {@code maxAttempts} per request and {@code retryBudget} retries per export. A vendor's wait
 * ({@code Retry-After}, {@code X-RateLimit-Reset}) is honoured up to {@code maxThrottleWait}; a 429
 * without one backs off from 2 seconds (within {@code maxDelay}). Authentication failures are never
 * retried.
 *
 * @param initialDelay the first backoff
 * @param maxDelay the cap on one backoff
 * @param maxAttempts attempts per request, the first included
 * @param retryBudget retries allowed in one export, across all its requests
 * @param maxThrottleWait the longest single wait a vendor may ask for before the export gives up
 */
public record RetryPolicy(
    Duration initialDelay,
    Duration maxDelay,
    int maxAttempts,
    int retryBudget,
    Duration maxThrottleWait) {

  /** Sensible defaults: 500 ms doubling to 30 s, 8 attempts, 1,000 retries per export, 15 min waits. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(
          Duration.ofMillis(500), Duration.ofSeconds(30), 8, 1000, Duration.ofMinutes(15));

  /**
   * Checks the parts.
   *
   * @param initialDelay the first backoff
   * @param maxDelay the cap on one backoff
   * @param maxAttempts attempts per request, the first included
   * @param retryBudget retries allowed in one export, across all its requests
   * @param maxThrottleWait the longest single wait a vendor may ask for before the export gives up
   */
  public RetryPolicy {
    requireNonNull(initialDelay, "initialDelay == null");
    requireNonNull(maxDelay, "maxDelay == null");
    requireNonNull(maxThrottleWait, "maxThrottleWait == null");
    if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("need 0 <= initialDelay <= maxDelay");
    }
    if (maxAttempts < 1 || retryBudget < 0) {
      throw new IllegalArgumentException("need maxAttempts >= 1 and retryBudget >= 0");
    }
  }

  /**
   * {@return a copy with other backoff delays (tests use short ones)}
   *
   * @param initial the delay before the first retry
   * @param max the longest delay between retries
   */
  public RetryPolicy withDelays(Duration initial, Duration max) {
    return new RetryPolicy(initial, max, maxAttempts, retryBudget, maxThrottleWait);
  }

  /**
   * {@return a copy with another number of attempts per request}
   *
   * @param attempts the most attempts per request, the first included
   */
  public RetryPolicy withMaxAttempts(int attempts) {
    return new RetryPolicy(initialDelay, maxDelay, attempts, retryBudget, maxThrottleWait);
  }

  /**
   * {@return a copy with another retry budget per export}
   *
   * @param budget the most retries per export, all requests together
   */
  public RetryPolicy withRetryBudget(int budget) {
    return new RetryPolicy(initialDelay, maxDelay, maxAttempts, budget, maxThrottleWait);
  }
}
