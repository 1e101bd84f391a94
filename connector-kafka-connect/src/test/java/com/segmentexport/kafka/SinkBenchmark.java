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
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.AttributeNotFoundException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;

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
 * <p>Round 0 warms the JVM up (the direct export, then the sink with 1 and 2 tasks) and is printed like
 * the others, marked; every round exports the same profiles (already in the topic) through both paths,
 * the direct export first. Per Connect run:
 *
 * <ul>
 *   <li><b>end to end</b>: from the moment the connector is configured until every offset is committed
 *       (the tasks' start, the consumer group's join, reading, converting, exporting, the last offset
 *       commit);
 *   <li><b>running</b>: from the first record a task read (the worker's {@code sink-record-read-total}
 *       metric) until every offset is committed: what the direct figure measures (an exporter built
 *       before, then one {@code export()} call reading, mapping and sending every profile), plus the
 *       consumer, the converter and the last offset commit, which the direct export does not have;
 *   <li>its phases in seconds: start (configured to first record read), export (first record read to
 *       the vendor's last write) and commit (the vendor's last write to the last offset committed:
 *       bounded by the worker's {@code offset.flush.interval.ms});
 *   <li>the CPU time the whole JVM used per profile, in microseconds, from configured to committed
 *       (the broker, the worker, the tasks, the engine and the simulator: everything runs in this
 *       JVM), next to the direct export's over its {@code export()} call (the engine and the
 *       simulator). On a machine shared with other work this is steadier than the rates, and its
 *       ratio bounds what the sink can reach where the CPU, not a wait, limits both;
 *   <li>the garbage collector's time over the same span (its pauses stop every thread).
 * </ul>
 *
 * <p>Each round runs the sink once per converter of {@code converters} (system property, default
 * {@code json,bytes}): {@code json} is JsonConverter without schemas, {@code bytes} ByteArrayConverter
 * (the sink reads the JSON itself, see {@link JsonFields}), {@code string} StringConverter; the
 * topic's records are the same JSON bytes for each.
 *
 * <p>The sink's windows hold {@code window} records (system property; without it the connector's
 * default, {@code export.window.max.records} 10000: windows of 50000, the earlier setting, kept up to
 * 6 windows of each task's records live until the vendor confirmed them, and the collectors' copying
 * of them cost about 2 us of CPU per profile), and the worker's consumer hands over up to {@code
 * maxPollRecords} (5000) records per poll.
 *
 * <p>With {@code -DthreadCpu=true} (Linux) each run is followed by a line of its CPU microseconds per
 * profile by group of threads ({@link ThreadCpu}): the task threads (consumer, converter, the
 * sink's {@code put}), the broker's request threads, the engine (its threads and OkHttp's), the
 * simulator, the collectors' pauses and concurrent work, the JIT compilers, the benchmark's own
 * polling, and the rest of the broker, the worker and the clients.
 */
public final class SinkBenchmark {
  private static final int PARTITIONS = 4;
  private static final boolean THREAD_CPU = Boolean.getBoolean("threadCpu");

  private SinkBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args none; system properties {@code profiles} (default 200000) and {@code rounds} (3,
   *     after the warm-up round)
   */
  public static void main(String[] args) {
    try {
      run();
    } catch (Exception | Error e) {
      // Otherwise the worker's tasks would go on, against the closed simulator, and the JVM never
      // end.
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0); // the harness's shutdown hook stops the cluster
  }

  private static void run() throws Exception {
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
        "profiles/s; end to end: from the connector's configuration to its last offset committed;"
            + " running: from the first record a task read to the last offset committed;"
            + " phases in s: start / export / commit (see SinkBenchmark's javadoc)");
    System.out.println(
        "round    direct/s  cpu us  gc s  converter  tasks  end-to-end  ratio  running  ratio  start"
            + "  export  commit  cpu us  gc s");
    List<String> converters = List.of(System.getProperty("converters", "json,bytes").split(","));
    int connector = 0;
    try (Admin admin = harness.connect.kafka().createAdminClient()) {
      for (int round = 0; round <= rounds; round++) {
        double[] direct = direct(profiles);
        for (int tasks = 1; tasks <= 2; tasks++) {
          for (String converter : converters) {
            Run run =
                connect(
                    harness,
                    admin,
                    size,
                    (long) direct[3],
                    tasks,
                    converter,
                    "bench-" + connector++);
            System.out.printf(
                "%-7s %9.0f  %6.2f  %4.2f  %-9s  %5d  %10.0f  %5.2f  %7.0f  %5.2f  %5.2f  %6.2f  %6.2f"
                    + "  %6.2f  %4.2f%n",
                round == 0 ? "warm-up" : Integer.toString(round),
                direct[0],
                direct[1],
                direct[2],
                converter,
                tasks,
                run.endToEnd(size),
                run.endToEnd(size) / direct[0],
                run.running(size),
                run.running(size) / direct[0],
                run.startSeconds(),
                run.exportSeconds(),
                run.commitSeconds(),
                run.cpuNanos() / 1e3 / size,
                run.gcMillis() / 1e3);
          }
        }
      }
    }
  }

  /** One Connect run's moments, in {@link System#nanoTime()}. */
  private record Run(
      long configured,
      long firstRead,
      long lastWrite,
      long committed,
      long cpuNanos,
      long gcMillis) {
    double endToEnd(int size) {
      return size / ((committed - configured) / 1e9);
    }

    double running(int size) {
      return size / ((committed - firstRead) / 1e9);
    }

    double startSeconds() {
      return (firstRead - configured) / 1e9;
    }

    double exportSeconds() {
      return (lastWrite - firstRead) / 1e9;
    }

    double commitSeconds() {
      return (committed - lastWrite) / 1e9;
    }
  }

  private static Sandbox sandbox() {
    Sandbox sandbox = Sandboxes.start("iterable");
    ((IterableSimulator) sandbox.simulator()).noRateLimit().retainContacts(false);
    return sandbox;
  }

  /**
   * The SDK's own export of the profiles, over its one {@code export()} call: profiles/s and the
   * JVM's CPU microseconds per profile, the garbage collector's seconds, and the number of addresses
   * the simulator received.
   */
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
        Map<String, Long> threads = THREAD_CPU ? ThreadCpu.snapshot() : null;
        long cpu = cpuNanos();
        long gc = gcMillis();
        long start = System.nanoTime();
        ExportResult result =
            exporter.export(definition, name -> com.segmentexport.api.Segment.of(name, profiles));
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuMicros = (cpuNanos() - cpu) / 1e3 / profiles.size();
        if (THREAD_CPU) {
          printThreads("direct", threads, profiles.size());
        }
        double gcSeconds = (gcMillis() - gc) / 1e3;
        if (result.exported() == 0) {
          throw new IllegalStateException("nothing exported: " + result.status());
        }
        long sent = ((IterableSimulator) sandbox.simulator()).receivedEmailCount();
        return new double[] {profiles.size() / seconds, cpuMicros, gcSeconds, sent};
      }
    }
  }

  /**
   * The same profiles through the sink with this many tasks. The consumer group's offsets are asked
   * for every 5 ms once the simulator received as many addresses as the direct export sent it
   * ({@code sent}: the sink sends at least those), every 200 ms before: asking the broker every 5 ms
   * all along took CPU (this thread, the admin client's, the broker's) that the sink was charged for
   * and competed with it on the same cores.
   */
  private static Run connect(
      ConnectHarness harness,
      Admin admin,
      int size,
      long sent,
      int tasks,
      String converter,
      String name)
      throws Exception {
    try (Sandbox sandbox = sandbox()) {
      Map<String, String> config = ConnectHarness.sinkConfig("bench", "bench-dlq", tasks, sandbox);
      switch (converter) {
        case "json":
          break; // JsonConverter without schemas, as sinkConfig sets it
        case "bytes":
          ConnectHarness.rawJson(config, "org.apache.kafka.connect.converters.ByteArrayConverter");
          break;
        case "string":
          ConnectHarness.rawJson(config, "org.apache.kafka.connect.storage.StringConverter");
          break;
        default:
          throw new IllegalArgumentException("converters: json, bytes or string, not " + converter);
      }
      config.put("export.setting.requestsPerSecond", "100000");
      String window = System.getProperty("window");
      if (window != null) {
        config.put("export.window.max.records", window);
      }
      config.put("export.window.flush.ms", "1000");
      config.put(
          "consumer.override.max.poll.records",
          Integer.toString(Integer.getInteger("maxPollRecords", 5_000)));
      MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
      ObjectName readMetrics =
          new ObjectName("kafka.connect:type=sink-task-metrics,connector=" + name + ",*");
      Map<String, Long> threads = THREAD_CPU ? ThreadCpu.snapshot() : null;
      long cpu = cpuNanos();
      long gc = gcMillis();
      long configured = System.nanoTime();
      harness.connect.configureConnector(name, config);
      IterableSimulator simulator = (IterableSimulator) sandbox.simulator();
      long firstRead = 0;
      long committed = 0;
      long asked = 0;
      long deadline = configured + Duration.ofMinutes(10).toNanos();
      while (committed == 0) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(name + ": not every offset committed in 10 minutes");
        }
        Thread.sleep(5);
        long now = System.nanoTime();
        if (firstRead == 0 && recordsRead(jmx, readMetrics) > 0) {
          firstRead = now;
        }
        boolean allSent = simulator.receivedEmailCount() >= sent;
        if (firstRead != 0 && (allSent || now - asked >= 200_000_000L)) {
          asked = now;
          if (committed(admin, "connect-" + name) == size) {
            committed = now;
          }
        }
      }
      long cpuUsed = cpuNanos() - cpu;
      long gcUsed = gcMillis() - gc;
      if (THREAD_CPU) {
        printThreads(converter + " " + tasks, threads, size);
      }
      long lastWrite = Long.MIN_VALUE;
      for (IterableSimulator.Call c : ((IterableSimulator) sandbox.simulator()).calls()) {
        if (c.write()) {
          lastWrite = Math.max(lastWrite, c.atNanos());
        }
      }
      harness.deleteConnector(name);
      return new Run(configured, firstRead, lastWrite, committed, cpuUsed, gcUsed);
    }
  }

  /** Prints the CPU microseconds per profile of each group of threads since {@code before}. */
  private static void printThreads(String what, Map<String, Long> before, int size) {
    Map<String, Long> groups = ThreadCpu.byGroup(before, ThreadCpu.snapshot());
    StringBuilder b =
        new StringBuilder(
            String.format(
                "  cpu us by thread, %s: %.2f",
                what, groups.values().stream().mapToLong(Long::longValue).sum() / 1e3 / size));
    groups.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> b.append(String.format(" | %s %.2f", e.getKey(), e.getValue() / 1e3 / size)));
    System.out.println(b);
  }

  /** The CPU time this JVM used so far, every thread together. */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The garbage collectors' time so far, in milliseconds. */
  private static long gcMillis() {
    long sum = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, gc.getCollectionTime());
    }
    return sum;
  }

  /** The records the connector's tasks read so far (0 before their metrics exist). */
  private static double recordsRead(MBeanServer jmx, ObjectName pattern) throws Exception {
    double sum = 0;
    for (ObjectName n : jmx.queryNames(pattern, null)) {
      Object v;
      try {
        v = jmx.getAttribute(n, "sink-record-read-total");
      } catch (InstanceNotFoundException | AttributeNotFoundException e) {
        continue; // a task's metrics replaced or not yet filled in as the task starts
      }
      sum += v instanceof Number number ? number.doubleValue() : 0;
    }
    return sum;
  }

  /** The consumer group's committed offsets, summed over partitions (the next offset of each). */
  private static long committed(Admin admin, String group) throws Exception {
    long sum = 0;
    for (OffsetAndMetadata o :
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values()) {
      if (o != null) {
        sum += o.offset();
      }
    }
    return sum;
  }
}
