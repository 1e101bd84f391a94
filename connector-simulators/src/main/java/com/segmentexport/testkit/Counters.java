package com.segmentexport.testkit;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A simulator's counters, one per constant of an enum, safe to update from the server's threads: one
 * field instead of a field per count.
 *
 * @param <E> the enum naming the counters
 */
public final class Counters<E extends Enum<E>> {
  private final AtomicLongArray values;

  /** Counters for every constant of {@code type}, all zero. */
  public Counters(Class<E> type) {
    this.values = new AtomicLongArray(type.getEnumConstants().length);
  }

  /** Adds one to a counter. */
  public void increment(E counter) {
    values.incrementAndGet(counter.ordinal());
  }

  /** Raises a counter to {@code value} if it is lower (a high-water mark). */
  public void atLeast(E counter, long value) {
    values.accumulateAndGet(counter.ordinal(), value, Math::max);
  }

  /** A counter's value. */
  public long get(E counter) {
    return values.get(counter.ordinal());
  }

  /** A counter's value as an {@code int}, as the simulators' accessors report it. */
  public int intValue(E counter) {
    return (int) get(counter);
  }
}
