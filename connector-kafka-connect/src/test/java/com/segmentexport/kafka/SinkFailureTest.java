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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the sink does when the vendor fails: an outage (503) holds the offsets back and everything
 * lands once it ends; refused credentials fail the task with the vendor's message, nothing committed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SinkFailureTest {
  private final ConnectHarness harness = ConnectHarness.shared();

  private List<Profile> profiles(int size, ProfileGenerator generator) {
    List<Profile> profiles = new ArrayList<>();
    generator.profiles(size).forEachRemaining(profiles::add);
    return profiles;
  }

  @Test
  void anOutageHoldsTheOffsetsBackThenEverythingLands() throws Exception {
    ProfileGenerator generator = ProfileGenerator.builder().seed(31).build();
    int size = 3_000;
    String topic = "outage";
    harness.createTopic(topic, 2);
    harness.createTopic("outage-dlq", 1);
    harness.produce(topic, 2, profiles(size, generator));

    // Not the sandbox's simulator: its new list refuses its first subscribe that gets through,
    // which would here be the first one after the outage, seconds after the list was made.
    try (Sandbox sandbox = Sandboxes.bind(new IterableSimulator("outage-key").start())) {
      IterableSimulator iterable = (IterableSimulator) sandbox.simulator();
      iterable.faults().failEveryWrite(503);
      Map<String, String> config = ConnectHarness.sinkConfig(topic, "outage-dlq", 2, sandbox);
      harness.startConnector("outage", config, 2);
      try {
        // The vendor refuses every write for a while: the engine retries, the window runs again
        // later, and no offset moves.
        ConnectHarness.await(
            () -> iterable.writeCount() >= 12,
            ConnectHarness.TIMEOUT,
            () -> "writes tried during the outage: " + iterable.writeCount());
        assertThat(harness.committed("outage")).isZero();
        assertThat(harness.taskState("outage", 0)).isEqualTo("RUNNING");
        assertThat(harness.taskState("outage", 1)).isEqualTo("RUNNING");

        iterable.faults().clear();
        ConnectHarness.await(
            () -> harness.committed("outage") == size,
            ConnectHarness.TIMEOUT,
            () -> "committed " + harness.committed("outage") + " of " + size);
        assertThat(iterable.members(topic)).isEqualTo(generator.expect(size).validEmails());
        assertThat(harness.consume("outage-dlq", 0)).isEmpty();
      } finally {
        harness.deleteConnector("outage");
      }
    }
  }

  @Test
  void refusedCredentialsFailTheTaskAndCommitNothing() throws Exception {
    ProfileGenerator generator = ProfileGenerator.builder().seed(32).build();
    int size = 500;
    String topic = "wrong-key";
    harness.createTopic(topic, 1);
    harness.createTopic("wrong-key-dlq", 1);
    harness.produce(topic, 1, profiles(size, generator));

    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      IterableSimulator iterable = (IterableSimulator) sandbox.simulator();
      Map<String, String> config = ConnectHarness.sinkConfig(topic, "wrong-key-dlq", 1, sandbox);
      sandbox.wrongSecrets().forEach((k, v) -> config.put("export.secret." + k, v));
      harness.connect.configureConnector("wrong-key", config);
      try {
        ConnectHarness.await(
            () -> "FAILED".equals(harness.taskState("wrong-key", 0)),
            ConnectHarness.TIMEOUT,
            () -> "task state " + harness.taskState("wrong-key", 0));
        String trace = harness.taskTrace("wrong-key", 0);
        assertThat(trace)
            .contains("failed for good")
            .contains("AuthenticationException")
            .doesNotContain(sandbox.secrets().get("apiKey"));
        // Offsets are committed on a schedule: give the worker time to commit anything it would.
        Thread.sleep(Duration.ofSeconds(2).toMillis());
        assertThat(harness.committed("wrong-key")).isZero();
        assertThat(iterable.members(topic)).isEmpty();
        int requests = iterable.requestCount();
        Thread.sleep(Duration.ofSeconds(1).toMillis());
        assertThat(iterable.requestCount())
            .as("no request after the task failed")
            .isEqualTo(requests);
      } finally {
        harness.deleteConnector("wrong-key");
      }
    }
  }
}
