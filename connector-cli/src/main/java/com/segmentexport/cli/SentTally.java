package com.segmentexport.cli;

import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.SegmentResult;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the profiles the vendor answered for (the records of every acknowledged batch), for the
 * summary's "N sent", and passes every event on to the progress bar, if there is one.
 */
final class SentTally extends ExportListener {
  private final ExportListener next;
  private final AtomicLong acknowledged = new AtomicLong();

  SentTally(ExportListener next) {
    this.next = next == null ? ExportListener.NONE : next;
  }

  /** {@return the profiles sent: those in acknowledged batches, and those sent but never confirmed} */
  long sent(ExportResult result) {
    return acknowledged.get() + result.unconfirmed();
  }

  @Override
  public void exportStarted(ExportDefinition definition) {
    next.exportStarted(definition);
  }

  @Override
  public void segmentStarted(String segment, String destinationId, OptionalLong sizeHint) {
    next.segmentStarted(segment, destinationId, sizeHint);
  }

  @Override
  public void batchAcknowledged(
      String segment, int records, int exported, int rejected, long segmentExportedSoFar) {
    acknowledged.addAndGet(records);
    next.batchAcknowledged(segment, records, exported, rejected, segmentExportedSoFar);
  }

  @Override
  public void membersRemoved(String segment, int removed, int failed, long segmentRemovedSoFar) {
    next.membersRemoved(segment, removed, failed, segmentRemovedSoFar);
  }

  @Override
  public void profilesUnchanged(String segment, int unchanged, long segmentUnchangedSoFar) {
    next.profilesUnchanged(segment, unchanged, segmentUnchangedSoFar);
  }

  @Override
  public void throttled(Duration wait, String reason) {
    next.throttled(wait, reason);
  }

  @Override
  public void retrying(String call, int attempt, Duration delay, String reason) {
    next.retrying(call, attempt, delay, reason);
  }

  @Override
  public void segmentFinished(SegmentResult result) {
    next.segmentFinished(result);
  }

  @Override
  public void exportFinished(ExportResult result) {
    next.exportFinished(result);
  }
}
