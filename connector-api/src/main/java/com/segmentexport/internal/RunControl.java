package com.segmentexport.internal;

import com.segmentexport.api.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cancellation of one run (by the caller, by connection removal, or by a fatal error) and the run's
 * waits, which a stop cuts short.
 *
 * <p>Time comes from a {@link Ticker} and a wait blocks through a {@link Waiter}: the system's clock and
 * the control's monitor unless a test gives others, so that pauses, backoff and throttling can be tested
 * in virtual time, without real waits.
 */
final class RunControl {
  /**
   * The longest a wait blocks before it looks again at the connection (its removal is signalled only
   * to the waits in {@link #interruptibly}: see {@link #connectionRemoved}).
   */
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

  /** Threads in {@link #interruptibly}, which {@link #stop} interrupts. Guarded by this. */
  private final Map<Thread, Boolean> interruptible = new HashMap<>();

  /**
   * The controls with a thread in {@link #interruptibly}, by their connection (the object, as {@link
   * Connection#isRemoved()} is per object), one entry per thread: {@link #connectionRemoved} stops
   * them at once. The run's own waits look at the connection every {@link #SLICE_NANOS}; these, for
   * another export, see a stop only through an interrupt. Guarded by itself.
   */
  private static final Map<Connection, List<RunControl>> WAITING = new IdentityHashMap<>();

  RunControl(Connection connection) {
    this(connection, Ticker.SYSTEM, Waiter.MONITOR);
  }

  RunControl(Connection connection, Ticker ticker, Waiter waiter) {
    this.connection = connection;
    this.ticker = ticker;
    this.waiter = waiter;
  }

  /**
   * Run once when the run is first stopped, outside this control's lock: a run still waiting for its
   * turn ends then. Null when none.
   */
  private volatile Runnable whenStopped;

  /**
   * Until {@link #endWatchWhileQueued}, a removal of the connection stops this run as it stops a run
   * waiting in {@link #interruptibly}, and {@code whenStopped} runs on the first stop; for a run that
   * waits for a thread to start on.
   */
  void watchWhileQueued(Runnable whenStopped) {
    this.whenStopped = whenStopped;
    watch();
  }

  /** The run has its thread: it sees stops itself from now on. */
  void endWatchWhileQueued() {
    whenStopped = null;
    unwatch();
  }

  void stop(String reason) {
    boolean first;
    synchronized (this) {
      first = stopReason == null;
      if (first) {
        stopReason = reason;
      }
      notifyAll();
      // Threads waiting for another export (its read or creation of the account's lists, a claim on
      // a list held elsewhere) see the stop only through an interrupt.
      interruptible.replaceAll(
          (thread, interrupted) -> {
            if (!interrupted) {
              thread.interrupt();
            }
            return true;
          });
    }
    Runnable queued = whenStopped;
    if (first && queued != null) {
      queued.run();
    }
  }

  /**
   * Runs an action that may wait for other exports (a connector opening a destination: the account
   * directory's reads and creations, a sync state's claim on a list), interrupting its thread when the
   * run is stopped meanwhile (cancelled, failed, or its connection removed: see {@link
   * #connectionRemoved}), so that those waits end with an {@link
   * com.segmentexport.spi.ExportCancelledException}. An interrupt this control delivered is cleared
   * when the action ends: it does not outlive it.
   *
   * @throws com.segmentexport.spi.ExportCancelledException if the run is stopped already
   */
  <T> T interruptibly(java.util.function.Supplier<T> action) {
    Thread me = Thread.currentThread();
    // Watched before the connection is looked at: a removal either comes first, and is seen below,
    // or finds this control and stops it.
    watch();
    try {
      synchronized (this) {
        if (isStopped()) {
          throw new com.segmentexport.spi.ExportCancelledException(
              "the export stopped: " + stopReason, false);
        }
        interruptible.put(me, false);
      }
      try {
        return action.get();
      } finally {
        boolean interrupted;
        synchronized (this) {
          interrupted = interruptible.remove(me);
        }
        if (interrupted) {
          Thread.interrupted();
        }
      }
    } finally {
      unwatch();
    }
  }

  private void watch() {
    synchronized (WAITING) {
      WAITING.computeIfAbsent(connection, c -> new ArrayList<>(1)).add(this);
    }
  }

  private void unwatch() {
    synchronized (WAITING) {
      List<RunControl> controls = WAITING.get(connection);
      controls.remove(this);
      if (controls.isEmpty()) {
        WAITING.remove(connection);
      }
    }
  }

  /**
   * {@return whether a run on this connection is in {@link #interruptibly}} (for tests)
   *
   * @param connection the connection
   */
  static boolean watched(Connection connection) {
    synchronized (WAITING) {
      return WAITING.containsKey(connection);
    }
  }

  /**
   * The connection was removed ({@link Connection#remove()}): the runs on it that wait in {@link
   * #interruptibly} for another export (its read or creation of the account's lists, its claim on a
   * list) stop now, as a cancel would stop them, rather than when the other lets go. Their other waits
   * see the removal within {@link #SLICE_NANOS}.
   *
   * @param removed the connection, already removed
   */
  static void connectionRemoved(Connection removed) {
    List<RunControl> controls;
    synchronized (WAITING) {
      List<RunControl> waiting = WAITING.get(removed);
      if (waiting == null) {
        return;
      }
      controls = List.copyOf(waiting);
    }
    for (RunControl control : controls) {
      control.isStopped(); // stops it with the reason a removal gives, interrupting its waits
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
