package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.segmentexport.api.Profile;
import com.segmentexport.testkit.ProfileGenerator;
import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import com.segmentexport.testkit.VendorSimulator;
import com.segmentexport.testkit.autopilot.AutopilotSimulator;
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator;
import com.segmentexport.testkit.dotdigital.DotdigitalSimulator;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The main case, for each vendor: 100,000 profiles on a 4-partition topic, 2 tasks: every
 * valid profile on the list exactly once, every invalid or missing address in the dead-letter queue
 * with its reason, and the committed offsets equal to the records.
 *
 * <p>Autopilot gets the same 100,000 profiles and the default windows: its connector keeps what the
 * runs of the JVM learnt of a list's members, so a window's run reads only the member pages added since
 * the last read (one call per 100 members that joined meanwhile), not the whole list (see
 * connector-autopilot's README). The test prints Autopilot's calls by kind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SinkEveryVendorTest {
  private static final int SIZE = 100_000;
  private static final int PARTITIONS = 4;
  private final ConnectHarness harness = ConnectHarness.shared();

  /** The vendors, all by default; {@code -Dsegmentexport.kafka.vendors=iterable,...} to run some. */
  static List<String> vendors() {
    return List.of(
        System.getProperty(
                "segmentexport.kafka.vendors", "autopilot,iterable,campaignmonitor,dotdigital")
            .split(","));
  }

  @ParameterizedTest
  @MethodSource("vendors")
  void everyValidProfileLandsOnceAndEveryInvalidOneInTheDeadLetterQueue(String connector)
      throws Exception {
    int size = SIZE;
    ProfileGenerator generator =
        ProfileGenerator.builder()
            .seed(connector.hashCode())
            .invalidEmails(0.01)
            .missingEmails(0.005)
            .duplicateEmails(0.01)
            .build();
    ProfileGenerator.Expectation expected = generator.expect(size);
    List<Profile> profiles = new ArrayList<>(size);
    generator.profiles(size).forEachRemaining(profiles::add);
    String topic = "vip-" + connector;
    String dlq = "dlq-" + connector;
    harness.createTopic(topic, PARTITIONS);
    harness.createTopic(dlq, 1);
    harness.produce(topic, PARTITIONS, profiles);
    profiles = null;

    try (Sandbox sandbox = Sandboxes.start(connector)) {
      VendorSimulator simulator = sandbox.simulator().noRateLimit();
      Map<String, String> config = ConnectHarness.sinkConfig(topic, dlq, 2, sandbox);
      config.put("export.setting.requestsPerSecond", "100000");
      String name = "every-" + connector;
      harness.startConnector(name, config, 2);
      try {
        ConnectHarness.await(
            () -> harness.committed(name) == size,
            ConnectHarness.TIMEOUT,
            () -> connector + ": committed " + harness.committed(name) + " of " + size);
        assertThat(harness.records(topic, PARTITIONS)).isEqualTo(size);
        if (simulator instanceof AutopilotSimulator ap) {
          Map<String, Long> calls = callKinds(ap);
          System.out.println("autopilot calls by kind, " + size + " profiles: " + calls);
          // Each member is read about once in all (the pages after the last one read), not once a
          // window: 28 windows reading the whole list would be over 10,000 pages.
          assertThat(calls.getOrDefault("GET /v1/list/{id}/contacts/{bookmark}", 0L))
              .isLessThan(2L * size / 100);
        }

        assertThat(members(sandbox, topic)).isEqualTo(expected.validEmails());
        if (simulator instanceof AutopilotSimulator ap) {
          // Autopilot allows several contacts per address: each one is there once.
          assertThat(expected.validEmails())
              .allSatisfy(e -> assertThat(ap.contactsWithAddress(e)).isEqualTo(1));
        }
        int rejected = (int) (expected.invalid() + expected.missing());
        // Every DLQ write ends before the offsets of its records are committed: the topic is whole.
        List<ConsumerRecord<byte[], byte[]>> dead = harness.consumeAll(dlq);
        Map<String, Long> reasons = new TreeMap<>();
        Set<String> originals = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
          String m = String.valueOf(ConnectHarness.header(r, "__connect.errors.exception.message"));
          int from = m.indexOf("'): ");
          String reason = from < 0 ? m : m.substring(from + 4, Math.min(m.length(), from + 60));
          reasons.merge(reason, 1L, Long::sum);
          originals.add(
              ConnectHarness.header(r, "__connect.errors.partition")
                  + "/"
                  + ConnectHarness.header(r, "__connect.errors.offset"));
        }
        // Each rejected record is there; the DLQ is at least once (a rebalance while the tasks
        // start
        // redelivers records whose window was done but whose offsets an earlier window held back).
        assertThat(originals).as("records in the DLQ, by reason: " + reasons).hasSize(rejected);
        assertThat(dead.size()).isGreaterThanOrEqualTo(rejected);
        assertThat(dead)
            .allSatisfy(
                r ->
                    assertThat(ConnectHarness.header(r, "__connect.errors.exception.message"))
                        .containsAnyOf("INVALID_EMAIL", "MISSING_EMAIL"));
        // The record as it was consumed: its JSON value, which the window does not keep.
        assertThat(dead).allSatisfy(r -> assertThat(fields(r.value())).isPositive());
        assertThat(harness.taskState(name, 0)).isEqualTo("RUNNING");
        assertThat(harness.taskState(name, 1)).isEqualTo("RUNNING");
      } finally {
        harness.deleteConnector(name);
      }
    }
  }

  private static Set<String> members(Sandbox sandbox, String segment) {
    VendorSimulator s = sandbox.simulator();
    if (s instanceof IterableSimulator it) {
      return it.members(segment);
    }
    if (s instanceof AutopilotSimulator ap) {
      return ap.members(segment);
    }
    if (s instanceof CampaignMonitorSimulator cm) {
      return cm.activeSubscribers(sandbox.exportOptions().get("listId"));
    }
    DotdigitalSimulator dd = (DotdigitalSimulator) s;
    return dd.addressBookMembers(Long.parseLong(sandbox.exportOptions().get("addressBookId")));
  }

  /** Autopilot's calls by method and path, list ids, bookmarks and addresses left out. */
  private static Map<String, Long> callKinds(AutopilotSimulator ap) {
    Map<String, Long> kinds = new TreeMap<>();
    for (VendorSimulator.Call c : ap.calls()) {
      String path =
          c.path()
              .replaceAll("^/v1/list/[^/]+/contacts/.+$", "/v1/list/{id}/contacts/{bookmark}")
              .replaceAll("^/v1/list/[^/]+/contacts$", "/v1/list/{id}/contacts")
              .replaceAll("^/v1/list/[^/]+/contact/.+$", "/v1/list/{id}/contact/{email}");
      kinds.merge(c.method() + " " + path, 1L, Long::sum);
    }
    return kinds;
  }

  /** The number of fields of a JSON object (0 for a missing value or anything else). */
  private static int fields(byte[] value) {
    if (value == null) {
      return 0;
    }
    try {
      JsonNode node = new ObjectMapper().readTree(value);
      return node != null && node.isObject() ? node.size() : 0;
    } catch (IOException e) {
      return 0;
    }
  }
}
