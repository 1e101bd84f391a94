package com.segmentexport.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run exports — each running export's one thread of its own, which reads its segments
 * (a host's source may block) and hands batches to {@link EngineThreads}. An export whose source never
 * blocks needs none, unless the runners limit the exports running at once: it runs in steps on {@link
 * EngineThreads}. By default as many run at once
 * as are started, on threads reused from export to export; with a limit, exports started beyond it
 * wait in the order started, holding no thread, until one ends.
 *
 * <p>Public (with {@link #unbounded()} and {@link #atMost(int)} its only public members) because {@link
 * com.segmentexport.api.Connectors} hands the runners to each exporter it builds.
 */
public final class ExportRunners {
  private static final ExportRunners UNBOUNDED =
      new ExportRunners(
          new ThreadPoolExecutor(
              0,
              Integer.MAX_VALUE,
              EngineThreads.IDLE_SECONDS,
              TimeUnit.SECONDS,
              new SynchronousQueue<>(),
              daemonThreads()),
          false);

  private final ExecutorService executor;

  /** Whether at most so many exports run at once: then every export runs on a runner's thread. */
  private final boolean limitsRunning;

  private ExportRunners(ExecutorService executor, boolean limitsRunning) {
    this.executor = executor;
    this.limitsRunning = limitsRunning;
  }

  /** {@return the JVM's default: every export started runs at once} */
  public static ExportRunners unbounded() {
    return UNBOUNDED;
  }

  /**
   * Runners of which at most {@code exports} run at once.
   *
   * @param exports the most exports running at once
   * @return the runners
   * @throws IllegalArgumentException if {@code exports} is less than 1
   */
  public static ExportRunners atMost(int exports) {
    if (exports < 1) {
      throw new IllegalArgumentException("exports < 1: " + exports);
    }
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            exports,
            exports,
            EngineThreads.IDLE_SECONDS,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemonThreads());
    pool.allowCoreThreadTimeOut(true);
    return new ExportRunners(pool, true);
  }

  /**
   * {@return whether these runners limit the exports running at once} An export whose source never
   * blocks then still runs on a runner's thread, so that the limit holds for it too; without a limit it
   * runs in steps on the shared threads instead, holding none of its own.
   */
  boolean limitsRunning() {
    return limitsRunning;
  }

  /**
   * Runs an export on one of the runners' threads, named {@code name} while it runs.
   *
   * @param name the thread's name while the export runs
   * @param export the export's whole run
   */
  void start(String name, Runnable export) {
    executor.execute(
        () -> {
          Thread thread = Thread.currentThread();
          String idle = thread.getName();
          thread.setName(name);
          try {
            export.run();
          } finally {
            thread.setName(idle);
          }
        });
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicInteger ids = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "segment-export-runner-" + ids.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
