package com.segmentexport.internal;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads every export shares for its vendor calls: at most {@link #parallelism()} batches are
 * written at once, whatever the number of running exports, handed out fairly — each export has a
 * {@link Lane} of its own, and the threads take one batch from each lane with work in turn, so that an
 * export with many batches waiting cannot starve one with few. An export's own limits (its batches in
 * flight, its account's rate budget) are still enforced by the export; this class only bounds and shares
 * the threads.
 *
 * <p>An export whose source never blocks ({@link com.segmentexport.api.SegmentSource#isNonBlocking()})
 * has no thread of its own: it reads its segment in steps on its lane, between its batches, and sets up
 * each segment (its list found or created, its claim in the sync state: waits on other exports) on a
 * {@linkplain #setUpLane() set-up lane}. Set-ups have a share of the executor of their own, at most
 * {@link #setUpParallelism()} at once besides the {@link #parallelism()} batch writes, so that exports
 * waiting there for another export can never hold the threads that export needs to write its batches
 * and finish.
 *
 * <p>The threads are those of an {@link Executor}: by default a pool of daemon threads of this class's
 * own, made when needed and ended after {@value #IDLE_SECONDS} s idle; or the host's, which then never
 * runs more than {@link #parallelism()} of these tasks at once, plus {@link #setUpParallelism()} set-ups.
 * An executor that rejects a task (with any exception) makes the export that submitted it run it on its
 * own thread.
 *
 * <p>Public (with {@link #shared()} and {@link #using} its only public members) because {@link
 * com.segmentexport.api.Connectors} hands the pool to each exporter it builds.
 */
public final class EngineThreads {
  private static final Logger log = LoggerFactory.getLogger(EngineThreads.class);

  /**
   * Batches written at once by the JVM's default pool: enough for the largest per-export concurrency
   * of a default connector setting (Autopilot's 28 + 1) with room for another export, and with the
   * JVM's own threads (about 20) still under 64 + one reader per export.
   */
  public static final int DEFAULT_PARALLELISM = 40;

  /**
   * The system property that sizes the JVM's default pool instead of {@link #DEFAULT_PARALLELISM}, for
   * an operator who tunes a host without changing its code.
   */
  public static final String PARALLELISM_PROPERTY = "segmentexport.engineThreads";

  static final int IDLE_SECONDS = 30;

  private static volatile EngineThreads shared;

  private final Executor executor;
  private final int parallelism;

  /** The set-ups' own share of the executor; null in a set-up pool itself. */
  private final EngineThreads setUps;

  /** Lanes with a task waiting, in the order they are served. Guarded by {@code this}. */
  private final ArrayDeque<Lane> ready = new ArrayDeque<>();

  /** Drain loops running or handed to the executor. Guarded by {@code this}. */
  private int draining;

  private EngineThreads(Executor executor, int parallelism, boolean withSetUps) {
    this.executor = executor;
    this.parallelism = parallelism;
    this.setUps =
        withSetUps ? new EngineThreads(executor, setUpParallelism(parallelism), false) : null;
  }

  /**
   * Set-ups at once for a pool of {@code parallelism}: a fifth of it (8 for the default 40), at least
   * one. A set-up is a few vendor calls, or a wait for another export.
   */
  static int setUpParallelism(int parallelism) {
    return Math.max(1, parallelism / 5);
  }

  /**
   * {@return the JVM's default pool: {@value #DEFAULT_PARALLELISM} threads at most (or as the system
   * property {@value #PARALLELISM_PROPERTY} says), made when needed}
   */
  public static EngineThreads shared() {
    EngineThreads s = shared;
    if (s == null) {
      synchronized (EngineThreads.class) {
        s = shared;
        if (s == null) {
          s = ownThreads(defaultParallelism());
          shared = s;
        }
      }
    }
    return s;
  }

  private static int defaultParallelism() {
    String value = System.getProperty(PARALLELISM_PROPERTY);
    if (value == null) {
      return DEFAULT_PARALLELISM;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    log.warn(
        "Ignoring -D{}={}: not a whole number of at least 1; using {}",
        PARALLELISM_PROPERTY,
        value,
        DEFAULT_PARALLELISM);
    return DEFAULT_PARALLELISM;
  }

  /**
   * A pool of daemon threads of its own, made when needed, at most {@code threads} at once.
   *
   * @param threads the most batches written at once
   * @return the pool
   */
  public static EngineThreads ownThreads(int threads) {
    checkParallelism(threads);
    AtomicInteger ids = new AtomicInteger();
    // Never more than `threads` drain loops, and the set-ups' own, are handed to it, so its queue
    // holds at most a few between a loop's end and its thread's return to the pool; it never
    // rejects one.
    int size = threads + setUpParallelism(threads);
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            size,
            size,
            IDLE_SECONDS,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "segment-export-io-" + ids.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return new EngineThreads(pool, threads, true);
  }

  /**
   * A pool that runs its tasks on the host's executor, at most {@code parallelism} at once.
   *
   * @param executor the host's executor
   * @param parallelism the most batches written at once
   * @return the pool
   */
  public static EngineThreads using(Executor executor, int parallelism) {
    requireNonNull(executor, "executor == null");
    checkParallelism(parallelism);
    return new EngineThreads(executor, parallelism, true);
  }

  private static void checkParallelism(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("parallelism < 1: " + n);
    }
  }

  /** {@return the most batches written at once} */
  int parallelism() {
    return parallelism;
  }

  /** {@return the most set-ups run at once} */
  int setUpParallelism() {
    return setUps.parallelism;
  }

  /** {@return a new lane, for one export's batches} */
  Lane lane() {
    return new Lane();
  }

  /** {@return a new lane for one export's set-ups, on the set-ups' own share of the threads} */
  Lane setUpLane() {
    return setUps.lane();
  }

  /**
   * One export's share of the pool: its tasks run in the order given, as threads become free, taking
   * turns with the other lanes.
   */
  final class Lane implements Executor {
    /** Guarded by the pool. */
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    /** Whether the lane is in the pool's ready queue. Guarded by the pool. */
    private boolean queued;

    /** Signalled when a task of this lane is taken by a thread, for {@link #awaitNoneWaiting}. */
    private final Object taken = new Object();

    /** Threads in {@link #awaitNoneWaiting}; changed holding {@link #taken}. */
    private volatile int waiters;

    private Lane() {}

    /**
     * Waits until no task of this lane waits for a thread, so that an export builds its next batch
     * only when its previous one is being written: the batches held in memory across the JVM are those
     * being written, plus at most one waiting per export.
     *
     * @param millis the most to wait
     * @return whether no task waits now
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitNoneWaiting(long millis) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      synchronized (taken) {
        waiters++;
        try {
          while (true) {
            synchronized (EngineThreads.this) {
              if (tasks.isEmpty()) {
                return true;
              }
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
              return false;
            }
            taken.wait(left);
          }
        } finally {
          waiters--;
        }
      }
    }

    /** {@return whether a task of this lane waits for a thread} */
    boolean hasWaiting() {
      synchronized (EngineThreads.this) {
        return !tasks.isEmpty();
      }
    }

    @Override
    public void execute(Runnable task) {
      requireNonNull(task, "task == null");
      boolean launch;
      synchronized (EngineThreads.this) {
        tasks.add(task);
        if (!queued) {
          queued = true;
          ready.add(this);
        }
        launch = draining < parallelism;
        if (launch) {
          draining++;
        }
      }
      if (launch) {
        launchDrain();
      }
    }
  }

  private void launchDrain() {
    try {
      executor.execute(this::drain);
    } catch (RuntimeException | Error e) {
      // A full executor (RejectedExecutionException, or a host's executor's own exception, such as
      // one that is shut down), or a JVM that cannot make a thread now (out of memory, or of native
      // threads): the task is in its lane already, and a lane's task that no thread drains would
      // leave its export waiting for it forever. The exporting thread runs it.
      log.warn(
          "The export thread pool could not start a thread ({}); running the task on the exporting"
              + " thread",
          e.toString());
      drain();
    }
  }

  /**
   * Runs waiting tasks, one lane's at a time in turn, until none waits. A task's failure, an {@link
   * Error} included, ends only that task: the loop goes on, so that no lane's tasks are left with no
   * thread to run them (their exports would wait for them forever).
   */
  private void drain() {
    while (true) {
      Runnable task;
      Lane lane;
      synchronized (this) {
        lane = ready.poll();
        if (lane == null) {
          draining--;
          return;
        }
        task = lane.tasks.poll();
        if (lane.tasks.isEmpty()) {
          lane.queued = false;
        } else {
          ready.add(lane);
        }
      }
      if (lane.waiters > 0) {
        synchronized (lane.taken) {
          lane.taken.notifyAll();
        }
      }
      try {
        task.run();
      } catch (Throwable e) {
        lastResort(e);
      } finally {
        // An interrupt meant for one export's task must not stop the next export's.
        Thread.interrupted();
      }
    }
  }

  /**
   * A task failed outside the engine's accounting (its own handlers failed, for instance out of
   * memory): logged if the JVM can, never thrown, so that the drain loop goes on.
   */
  private static void lastResort(Throwable e) {
    try {
      log.error("An export task failed outside the engine's accounting", e);
    } catch (Throwable ignored) {
      // Logging failed too (out of memory): nothing more can be done for this task.
    }
  }
}
