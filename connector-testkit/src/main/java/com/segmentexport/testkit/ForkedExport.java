package com.segmentexport.testkit;

import com.segmentexport.api.ExportResult;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one contract's large export in this JVM (started by the contract with a small {@code -Xmx})
 * and writes its counts and heap figures to the file it is given, as one line: {@code RESULT read=…
 * exported=… notAttempted=…
 * peakHeapBytes=… peakLiveAfterGcBytes=…} (the heap in use, garbage included, at its highest; and the
 * most heap still in use right after a collection, which is what the run retains). Exits 0 on success, 1 on any failure (an {@link OutOfMemoryError} included).
 */
public final class ForkedExport {
  private static final Logger log = LoggerFactory.getLogger(ForkedExport.class);

  private ForkedExport() {}

  /**
   * Entry point.
   *
   * @param args the contract subclass's name, the number of profiles, and the file the result line
   *     is written to
   */
  public static void main(String[] args) throws Exception {
    try {
      Class<?> type = Class.forName(args[0]);
      Constructor<?> constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
      SegmentExporterContract<?> contract = (SegmentExporterContract<?>) constructor.newInstance();
      ExportResult result;
      long peakLive;
      try (HeapSampler heap = HeapSampler.start()) {
        result = contract.runLargeExport(Long.parseLong(args[1]));
        peakLive = heap.peakLiveBytes();
      }
      long peak = HeapSampler.peakHeapBytes();
      // The RESULT line in the file given is how this process reports to the contract that started
      // it.
      String line =
          "RESULT status="
              + result.status()
              + " read="
              + result.read()
              + " exported="
              + result.exported()
              + " rejected="
              + result.rejected()
              + " duplicates="
              + result.duplicates()
              + " unconfirmed="
              + result.unconfirmed()
              + " notAttempted="
              + result.notAttempted()
              + " httpCalls="
              + result.httpCalls()
              + " peakHeapBytes="
              + peak
              + " peakLiveAfterGcBytes="
              + peakLive
              + " maxHeapBytes="
              + Runtime.getRuntime().maxMemory();
      Files.writeString(Path.of(args[2]), line + "\n", StandardCharsets.UTF_8);
      System.exit(0);
    } catch (Throwable t) {
      log.error("The forked export failed", t);
      System.exit(1);
    }
  }
}
