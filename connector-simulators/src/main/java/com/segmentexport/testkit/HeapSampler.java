package com.segmentexport.testkit;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Watches this JVM's heap while an export runs: every 20 ms, on a daemon thread, the heap still in use
 * after the last collection of each pool, keeping the most seen. That is the memory an export holds,
 * as opposed to the garbage it has not yet had collected, which {@link #peakHeapBytes()} includes.
 *
 * <pre>{@code
 * try (HeapSampler heap = HeapSampler.start()) {
 *   exporter.export(definition, source);
 *   long held = heap.peakLiveBytes();
 * }
 * }</pre>
 */
public final class HeapSampler implements AutoCloseable {
  private final Thread thread;
  private long peakLive;

  private HeapSampler() {
    thread = new Thread(this::sample, "heap-sampler");
    thread.setDaemon(true);
  }

  /** Starts sampling. */
  public static HeapSampler start() {
    HeapSampler sampler = new HeapSampler();
    sampler.thread.start();
    return sampler;
  }

  /** The most heap seen in use after a collection so far, in bytes (0 before the first collection). */
  public synchronized long peakLiveBytes() {
    return peakLive;
  }

  /** The sum of the heap pools' peak usage since the JVM started, garbage included, in bytes. */
  public static long peakHeapBytes() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }

  /** Stops sampling; {@link #peakLiveBytes()} keeps its value. */
  @Override
  public void close() {
    thread.interrupt();
  }

  private void sample() {
    while (!Thread.currentThread().isInterrupted()) {
      long live = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
          live += pool.getCollectionUsage().getUsed();
        }
      }
      synchronized (this) {
        peakLive = Math.max(peakLive, live);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
