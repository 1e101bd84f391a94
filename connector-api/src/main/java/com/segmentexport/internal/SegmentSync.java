package com.segmentexport.internal;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.SyncStateException;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.DestinationState;
import com.segmentexport.spi.ExportCancelledException;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.MemberOutcome;
import com.segmentexport.spi.MemberState;
import com.segmentexport.spi.PendingWork;
import com.segmentexport.spi.RecordSchema;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment's destination in the sync state: before batching, which members the vendor already holds
 * exactly as they are (not sent, counted unchanged) and which changed address; after each answer, what
 * the vendor did with each member of the batch. The state is written only after the vendor's answer, so
 * that it never holds as confirmed what the vendor did not confirm.
 */
final class SegmentSync {
  private static final Logger log = LoggerFactory.getLogger(SegmentSync.class);
  private final DestinationState state;
  private final RecordSchema schema;
  private final boolean skipUnchanged;
  private final Clock clock;
  private final String runId;

  SegmentSync(
      DestinationState state,
      RecordSchema schema,
      boolean skipUnchanged,
      Clock clock,
      String runId) {
    this.runId = runId;
    this.state = state;
    this.schema = schema;
    this.skipUnchanged = skipUnchanged;
    this.clock = clock;
  }

  DestinationState state() {
    return state;
  }

  /**
   * Looks a group of records up in one round trip. Marks {@code unchanged[i]} for each record the vendor
   * confirmed with exactly these fields (when unchanged members are skipped), and gives a record whose
   * profile the vendor holds under another address its {@linkplain ExportRecord#previousEmail() previous
   * address}.
   *
   * @param group the records, of which only those with {@code candidate[i]} are looked at
   * @return how many records are unchanged
   */
  int check(RecordMapper.Mapped[] group, boolean[] candidate, int count, boolean[] unchanged) {
    Set<String> keys = new LinkedHashSet<>(count * 2);
    for (int i = 0; i < count; i++) {
      if (candidate[i]) {
        keys.add(memberKey(group[i].record));
      }
    }
    Map<String, MemberState> known = keys.isEmpty() ? Map.of() : state.lookup(keys);
    int n = 0;
    for (int i = 0; i < count; i++) {
      unchanged[i] = false;
      if (!candidate[i]) {
        continue;
      }
      ExportRecord record = group[i].record;
      MemberState member = known.get(memberKey(record));
      if (member == null) {
        continue;
      }
      if (skipUnchanged && member.isUnchanged(fieldsHash(schema, record))) {
        unchanged[i] = true;
        n++;
        continue;
      }
      group[i].known =
          member.outcome() == MemberOutcome.Kind.CONFIRMED
              ? RecordMapper.Mapped.CHANGED
              : RecordMapper.Mapped.RETRY;
      if (record.profileId().isPresent()
          && member.confirmedHash().isPresent()
          && !member.email().equalsIgnoreCase(record.email())) {
        group[i].record = record.withPreviousEmail(member.email());
      }
    }
    return n;
  }

  /**
   * A new batch whose work at the vendor is heard: a connector that leaves work there (a dotdigital
   * import) announces it with {@link Batch#startedAtVendor}, and the state remembers it, with the batch's
   * members, before the connector waits for it.
   */
  Batch track(
      String segment, long sequence, RecordSchema schema, List<ExportRecord> records, long bytes) {
    Work work = new Work();
    Batch batch = new Batch(segment, sequence, schema, records, bytes, work);
    works.put(batch, work);
    return batch;
  }

  /**
   * A new batch of a mirroring run's removals whose work at the vendor is heard, like {@link #track}: a
   * connector whose removal is work the vendor finishes later (a dotdigital bulk removal) announces it, and
   * the state remembers it as a removal, so that a crashed run's successor finishes it and forgets its
   * members instead of removing them a second time.
   */
  Batch trackRemoval(String segment, RecordSchema schema, List<ExportRecord> records) {
    Work work = new Work(true);
    Batch batch = new Batch(segment, 0, schema, records, 0, work);
    works.put(batch, work);
    return batch;
  }

  /** The work batches left at the vendor, by batch, until their outcomes are recorded. */
  private final Map<Batch, Work> works = Collections.synchronizedMap(new IdentityHashMap<>());

