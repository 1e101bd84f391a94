package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Profile;
import com.segmentexport.testkit.ProfileGenerator;
import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A worker leaves in the middle of an export (2 workers, 2 tasks): the other takes its task over, the
 * records the vendor had not confirmed are delivered again, and nothing is lost.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SinkRebalanceTest {
  private final ConnectHarness harness = ConnectHarness.shared();

  @Test
  void aWorkerRemovedMidExportLosesNothing() throws Exception {
    ProfileGenerator generator = ProfileGenerator.builder().seed(51).invalidEmails(0.01).build();
    int size = 20_000;
    ProfileGenerator.Expectation expected = generator.expect(size);
    List<Profile> profiles = new ArrayList<>();
    generator.profiles(size).forEachRemaining(profiles::add);
    String topic = "rebalance";
    harness.createTopic(topic, 4);
    harness.createTopic("rebalance-dlq", 1);
    harness.produce(topic, 4, profiles);

    WorkerHandle second = harness.connect.addWorker();
    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      IterableSimulator iterable = (IterableSimulator) sandbox.simulator();
      // Slow answers, so that the export is still running when the worker goes.
      iterable.latency(Duration.ofMillis(150));
      Map<String, String> config = ConnectHarness.sinkConfig(topic, "rebalance-dlq", 2, sandbox);
      config.put("export.window.max.records", "2000");
      harness.startConnector("rebalance", config, 2);
      try {
        ConnectHarness.await(
            () -> iterable.writeCount() >= 3,
            ConnectHarness.TIMEOUT,
            () -> "writes before the worker leaves: " + iterable.writeCount());
        long committedBefore = harness.committed("rebalance");
        harness.connect.removeWorker(second);
        second = null;
        assertThat(committedBefore).as("the export was under way").isLessThan(size);

        ConnectHarness.await(
            () -> harness.committed("rebalance") == size,
            ConnectHarness.TIMEOUT,
            () -> "committed " + harness.committed("rebalance") + " of " + size);
        assertThat(iterable.members(topic)).isEqualTo(expected.validEmails());
        assertThat(harness.consume("rebalance-dlq", (int) expected.invalid()))
            .hasSizeGreaterThanOrEqualTo((int) expected.invalid());
        harness
            .connect
            .assertions()
            .assertConnectorAndExactlyNumTasksAreRunning(
                "rebalance", 2, "the remaining worker runs both tasks");
      } finally {
        harness.deleteConnector("rebalance");
      }
    } finally {
      if (second != null) {
        harness.connect.removeWorker(second);
      }
    }
  }
}
