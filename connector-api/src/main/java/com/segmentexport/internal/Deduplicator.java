package com.segmentexport.internal;

import java.util.function.Consumer;

/**
 * Drops repeats of an address within a segment and admits the rest, in order, into batches, up to the
 * export's {@link ProfileCap}; with a sync state, leaves out the members the vendor already holds as
 * they are ({@link SegmentSync}). Records wait in groups of {@value #GROUP}: the de-duplication table of a
 * large segment does not fit in the CPU's caches, and probing a whole group at once lets the CPU fetch
 * its slots together. Reader thread only.
 */
final class Deduplicator {
  /** Records de-duplicated together. */
  static final int GROUP = 128;

  private final FingerprintSet seen;
  private final BatchFiller filler;
  private final SegmentTally tally;
  private final ProfileCap cap;

  /**
   * Records looked up in the sync state together: one query for this many, because a query's own cost
   * (a round trip to PostgreSQL, a statement step in SQLite) outweighs its rows'.
   */
  static final int SYNC_GROUP = 512;

  private final RecordMapper.Mapped[] waiting;
  private final long[] fingerprints;
  private final boolean[] fresh;
  private final boolean[] unchanged;

  /** The segment's destination in the sync state, or null when the run has none. */
  private final SegmentSync sync;

  /** Hears each record admitted into a batch (a plan counts them by what the state knows), or null. */
  private final Consumer<RecordMapper.Mapped> admitted;

  private int count;

  /** The bytes of the address being fingerprinted (an address has at most 254 characters). */
  private final byte[] scratch = new byte[256];

  Deduplicator(
      FingerprintSet seen,
      BatchFiller filler,
      SegmentTally tally,
      ProfileCap cap,
      SegmentSync sync) {
    this(seen, filler, tally, cap, sync, null);
  }

  /** Hears the unchanged profiles of each group, or null. */
  private SafeListener listener;

  /** Reports unchanged profiles to this listener, group by group. */
  Deduplicator reportingTo(SafeListener l) {
    this.listener = l;
    return this;
  }

  Deduplicator(
      FingerprintSet seen,
      BatchFiller filler,
      SegmentTally tally,
      ProfileCap cap,
      SegmentSync sync,
      Consumer<RecordMapper.Mapped> admitted) {
    this.seen = seen;
    this.filler = filler;
    this.tally = tally;
    this.cap = cap;
    this.sync = sync;
    this.admitted = admitted;
    int group = sync == null ? GROUP : SYNC_GROUP;
    this.waiting = new RecordMapper.Mapped[group];
    this.fingerprints = new long[group];
    this.fresh = new boolean[group];
    this.unchanged = new boolean[group];
  }

  void offer(RecordMapper.Mapped m) {
    waiting[count] = m;
    // A normalised address is ASCII.
    fingerprints[count++] = FingerprintSet.fingerprintLatin1(m.record.email(), scratch);
    if (count == waiting.length) {
      admitWaiting();
    }
  }

  /** Admits what waits and submits the last batch (which the engine accounts for if it has stopped). */
  void finish() {
    admitWaiting();
    filler.flush();
  }

  private void admitWaiting() {
    seen.addAll(fingerprints, count, fresh);
    if (sync != null && count > 0) {
      // One look-up for the group; unchanged members are not sent and take no place under the cap.
      int n = sync.check(waiting, fresh, count, unchanged);
      if (n > 0) {
        tally.unchanged(n);
        if (listener != null) {
          listener.profilesUnchanged(tally.name, n, tally.unchangedSoFar());
        }
      }
    }
    int overCap = 0;
    for (int i = 0; i < count; i++) {
      RecordMapper.Mapped m = waiting[i];
      waiting[i] = null;
      if (!fresh[i]) {
        tally.duplicates++;
      } else if (sync != null && unchanged[i]) {
        // Counted as unchanged above; not sent.
      } else if (cap.admit()) {
        if (admitted != null) {
          admitted.accept(m);
        }
        filler.add(m);
      } else {
        overCap++;
      }
    }
    count = 0;
    if (overCap > 0) { // once per group: past the cap, every profile of a large segment comes here
      cap.turnedAway();
      tally.notAttempted(overCap, cap.reason());
    }
  }
}
