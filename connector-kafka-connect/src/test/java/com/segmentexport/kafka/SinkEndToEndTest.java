package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Profile;
import com.segmentexport.testkit.ProfileGenerator;
import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The sink on a real broker and worker, exporting a small topic into the Iterable simulator. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SinkEndToEndTest {
  private final ConnectHarness harness = ConnectHarness.shared();

  @Test
  void aSmallTopicLandsOnTheListAndItsInvalidRecordsInTheDeadLetterQueue() throws Exception {
    ProfileGenerator generator =
        ProfileGenerator.builder().seed(1).invalidEmails(0.1).missingEmails(0.05).build();
    int size = 300;
    ProfileGenerator.Expectation expected = generator.expect(size);
    List<Profile> profiles = new ArrayList<>();
    generator.profiles(size).forEachRemaining(profiles::add);
    String topic = "small-vip";
    harness.createTopic(topic, 1);
    harness.createTopic("small-dlq", 1);
    harness.produce(topic, 1, profiles);

    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      IterableSimulator iterable = (IterableSimulator) sandbox.simulator();
      Map<String, String> config = ConnectHarness.sinkConfig(topic, "small-dlq", 1, sandbox);
      harness.startConnector("small", config, 1);
      try {
        ConnectHarness.await(
            () -> harness.committed("small") == size,
            ConnectHarness.TIMEOUT,
            () -> "committed " + harness.committed("small") + " of " + size);

        assertThat(iterable.members(topic)).isEqualTo(expected.validEmails());
        List<ConsumerRecord<byte[], byte[]>> dlq =
            harness.consume("small-dlq", (int) (expected.invalid() + expected.missing()));
        assertThat(dlq).hasSize((int) (expected.invalid() + expected.missing()));
        assertThat(dlq)
            .allSatisfy(
                r ->
                    assertThat(ConnectHarness.header(r, "__connect.errors.exception.message"))
                        .containsAnyOf("INVALID_EMAIL", "MISSING_EMAIL")
                        .contains("segment '" + topic + "'"));
        assertThat(harness.taskState("small", 0)).isEqualTo("RUNNING");
      } finally {
        harness.deleteConnector("small");
      }
    }
  }
}
