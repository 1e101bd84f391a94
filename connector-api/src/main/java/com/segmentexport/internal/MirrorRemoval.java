package com.segmentexport.internal;

import com.segmentexport.api.DestinationException;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.RemovalLimit;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.DestinationState;
import com.segmentexport.spi.ExportCancelledException;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.Masking;
import com.segmentexport.spi.MemberState;
import com.segmentexport.spi.RecordSchema;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mirroring run's last step for one segment: the members this SDK put on the list (confirmed in the
 * sync state) that this run's segment no longer holds are removed from the list, unless the {@link
 * RemovalLimit} holds them all back. Runs only after the segment was read whole and every batch was
 * answered, and only if nothing failed. Members someone else put on the list are not in the state, so
 * they are never removed.
 */
final class MirrorRemoval {
  private static final Logger log = LoggerFactory.getLogger(MirrorRemoval.class);

  private final SegmentSync sync;
  private final DestinationState state;
  private final Destination destination;
  private final RecordSchema schema;
  private final String segment;
  private final int batchSize;
  private final RemovalLimit limit;
  private final RejectedRecords rejected;
  private final SegmentTally tally;
  private final RunControl control;
  private final ExportListener listener;

  MirrorRemoval(
      SegmentSync sync,
      Destination destination,
      RecordSchema schema,
      String segment,
      int batchSize,
      RemovalLimit limit,
      RejectedRecords rejected,
      SegmentTally tally,
      RunControl control,
      ExportListener listener) {
    this.sync = sync;
    this.state = sync.state();
    this.destination = destination;
    this.schema = schema;
    this.segment = segment;
    this.batchSize = Math.max(1, batchSize);
    this.limit = limit;
    this.rejected = rejected;
    this.tally = tally;
    this.control = control;
    this.listener = listener;
  }

  /**
   * Removes the managed members not {@code seen} in this run, or holds them all back.
   *
   * @param seen the keys of every member this run's segment holds
   * @param read the profiles the segment read
   */
  void run(FingerprintSet seen, long read) {
    long[] managed = {0};
    long[] candidates = {0};
    state.forEachMember(
        m -> {
          if (m.confirmedHash().isPresent()) {
            managed[0]++;
            if (!seen.contains(m.memberKey())) {
              candidates[0]++;
            }
          }
        });
    String heldBack = limit.holdsBack(candidates[0], managed[0], read);
    if (heldBack != null) {
      tally.removalsHeldBack(candidates[0], heldBack);
      log.warn("Segment '{}': {}", segment, heldBack);
      return;
    }
    if (candidates[0] == 0) {
      return;
    }
    List<MemberState> pending = new ArrayList<>(batchSize);
    state.forEachMember(
        m -> {
          if (m.confirmedHash().isPresent()
              && !seen.contains(m.memberKey())
              && !control.isStopped()) {
            pending.add(m);
            if (pending.size() == batchSize) {
              remove(pending);
              pending.clear();
            }
          }
        });
    if (!pending.isEmpty() && !control.isStopped()) {
      remove(pending);
    }
  }

  /**
   * A managed member as a record of a removal batch: its address, its profile id (from its member key) and
   * the vendor's contact id when the state knows it; no field values.
   */
  static ExportRecord record(MemberState m, RecordSchema schema) {
    String id = m.memberKey().startsWith("id:") ? m.memberKey().substring(3) : null;
    ExportRecord r = new ExportRecord(0, m.email(), new Object[schema.fields().size()], id);
    return m.vendorId().isPresent() ? r.withVendorId(m.vendorId().get()) : r;
  }

  /** Removes one batch and records what the vendor confirmed: removed members leave the state. */
  private void remove(List<MemberState> members) {
    List<ExportRecord> records = new ArrayList<>(members.size());
    Map<ExportRecord, MemberState> byRecord = new IdentityHashMap<>();
    for (MemberState m : members) {
      ExportRecord r = record(m, schema);
      records.add(r);
      byRecord.put(r, m);
    }
    // Work the connector leaves at the vendor for it (a dotdigital bulk removal) is remembered as a
    // removal, so that a crash while it runs is finished by the next run, not repeated.
    Batch batch = sync.trackRemoval(segment, schema, records);
    BatchResult result;
    try {
      result = destination.remove(batch);
    } catch (ExportCancelledException e) {
      throw e;
    } catch (DestinationException e) {
      sync.removalFailed(batch);
      fail(records, BatchOutcomes.reasonFor(e), e.vendorCode().orElse(null), e.getMessage());
      listener.membersRemoved(segment, 0, records.size(), tally.removedSoFar());
      return;
    }
    Map<ExportRecord, BatchResult.Rejection> failed = new IdentityHashMap<>();
    result.rejections().forEach(r -> failed.put(r.record(), r));
    result.unconfirmed().forEach(r -> failed.put(r.record(), r));
    List<String> removed = new ArrayList<>(records.size());
    for (ExportRecord r : records) {
      BatchResult.Rejection f = failed.get(r);
      if (f == null) {
        removed.add(byRecord.get(r).memberKey());
      } else {
        rejected.reject(
            new RejectedRecord(
                segment,
                0,
                Masking.email(r.email()),
                f.reason(),
                Optional.ofNullable(f.vendorCode()),
                "removal: " + Masking.addressIn(f.message(), r.email())));
      }
    }
    sync.removalAnswered(batch, removed);
    tally.removed(removed.size());
    tally.removalsFailed(failed.size());
    listener.membersRemoved(segment, removed.size(), failed.size(), tally.removedSoFar());
  }

  private void fail(
      List<ExportRecord> records, RejectionReason reason, String code, String message) {
    for (ExportRecord r : records) {
      rejected.reject(
          new RejectedRecord(
              segment,
              0,
              Masking.email(r.email()),
              reason,
              Optional.ofNullable(code),
              "removal: " + message));
    }
    tally.removalsFailed(records.size());
  }
}
