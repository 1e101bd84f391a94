package com.segmentexport.internal;

import com.segmentexport.api.Connection;
import java.time.Duration;

/**
 * Cancellation of one run (by the caller, by connection removal, or by a fatal error) and the run's
 * waits, which a stop cuts short.
 *
 * <p>Time comes from a {@link Ticker} and a wait blocks through a {@link Waiter}: the system's clock and
 * the control's monitor unless a test gives others, so that pauses, backoff and throttling can be tested
 * in virtual time, without real waits.
 */
final class RunControl {
  /** The longest a wait blocks before it looks again at the connection (its removal is not signalled). */
  static final long SLICE_NANOS = Duration.ofMillis(50).toNanos();

  /** How a wait blocks. */
  @FunctionalInterface
  interface Waiter {
    /** Blocks on the system's clock, on the monitor, woken early by {@link RunControl#stop}. */
    Waiter MONITOR = (monitor, nanos) -> monitor.wait(nanos / 1_000_000, (int) (nanos % 1_000_000));

    /**
     * Blocks for at most {@code nanos}, or until {@code monitor} is notified; called holding the monitor.
     *
     * @param monitor the run control's monitor, held by the caller
     * @param nanos at most this long, at most {@link RunControl#SLICE_NANOS}
     * @throws InterruptedException if the thread is interrupted
     */
    void await(Object monitor, long nanos) throws InterruptedException;
  }

  private final Connection connection;
  private final Ticker ticker;
  private final Waiter waiter;
  private volatile String stopReason;

  RunControl(Connection connection) {
    this(connection, Ticker.SYSTEM, Waiter.MONITOR);
  }

  RunControl(Connection connection, Ticker ticker, Waiter waiter) {
    this.connection = connection;
    this.ticker = ticker;
    this.waiter = waiter;
  }

  void stop(String reason) {
    synchronized (this) {
      if (stopReason == null) {
        stopReason = reason;
      }
      notifyAll();
    }
  }

  boolean isStopped() {
    if (stopReason == null && connection.isRemoved()) {
      stop("connection removed");
    }
    return stopReason != null;
  }

  String stopReason() {
    isStopped();
    return stopReason;
  }

  /** Sleeps, waking early when stopped. Returns false if stopped. */
  boolean sleep(long nanos) {
    long deadline = ticker.nanoTime() + nanos;
    synchronized (this) {
      while (!isStopped()) {
        long left = deadline - ticker.nanoTime();
        if (left <= 0) {
          return true;
        }
        try {
          waiter.await(this, Math.min(left, SLICE_NANOS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stop("interrupted");
        }
      }
    }
    return false;
  }
}