  /** What one batch (or its halves) left at the vendor. */
  private final class Work implements Batch.VendorWorkListener {
    private final List<String[]> refs = Collections.synchronizedList(new ArrayList<>());
    private final boolean removal;

    Work() {
      this(false);
    }

    Work(boolean removal) {
      this.removal = removal;
    }

    @Override
    public void started(Batch batch, String kind, String vendorRef) {
      state.addPending(
          new PendingWork(
              runId,
              kind,
              vendorRef,
              PendingBatches.encode(batch, schema, removal),
              clock.instant()));
      refs.add(new String[] {kind, vendorRef});
    }
  }

  /**
   * The vendor answered a removal batch: the members it took off the list leave the state (in one
   * transaction), and the work the batch left at the vendor is forgotten.
   *
   * @param batch the batch, from {@link #trackRemoval}
   * @param removed the member keys of those the vendor took off the list
   */
  void removalAnswered(Batch batch, List<String> removed) {
    try {
      state.forgetMembers(removed);
    } catch (SyncStateException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SyncStateException(
          "Forgetting removed members in the sync state failed: " + e.getClass().getName(), e);
    }
    settled(batch);
  }

  /** The vendor refused a removal batch whole: its members stay in the state, its work is forgotten. */
  void removalFailed(Batch batch) {
    settled(batch);
  }

  /** Forgets the work a batch left at the vendor, once its outcome is recorded. */
  private void settled(Batch batch) {
    Work work = works.remove(batch);
    if (work != null) {
      synchronized (work.refs) {
        for (String[] ref : work.refs) {
          state.removePending(ref[0], ref[1]);
        }
      }
    }
  }

  /**
   * Finishes what crashed runs left at the vendor on this destination: asks the connector for each
   * pending work's outcome and records it, then forgets the work. Work the connector cannot resume is
   * forgotten too: its members were never recorded as confirmed, so this run sends them again. Work whose
   * look-up fails stays pending for the next run (its members are sent again now all the same).
   */
  void resumePending(Destination destination, SegmentTally tally) {
    for (PendingWork work : state.pending()) {
      PendingBatches.Decoded d = PendingBatches.decode(work.payload(), schema);
      Optional<BatchResult> result;
      try {
        result = destination.resume(work.kind(), work.vendorRef(), d.batch());
      } catch (AuthenticationException | ExportCancelledException e) {
        throw e;
      } catch (RuntimeException e) {
        log.warn(
            "Could not finish the {} {} a previous run left at the vendor: {}; its profiles are sent again",
            work.kind(),
            work.vendorRef(),
            e.toString());
        continue;
      }
      if (result.isPresent() && d.removal()) {
        // A removal the crashed run started: the members the vendor took off the list leave the
        // state, so that this run does not remove them again; the others are still managed.
        List<String> removed = removedKeys(d.batch(), result.get());
        state.forgetMembers(removed);
        tally.removed(removed.size());
        tally.count("sync.resumedRemovals", removed.size());
      } else if (result.isPresent()) {
        write(outcomes(d.batch(), result.get(), d.hashes()));
        tally.count("sync.resumedConfirmed", result.get().exported());
        tally.count("sync.resumedNotConfirmed", d.batch().size() - result.get().exported());
      }
      state.removePending(work.kind(), work.vendorRef());
    }
  }

  /** The member keys of a removal batch's records that the vendor neither refused nor left unconfirmed. */
  static List<String> removedKeys(Batch batch, BatchResult result) {
    Set<ExportRecord> failed = Collections.newSetFromMap(new IdentityHashMap<>());
    result.rejections().forEach(r -> failed.add(r.record()));
    result.unconfirmed().forEach(r -> failed.add(r.record()));
    List<String> removed = new ArrayList<>(batch.size());
    for (ExportRecord r : batch.records()) {
      if (!failed.contains(r)) {
        removed.add(memberKey(r));
      }
    }
    return removed;
  }

