package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * The task, driven the way Connect drives it but without a worker, asks to be called again when it
 * has something to do (a window's flush time, a run in flight) and asks for an offset commit as soon
 * as a window is done, rather than waiting for the worker's next poll timeout and commit interval.
 */
class SinkTaskWakeUpTest {
  private static final TopicPartition TP = new TopicPartition("wake", 0);

  private static SinkRecord record(long offset) {
    Map<String, Object> value = Map.of("email", "user" + offset + "@example.org");
    return new SinkRecord(TP.topic(), TP.partition(), null, null, null, value, offset);
  }

  @Test
  void theTaskAsksToBeCalledAtItsWindowsFlushTimeAndForACommitOnceAWindowIsDone() throws Exception {
    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      Map<String, String> props = ConnectHarness.sinkConfig(TP.topic(), "wake-dlq", 1, sandbox);
      props.put("export.window.flush.ms", "60000");
      props.put("export.window.max.records", "3");
      props.put("export.window.close.when.idle", "false");
      RecordingTaskContext context = new RecordingTaskContext(props, TP);
      SegmentExportSinkTask task = new SegmentExportSinkTask();
      task.initialize(context);
      task.start(props);
      try {
        task.open(List.of(TP));
        task.put(List.of(record(0), record(1)));
        // An open window, no run: the worker's next poll waits at most until the window's flush
        // time (not only until its next offset commit).
        assertThat(context.timeout)
            .isBetween(SegmentExportSinkTask.POLL_WHILE_RUNNING_MS + 1, 60_000L);
        task.put(List.of());
        assertThat(context.timeout)
            .isBetween(SegmentExportSinkTask.POLL_WHILE_RUNNING_MS + 1, 60_000L);

        context.timeout = -1;
        task.put(List.of(record(2)));
        // The window is full and runs: the task wants to see its end soon.
        assertThat(context.timeout).isBetween(1L, SegmentExportSinkTask.POLL_WHILE_RUNNING_MS);

        // Connect calls put with no records when its poll found none; the task asks for a commit
        // once the window is done, and then offers its offsets.
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (context.commitsRequested() == 0 && System.nanoTime() < giveUp) {
          TimeUnit.MILLISECONDS.sleep(10);
          task.put(List.of());
        }
        assertThat(context.commitsRequested()).isEqualTo(1);
        Map<TopicPartition, OffsetAndMetadata> commit =
            task.preCommit(Map.of(TP, new OffsetAndMetadata(3)));
        assertThat(commit).containsEntry(TP, new OffsetAndMetadata(3));
      } finally {
        task.stop();
      }
    }
  }

  @Test
  void aWindowClosesWhenThePollFindsNoMoreRecordsRatherThanAtItsFlushTime() throws Exception {
    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      Map<String, String> props = ConnectHarness.sinkConfig(TP.topic(), "wake-dlq", 1, sandbox);
      props.put("export.window.flush.ms", "600000");
      RecordingTaskContext context = new RecordingTaskContext(props, TP);
      SegmentExportSinkTask task = new SegmentExportSinkTask();
      task.initialize(context);
      task.start(props);
      try {
        task.open(List.of(TP));
        task.put(List.of(record(0), record(1)));
        // The worker is to poll again soon: a poll that finds nothing closes the window.
        assertThat(context.timeout).isEqualTo(SegmentExportSinkTask.POLL_WHILE_RUNNING_MS);
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (context.commitsRequested() == 0 && System.nanoTime() < giveUp) {
          task.put(List.of());
          TimeUnit.MILLISECONDS.sleep(10);
        }
        assertThat(context.commitsRequested()).isEqualTo(1);
        assertThat(task.preCommit(Map.of(TP, new OffsetAndMetadata(2))))
            .containsEntry(TP, new OffsetAndMetadata(2));
      } finally {
        task.stop();
      }
    }
  }
}
