package com.segmentexport.internal;

/**
 * Drops repeats of an address within a segment and admits the rest, in order, into batches, up to the
 * export's {@link ProfileCap}. Records wait in groups of {@value #GROUP}: the de-duplication table of a
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
  private final RecordMapper.Mapped[] waiting = new RecordMapper.Mapped[GROUP];
  private final long[] fingerprints = new long[GROUP];
  private final boolean[] fresh = new boolean[GROUP];
  private int count;

  Deduplicator(FingerprintSet seen, BatchFiller filler, SegmentTally tally, ProfileCap cap) {
    this.seen = seen;
    this.filler = filler;
    this.tally = tally;
    this.cap = cap;
  }

  void offer(RecordMapper.Mapped m) {
    waiting[count] = m;
    fingerprints[count++] = FingerprintSet.fingerprint(m.record.email());
    if (count == GROUP) {
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
    int overCap = 0;
    for (int i = 0; i < count; i++) {
      RecordMapper.Mapped m = waiting[i];
      waiting[i] = null;
      if (!fresh[i]) {
        tally.duplicates++;
      } else if (cap.admit()) {
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
