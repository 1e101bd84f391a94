package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Profile;
import com.segmentexport.testkit.ProfileGenerator;
import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.nio.charset.StandardCharsets;
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

  @Test
  void withByteArrayConverterTheSinkReadsTheJsonAndSendsWhatIsNotAnObjectToTheDlq()
      throws Exception {
    ProfileGenerator generator = ProfileGenerator.builder().seed(2).invalidEmails(0.1).build();
    int size = 200;
    ProfileGenerator.Expectation expected = generator.expect(size);
    List<Profile> profiles = new ArrayList<>();
    generator.profiles(size).forEachRemaining(profiles::add);
    String topic = "raw-vip";
    harness.createTopic(topic, 1);
    harness.createTopic("raw-dlq", 1);
    harness.produce(topic, 1, profiles);
    byte[] notJson =
        "{\"email\":\"cut@example.org\",\"first_name\":".getBytes(StandardCharsets.UTF_8);
    byte[] notAnObject = "[\"kim@example.org\"]".getBytes(StandardCharsets.UTF_8);
    harness.produceRaw(topic, 0, List.of(notJson, notAnObject));
    int total = size + 2;

    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      IterableSimulator iterable = (IterableSimulator) sandbox.simulator();
      Map<String, String> config = ConnectHarness.sinkConfig(topic, "raw-dlq", 1, sandbox);
      ConnectHarness.rawJson(config, "org.apache.kafka.connect.converters.ByteArrayConverter");
      harness.startConnector("raw", config, 1);
      try {
        ConnectHarness.await(
            () -> harness.committed("raw") == total,
            ConnectHarness.TIMEOUT,
            () -> "committed " + harness.committed("raw") + " of " + total);

        assertThat(iterable.members(topic)).isEqualTo(expected.validEmails());
        int rejected = (int) expected.invalid() + 2;
        List<ConsumerRecord<byte[], byte[]>> dlq = harness.consume("raw-dlq", rejected);
        assertThat(dlq).hasSize(rejected);
        List<ConsumerRecord<byte[], byte[]>> notProfiles =
            dlq.stream()
                .filter(
                    r ->
                        !ConnectHarness.header(r, "__connect.errors.exception.message")
                            .contains("INVALID_EMAIL"))
                .toList();
        assertThat(notProfiles).hasSize(2);
        // As consumed: the very bytes, with the reason and no address in it.
        assertThat(notProfiles.get(0).value()).isEqualTo(notJson);
        assertThat(ConnectHarness.header(notProfiles.get(0), "__connect.errors.exception.message"))
            .contains("not valid JSON")
            .doesNotContain("example.org");
        assertThat(notProfiles.get(1).value()).isEqualTo(notAnObject);
        assertThat(ConnectHarness.header(notProfiles.get(1), "__connect.errors.exception.message"))
            .contains("JSON array, not an object of fields")
            .doesNotContain("example.org");
        assertThat(harness.taskState("raw", 0)).isEqualTo("RUNNING");
      } finally {
        harness.deleteConnector("raw");
      }
    }
  }
}
