package com.segmentexport.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.Role;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** Real exports into the Iterable simulator, recorded in a {@link SimpleMeterRegistry}. */
class ExportMetricsTest {
  private static final String SEGMENT = "Jane Doe's referrals";

  /** 6 rows: 3 good, a repeat of one, one our validation refuses, one the vendor refuses. */
  private static List<Profile> rows() {
    return List.of(
        Profile.of("email", "ann@example.com"),
        Profile.of("email", "bob@example.com"),
        Profile.of("email", "ann@example.com"),
        Profile.of("email", "not-an-address"),
        Profile.of("email", "gone@example.com"),
        Profile.of("email", "cy@example.com"));
  }

  private static Connection connection(Sandbox sandbox) {
    Connection.Builder b =
        Connection.builder("iterable")
            .privacyConsent(PrivacyConsent.acknowledgedBy("admin@example.com", Instant.now()));
    sandbox.settings().forEach(b::setting);
    sandbox.secrets().forEach((k, v) -> b.secret(k, Secret.of(v)));
    return b.build();
  }

  private static ExportResult export(
      Connectors connectors, Connection connection, ExportOptions options) {
    ExportDefinition definition =
        ExportDefinition.builder(connection)
            .segments(SEGMENT)
            .mapping(FieldMapping.builder().email("email").build())
            .build();
    try (SegmentExporter exporter = connectors.exporter(connection, Role.ADMINISTRATOR)) {
      return exporter.export(definition, name -> Segment.of(name, rows()), options);
    }
  }

  private static double count(SimpleMeterRegistry registry, String name, String... tags) {
    Counter c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void countsWhatTheExportDidPerConnectorAndDestination() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ExportMetrics metrics = new ExportMetrics();
    metrics.bindTo(registry);
    List<RejectedRecord> hostSink = new ArrayList<>();
    List<String> hostEvents = new ArrayList<>();
    ExportListener hostListener =
        new ExportListener() {
          @Override
          public void segmentFinished(SegmentResult result) {
            hostEvents.add("segmentFinished");
          }

          @Override
          public void exportFinished(ExportResult result) {
            hostEvents.add("exportFinished");
          }
        };

    ExportResult result;
    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      ((com.segmentexport.testkit.iterable.IterableSimulator) sandbox.simulator())
          .rejectAddress("gone@example.com", "forgottenEmails");
      sandbox.simulator().faults().failWrite(1, 503);
      result =
          export(
              Connectors.load(),
              connection(sandbox),
              metrics.instrument(
                  ExportOptions.DEFAULT
                      .withListener(hostListener)
                      .withRejectedRecordSink(hostSink::add)));
    }

    SegmentResult segment = result.segments().get(0);
    String destination = segment.destinationId().orElseThrow();
    String[] where = {"connector", "iterable", "destination", destination};
    // The run itself: 6 read, 3 exported (ann, bob, cy), 1 duplicate, 2 rejected.
    assertThat(segment.read()).isEqualTo(6);
    assertThat(segment.exported()).isEqualTo(3);
    assertThat(count(registry, ExportMetrics.PROFILES, tags(where, "outcome", "read")))
        .isEqualTo(6);
    assertThat(count(registry, ExportMetrics.PROFILES, tags(where, "outcome", "exported")))
        .isEqualTo(3);
    assertThat(count(registry, ExportMetrics.PROFILES, tags(where, "outcome", "duplicate")))
        .isEqualTo(1);
    assertThat(count(registry, ExportMetrics.PROFILES, tags(where, "outcome", "rejected")))
        .isEqualTo(2);
    assertThat(count(registry, ExportMetrics.PROFILES, tags(where, "outcome", "unconfirmed")))
        .isEqualTo(segment.unconfirmed());
    assertThat(count(registry, ExportMetrics.PROFILES, tags(where, "outcome", "not_attempted")))
        .isZero();
    // By reason: our validation's invalid address, the vendor's forgotten one.
    assertThat(count(registry, ExportMetrics.REJECTIONS, tags(where, "reason", "invalid_email")))
        .isEqualTo(1);
    assertThat(count(registry, ExportMetrics.REJECTIONS, tags(where, "reason", "vendor_rejected")))
        .isEqualTo(1);
    assertThat(
            count(registry, ExportMetrics.SEGMENTS, tags(where, "status", "partially_succeeded")))
        .isEqualTo(1);
    assertThat(count(registry, ExportMetrics.BATCHES, where)).isGreaterThanOrEqualTo(1);
    // The first write was answered 503: the engine retried it.
    double retries =
        registry.find(ExportMetrics.RETRIES).tag("connector", "iterable").counters().stream()
            .mapToDouble(Counter::count)
            .sum();
    assertThat(retries).isEqualTo(result.retries()).isPositive();

    Timer duration =
        registry
            .find(ExportMetrics.DURATION)
            .tags("connector", "iterable", "status", "partially_succeeded")
            .timer();
    assertThat(duration).isNotNull();
    assertThat(duration.count()).isEqualTo(1);
    assertThat(registry.get(ExportMetrics.ACTIVE).tag("connector", "iterable").gauge().value())
        .isZero();

    // The host's own listener and sink still hear everything.
    assertThat(hostEvents).containsExactly("segmentFinished", "exportFinished");
    assertThat(hostSink).extracting(RejectedRecord::maskedIdentifier).hasSize(2);

