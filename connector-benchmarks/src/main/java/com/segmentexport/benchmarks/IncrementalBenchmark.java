package com.segmentexport.benchmarks;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.state.JdbcSyncStateStore;
import com.segmentexport.testkit.HeapSampler;
import com.segmentexport.testkit.ProfileGenerator;
import com.segmentexport.testkit.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Incremental sync with the SQLite sync state, against an unlimited simulator: one run that sends the
 * whole segment and records it ({@code first}), one of the unchanged segment ({@code unchanged}: nothing
 * sent, every profile checked against the state), one where 1% of the profiles changed ({@code changed1pct}:
 * only those sent), and, for the ratio, one export of the same segment without a state ({@code
 * stateless}). Prints one {@code RESULT} line: each run's seconds and profiles per second, the unchanged
 * run's rate ÷ the stateless run's, and the most heap live after a collection (run it with
 * {@code -Xmx64m}: the state is on disk, not in the heap).
 *
 * <p>Usage: {@code IncrementalBenchmark CONNECTOR PROFILES}.
 */
public final class IncrementalBenchmark {
  private IncrementalBenchmark() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    String connector = args.length > 0 ? args[0] : "iterable";
    long profiles = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
    Path dir = Files.createTempDirectory("incremental-benchmark");
    Path file = dir.resolve("state.db");
    Map<String, Double> seconds = new LinkedHashMap<>();
    Map<String, ExportResult> results = new LinkedHashMap<>();
    long peakLive;
    try (Sandbox sandbox = SimulatorServer.startUnlimited(connector);
        JdbcSyncStateStore state = JdbcSyncStateStore.sqlite(file);
        HeapSampler heap = HeapSampler.start()) {
      SimulatorEndpoint endpoint = SimulatorEndpoint.of(sandbox);
      Connection c = connection(endpoint);
      ExportDefinition d = definition(endpoint, c);
      ExportOptions withState = ExportOptions.DEFAULT.withSyncState(state);
      Connectors connectors = Connectors.load();
      try (SegmentExporter exporter = connectors.exporter(c)) {
        run("first", exporter, d, profiles, 0, withState, seconds, results);
        run("unchanged", exporter, d, profiles, 0, withState, seconds, results);
        run("changed1pct", exporter, d, profiles, 100, withState, seconds, results);
        run("stateless", exporter, d, profiles, 0, ExportOptions.DEFAULT, seconds, results);
      }
      peakLive = heap.peakLiveBytes();
    }
    long fileBytes = Files.size(file);
    ExportResult unchanged = results.get("unchanged");
    ExportResult changed = results.get("changed1pct");
    double unchangedRate = profiles / seconds.get("unchanged");
    double statelessRate = profiles / seconds.get("stateless");
    StringBuilder line =
        new StringBuilder(
            "RESULT mode=incremental connector=" + connector + " profiles=" + profiles);
    seconds.forEach(
        (run, s) ->
            line.append(
                String.format(
                    Locale.ROOT, " %sSeconds=%.2f %sPerSecond=%.0f", run, s, run, profiles / s)));
    line.append(" unchangedSent=")
        .append(unchanged.exported())
        .append(" unchangedCounted=")
        .append(unchanged.unchanged())
        .append(" changedSent=")
        .append(changed.exported())
        .append(" changedUnchanged=")
        .append(changed.unchanged())
        .append(
            String.format(
                Locale.ROOT,
                " unchangedRateOverStateless=%.2f firstRateOverStateless=%.2f",
                unchangedRate / statelessRate,
                (profiles / seconds.get("first")) / statelessRate))
        .append(
            String.format(
                Locale.ROOT,
                " stateFileMiB=%.1f peakLiveMiB=%.1f maxHeapMiB=%.0f",
                fileBytes / 1048576.0,
                peakLive / 1048576.0,
                Runtime.getRuntime().maxMemory() / 1048576.0));
    System.out.println(line);
    deleteQuietly(dir);
    System.exit(0);
  }

  private static void run(
      String name,
      SegmentExporter exporter,
      ExportDefinition d,
      long profiles,
      int changeEvery,
      ExportOptions options,
      Map<String, Double> seconds,
      Map<String, ExportResult> results) {
    System.gc();
    long t0 = System.nanoTime();
    ExportResult r =
        exporter.export(d, segment -> changed(segment, profiles, changeEvery), options);
    seconds.put(name, (System.nanoTime() - t0) / 1e9);
    results.put(name, r);
  }

  /** The generated segment, with every {@code changeEvery}-th profile's first name changed (none if 0). */
  private static Segment changed(String name, long profiles, int changeEvery) {
    Segment base = ProfileGenerator.builder().seed(5).build().segmentOfUnknownSize(name, profiles);
    if (changeEvery == 0) {
      return base;
    }
    Iterator<Profile> it = base.profiles();
    Iterator<Profile> changed =
        new Iterator<>() {
          long row;

          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public Profile next() {
            Profile p = it.next();
            if (++row % changeEvery != 0) {
              return p;
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            for (String f :
                new String[] {
                  ProfileGenerator.EMAIL,
                  ProfileGenerator.LAST_NAME,
                  ProfileGenerator.TIER,
                  ProfileGenerator.ORDERS
                }) {
              fields.put(f, p.get(f));
            }
            fields.put(ProfileGenerator.FIRST_NAME, "Changed" + row);
            return Profile.of(fields);
          }
        };
    return Segment.of(name, OptionalLong.empty(), changed, base::close);
  }

  private static Connection connection(SimulatorEndpoint endpoint) {
    Connection.Builder b = Connection.builder(endpoint.connectorId());
    endpoint.settings().forEach(b::setting);
    endpoint.secrets().forEach((k, v) -> b.secret(k, Secret.of(v)));
    return b.setting(StandardSettings.REQUESTS_PER_SECOND, "1000000")
        .privacyConsent(PrivacyConsent.acknowledgedBy("benchmark", Instant.now()))
        .build();
  }

  private static ExportDefinition definition(SimulatorEndpoint endpoint, Connection c) {
    ExportDefinition.Builder d =
        ExportDefinition.builder(c)
            .segments("Benchmark")
            .mapping(
                FieldMapping.builder()
                    .email(ProfileGenerator.EMAIL)
                    .firstName(ProfileGenerator.FIRST_NAME)
                    .lastName(ProfileGenerator.LAST_NAME)
                    .custom("tier", ProfileGenerator.TIER)
                    .custom("orders", ProfileGenerator.ORDERS, FieldType.INTEGER)
                    .build());
    endpoint.exportOptions().forEach(d::option);
    return d.build();
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temporary directory: the OS cleans it up.
    }
  }
}
