package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Offsets are committable only up to the first record whose window is not done. */
class PartitionOffsetsTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);

  private static final class Flag implements Completion {
    final AtomicBoolean done = new AtomicBoolean();

    @Override
    public boolean isDone() {
      return done.get();
    }
  }

  @Test
  void aPartitionIsCommittedUpToItsFirstRecordNotDone() {
    PartitionOffsets offsets = new PartitionOffsets();
    Flag a = new Flag();
    Flag b = new Flag();
    offsets.add(P0, 10, a);
    offsets.add(P0, 11, b); // another segment's window
    offsets.add(P0, 12, a);
    offsets.add(P1, 5, b);
    assertThat(offsets.committable(P0)).hasValue(10);
    assertThat(offsets.committable(P1)).hasValue(5);

    a.done.set(true);
    assertThat(offsets.committable(P0)).as("11 waits on b").hasValue(11);
    b.done.set(true);
    assertThat(offsets.committable(P0)).hasValue(13);
    assertThat(offsets.committable(P1)).hasValue(6);
  }

  @Test
  void aWindowDoneOutOfOrderDoesNotCommitPastAnEarlierOne() {
    PartitionOffsets offsets = new PartitionOffsets();
    Flag first = new Flag();
    Flag second = new Flag();
    offsets.add(P0, 0, first);
    offsets.add(P0, 1, first);
    offsets.add(P0, 2, second);
    second.done.set(true);
    assertThat(offsets.committable(P0)).hasValue(0);
    first.done.set(true);
    assertThat(offsets.committable(P0)).hasValue(3);
  }

  @Test
  void aPartitionNotSeenOrRemovedHasNothingToCommit() {
    PartitionOffsets offsets = new PartitionOffsets();
    assertThat(offsets.committable(P0)).isEqualTo(OptionalLong.empty());
    offsets.add(P0, 3, () -> true);
    offsets.remove(List.of(P0));
    assertThat(offsets.committable(P0)).isEmpty();
  }
}
