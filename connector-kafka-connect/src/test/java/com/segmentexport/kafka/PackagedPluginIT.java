package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.segmentexport.api.Profile;
import com.segmentexport.testkit.ProfileGenerator;
import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import com.segmentexport.testkit.iterable.IterableSimulator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin as packaged ({@code target/*-plugin.zip}), installed as a user would: unpacked into a
 * worker's {@code plugin.path}, and run by a Connect worker ({@code ConnectStandalone}) in a JVM of
 * its own whose class path holds only Kafka's runtime and logging, none of the SDK's classes nor
 * their dependencies. A missing or duplicated class, or a broken ServiceLoader file in the plugin,
 * makes this test fail, where the other tests (the connector on the test class path) do not see it.
 * The broker, the Iterable simulator and the sync state's PostgreSQL run in this JVM.
 */
class PackagedPluginIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONNECTOR = "packaged-plugin";
  private static final String TOPIC = "packaged-vip";
  private static final String DLQ = "packaged-dlq";
  private static final int PARTITIONS = 2;

  /**
   * This project's artifacts, the SDK's dependencies (OkHttp, Okio, Moshi, Kotlin: also through the
   * simulators' MockWebServer) and the test frameworks on the test class path: no worker has them.
   */
  private static final List<String> NOT_ON_A_WORKER =
      List.of(
          "/org/junit/",
          "/org/opentest4j/",
          "/org/apiguardian/",
          "/org/assertj/",
          "/io/zonky/",
          "/org/apache/maven/surefire/",
          "/com/squareup/",
          "/org/jetbrains/",
          "/com/segmentexport/");

  @TempDir Path dir;
  private Process worker;

  @AfterEach
  void stopWorker() throws InterruptedException {
    if (worker != null && worker.isAlive()) {
      worker.destroy();
      if (!worker.waitFor(20, TimeUnit.SECONDS)) {
        worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void theUnpackedPluginRunsAnExportOnAWorkerWithoutTheSdkOnItsClassPath() throws Exception {
    Path pluginPath = dir.resolve("plugins");
    Path plugin = unzip(pluginZip(), pluginPath).resolve("segment-export-kafka-connect");
    Set<String> pluginJars = jarNames(plugin.resolve("lib"));
    assertThat(pluginJars)
        .as("the plugin's lib/")
        .anyMatch(j -> j.startsWith("connector-kafka-connect-"))
        .anyMatch(j -> j.startsWith("connector-iterable-"))
        .noneMatch(j -> j.startsWith("kafka-clients-") || j.startsWith("connect-api-"))
        .noneMatch(j -> j.startsWith("slf4j-api-"));
    List<String> workerClassPath = workerClassPath(pluginJars);
    assertThat(workerClassPath)
        .as("the worker's class path")
        .anyMatch(j -> j.contains("connect-runtime-"))
        .anyMatch(j -> j.contains("slf4j-api-"))
        .noneMatch(j -> j.contains("segmentexport") || j.contains("okhttp") || j.contains("moshi"))
        .noneMatch(j -> j.contains("postgresql") || j.contains("sqlite") || j.contains("kotlin"));

    ProfileGenerator generator =
        ProfileGenerator.builder().seed(7).invalidEmails(0.1).missingEmails(0.05).build();
    int size = 300;
    ProfileGenerator.Expectation expected = generator.expect(size);
    List<Profile> profiles = new ArrayList<>();
    generator.profiles(size).forEachRemaining(profiles::add);

    EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, new Properties());
    kafka.start();
    try (EmbeddedPostgres postgres = EmbeddedPostgres.start();
        Sandbox sandbox = Sandboxes.start("iterable")) {
      kafka.createTopic(TOPIC, PARTITIONS);
      kafka.createTopic(DLQ, 1);
      produce(kafka, profiles);
      IterableSimulator iterable = (IterableSimulator) sandbox.simulator();

      Path log = dir.resolve("worker.log");
      worker =
          startWorker(
              workerClassPath,
              workerProperties(kafka.bootstrapServers(), pluginPath),
              connectorProperties(sandbox, postgres),
              log);
      int restPort = restPort(log);

      try (Admin admin = kafka.createAdminClient()) {
        await(
            () -> {
              String status = status(restPort);
              if (status.contains("\"state\":\"FAILED\"")) {
                throw new AssertionError("the sink failed: " + status + "\n" + tail(log));
              }
              return committed(admin) == size;
            },
            () ->
                "committed "
                    + committed(admin)
                    + " of "
                    + size
                    + "; status "
                    + status(restPort)
                    + "\n"
                    + tail(log));
      }

      assertThat(iterable.members(TOPIC)).isEqualTo(expected.validEmails());
      assertThat(iterable.listIds(TOPIC, "Standard")).as("lists named " + TOPIC).hasSize(1);
      assertThat(iterable.receivedEmailCount())
          .as("addresses sent to Iterable, repeats counted")
          .isEqualTo(expected.validEmails().size());
      int rejected = (int) (expected.invalid() + expected.missing());
      List<ConsumerRecord<byte[], byte[]>> dlq = new ArrayList<>();
      kafka.consume(rejected, TIMEOUT.toMillis(), DLQ).forEach(dlq::add);
      assertThat(dlq).hasSize(rejected);
      assertThat(dlq)
          .allSatisfy(
              r ->
                  assertThat(ConnectHarness.header(r, "__connect.errors.exception.message"))
                      .containsAnyOf("INVALID_EMAIL", "MISSING_EMAIL"));
      // The sync state in PostgreSQL, through the driver the plugin carries (JDBC in the plugin's
      // loader): one member row per address on the list.
      assertThat(stateMembers(postgres)).isEqualTo(expected.validEmails().size());
      assertThat(status(restPort)).contains("\"state\":\"RUNNING\"").doesNotContain("FAILED");
      // The four vendor connectors, found by the sink's ServiceLoader inside the plugin's loader:
      // validating an unknown id lists the ones discovered.
      String error = validateUnknownConnector(restPort);
      String prefix =
          "Invalid value no-such-vendor for configuration export.connector: String must be one of: ";
      assertThat(error).startsWith(prefix);
      assertThat(error.substring(prefix.length()).split(", "))
          .containsExactlyInAnyOrder("autopilot", "campaignmonitor", "dotdigital", "iterable");

      String text = Files.readString(log);
      assertThat(text)
          .as("the worker's log")
          .contains("Loading plugin from: " + plugin)
          .contains(
              "Registered loader: PluginClassLoader{pluginLocation=" + plugin.toUri().toURL() + "}")
          .contains("Added plugin '" + SegmentExportSinkConnector.class.getName() + "'")
          .doesNotContain("Skipping a connector provider")
          .doesNotContain("SLF4J(W)")
          .doesNotContain("NoClassDefFoundError")
          .doesNotContain("ClassNotFoundException");
    } finally {
      stopWorker();
      kafka.stop();
      keepWorkerLog();
    }
  }

  private static long stateMembers(EmbeddedPostgres postgres) throws SQLException {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select count(*) from plugin_state.segment_export_member")) {
      r.next();
      return r.getLong(1);
    }
  }

  /** The worker's log next to the plugin zip, in target/, to read after a run. */
  private void keepWorkerLog() throws IOException {
    Path log = dir.resolve("worker.log");
    if (Files.exists(log)) {
      Files.copy(
          log,
          pluginZip().resolveSibling("packaged-plugin-worker.log"),
          StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The plugin zip the build made ({@code package} runs before this test). */
  private static Path pluginZip() {
    String zip = System.getProperty("segmentexport.plugin.zip");
    assertThat(zip).as("system property segmentexport.plugin.zip (set by failsafe)").isNotNull();
    Path path = Path.of(zip);
    assertThat(path).as("the packaged plugin").isRegularFile();
    return path;
  }

  private static Path unzip(Path zip, Path into) throws IOException {
    Files.createDirectories(into);
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        Path target = into.resolve(e.getName()).normalize();
        if (!target.startsWith(into)) {
          throw new IOException("zip entry outside its directory: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(in, target);
        }
      }
    }
    return into;
  }

  private static Set<String> jarNames(Path lib) throws IOException {
    try (Stream<Path> files = Files.list(lib)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".jar"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /**
   * Kafka's runtime and logging, taken from this JVM's class path: no directory (this module's
   * classes), nothing of this build (its modules, in the reactor or the local repository), nothing of
   * the sink's runtime class path but slf4j-api (the worker's own, left out of the plugin) nor any
   * jar the plugin carries (so that a dependency missing from the plugin cannot be found on the
   * worker's class path), no test framework, no test jar.
   */
  private static List<String> workerClassPath(Set<String> pluginJars) throws IOException {
    Set<Path> sink = sinkRuntimeClassPath();
    Path buildRoot = Path.of(System.getProperty("segmentexport.build.root")).toAbsolutePath();
    List<String> out = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path file = Path.of(entry).toAbsolutePath().normalize();
      String path = entry.replace(File.separatorChar, '/');
      String name = file.getFileName().toString();
      if (!name.endsWith(".jar")
          || name.endsWith("-test.jar")
          || name.endsWith("-tests.jar")
          || file.startsWith(buildRoot)
          || (sink.contains(file) && !name.startsWith("slf4j-api-"))
          || pluginJars.contains(name)
          || NOT_ON_A_WORKER.stream().anyMatch(path::contains)) {
        continue;
      }
      out.add(entry);
    }
    return out;
  }

  /** The sink's runtime class path, as the build wrote it (maven-dependency-plugin). */
  private static Set<Path> sinkRuntimeClassPath() throws IOException {
    String file = System.getProperty("segmentexport.sink.classpath");
    assertThat(file)
        .as("system property segmentexport.sink.classpath (set by failsafe)")
        .isNotNull();
    Set<Path> out = new HashSet<>();
    for (String entry : Files.readString(Path.of(file)).trim().split(File.pathSeparator)) {
      out.add(Path.of(entry).toAbsolutePath().normalize());
    }
    assertThat(out).as("the sink's runtime class path").isNotEmpty();
    return out;
  }

  private Path workerProperties(String bootstrap, Path pluginPath) throws IOException {
    Map<String, String> w = new LinkedHashMap<>();
    w.put("bootstrap.servers", bootstrap);
    w.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    w.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    w.put("value.converter.schemas.enable", "false");
    w.put("offset.storage.file.filename", dir.resolve("standalone.offsets").toString());
    w.put("offset.flush.interval.ms", "1000");
    w.put("listeners", "http://127.0.0.1:0"); // the port it took is in its log
    w.put("plugin.path", pluginPath.toString());
    // What the module's README recommends: the plugin's ServiceLoader manifest is enough.
    w.put("plugin.discovery", "service_load");
    return store(w, dir.resolve("worker.properties"));
  }

  private Path connectorProperties(Sandbox sandbox, EmbeddedPostgres postgres) throws IOException {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("name", CONNECTOR);
    c.putAll(ConnectHarness.sinkConfig(TOPIC, DLQ, 2, sandbox));
    c.put("export.state.jdbc.url", postgres.getJdbcUrl("postgres", "postgres"));
    c.put("export.state.jdbc.user", "postgres");
    c.put("export.state.jdbc.password", "unused");
    c.put("export.state.schema", "plugin_state");
    return store(c, dir.resolve("connector.properties"));
  }

  private static Path store(Map<String, String> values, Path file) throws IOException {
    Properties p = new Properties();
    p.putAll(values);
    try (OutputStream out = Files.newOutputStream(file)) {
      p.store(out, null);
    }
    return file;
  }

  private Process startWorker(List<String> classPath, Path worker, Path connector, Path log)
      throws IOException {
    Path log4j = dir.resolve("worker-log4j2.xml");
    try (InputStream in = getClass().getResourceAsStream("/packaged-plugin-worker-log4j2.xml")) {
      Files.copy(in, log4j);
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Dlog4j2.configurationFile=" + log4j.toUri());
    command.add("-cp");
    command.add(String.join(File.pathSeparator, classPath));
    command.add("org.apache.kafka.connect.cli.ConnectStandalone");
    command.add(worker.toString());
    command.add(connector.toString());
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static void produce(EmbeddedKafkaCluster kafka, List<Profile> profiles)
      throws IOException {
    Map<String, Object> props = new HashMap<>();
    props.put("linger.ms", 20);
    try (KafkaProducer<byte[], byte[]> producer = kafka.createProducer(props)) {
      for (int i = 0; i < profiles.size(); i++) {
        Map<String, Object> value = new LinkedHashMap<>();
        profiles
            .get(i)
            .fields()
            .forEach(
                (k, v) ->
                    value.put(
                        k,
                        v == null
                                || v instanceof Number
                                || v instanceof Boolean
                                || v instanceof String
                            ? v
                            : v.toString()));
        producer.send(
            new ProducerRecord<>(
                TOPIC,
                i % PARTITIONS,
                Integer.toString(i).getBytes(StandardCharsets.UTF_8),
                JSON.writeValueAsBytes(value)));
      }
      producer.flush();
    }
  }

  /** The offsets the worker committed for the connector's consumer group, summed. */
  private static long committed(Admin admin) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets("connect-" + CONNECTOR)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
      return offsets.values().stream()
          .filter(o -> o != null)
          .mapToLong(OffsetAndMetadata::offset)
          .sum();
    } catch (Exception e) {
      return -1;
    }
  }

  private static String status(int port) {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:" + port + "/connectors/" + CONNECTOR + "/status"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return r.body();
    } catch (IOException e) {
      return "(no answer: " + e + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }

  /**
   * The REST API's validation of a configuration naming a connector id no module provides: the one
   * error on {@code export.connector}.
   */
  private static String validateUnknownConnector(int port) throws Exception {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("connector.class", SegmentExportSinkConnector.class.getName());
    config.put("topics", TOPIC);
    config.put("export.connector", "no-such-vendor");
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + port
                                + "/connector-plugins/SegmentExportSinkConnector/config/validate"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(config)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("validate: " + r.body()).isEqualTo(200);
    for (JsonNode c : JSON.readTree(r.body()).path("configs")) {
      if (c.path("value").path("name").asText().equals("export.connector")) {
        JsonNode errors = c.path("value").path("errors");
        assertThat(errors).as("errors on export.connector").hasSize(1);
        return errors.get(0).asText();
      }
    }
    throw new AssertionError("no export.connector in the validation: " + r.body());
  }

  /** The port of the worker's REST API, from its log line {@code REST server listening at ...}. */
  private int restPort(Path log) throws InterruptedException {
    Pattern listening = Pattern.compile("REST server listening at http://127\\.0\\.0\\.1:(\\d+)/");
    int[] port = {-1};
    await(
        () -> {
          try {
            Matcher m = listening.matcher(Files.readString(log));
            if (m.find()) {
              port[0] = Integer.parseInt(m.group(1));
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return port[0] > 0;
        },
        () -> "no REST server in the worker's log\n" + tail(log));
    return port[0];
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return "worker log (last 60 lines):\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void await(BooleanSupplier condition, Supplier<String> message)
      throws InterruptedException {
    long end = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (!worker.isAlive()) {
        throw new AssertionError(
            "the worker exited (" + worker.exitValue() + "): " + message.get());
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out after " + TIMEOUT + ": " + message.get());
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }
}
