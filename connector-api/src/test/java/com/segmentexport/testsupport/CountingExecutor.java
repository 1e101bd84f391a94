package com.segmentexport.testsupport;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host's executor that makes a thread for every task it is given and counts the tasks running on it
 * at once: what the engine runs on it at once, not what the executor allows. Shut it down after use.
 */
public final class CountingExecutor implements Executor, AutoCloseable {
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger most = new AtomicInteger();

  @Override
  public void execute(Runnable task) {
    pool.execute(
        () -> {
          most.accumulateAndGet(running.incrementAndGet(), Math::max);
          try {
            task.run();
          } finally {
            running.decrementAndGet();
          }
        });
  }

  /** {@return the tasks running now} */
  public int running() {
    return running.get();
  }

  /** {@return the most tasks that ran at once} */
  public int most() {
    return most.get();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