  /** The vendor answered for the batch: records each member's outcome, in one transaction. */
  void answered(Batch batch, BatchResult result) {
    long[] hashes = new long[batch.size()];
    List<ExportRecord> records = batch.records();
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = fieldsHash(schema, records.get(i));
    }
    write(outcomes(batch, result, hashes));
    settled(batch);
  }

  private Map<String, MemberOutcome> outcomes(Batch batch, BatchResult result, long[] hashes) {
    Map<ExportRecord, BatchResult.Rejection> notConfirmed = new IdentityHashMap<>();
    result.rejections().forEach(r -> notConfirmed.put(r.record(), r));
    result.unconfirmed().forEach(r -> notConfirmed.put(r.record(), r));
    Instant at = clock.instant();
    Map<String, MemberOutcome> outcomes = new LinkedHashMap<>(batch.size() * 2);
    List<ExportRecord> records = batch.records();
    for (int i = 0; i < records.size(); i++) {
      ExportRecord record = records.get(i);
      BatchResult.Rejection r = notConfirmed.get(record);
      MemberOutcome.Kind kind =
          r == null
              ? MemberOutcome.Kind.CONFIRMED
              : r.reason() == RejectionReason.UNCONFIRMED
                  ? MemberOutcome.Kind.UNCONFIRMED
                  : MemberOutcome.Kind.REJECTED;
      Optional<String> reason =
          r == null
              ? Optional.empty()
              : Optional.of(
                  r.reason().name() + (r.vendorCode() == null ? "" : " " + r.vendorCode()));
      String key = memberKey(record);
      outcomes.put(
          key,
          new MemberOutcome(
              key,
              record.email(),
              hashes[i],
              kind,
              reason,
              r == null ? result.vendorId(record) : Optional.empty(),
              at));
    }
    return outcomes;
  }

  /** The vendor refused the whole batch, or no answer proved what became of it. */
  void all(Batch batch, MemberOutcome.Kind kind, RejectionReason reason, String vendorCode) {
    Instant at = clock.instant();
    Optional<String> why =
        Optional.of(reason.name() + (vendorCode == null ? "" : " " + vendorCode));
    Map<String, MemberOutcome> outcomes = new LinkedHashMap<>(batch.size() * 2);
    for (ExportRecord record : batch.records()) {
      String key = memberKey(record);
      outcomes.put(
          key,
          new MemberOutcome(
              key, record.email(), fieldsHash(schema, record), kind, why, Optional.empty(), at));
    }
    write(outcomes);
    settled(batch);
  }

  private void write(Map<String, MemberOutcome> outcomes) {
    try {
      state.record(new ArrayList<>(outcomes.values()));
    } catch (SyncStateException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SyncStateException(
          "Recording a batch's outcomes in the sync state failed: " + e.getClass().getName(), e);
    }
  }

  /** Records how the segment's run ended on this destination. */
  void finished(String runId, String status) {
    state.runFinished(runId, clock.instant(), status);
  }

  /**
   * The key a member is remembered by: {@code id:} and its stable profile id when it has one, else
   * {@code email:} and its address in lower case (the vendors treat addresses without regard to case, as
   * the de-duplication does).
   */
  static String memberKey(ExportRecord record) {
    Optional<String> id = record.profileId();
    return id.isPresent() ? "id:" + id.get() : "email:" + record.email().toLowerCase(Locale.ROOT);
  }

  /**
   * A 64-bit hash of a record's mapped fields: each field's name and type and its value as text, so that
   * a changed value, a changed mapping and a changed address all change it.
   */
  static long fieldsHash(RecordSchema schema, ExportRecord record) {
    long h = 0xCBF29CE484222325L;
    List<MappedField> fields = schema.fields();
    for (int i = 0; i < fields.size(); i++) {
      MappedField f = fields.get(i);
      h = text(h, f.name());
      h = mix(h, f.type().ordinal() + (f.custom() ? 64 : 0));
      Object v = record.value(i);
      if (v == null) {
        h = mix(h, 0x9E3779B97F4A7C15L);
      } else {
        h = mix(h, v.getClass().getName().hashCode());
        h = text(h, v instanceof BigDecimal ? ((BigDecimal) v).toPlainString() : v.toString());
      }
    }
    return fmix(h);
  }

  private static long text(long h, String s) {
    h = mix(h, s.length());
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001B3L;
    }
    return h;
  }

  private static long mix(long h, long v) {
    return Long.rotateLeft((h ^ v) * 0xBF58476D1CE4E5B9L, 31);
  }

  private static long fmix(long h) {
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    return h ^ (h >>> 33);
  }
}
