package com.segmentexport.kafka;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Secret;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.testkit.ProfileGenerator;
import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Profiles per second through Kafka Connect into the Iterable simulator (limits off), with 1 and 2
 * tasks, divided by the SDK's direct export of the same profiles in the same run (goal: at least 0.8).
 * Not a test: run it on a quiet machine.
 *
 * <pre>{@code
 * mvn -B -pl connector-kafka-connect -am test-compile -DskipTests
 * mvn -B -pl connector-kafka-connect exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=com.segmentexport.kafka.SinkBenchmark -Dprofiles=200000 -Drounds=3
 * }</pre>
 *
 * <p>The Connect figure runs from the moment the connector is configured (the records are already in
 * the topic) until every offset is committed, so it includes the tasks' start and the last offset
 * commit (every second); the direct figure is one {@code export()} call.
 */
public final class SinkBenchmark {
  private static final int PARTITIONS = 4;

  private SinkBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args none; system properties {@code profiles} (default 200000) and {@code rounds} (3)
   */
  public static void main(String[] args) throws Exception {
    int size = Integer.getInteger("profiles", 200_000);
    int rounds = Integer.getInteger("rounds", 3);
    ProfileGenerator generator = ProfileGenerator.builder().seed(7).build();
    List<Profile> profiles = new ArrayList<>(size);
    generator.profiles(size).forEachRemaining(profiles::add);
    ConnectHarness harness = ConnectHarness.shared();
    harness.createTopic("bench", PARTITIONS);
    harness.createTopic("bench-dlq", 1);
    harness.produce("bench", PARTITIONS, profiles);
    System.out.printf("%d profiles in a %d-partition topic%n", size, PARTITIONS);
    System.out.println(
        "profiles/s; end to end: from the connector's start to its last offset committed;"
            + " writes: from the first write the vendor received to the last");
    System.out.println(
        "round  direct/s   1 task: end-to-end  ratio  writes  ratio"
            + "   2 tasks: end-to-end  ratio  writes  ratio");
    int connector = 0;
    for (int round = 1; round <= rounds; round++) {
      double[] direct = direct(profiles);
      double[] one = connect(harness, size, 1, "bench-" + connector++);
      double[] two = connect(harness, size, 2, "bench-" + connector++);
      System.out.printf(
          "%5d  %8.0f  %18.0f  %5.2f  %6.0f  %5.2f  %19.0f  %5.2f  %6.0f  %5.2f%n",
          round,
          direct[0],
          one[0],
          one[0] / direct[0],
          one[1],
          one[1] / direct[0],
          two[0],
          two[0] / direct[0],
          two[1],
          two[1] / direct[0]);
    }
    System.exit(0); // the harness's shutdown hook stops the cluster
  }

  private static Sandbox sandbox() {
    Sandbox sandbox = Sandboxes.start("iterable");
    ((IterableSimulator) sandbox.simulator()).noRateLimit().retainContacts(false);
    return sandbox;
  }

  /** The profiles over the time from the simulator's first write to its last. */
  private static double writeRate(IterableSimulator simulator, int profiles) {
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (IterableSimulator.Call c : simulator.calls()) {
      if (c.write()) {
        first = Math.min(first, c.atNanos());
        last = Math.max(last, c.atNanos());
      }
    }
    return last > first ? profiles / ((last - first) / 1e9) : Double.NaN;
  }

  /** The SDK's own export of the profiles, in profiles/s (twice: end to end and writes). */
  private static double[] direct(List<Profile> profiles) {
    try (Sandbox sandbox = sandbox()) {
      Connection.Builder b =
          Connection.builder(Connectors.load(), "iterable")
              .privacyConsent(PrivacyConsent.acknowledgedBy("benchmark", Instant.now()));
      sandbox.settings().forEach(b::setting);
      sandbox.secrets().forEach((k, v) -> b.secret(k, Secret.of(v)));
      b.setting("requestsPerSecond", "100000");
      Connection connection = b.build();
      ExportDefinition definition =
          ExportDefinition.builder(connection)
              .segments("bench")
              .mapping(
                  FieldMapping.builder()
                      .email("email")
                      .firstName("first_name")
                      .lastName("last_name")
                      .build())
              .build();
      try (SegmentExporter exporter = Connectors.load().administratorExporter(connection)) {
        long start = System.nanoTime();
        ExportResult result =
            exporter.export(definition, name -> com.segmentexport.api.Segment.of(name, profiles));
        double seconds = (System.nanoTime() - start) / 1e9;
        if (result.exported() == 0) {
          throw new IllegalStateException("nothing exported: " + result.status());
        }
        double rate = profiles.size() / seconds;
        return new double[] {rate, rate};
      }
    }
  }

  /**
   * The same profiles through the sink with this many tasks, in profiles/s: end to end, and over the
   * vendor's writes.
   */
  private static double[] connect(ConnectHarness harness, int size, int tasks, String name)
      throws Exception {
    try (Sandbox sandbox = sandbox()) {
      Map<String, String> config = ConnectHarness.sinkConfig("bench", "bench-dlq", tasks, sandbox);
      config.put("export.setting.requestsPerSecond", "100000");
      config.put("export.window.max.records", "50000");
      config.put("export.window.flush.ms", "1000");
      config.put("consumer.override.max.poll.records", "5000");
      long start = System.nanoTime();
      harness.connect.configureConnector(name, config);
      ConnectHarness.await(
          () -> {
            try {
              return harness.committed(name) == size;
            } catch (RuntimeException e) {
              return false;
            }
          },
          Duration.ofMinutes(10),
          () -> name + ": committed " + harness.committed(name) + " of " + size);
      double seconds = (System.nanoTime() - start) / 1e9;
      harness.deleteConnector(name);
      return new double[] {
        size / seconds, writeRate((IterableSimulator) sandbox.simulator(), size)
      };
    }
  }
}
