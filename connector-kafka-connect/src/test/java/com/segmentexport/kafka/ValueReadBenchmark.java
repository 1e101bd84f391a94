package com.segmentexport.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.segmentexport.api.Profile;
import com.segmentexport.testkit.ProfileGenerator;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The task thread's cost of reading one record's JSON value into a profile, on one thread, without
 * Kafka: JsonConverter (no schemas) then {@link RecordProfiles}, against the fast path ({@link
 * RecordProfiles} reading ByteArrayConverter's bytes through {@link JsonFields}). Prints the
 * thread's CPU microseconds and bytes allocated per record for each, over the same values as
 * SinkBenchmark's topic. Not a test; CPU time moves less than wall time on a shared machine.
 *
 * <pre>{@code
 * mvn -B -pl connector-kafka-connect exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=com.segmentexport.kafka.ValueReadBenchmark -Dprofiles=200000 -Drounds=5
 * }</pre>
 */
public final class ValueReadBenchmark {
  private ValueReadBenchmark() {}

  /**
   * Runs it.
   *
   * @param args none; system properties {@code profiles} (200000) and {@code rounds} (5)
   */
  public static void main(String[] args) throws Exception {
    int size = Integer.getInteger("profiles", 200_000);
    int rounds = Integer.getInteger("rounds", 5);
    ObjectMapper mapper = new ObjectMapper();
    List<byte[]> values = new ArrayList<>(size);
    ProfileGenerator.builder()
        .seed(7)
        .build()
        .profiles(size)
        .forEachRemaining(
            p -> {
              Map<String, Object> json = new LinkedHashMap<>();
              p.fields()
                  .forEach(
                      (k, v) ->
                          json.put(
                              k,
                              v == null
                                      || v instanceof Number
                                      || v instanceof Boolean
                                      || v instanceof String
                                  ? v
                                  : v.toString()));
              try {
                values.add(mapper.writeValueAsBytes(json));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    RecordProfiles reader = new RecordProfiles(SinkConfig.SegmentSource.TOPIC, null);
    JsonConverter converter = new JsonConverter();
    converter.configure(Map.of("schemas.enable", "false"), false);
    System.out.printf(
        "%d values, %.0f bytes each on average%n",
        size, values.stream().mapToInt(v -> v.length).average().orElse(0));
    System.out.println("round  path           cpu us/record  bytes allocated/record");
    for (int round = 0; round <= rounds; round++) {
      measure(
          round,
          "JsonConverter",
          values,
          v ->
              reader.profile(
                  new SinkRecord(
                      "bench",
                      0,
                      null,
                      null,
                      null,
                      converter.toConnectData("bench", v).value(),
                      0)));
      measure(
          round,
          "fast path",
          values,
          v -> reader.profile(new SinkRecord("bench", 0, null, null, null, v, 0)));
    }
  }

  private static void measure(
      int round, String path, List<byte[]> values, java.util.function.Function<byte[], Profile> f) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    long cpu = threads.getCurrentThreadCpuTime();
    long allocated = threads.getThreadAllocatedBytes(id);
    long sink = 0;
    for (byte[] v : values) {
      sink += f.apply(v).fields().size();
    }
    double cpuMicros = (threads.getCurrentThreadCpuTime() - cpu) / 1e3 / values.size();
    double bytes = (threads.getThreadAllocatedBytes(id) - allocated) / (double) values.size();
    System.out.printf(
        "%-6s %-14s %13.2f  %22.0f%s%n",
        round == 0 ? "warm" : Integer.toString(round),
        path,
        cpuMicros,
        bytes,
        sink == 0 ? " (no fields?)" : "");
  }
}
