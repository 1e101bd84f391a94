package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Profile;
import com.segmentexport.testkit.ProfileGenerator;
import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The vendor's rate limit holds for the whole connector: 2 tasks (in one worker JVM, so they share
 * the SDK's limiter for the account) against a simulator limited to N requests/s see no 429 and at
 * most N a second (plus the simulator's burst).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SinkRateTest {
  private static final int RATE = 20;
  private static final int SEGMENTS = 20;
  private final ConnectHarness harness = ConnectHarness.shared();

  @Test
  void twoTasksTogetherKeepToTheAccountsRate() throws Exception {
    ProfileGenerator generator = ProfileGenerator.builder().seed(41).build();
    int size = 1_200;
    // 20 segments (lists), so that each task has several windows, and requests, in flight at once.
    List<Map<String, Object>> values = new ArrayList<>();
    Iterator<Profile> profiles = generator.profiles(size);
    for (int i = 0; profiles.hasNext(); i++) {
      Map<String, Object> v = new LinkedHashMap<>();
      profiles.next().fields().forEach((k, x) -> v.put(k, String.valueOf(x)));
      v.put("segment", "rate-" + (i % SEGMENTS));
      values.add(v);
    }
    String topic = "rate";
    harness.createTopic(topic, 4);
    harness.createTopic("rate-dlq", 1);
    harness.produceValues(topic, 4, values, null);

    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      IterableSimulator iterable = (IterableSimulator) sandbox.simulator();
      // Half a second of burst: room for the scheduling jitter of a loaded test machine, while two
      // tasks each sending at the whole rate (2N/s) would still empty it within a second.
      int burst = RATE / 2;
      iterable.rateLimit(RATE, burst);
      Map<String, String> config = ConnectHarness.sinkConfig(topic, "rate-dlq", 2, sandbox);
      // The account's rate for the whole connector; each task is worth half of it.
      config.put("export.setting.requestsPerSecond", Integer.toString(RATE));
      config.put("export.segment.source", "field");
      config.put("export.segment.name", "segment");
      // Windows of 20 profiles: a few requests each, several segments' windows at once per task.
      config.put("export.window.max.records", "20");
      config.put("export.windows.max.in.flight", "8");
      long started = System.nanoTime();
      harness.startConnector("rate", config, 2);
      try {
        ConnectHarness.await(
            () -> harness.committed("rate") == size,
            ConnectHarness.TIMEOUT,
            () -> "committed " + harness.committed("rate") + " of " + size);
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(iterable.throttledCount()).as("requests answered 429").isZero();
        int busiest = iterable.maxAcceptedInWindow(Duration.ofSeconds(1));
        assertThat(busiest).as("requests in the busiest second").isLessThanOrEqualTo(RATE + burst);
        Set<String> members = new HashSet<>();
        for (int i = 0; i < SEGMENTS; i++) {
          members.addAll(iterable.members("rate-" + i));
        }
        assertThat(members).isEqualTo(generator.expect(size).validEmails());
        // Measured, not asserted (the machine is shared): the two tasks together use the account's
        // rate, not one task's half of it.
        System.out.printf(
            "rate: %d requests in %.1f s (%.1f/s, limit %d/s, busiest second %d, 429s %d)%n",
            iterable.requestCount(),
            seconds,
            iterable.requestCount() / seconds,
            RATE,
            busiest,
            iterable.throttledCount());
      } finally {
        harness.deleteConnector("rate");
      }
    }
  }
}
