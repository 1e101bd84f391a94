package com.segmentexport.benchmarks;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Secret;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.internal.EngineBenchmarkHooks;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.ConnectorContext;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.DestinationRequest;
import com.segmentexport.testkit.ProfileGenerator;
import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The engine's CPU cost per profile, per connector: map, validate and normalise the address,
 * de-duplicate, convert values, fill batches, and let the connector serialise each batch in its
 * vendor's request format and read the vendor's answer. One operation is one profile (2,000 per
 * invocation, in as many batches as the connector's batch size makes); the network is replaced by
 * answers recorded from the vendor's simulator for the very same batches.
 *
 * <p>Run with {@code -prof gc} for allocation per profile ({@code gc.alloc.rate.norm}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx512m", "-XX:+UseParallelGC"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class EngineCpuBenchmark {
  static final int PROFILES = 2_000;

  @Param({"autopilot", "campaignmonitor", "dotdigital", "iterable"})
  public String connector;

  private Sandbox sandbox;
  private EngineBenchmarkHooks.Reader reader;
  private Destination destination;
  private ReplayHttp http;
  private List<Profile> profiles;

  @Setup(Level.Trial)
  public void setUp() {
    sandbox = Sandboxes.start(connector);
    Connection.Builder b = Connection.builder(Connectors.load(), connector);
    sandbox.settings().forEach(b::setting);
    sandbox.secrets().forEach((k, v) -> b.secret(k, Secret.of(v)));
    Connection connection =
        b.setting(StandardSettings.REQUESTS_PER_SECOND, "100000")
            .privacyConsent(PrivacyConsent.acknowledgedBy("benchmark", Instant.now()))
            .build();
    ExportDefinition.Builder d =
        ExportDefinition.builder(connection)
            .segments("Benchmark")
            .mapping(
                FieldMapping.builder()
                    .email(ProfileGenerator.EMAIL)
                    .firstName(ProfileGenerator.FIRST_NAME)
                    .lastName(ProfileGenerator.LAST_NAME)
                    .custom("tier", ProfileGenerator.TIER)
                    .custom("orders", ProfileGenerator.ORDERS, FieldType.INTEGER)
                    .build());
    sandbox.exportOptions().forEach(d::option);
    ExportDefinition definition = d.build();

    Connector c = Providers.find(connector).create(new ConnectorContext(connection));
    reader =
        EngineBenchmarkHooks.reader(
            definition, "Benchmark", Math.min(c.limits().maxBatchRecords(), PROFILES));
    ProfileGenerator generator = ProfileGenerator.builder().seed(3).unicodeNames(0.1).build();
    profiles = new ArrayList<>();
    generator.profiles(PROFILES).forEachRemaining(profiles::add);

    http = new ReplayHttp(EngineBenchmarkHooks.vendorHttp(connection));
    destination = c.open(new DestinationRequest("Benchmark", definition, reader.schema(), http));
    // One live write first absorbs what a new list answers at first (Iterable can refuse the first
    // subscribe to a list it has just created), so the recording holds only the steady-state
    // answers.
    destination.write(batches().get(0));
    http.mode(ReplayHttp.Mode.RECORD);
    int exported = 0;
    for (Batch batch : batches()) {
      exported += destination.write(batch).exported();
    }
    if (exported != PROFILES) {
      throw new IllegalStateException(
          connector + " exported " + exported + " of " + PROFILES + " while recording");
    }
    http.mode(ReplayHttp.Mode.REPLAY);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    sandbox.close();
  }

  /** Maps, validates, de-duplicates and batches the profiles, with the engine's own reader. */
  private List<Batch> batches() {
    return reader.batches(profiles);
  }

  /** One invocation: 2,000 profiles read, mapped, de-duplicated, batched, serialised and answered. */
  @Benchmark
  @OperationsPerInvocation(PROFILES)
  public void exportProfiles(Blackhole bh) {
    for (Batch batch : batches()) {
      BatchResult result = destination.write(batch);
      bh.consume(result.exported());
    }
  }
}
