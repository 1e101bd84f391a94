package com.segmentexport.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Wire counters of one run, shared by its threads. */
final class RunStats {
  final AtomicLong httpCalls = new AtomicLong();
  final AtomicLong retries = new AtomicLong();
  final AtomicLong throttledNanos = new AtomicLong();
  private final AtomicInteger retryBudget;

  RunStats(int retryBudget) {
    this.retryBudget = new AtomicInteger(retryBudget);
  }

  /** Takes one retry from the budget; false when it is spent. */
  boolean takeRetry() {
    return retryBudget.getAndUpdate(b -> b > 0 ? b - 1 : 0) > 0;
  }
}
