package com.segmentexport.benchmarks;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RemovalLimit;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.api.SyncMode;
import com.segmentexport.state.JdbcSyncStateStore;
import com.segmentexport.testkit.ProfileGenerator;
import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import com.segmentexport.testkit.VendorSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Mirror mode's removals at the vendor's limit for the removal call: run 1 puts {@code 2 × REMOVALS}
 * members on the list (simulator limits off) with an SQLite sync state; run 2 mirrors the segment without
 * {@code REMOVALS} of them, with a removal limit that allows them all, against the simulator's rate limit.
 * Prints one {@code RESULT} line: the members removed, the seconds from the segment's start (its list
 * found, its state opened) to the last removal batch's answer (reading the unchanged half of the segment
 * included), removals per second, and that rate ÷ the vendor's ceiling for the call.
 *
 * <p>The ceiling is the simulator's request rate × the members one call removes at the vendor: Iterable
 * 1,000 a {@code lists/unsubscribe}; dotdigital 1,000 contact ids a bulk removal, which also needs at least
 * one status read of its job (so 500 per call); Autopilot one a {@code DELETE}; Campaign Monitor one per
 * {@code DELETE}, which the connector precedes by a read of the subscriber's state (so ½ per call). The
 * rates are the vendors' documented or configured ones (Iterable 5 requests/s, dotdigital 2), scaled up for
 * the vendors that remove one member a call so that a run takes a minute, not an hour (Autopilot ×20,
 * Campaign Monitor ×40; {@code scale} says by how much).
 *
 * <p>Usage: {@code MirrorBenchmark CONNECTOR REMOVALS}.
 */
public final class MirrorBenchmark {
  private MirrorBenchmark() {}

  /**
   * The vendor's limit for its removal call, as this benchmark applies it.
   *
   * @param requestsPerSecond the simulator's (and the connection's) rate limit
   * @param scale how much faster than the vendor's documented figure
   * @param membersPerCall members one call removes at the vendor, at best
   */
  record RemovalProfile(double requestsPerSecond, double scale, double membersPerCall) {
    static RemovalProfile of(String connector) {
      switch (connector) {
        case "autopilot":
          return new RemovalProfile(100, 20, 1); // documented 5 requests/s
        case "campaignmonitor":
          return new RemovalProfile(200, 40, 0.5); // 5 requests/s; a read and a DELETE each
        case "dotdigital":
          return new RemovalProfile(2, 1, 500); // 1,000 ids a request and a status read
        default:
          return new RemovalProfile(5, 1, 1000); // Iterable: 1,000 users a request
      }
    }

    double ceiling() {
      return requestsPerSecond * membersPerCall;
    }
  }

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    String connector = args.length > 0 ? args[0] : "iterable";
    int removals = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    RemovalProfile p = RemovalProfile.of(connector);
    ProfileGenerator generator = ProfileGenerator.builder().seed(41).build();
    List<Profile> all = new ArrayList<>(2 * removals);
    for (long i = 0; i < 2L * removals; i++) {
      all.add(generator.profile(i));
    }
    Path dir = Files.createTempDirectory("mirror-benchmark");
    try (Sandbox sandbox = Sandboxes.start(connector);
        JdbcSyncStateStore state = JdbcSyncStateStore.sqlite(dir.resolve("state.db"))) {
      VendorSimulator sim = sandbox.simulator();
      Connectors connectors = Connectors.load();
      // Run 1: every member onto the list, at no limit.
      Connection fast = connection(sandbox, 100_000);
      ExportResult first;
      try (var exporter = connectors.exporter(fast)) {
        first =
            exporter.export(
                definition(sandbox, fast),
                name -> Segment.of(name, all),
                ExportOptions.DEFAULT.withSyncState(state));
      }
      if (first.exported() != all.size()) {
        throw new IllegalStateException("run 1 put " + first.exported() + " of " + all.size());
      }
      // Run 2: half of them left; the vendor's limit applies.
      sim.rateLimit(p.requestsPerSecond(), Math.max(1, Math.ceil(p.requestsPerSecond() * 0.2)));
      sim.resetCounters();
      Connection limited = connection(sandbox, p.requestsPerSecond());
      Window window = new Window();
      ExportResult second;
      try (var exporter = connectors.exporter(limited)) {
        second =
            exporter.export(
                definition(sandbox, limited),
                name -> Segment.of(name, all.subList(removals, all.size())),
                ExportOptions.DEFAULT
                    .withSyncState(state)
                    .withRemovalLimit(RemovalLimit.count(removals))
                    .withListener(window));
      }
      SegmentResult s = second.segments().get(0);
      double seconds = (window.lastRemoval - window.started) / 1e9;
      double perSecond = s.removed() / seconds;
      System.out.printf(
          Locale.ROOT,
          "RESULT mode=mirror connector=%s members=%d removed=%d removalsFailed=%d seconds=%.2f "
              + "removalsPerSecond=%.0f ceiling=%.0f ratio=%.3f httpCalls=%d throttled429=%d "
              + "rate=%s scale=%s status=%s%n",
          connector,
          all.size(),
          s.removed(),
          s.removalsFailed(),
          seconds,
          perSecond,
          p.ceiling(),
          perSecond / p.ceiling(),
          second.httpCalls(),
          sim.throttledCount(),
          p.requestsPerSecond(),
          p.scale(),
          s.status());
    }
    System.exit(0);
  }

  /** When the segment started and when its last removal batch was answered. */
  private static final class Window extends ExportListener {
    private volatile long started;
    private volatile long lastRemoval;

    @Override
    public void segmentStarted(String segment, String destinationId, OptionalLong sizeHint) {
      started = System.nanoTime();
    }

    @Override
    public void membersRemoved(String segment, int removed, int failed, long soFar) {
      lastRemoval = System.nanoTime();
    }
  }

  private static Connection connection(Sandbox sandbox, double rate) {
    Connection.Builder b = Connection.builder(sandbox.connectorId());
    sandbox.settings().forEach(b::setting);
    sandbox.secrets().forEach((k, v) -> b.secret(k, Secret.of(v)));
    return b.setting(StandardSettings.REQUESTS_PER_SECOND, Double.toString(rate))
        .privacyConsent(PrivacyConsent.acknowledgedBy("benchmark", Instant.now()))
        .build();
  }

  private static ExportDefinition definition(Sandbox sandbox, Connection c) {
    ExportDefinition.Builder d =
        ExportDefinition.builder(c)
            .segments("Mirror benchmark")
            .mapping(
                FieldMapping.builder()
                    .email(ProfileGenerator.EMAIL)
                    .firstName(ProfileGenerator.FIRST_NAME)
                    .lastName(ProfileGenerator.LAST_NAME)
                    .build())
            .syncMode(SyncMode.MIRROR);
    sandbox.exportOptions().forEach(d::option);
    return d.build();
  }
}
