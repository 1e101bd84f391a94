package com.segmentexport.kafka;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of each partition may be committed: the records handed to the task, in order, as
 * spans of consecutive records waiting on the same {@link Completion}. A partition may be committed up
 * to the first record whose completion is not done (or past its last record when all are). Used on the
 * task's thread only.
 */
final class PartitionOffsets {
  private static final class Span {
    final long first;
    long last;
    final Completion completion;

    Span(long first, Completion completion) {
      this.first = first;
      this.last = first;
      this.completion = completion;
    }
  }

  /** A partition's spans, oldest first, and the offset after the last record seen. */
  private static final class Partition {
    final ArrayDeque<Span> spans = new ArrayDeque<>();
    long next;
  }

  private final Map<TopicPartition, Partition> partitions = new HashMap<>();

  /** The partition of the last record added: a poll's records come partition by partition. */
  private TopicPartition lastPartition;

  private Partition last;

  /** A record of a partition now waits on {@code completion}. */
  void add(TopicPartition tp, long offset, Completion completion) {
    Partition p = partition(tp);
    Span tail = p.spans.peekLast();
    if (tail != null && tail.completion == completion && offset > tail.last) {
      tail.last = offset;
    } else {
      p.spans.addLast(new Span(offset, completion));
    }
    p.next = Math.max(p.next, offset + 1);
  }

  /**
   * A record of a partition, named by topic and number, now waits on {@code completion}: no {@link
   * TopicPartition} is made while records keep coming from the partition of the previous one.
   */
  void add(String topic, int partition, long offset, Completion completion) {
    TopicPartition tp = lastPartition;
    if (tp == null || tp.partition() != partition || !tp.topic().equals(topic)) {
      tp = new TopicPartition(topic, partition);
    }
    add(tp, offset, completion);
  }

  private Partition partition(TopicPartition tp) {
    if (tp.equals(lastPartition) && last != null) {
      return last;
    }
    Partition p = partitions.computeIfAbsent(tp, k -> new Partition());
    lastPartition = tp;
    last = p;
    return p;
  }

  /** The offset up to which (excluded) every record of the partition is done, if any record was seen. */
  OptionalLong committable(TopicPartition tp) {
    Partition p = partitions.get(tp);
    if (p == null) {
      return OptionalLong.empty();
    }
    ArrayDeque<Span> q = p.spans;
    while (!q.isEmpty() && q.peekFirst().completion.isDone()) {
      q.removeFirst();
    }
    return q.isEmpty() ? OptionalLong.of(p.next) : OptionalLong.of(q.peekFirst().first);
  }

  /** Forgets partitions the task no longer owns. */
  void remove(Collection<TopicPartition> removed) {
    removed.forEach(partitions::remove);
    lastPartition = null;
    last = null;
  }

  void clear() {
    partitions.clear();
    lastPartition = null;
    last = null;
  }
}
