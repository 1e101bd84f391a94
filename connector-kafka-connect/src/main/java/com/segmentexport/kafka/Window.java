package com.segmentexport.kafka;

import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectedRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The records of one segment collected for one export run: row {@code i} (1-based, as the engine
 * counts rows) is the profile at index {@code i - 1}. A profile's later record in the same window
 * replaces its earlier one in place (the latest value wins; the engine would keep the first and count
 * the later one a duplicate). Used on the task's thread, but for {@link #rejected}, which the engine's
 * threads fill.
 */
final class Window implements Completion {
  enum State {
    /** Collecting records. */
    OPEN,
    /** Closed, waiting for its turn. */
    READY,
    /** Its export runs. */
    RUNNING,
    /** Its last run did not confirm every record; it runs again at {@link #retryAt}. */
    WAITING_RETRY,
    /** Every record confirmed or rejected (the rejected ones sent to the dead-letter queue). */
    DONE,
    /** Dropped: its partitions were revoked or the task stopped; its records are redelivered. */
    DISCARDED
  }

  final String segment;
  final long openedAt;
  private List<Profile> profiles = new ArrayList<>();
  private List<SinkRecord> records = new ArrayList<>();
  private List<String> keys = new ArrayList<>();

  /**
   * The rows by profile key: open addressing over {@link #keys}, each slot a row + 1 (0: empty), at
   * most half full. No map entry nor boxed row per record: a window holds tens of thousands of rows
   * for as long as its run lasts.
   */
  private int[] slots = new int[16];

  private int indexed;
  private final Map<Integer, List<SinkRecord>> superseded = new HashMap<>();
  private final List<RejectedRecord> rejected = Collections.synchronizedList(new ArrayList<>());
  private final List<Future<Void>> reports = new ArrayList<>();
  State state = State.OPEN;
  int attempts;
  long retryAt;
  long startedAt;
  ExportHandle handle;

  Window(String segment, long openedAt) {
    this.segment = segment;
    this.openedAt = openedAt;
  }

  /** Adds a record's profile; a key already in the window replaces that row. */
  void add(SinkRecord record, Profile profile, String key) {
    if (key != null) {
      int row = indexIfAbsent(key, profiles.size());
      if (row >= 0) {
        profiles.set(row, profile);
        superseded.computeIfAbsent(row, k -> new ArrayList<>()).add(records.get(row));
        records.set(row, record);
        return;
      }
    }
    profiles.add(profile);
    records.add(record);
    keys.add(key);
  }

  /** Whether this window and {@code other} hold a profile with the same key. */
  boolean sharesProfilesWith(Window other) {
    Window small = indexed <= other.indexed ? this : other;
    Window large = small == this ? other : this;
    for (String key : small.keys) {
      if (key != null && large.rowOf(key) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** The row of a key, or -1. */
  private int rowOf(String key) {
    int mask = slots.length - 1;
    for (int i = spread(key.hashCode()) & mask; slots[i] != 0; i = (i + 1) & mask) {
      int row = slots[i] - 1;
      if (key.equals(keys.get(row))) {
        return row;
      }
    }
    return -1;
  }

  /**
   * Indexes a key at {@code row} unless it is indexed already.
   *
   * @return the key's row if it was indexed, else -1 (now indexed at {@code row}, whose key {@link
   *     #keys} must hold before the next look-up)
   */
  private int indexIfAbsent(String key, int row) {
    if ((indexed + 1) * 2 > slots.length) {
      reindex(slots.length * 2);
    }
    int mask = slots.length - 1;
    int i = spread(key.hashCode()) & mask;
    for (; slots[i] != 0; i = (i + 1) & mask) {
      int r = slots[i] - 1;
      if (key.equals(keys.get(r))) {
        return r;
      }
    }
    slots[i] = row + 1;
    indexed++;
    return -1;
  }

  /** Rebuilds the index of {@link #keys} with this many slots (a power of two). */
  private void reindex(int size) {
    slots = new int[size];
    int mask = size - 1;
    for (int row = 0; row < keys.size(); row++) {
      String key = keys.get(row);
      if (key != null) {
        int i = spread(key.hashCode()) & mask;
        while (slots[i] != 0) {
          i = (i + 1) & mask;
        }
        slots[i] = row + 1;
      }
    }
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }

  int size() {
    return profiles.size();
  }

  List<Profile> profiles() {
    return Collections.unmodifiableList(profiles);
  }

  /**
   * The records of a row as the engine counts it (1-based): the profile's latest record in the window,
   * after the earlier ones it replaced.
   */
  List<SinkRecord> records(long row) {
    int i = (int) (row - 1);
    List<SinkRecord> all = new ArrayList<>(superseded.getOrDefault(i, List.of()));
    all.add(records.get(i));
    return all;
  }

  /** Whether the window holds a record of one of {@code partitions}. */
  boolean holdsAny(Set<TopicPartition> partitions) {
    for (SinkRecord rec : records) {
      if (partitions.contains(
          new TopicPartition(rec.originalTopic(), rec.originalKafkaPartition()))) {
        return true;
      }
    }
    return false;
  }

  /** Keeps only the rows whose record is not in one of these partitions. */
  void dropPartitions(Set<TopicPartition> partitions) {
    List<Profile> p = new ArrayList<>();
    List<SinkRecord> r = new ArrayList<>();
    List<String> k = new ArrayList<>();
    Map<Integer, List<SinkRecord>> s = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      SinkRecord rec = records.get(i);
      TopicPartition tp = new TopicPartition(rec.originalTopic(), rec.originalKafkaPartition());
      if (!partitions.contains(tp)) {
        List<SinkRecord> earlier = superseded.get(i);
        if (earlier != null) {
          s.put(p.size(), earlier);
        }
        p.add(profiles.get(i));
        r.add(rec);
        k.add(keys.get(i));
      }
    }
    profiles = p;
    records = r;
    keys = k;
    superseded.clear();
    superseded.putAll(s);
    indexed = (int) keys.stream().filter(x -> x != null).count();
    int size = 16;
    while (indexed * 2 > size) {
      size *= 2;
    }
    reindex(size);
  }

  /** The rejection sink of the current run (called on the engine's threads). */
  void rejected(RejectedRecord r) {
    rejected.add(r);
  }

  List<RejectedRecord> rejections() {
    synchronized (rejected) {
      return new ArrayList<>(rejected);
    }
  }

  void clearRejections() {
    rejected.clear();
  }

  void reported(Future<Void> report) {
    reports.add(report);
  }

  @Override
  public boolean isDone() {
    if (state != State.DONE) {
      return false;
    }
    for (Future<Void> f : reports) {
      if (!f.isDone()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "Window[" + segment + ", " + profiles.size() + " profiles, " + state + "]";
  }
}
