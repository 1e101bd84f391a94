package com.segmentexport.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.segmentexport.api.Profile;
import com.segmentexport.testkit.Sandbox;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * One real KRaft broker and real distributed Connect workers in this JVM, shared by every test class
 * of the module (started on first use, stopped when the JVM ends), with what the tests need around
 * them: topics, JSON records, the sink's configuration for a sandbox, committed offsets, the
 * dead-letter queue and task states.
 */
final class ConnectHarness {
  static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ConnectHarness shared;

  final EmbeddedConnectCluster connect;

  private ConnectHarness(EmbeddedConnectCluster connect) {
    this.connect = connect;
  }

  /** The cluster of this JVM: one broker, one worker to begin with. */
  static synchronized ConnectHarness shared() {
    if (shared == null) {
      Map<String, String> worker = new HashMap<>();
      worker.put("plugin.discovery", "service_load");
      worker.put("offset.flush.interval.ms", "1000");
      // A worker that leaves has its tasks given to the others at once, not after 5 minutes.
      worker.put("scheduled.rebalance.max.delay.ms", "0");
      EmbeddedConnectCluster cluster =
          new EmbeddedConnectCluster.Builder()
              .name("segment-export-sink")
              .numWorkers(1)
              .workerProps(worker)
              .build();
      cluster.start();
      shared = new ConnectHarness(cluster);
      Runtime.getRuntime().addShutdownHook(new Thread(ConnectHarness::stopShared));
    }
    return shared;
  }

  /** Stops the shared cluster, if one started (once). */
  static synchronized void stopShared() {
    if (shared != null) {
      ConnectHarness h = shared;
      shared = null;
      h.connect.stop();
    }
  }

  void createTopic(String topic, int partitions) {
    connect.kafka().createTopic(topic, partitions);
  }

  /** Produces each profile as a JSON object (no schema), keyed by its row, round-robin over partitions. */
  void produce(String topic, int partitions, List<Profile> profiles) {
    List<Map<String, Object>> values = new ArrayList<>(profiles.size());
    for (Profile p : profiles) {
      values.add(json(p.fields()));
    }
    produceValues(topic, partitions, values, null);
  }

  /** Produces JSON values, round-robin over partitions, with an optional header on each. */
  void produceValues(
      String topic, int partitions, List<Map<String, Object>> values, Header header) {
    Map<String, Object> props = new HashMap<>();
    props.put("linger.ms", 20);
    props.put("batch.size", 262_144);
    try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(props)) {
      for (int i = 0; i < values.size(); i++) {
        ProducerRecord<byte[], byte[]> r =
            new ProducerRecord<>(
                topic,
                i % partitions,
                Integer.toString(i).getBytes(StandardCharsets.UTF_8),
                JSON.writeValueAsBytes(values.get(i)));
        if (header != null) {
          r.headers().add(header);
        }
        producer.send(r);
      }
      producer.flush();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Produces these values as they are (any bytes) to one partition. */
  void produceRaw(String topic, int partition, List<byte[]> values) {
    try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(Map.of())) {
      for (byte[] v : values) {
        producer.send(new ProducerRecord<>(topic, partition, null, v));
      }
      producer.flush();
    }
  }

  private static Map<String, Object> json(Map<String, Object> fields) {
    Map<String, Object> out = new LinkedHashMap<>();
    fields.forEach(
        (k, v) ->
            out.put(
                k,
                v == null || v instanceof Number || v instanceof Boolean || v instanceof String
                    ? v
                    : v.toString()));
    return out;
  }

  /** The sink's configuration for a sandbox: JSON without schema, a DLQ with context headers. */
  static Map<String, String> sinkConfig(String topic, String dlq, int tasks, Sandbox sandbox) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("connector.class", SegmentExportSinkConnector.class.getName());
    c.put("tasks.max", Integer.toString(tasks));
    c.put("topics", topic);
    c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    c.put("value.converter.schemas.enable", "false");
    c.put("errors.tolerance", "all");
    c.put("errors.deadletterqueue.topic.name", dlq);
    c.put("errors.deadletterqueue.topic.replication.factor", "1");
    c.put("errors.deadletterqueue.context.headers.enable", "true");
    c.put("export.connector", sandbox.connectorId());
    sandbox.settings().forEach((k, v) -> c.put("export.setting." + k, v));
    sandbox.secrets().forEach((k, v) -> c.put("export.secret." + k, v));
    sandbox.exportOptions().forEach((k, v) -> c.put("export.option." + k, v));
    c.put("export.privacy.consent.by", "Kafka Connect test");
    c.put("export.mapping", "Email=email,FirstName=first_name,LastName=last_name");
    c.put("export.window.flush.ms", "300");
    c.put("export.retry.backoff.ms", "200");
    c.put("export.retry.backoff.max.ms", "2000");
    c.put("export.engine.retry.max.attempts", "3");
    c.put("export.engine.retry.max.delay.ms", "500");
    return c;
  }

  /**
   * Sets a sink configuration's value converter to one that hands the record's JSON over as it is
   * (ByteArrayConverter, StringConverter): the sink's fast path reads it.
   */
  static void rawJson(Map<String, String> config, String converterClass) {
    config.put("value.converter", converterClass);
    config.remove("value.converter.schemas.enable");
  }

  /** The offsets committed for the connector, summed over partitions (the next offset of each). */
  long committed(String connector) {
    long sum = 0;
    for (ConnectorOffset o : connect.connectorOffsets(connector).offsets()) {
      sum += ((Number) o.offset().get("kafka_offset")).longValue();
    }
    return sum;
  }

  /** The records in a topic (end offsets summed). */
  long records(String topic, int partitions) throws Exception {
    long sum = 0;
    for (int p = 0; p < partitions; p++) {
      sum += connect.kafka().endOffset(new TopicPartition(topic, p));
    }
    return sum;
  }

  /** Every record of a topic, up to its end offsets now. */
  List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic) throws Exception {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    connect.kafka().consumeAll(TIMEOUT.toMillis(), topic).forEach(out::add);
    return out;
  }

  /** Every record of a topic (at least {@code expected}, waiting up to the timeout). */
  List<ConsumerRecord<byte[], byte[]>> consume(String topic, int expected) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    if (expected == 0) {
      return out;
    }
    connect.kafka().consume(expected, TIMEOUT.toMillis(), topic).forEach(out::add);
    return out;
  }

  String taskState(String connector, int task) {
    ConnectorStateInfo info;
    try {
      info = connect.connectorStatus(connector);
    } catch (RuntimeException e) {
      return "NONE"; // no status yet
    }
    return info.tasks().stream()
        .filter(t -> t.id() == task)
        .map(t -> t.state())
        .findFirst()
        .orElse("NONE");
  }

  String taskTrace(String connector, int task) {
    ConnectorStateInfo info = connect.connectorStatus(connector);
    return info.tasks().stream()
        .filter(t -> t.id() == task)
        .map(t -> String.valueOf(t.trace()))
        .findFirst()
        .orElse("");
  }

  void startConnector(String name, Map<String, String> config, int tasks) throws Exception {
    connect.configureConnector(name, config);
    connect
        .assertions()
        .assertConnectorAndExactlyNumTasksAreRunning(name, tasks, "the sink did not start");
  }

  void deleteConnector(String name) {
    try {
      connect.deleteConnector(name);
    } catch (RuntimeException e) {
      // already gone
    }
  }

  /** Waits until the condition holds, polling; fails with the message's text after the timeout. */
  static void await(BooleanSupplier condition, Duration timeout, Supplier<String> message)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out after " + timeout + ": " + message.get());
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
