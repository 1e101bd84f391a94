package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

/**
 * A rate budget of its own for some of a vendor's calls, where the vendor rates them apart from the
 * rest: dotdigital, for example, limits contact imports per account tier but not the polls of an
 * import's status. Calls whose {@link CallSpec} names no budget share the account's main budget (the
 * connector's {@link com.segmentexport.api.ConnectorLimits#requestsPerSecond()}).
 *
 * <p>A budget is per vendor account, like the main one: every export to the account in the JVM shares
 * it. A vendor's wait signal (a 429 with {@code Retry-After}, an exhausted {@code X-RateLimit-Remaining})
 * on a call pauses that call's budget only, so a pause on imports does not hold the status polls.
 *
 * @param name a short stable name, unique among the connector's budgets, such as {@code import-status}
 * @param requestsPerSecond the budget's pace; {@link Double#POSITIVE_INFINITY} for calls the vendor does
 *     not rate (they still obey the vendor's waits)
 */
public record RateBudget(String name, double requestsPerSecond) {
  /**
   * Checks the parts.
   *
   * @param name a short stable name, unique among the connector's budgets
   * @param requestsPerSecond the budget's pace, positive; {@link Double#POSITIVE_INFINITY} for unrated calls
   */
  public RateBudget {
    requireNonNull(name, "name == null");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a budget needs a name");
    }
    if (!(requestsPerSecond > 0)) {
      throw new IllegalArgumentException(
          "requestsPerSecond must be positive: " + requestsPerSecond);
    }
  }

  /**
   * {@return a budget for calls the vendor does not rate: not paced, but paused by the vendor's waits}
   *
   * @param name a short stable name, unique among the connector's budgets
   */
  public static RateBudget unmetered(String name) {
    return new RateBudget(name, Double.POSITIVE_INFINITY);
  }
}
