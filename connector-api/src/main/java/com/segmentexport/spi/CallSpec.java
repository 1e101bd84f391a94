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
public record CallSpec(String name, boolean idempotent, ResponseClassifier classifier, RateBudget budget) {
  /** Checks the parts. */
  public CallSpec {
    requireNonNull(name, "name == null");
    requireNonNull(classifier, "classifier == null");
  }

  /** A call on the account's main rate budget. */
  public CallSpec(String name, boolean idempotent, ResponseClassifier classifier) {
    this(name, idempotent, classifier, null);
  }

  /** An idempotent call (read or upsert) with the default classifier. */
  public static CallSpec idempotent(String name) {
    return new CallSpec(name, true, ResponseClassifier.DEFAULT);
  }

  /** A call that must not be repeated after an ambiguous failure, with the default classifier. */
  public static CallSpec once(String name) {
    return new CallSpec(name, false, ResponseClassifier.DEFAULT);
  }

  /** A copy with this classifier. */
  public CallSpec classifiedBy(ResponseClassifier c) {
    return new CallSpec(name, idempotent, c, budget);
  }

  /** A copy paced by, and paused with, this budget instead of the account's main one. */
  public CallSpec inBudget(RateBudget b) {
    return new CallSpec(name, idempotent, classifier, requireNonNull(b, "budget == null"));
  }
}
