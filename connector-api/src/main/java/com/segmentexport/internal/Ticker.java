package com.segmentexport.internal;

/**
 * The engine's source of time, {@link System#nanoTime()} unless a test gives another, so that pacing,
 * pauses, backoff and deadlines can be tested without real waits.
 */
@FunctionalInterface
interface Ticker {
  /** The system's monotonic clock. */
  Ticker SYSTEM = System::nanoTime;

  /** Nanoseconds from an arbitrary origin, monotonic. */
  long nanoTime();
}
