package com.segmentexport.testkit;

import com.segmentexport.api.ExportResult;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.reflect.Constructor;

/**
 * Runs one contract's large export in this JVM (started by the contract with a small {@code -Xmx})
 * and prints its counts and heap figures: {@code RESULT read=… exported=… notAttempted=…
 * peakHeapBytes=… peakLiveAfterGcBytes=…} (the heap in use, garbage included, at its highest; and the
 * most heap still in use right after a collection, which is what the run retains). Exits 0 on success, 1 on any failure (an {@link OutOfMemoryError} included).
 */
public final class ForkedExport {
  private ForkedExport() {}

  /**
   * Entry point.
   *
   * @param args the contract subclass's name and the number of profiles
   */
  public static void main(String[] args) throws Exception {
    try {
      Class<?> type = Class.forName(args[0]);
      Constructor<?> constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
      SegmentExporterContract<?> contract = (SegmentExporterContract<?>) constructor.newInstance();
      long[] peakLive = new long[1];
      Thread sampler = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          long live = 0;
          for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
              live += pool.getCollectionUsage().getUsed();
            }
          }
          synchronized (peakLive) {
            peakLive[0] = Math.max(peakLive[0], live);
          }
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      sampler.setDaemon(true);
      sampler.start();
      ExportResult result = contract.runLargeExport(Long.parseLong(args[1]));
      sampler.interrupt();
      long peak = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          peak += pool.getPeakUsage().getUsed();
        }
      }
      System.out.println("RESULT status=" + result.status() + " read=" + result.read() + " exported="
          + result.exported() + " rejected=" + result.rejected() + " duplicates=" + result.duplicates()
          + " notAttempted=" + result.notAttempted() + " httpCalls=" + result.httpCalls()
          + " peakHeapBytes=" + peak + " peakLiveAfterGcBytes=" + peakLive[0]
          + " maxHeapBytes=" + Runtime.getRuntime().maxMemory());
      System.exit(0);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
  }
}
