package com.segmentexport.testkit;

/**
 * Where {@link SegmentExporterContract}'s kill-and-resume cases end the exporting JVM with {@link
 * Runtime#halt}: no shutdown hook, no finally block, no flush — as a {@code kill -9} or a lost machine
 * would.
 */
public enum CrashPoint {
  /** Right after the sync state committed the outcomes of the k-th batch. */
  AFTER_COMMITTED_BATCHES,
  /** After the vendor answered the k-th batch, before the sync state commits its outcomes. */
  BEFORE_A_COMMIT,
  /** Right after the state remembered an asynchronous import, while the connector waits for it. */
  DURING_VENDOR_WORK,
  /**
   * In the middle of a mirroring run's removals (a run that sends nothing else): right after the state
   * forgot the members of the k-th removal batch, or, for a connector whose removal is work the vendor
   * finishes later (a dotdigital bulk removal), right after the state remembered the first such work,
   * while the connector waits for it.
   */
  DURING_REMOVALS
}
