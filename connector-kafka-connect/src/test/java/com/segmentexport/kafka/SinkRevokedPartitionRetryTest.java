package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * A partition revoked while a window holding its records runs: the window's later runs leave those
 * records to the task that owns the partition now (it consumes them again from the last commit, and
 * maybe newer values of the same profiles after them), rather than sending them again after it.
 */
class SinkRevokedPartitionRetryTest {
  private static final TopicPartition MOVED = new TopicPartition("revoked", 0);
  private static final TopicPartition KEPT = new TopicPartition("revoked", 1);

  private static SinkRecord record(TopicPartition tp, long offset, String email) {
    return new SinkRecord(
        tp.topic(), tp.partition(), null, null, null, Map.of("email", email), offset);
  }

  @Test
  void aWindowRunAgainAfterARevocationLeavesTheRevokedPartitionsRecordsToTheirNewOwner()
      throws Exception {
    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      IterableSimulator iterable = (IterableSimulator) sandbox.simulator();
      iterable.faults().failEveryWrite(503);
      Map<String, String> props =
          ConnectHarness.sinkConfig(MOVED.topic(), "revoked-dlq", 1, sandbox);
      props.put("export.window.max.records", "4");
      props.put("export.window.flush.ms", "600000");
      props.put("export.window.close.when.idle", "false");
      props.put("export.engine.retry.max.attempts", "1");
      props.put("export.retry.backoff.ms", "50");
      props.put("export.retry.backoff.max.ms", "50");
      RecordingTaskContext context = new RecordingTaskContext(props, MOVED, KEPT);
      SegmentExportSinkTask task = new SegmentExportSinkTask();
      task.initialize(context);
      task.start(props);
      try {
        task.open(List.of(MOVED, KEPT));
        // A full window: it runs at once, and the vendor refuses it (an outage).
        task.put(
            List.of(
                record(MOVED, 0, "moved-0@example.org"),
                record(KEPT, 0, "kept-0@example.org"),
                record(MOVED, 1, "moved-1@example.org"),
                record(KEPT, 1, "kept-1@example.org")));
        // The rebalance takes one partition to another task while the window runs.
        context.assignment.remove(MOVED);
        task.close(List.of(MOVED));
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (iterable.writeCount() == 0 && System.nanoTime() < giveUp) {
          TimeUnit.MILLISECONDS.sleep(10);
          task.put(List.of());
        }
        assertThat(iterable.writeCount()).as("the window's write was refused").isEqualTo(1);
        iterable.faults().clear();
        while (context.commitsRequested() == 0 && System.nanoTime() < giveUp) {
          TimeUnit.MILLISECONDS.sleep(10);
          task.put(List.of());
        }
        assertThat(context.commitsRequested()).as("the window was done").isEqualTo(1);
        assertThat(iterable.members(MOVED.topic()))
            .containsExactlyInAnyOrder("kept-0@example.org", "kept-1@example.org");
      } finally {
        task.stop();
      }
    }
  }
}
