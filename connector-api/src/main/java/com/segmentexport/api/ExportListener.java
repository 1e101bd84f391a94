package com.segmentexport.api;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * Hears an export's progress: enough for a progress bar and for metrics.
 *
 * <p>Every method does nothing by default, so new events never break a listener. Methods are called
 * from the export's threads, never concurrently with each other; they must be fast, must not throw
 * and must not call back into the exporter. Whatever a listener throws (an exception, or an error
 * such as a failed assertion) is logged and ignored.
 */
public abstract class ExportListener {
  /** A listener that ignores every event. */
  public static final ExportListener NONE = new ExportListener() {};

  /**
   * The run started; nothing has been sent yet.
   *
   * @param definition the export to run
   */
  public void exportStarted(ExportDefinition definition) {}

  /**
   * A segment was opened and its destination list found or created.
   *
   * @param segment the segment's name
   * @param destinationId the vendor's id of the destination list
   * @param sizeHint how many profiles the segment holds, if known
   */
  public void segmentStarted(String segment, String destinationId, OptionalLong sizeHint) {}

  /**
   * The vendor acknowledged a batch.
   *
   * @param segment the segment's name
   * @param records records in the batch
   * @param exported records the vendor accepted
   * @param rejected records rejected
   * @param segmentExportedSoFar the segment's exported total after this batch
   */
  public void batchAcknowledged(
      String segment, int records, int exported, int rejected, long segmentExportedSoFar) {}

  /**
   * Profiles of a segment were found unchanged in the sync state and will not be sent: heard once per
   * group of profiles read, so that a progress bar moves while an incremental run checks a large segment
   * that sends little.
   *
   * @param segment the segment's name
   * @param unchanged profiles of the group found unchanged
   * @param segmentUnchangedSoFar the segment's unchanged total so far
   */
  public void profilesUnchanged(String segment, int unchanged, long segmentUnchangedSoFar) {}

  /**
   * The vendor answered a batch of a mirroring run's removals (see {@link SyncMode#MIRROR}): members who
   * left the segment were taken off the destination list, from that list only. Heard once per removal
   * batch, after the sync state forgot the members removed.
   *
   * @param segment the segment's name
   * @param removed members of the batch the vendor took off the list
   * @param failed members of the batch not taken off: refused, or no answer proved it (the next mirroring
   *     run tries again)
   * @param segmentRemovedSoFar the segment's removed total after this batch
   */
  public void membersRemoved(String segment, int removed, int failed, long segmentRemovedSoFar) {}

  /**
   * The engine waits {@code wait} for the vendor's rate limit.
   *
   * @param wait how long to wait
   * @param reason why, for logs and events
   */
  public void throttled(Duration wait, String reason) {}

  /**
   * A request failed with a retryable error and will be repeated after {@code delay}.
   *
   * @param call the call's name
   * @param attempt the attempt about to be made, from 2
   * @param delay the wait before it
   * @param reason why, for logs and events
   */
  public void retrying(String call, int attempt, Duration delay, String reason) {}

  /**
   * A segment finished.
   *
   * @param result what happened to the segment
   */
  public void segmentFinished(SegmentResult result) {}

  /**
   * The run finished.
   *
   * @param result how the run ended
   */
  public void exportFinished(ExportResult result) {}
}