    // No tag carries the segment's name or an address.
    Set<String> tagValues =
        registry.getMeters().stream()
            .flatMap(m -> m.getId().getTags().stream())
            .map(Tag::getValue)
            .collect(Collectors.toSet());
    assertThat(tagValues).doesNotContain(SEGMENT).noneMatch(v -> v.contains("@"));
  }

  @Test
  void countsTheMembersAMirroringRunRemoved(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ExportMetrics metrics = new ExportMetrics();
    metrics.bindTo(registry);
    List<Profile> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(Profile.of("email", "member" + i + "@example.com"));
    }
    SegmentResult second;
    try (Sandbox sandbox = Sandboxes.start("iterable");
        com.segmentexport.state.JdbcSyncStateStore state =
            com.segmentexport.state.JdbcSyncStateStore.sqlite(dir.resolve("state.db"))) {
      Connection connection = connection(sandbox);
      ExportDefinition mirror =
          ExportDefinition.builder(connection)
              .segments(SEGMENT)
              .mapping(FieldMapping.builder().email("email").build())
              .syncMode(com.segmentexport.api.SyncMode.MIRROR)
              .build();
      try (SegmentExporter exporter = Connectors.load().exporter(connection, Role.ADMINISTRATOR)) {
        exporter.export(
            mirror,
            name -> Segment.of(name, all),
            metrics.instrument(ExportOptions.DEFAULT.withSyncState(state)));
        // Two of twenty left the segment: 10%, within the default removal limit.
        second =
            exporter
                .export(
                    mirror,
                    name -> Segment.of(name, all.subList(0, 18)),
                    metrics.instrument(ExportOptions.DEFAULT.withSyncState(state)))
                .segments()
                .get(0);
      }
    }
    assertThat(second.removed()).isEqualTo(2);
    String[] where = {"connector", "iterable", "destination", second.destinationId().orElseThrow()};
    assertThat(count(registry, ExportMetrics.REMOVALS, tags(where, "outcome", "removed")))
        .isEqualTo(2);
    assertThat(count(registry, ExportMetrics.REMOVALS, tags(where, "outcome", "failed"))).isZero();
  }

  @Test
  void timesThrottlingWhenTheVendorsRateLimitIsHit() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ExportMetrics metrics = new ExportMetrics();
    metrics.bindTo(registry);
    ExportResult result;
    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      sandbox.simulator().rateLimit(5, 1);
      result =
          export(Connectors.load(), connection(sandbox), metrics.instrument(ExportOptions.DEFAULT));
    }

    Timer throttled = registry.find(ExportMetrics.THROTTLED).tag("connector", "iterable").timer();
    assertThat(result.throttledTime()).isPositive();
    assertThat(throttled).isNotNull();
    assertThat(throttled.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
        .isEqualTo((double) result.throttledTime().toNanos());
  }

  @Test
  void aRegistryBoundLaterHasTheMetersAndCountsFromThen() {
    ExportMetrics metrics = new ExportMetrics();
    SimpleMeterRegistry first = new SimpleMeterRegistry();
    metrics.bindTo(first);
    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      export(Connectors.load(), connection(sandbox), metrics.instrument(ExportOptions.DEFAULT));
    }
    SimpleMeterRegistry later = new SimpleMeterRegistry();
    metrics.bindTo(later);

    assertThat(first.get(ExportMetrics.DURATION).timer().count()).isEqualTo(1);
    assertThat(later.get(ExportMetrics.DURATION).timer().count()).isZero();
    assertThat(later.find(ExportMetrics.PROFILES).counters()).isNotEmpty();
  }

  @Test
  void httpCallsByStatusWithLatencyThroughTheHostsClient() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    HttpMetrics http = new HttpMetrics();
    http.bindTo(registry);
    OkHttpClient client = new OkHttpClient.Builder().eventListenerFactory(http).build();
    Connectors connectors = Connectors.load().withHttpClient(client);

    ExportResult result;
    int requests;
    String host;
    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      sandbox.simulator().faults().failWrite(1, 503);
      result = export(connectors, connection(sandbox), ExportOptions.DEFAULT);
      requests = sandbox.simulator().requestCount();
      host = okhttp3.HttpUrl.get(sandbox.simulator().baseUrl()).host();
    }

    List<Timer> timers = List.copyOf(registry.find(HttpMetrics.REQUESTS).timers());
    long recorded = timers.stream().mapToLong(Timer::count).sum();
    assertThat(recorded).isEqualTo(requests).isEqualTo(result.httpCalls());
    Map<String, Long> byStatus =
        timers.stream()
            .collect(
                Collectors.groupingBy(
                    t -> t.getId().getTag("status"), Collectors.summingLong(Timer::count)));
    // Every call answered; the first write with the 503 it was given.
    assertThat(byStatus)
        .containsKey("200")
        .containsEntry("503", 1L)
        .doesNotContainKey(HttpMetrics.IO_ERROR);
    assertThat(timers)
        .allSatisfy(
            t -> {
              assertThat(t.getId().getTag("host")).isEqualTo(host);
              assertThat(t.getId().getTags())
                  .extracting(Tag::getKey)
                  .containsExactlyInAnyOrder("method", "host", "status", "outcome");
            });
    Timer ok = registry.get(HttpMetrics.REQUESTS).tags("status", "200", "method", "POST").timer();
    assertThat(ok.takeSnapshot().percentileValues())
        .extracting(ValueAtPercentile::percentile)
        .containsExactly(0.5, 0.95, 0.99);
    assertThat(registry.get(HttpMetrics.ACTIVE_REQUESTS).gauge().value()).isZero();
    assertThat(registry.getMeters())
        .extracting(Meter::getId)
        .allSatisfy(id -> assertThat(id.getName()).matches("[a-z]+(\\.[a-z]+)*"));
  }

  private static String[] tags(String[] where, String key, String value) {
    String[] all = java.util.Arrays.copyOf(where, where.length + 2);
    all[where.length] = key;
    all[where.length + 1] = value;
    return all;
  }
}
