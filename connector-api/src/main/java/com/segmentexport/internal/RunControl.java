package com.segmentexport.internal;

import com.segmentexport.api.Connection;
import java.time.Duration;

/** Cancellation of one run: by the caller, by connection removal, or by a fatal error. */
final class RunControl {
  private static final long SLICE_NANOS = Duration.ofMillis(50).toNanos();
  private final Connection connection;
  private volatile String stopReason;

  RunControl(Connection connection) {
    this.connection = connection;
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
    long deadline = System.nanoTime() + nanos;
    synchronized (this) {
      while (!isStopped()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return true;
        }
        long slice = Math.min(left, SLICE_NANOS);
        try {
          wait(slice / 1_000_000, (int) (slice % 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stop("interrupted");
        }
      }
    }
    return false;
  }
}
