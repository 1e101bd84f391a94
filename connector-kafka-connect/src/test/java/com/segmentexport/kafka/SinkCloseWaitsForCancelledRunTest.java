package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * A partition revoked while a window holding its records runs against a slow vendor: once {@code
 * close} returned, no batch of that run reaches the vendor (its new owner may have written newer
 * values of the same profiles by then).
 */
class SinkCloseWaitsForCancelledRunTest {
  private static final TopicPartition MOVED = new TopicPartition("closewait", 0);
  private static final TopicPartition KEPT = new TopicPartition("closewait", 1);

  /** Records per window: three of Iterable's batches of 1,000, sent one at a time. */
  private static final int RECORDS = 2_500;

  private static String email(TopicPartition tp, long offset) {
    return tp.topic() + "-" + tp.partition() + "-" + offset + "@example.org";
  }

  private static Set<String> moved(Set<String> received) {
    String prefix = MOVED.topic() + "-" + MOVED.partition() + "-";
    return received.stream().filter(e -> e.startsWith(prefix)).collect(Collectors.toSet());
  }

  private static Map<String, String> props(Sandbox sandbox) {
    Map<String, String> props =
        ConnectHarness.sinkConfig(MOVED.topic(), "closewait-dlq", 1, sandbox);
    props.put("export.setting.maxConcurrentBatches", "1");
    props.put("export.window.max.records", String.valueOf(RECORDS));
    props.put("export.window.flush.ms", "600000");
    props.put("export.window.close.when.idle", "false");
    props.put("export.retry.backoff.ms", "50");
    props.put("export.retry.backoff.max.ms", "50");
    return props;
  }

  /** A full window, half of each partition, interleaved: every batch holds records of both. */
  private static List<SinkRecord> window() {
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      TopicPartition tp = i % 2 == 0 ? MOVED : KEPT;
      long offset = i / 2;
      records.add(
          new SinkRecord(
              tp.topic(),
              tp.partition(),
              null,
              null,
              null,
              Map.of("email", email(tp, offset)),
              offset));
    }
    return records;
  }

  @Test
  void noBatchOfARevokedPartitionsRunReachesTheVendorOnceCloseReturned() throws Exception {
    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      IterableSimulator iterable = (IterableSimulator) sandbox.simulator();
      iterable.latency(Duration.ofMillis(400));
      Map<String, String> props = props(sandbox);
      RecordingTaskContext context = new RecordingTaskContext(props, MOVED, KEPT);
      SegmentExportSinkTask task = new SegmentExportSinkTask();
      task.initialize(context);
      task.start(props);
      try {
        task.open(List.of(MOVED, KEPT));
        task.put(window()); // full: it runs at once, a batch at a time
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (iterable.writeCount() == 0 && System.nanoTime() < giveUp) {
          TimeUnit.MILLISECONDS.sleep(5);
        }
        assertThat(iterable.writeCount()).as("the run's first batch is out").isPositive();
        context.assignment.remove(MOVED);
        task.close(List.of(MOVED));
        Set<String> atClose = moved(iterable.receivedEmails());
        iterable.latency(Duration.ZERO);
        // The window runs again for the partition it kept, until its records are confirmed.
        while (context.commitsRequested() == 0 && System.nanoTime() < giveUp) {
          TimeUnit.MILLISECONDS.sleep(10);
          task.put(List.of());
        }
        assertThat(context.commitsRequested()).as("the window was done").isEqualTo(1);
        assertThat(moved(iterable.receivedEmails()))
            .as("records of the revoked partition received after close returned")
            .isEqualTo(atClose);
        assertThat(atClose).hasSizeLessThan(RECORDS / 2);
      } finally {
        task.stop();
      }
    }
  }
}
