package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

/**
 * How {@link VendorHttp} treats one request.
 *
 * @param name a short name for logs and events, such as {@code subscribe}; never personal data
 * @param idempotent whether repeating the request is harmless (reads, upserts). Only idempotent
 *     requests are repeated after a 5xx, a timeout or a dropped connection, where the vendor may already
 *     have applied them; any request is repeated after a 429, which says it was not processed
 * @param classifier decides what each response means
 * @param budget the rate budget the call is paced by and paused with, or null for the account's main one
 */
public record CallSpec(
    String name, boolean idempotent, ResponseClassifier classifier, RateBudget budget) {
  /**
   * Checks the parts.
   *
   * @param name the call's name, in logs and retry events
   * @param idempotent whether repeating the request is harmless (reads, upserts)
   * @param classifier decides what each response means
   * @param budget the rate budget the call is paced by and paused with, or null for the account's main one
   */
  public CallSpec {
    requireNonNull(name, "name == null");
    requireNonNull(classifier, "classifier == null");
  }

  /**
   * A call on the account's main rate budget.
   *
   * @param name the call's name, in logs and retry events
   * @param idempotent whether repeating the request is harmless (reads, upserts)
   * @param classifier decides what each response means
   */
  public CallSpec(String name, boolean idempotent, ResponseClassifier classifier) {
    this(name, idempotent, classifier, null);
  }

  /**
   * {@return an idempotent call (read or upsert) with the default classifier}
   *
   * @param name the call's name, in logs and retry events
   */
  public static CallSpec idempotent(String name) {
    return new CallSpec(name, true, ResponseClassifier.DEFAULT);
  }

  /**
   * {@return a call that must not be repeated after an ambiguous failure, with the default classifier}
   *
   * @param name the call's name, in logs and retry events
   */
  public static CallSpec once(String name) {
    return new CallSpec(name, false, ResponseClassifier.DEFAULT);
  }

  /**
   * {@return a copy with this classifier}
   *
   * @param c the response classifier
   */
  public CallSpec classifiedBy(ResponseClassifier c) {
    return new CallSpec(name, idempotent, c, budget);
  }

  /**
   * {@return a copy paced by, and paused with, this budget instead of the account's main one}
   *
   * @param b the budget
   */
  public CallSpec inBudget(RateBudget b) {
    return new CallSpec(name, idempotent, classifier, requireNonNull(b, "budget == null"));
  }
}
