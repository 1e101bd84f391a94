package com.segmentexport.internal;

import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.SegmentResult;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** One segment's counts while it runs; updated by the reader and by batch workers. */
final class SegmentTally {
  final String name;
  String destinationId;
  long read;
  long duplicates;
  private long exported;
  private long rejected;
  private long unconfirmed;
  private long unchanged;
  private long notAttempted;
  private long created = -1;
  private long updated = -1;
  private String notAttemptedReason;
  private boolean unread;
  private final Map<String, Long> counters = new LinkedHashMap<>();
  private long removed;
  private long removalsFailed;
  private long removalsHeldBack;
  private String removalsHeldBackReason;

  SegmentTally(String name) {
    this.name = name;
  }

  synchronized void exported(int n) {
    exported += n;
  }

  synchronized long exportedSoFar() {
    return exported;
  }

  synchronized void rejected(int n) {
    rejected += n;
  }

  synchronized void unconfirmed(int n) {
    unconfirmed += n;
  }

  synchronized long unchangedSoFar() {
    return unchanged;
  }

  synchronized long notAttemptedSoFar() {
    return notAttempted;
  }

  synchronized void unchanged(int n) {
    unchanged += n;
  }

  synchronized void notAttempted(long n, String reason) {
    if (n > 0) {
      notAttempted += n;
      if (notAttemptedReason == null) {
        notAttemptedReason = reason;
      }
    }
  }

  /**
   * Reading stopped before the segment's end (past the export's profile cap): the unread rest is in no
   * count, so the reason says so, and the segment cannot have succeeded.
   *
   * @param capReason why profiles were not attempted
   * @param unread what the reason adds about the rest
   */
  synchronized void stoppedReading(String capReason, String unread) {
    this.unread = true;
    notAttemptedReason = (notAttemptedReason == null ? capReason : notAttemptedReason) + unread;
  }

  /**
   * After a stop, counts profiles that were read but neither sent nor otherwise accounted for (a
   * batch still being filled when reading failed or the run stopped) as not attempted.
   */
  synchronized void accountRemainder(String reason) {
    notAttempted(
        read - exported - rejected - duplicates - unconfirmed - unchanged - notAttempted, reason);
  }

  synchronized void created(long n) {
    created = Math.max(created, 0) + n;
  }

  synchronized void updated(long n) {
    updated = Math.max(updated, 0) + n;
  }

  /** Whether reading stopped before the segment's end. */
  synchronized boolean unreadRest() {
    return unread;
  }

  synchronized void removed(long n) {
    removed += n;
  }

  synchronized long removedSoFar() {
    return removed;
  }

  synchronized void removalsFailed(long n) {
    removalsFailed += n;
  }

  synchronized void removalsHeldBack(long n, String reason) {
    removalsHeldBack += n;
    removalsHeldBackReason = reason;
  }

  synchronized void count(String counter, long n) {
    counters.merge(counter, n, Long::sum);
  }

  synchronized SegmentResult result(boolean stopped, boolean failed) {
    ExportStatus status;
    if (stopped && !failed) {
      status = ExportStatus.CANCELLED;
    } else if (failed
        || (exported + unchanged == 0 && (rejected + unconfirmed + notAttempted > 0 || unread))) {
      status = ExportStatus.FAILED;
    } else if (removalsHeldBack > 0) {
      status = ExportStatus.REMOVALS_HELD_BACK;
    } else if (rejected + unconfirmed + notAttempted + removalsFailed > 0 || unread) {
      status = ExportStatus.PARTIALLY_SUCCEEDED;
    } else {
      status = ExportStatus.SUCCEEDED;
    }
    return new SegmentResult(
        name,
        Optional.ofNullable(destinationId),
        status,
        read,
        exported,
        created < 0 ? OptionalLong.empty() : OptionalLong.of(created),
        updated < 0 ? OptionalLong.empty() : OptionalLong.of(updated),
        rejected,
        duplicates,
        unconfirmed,
        unchanged,
        notAttempted,
        Optional.ofNullable(notAttemptedReason),
        removed,
        removalsFailed,
        removalsHeldBack,
        Optional.ofNullable(removalsHeldBackReason),
        counters);
  }
}
