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

  private final Map<TopicPartition, ArrayDeque<Span>> spans = new HashMap<>();
  private final Map<TopicPartition, Long> next = new HashMap<>();

  /** A record of a partition now waits on {@code completion}. */
  void add(TopicPartition tp, long offset, Completion completion) {
    ArrayDeque<Span> q = spans.computeIfAbsent(tp, k -> new ArrayDeque<>());
    Span tail = q.peekLast();
    if (tail != null && tail.completion == completion && offset > tail.last) {
      tail.last = offset;
    } else {
      q.addLast(new Span(offset, completion));
    }
    next.merge(tp, offset + 1, Math::max);
  }

  /** The offset up to which (excluded) every record of the partition is done, if any record was seen. */
  OptionalLong committable(TopicPartition tp) {
    ArrayDeque<Span> q = spans.get(tp);
    if (q == null) {
      return OptionalLong.empty();
    }
    while (!q.isEmpty() && q.peekFirst().completion.isDone()) {
      q.removeFirst();
    }
    return q.isEmpty() ? OptionalLong.of(next.get(tp)) : OptionalLong.of(q.peekFirst().first);
  }

  /** Forgets partitions the task no longer owns. */
  void remove(Collection<TopicPartition> partitions) {
    partitions.forEach(
        tp -> {
          spans.remove(tp);
          next.remove(tp);
        });
  }

  void clear() {
    spans.clear();
    next.clear();
  }
}
