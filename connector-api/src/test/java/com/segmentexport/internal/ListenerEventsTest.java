package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.connection;
import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.RecordingListener;
import com.segmentexport.testsupport.RecordingListener.Event;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** §3 Events: the listener hears enough for a progress bar and metrics, and cannot break the export. */
class ListenerEventsTest {
  private final FakeVendor vendor = new FakeVendor();
  private final TestConnectorProvider provider =
      TestConnectorProvider.builder().limits(5, 1 << 20, 1, 1000).build();
  private final Connection connection = connection(provider, vendor);

  @AfterEach
  void stop() {
    vendor.close();
  }

  /** Segment A streams 12 profiles (one invalid, one refused by the vendor); B is a list of 5. */
  private static SegmentSource source() {
    List<Profile> a = new ArrayList<>(Fixtures.valid("a", 10));
    a.add(3, Fixtures.profile("invalid-address", "X"));
    a.add(Fixtures.profile("blocked@example.org", "Blocked"));
    List<Profile> b = Fixtures.valid("b", 5);
    return name ->
        name.equals("A")
            ? Segment.of(name, OptionalLong.empty(), a.iterator(), () -> {})
            : Segment.of(name, b);
  }

  private ExportResult run(ExportListener listener) {
    try (SegmentExporter exporter = Connectors.of(provider).exporter(connection)) {
      return exporter.export(
          Fixtures.definition(connection, "A", "B"), source(), FAST.withListener(listener));
    }
  }

  @Test
  void everyEventArrivesInOrderWithItsCounts() {
    vendor.rejectAddress("blocked@example.org");
    vendor.fault(
        (r, proceed) -> {
          switch (r.writeNumber()) {
            case 1:
              return FakeVendor.error(503, "DOWN", "retry me");
            case 2:
              return FakeVendor.error(429, "SLOW", "wait").addHeader("Retry-After", "0.05");
            default:
              return proceed.get();
          }
        });
    RecordingListener listener = new RecordingListener();
    ExportResult result = run(listener);
    assertThat(result.status()).isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED);

    List<String> names =
        listener.names().stream()
            .filter(n -> !n.equals("retrying") && !n.equals("throttled"))
            .toList();
    assertThat(names)
        .containsExactly(
            "exportStarted",
            "segmentStarted",
            "batchAcknowledged",
            "batchAcknowledged",
            "batchAcknowledged",
            "segmentFinished",
            "segmentStarted",
            "batchAcknowledged",
            "segmentFinished",
            "exportFinished");

    ExportDefinition started = (ExportDefinition) listener.events("exportStarted").get(0).arg(0);
    assertThat(started.segments()).containsExactly("A", "B");

    List<Event> segmentsStarted = listener.events("segmentStarted");
    assertThat(segmentsStarted.get(0).args()).containsExactly("A", "list-A", OptionalLong.empty());
    assertThat(segmentsStarted.get(1).args()).containsExactly("B", "list-B", OptionalLong.of(5));

    SegmentResult a = result.segment("A").orElseThrow();
    List<Event> acksA =
        listener.events("batchAcknowledged").stream().filter(e -> e.arg(0).equals("A")).toList();
    assertThat(acksA.stream().mapToInt(e -> (Integer) e.arg(1)).sum()).isEqualTo(11);
    assertThat(acksA.stream().mapToInt(e -> (Integer) e.arg(2)).sum())
        .isEqualTo(a.exported())
        .isEqualTo(10);
    assertThat(acksA.stream().mapToInt(e -> (Integer) e.arg(3)).sum()).isEqualTo(1);
    assertThat(acksA).extracting(e -> (Long) e.arg(4)).isSorted().last().isEqualTo(10L);
    for (Event e : acksA) {
      assertThat((Integer) e.arg(2) + (Integer) e.arg(3)).isEqualTo(e.arg(1));
    }

    assertThat(listener.events("retrying"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.arg(0)).isEqualTo(TestConnectorProvider.UPSERT);
              assertThat(e.arg(1)).isEqualTo(2);
              assertThat((Duration) e.arg(2)).isLessThanOrEqualTo(Duration.ofMillis(50));
              assertThat((String) e.arg(3)).contains("503");
            });
    assertThat(listener.events("throttled"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.arg(0)).isEqualTo(Duration.ofMillis(50));
              assertThat((String) e.arg(1)).contains(TestConnectorProvider.UPSERT).contains("429");
            });

    List<Event> finished = listener.events("segmentFinished");
    assertThat(finished.get(0).arg(0)).isEqualTo(a);
    assertThat(finished.get(1).arg(0)).isEqualTo(result.segment("B").orElseThrow());
    assertThat(listener.events("exportFinished").get(0).arg(0)).isSameAs(result);
  }

  @Test
  void aListenerThatThrowsDoesNotBreakTheExport() {
    vendor.fault(
        (r, proceed) ->
            r.writeNumber() == 1 ? FakeVendor.error(503, "DOWN", "retry me") : proceed.get());
    AtomicInteger calls = new AtomicInteger();
    ExportListener throwing =
        new RecordingListener() {
          @Override
          protected void record(String name, Object... args) {
            calls.incrementAndGet();
            throw new IllegalStateException("listener bug in " + name);
          }
        };
    ExportResult result = run(throwing);
    assertThat(result.status())
        .isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED); // the one invalid address
    assertThat(result.exported()).isEqualTo(16);
    assertThat(result.rejected()).isEqualTo(1);
    assertThat(result.retries()).isEqualTo(1);
    assertThat(vendor.appliedCounts().values()).hasSize(16).containsOnly(1);
    // Every event was still delivered (and threw): start, 2 segment starts, 4 acks, 1 retry, 2
    // finishes, end.
    assertThat(calls).hasValue(11);
  }

  @Test
  void aListenerThatFailsAnAssertionDoesNotBreakTheExportEither() {
    // A host's test puts assertThat(...) in its listener: an AssertionError, not an exception. It
    // left the export running forever (exportStarted, exportFinished), failed it (segmentStarted,
    // segmentFinished) or skipped the batch's bookkeeping (batchAcknowledged).
    AtomicInteger calls = new AtomicInteger();
    ExportListener failing =
        new RecordingListener() {
          @Override
          protected void record(String name, Object... args) {
            calls.incrementAndGet();
            throw new AssertionError("a host test's assertion in " + name);
          }
        };
    try (SegmentExporter exporter = Connectors.of(provider).exporter(connection)) {
      ExportHandle handle =
          exporter.start(
              Fixtures.definition(connection, "A", "B"), source(), FAST.withListener(failing));
      // Bounded only so that a hang fails the test instead of the build.
      ExportResult result = handle.await(Duration.ofMinutes(1)).orElse(null);
      assertThat(result).as("the export ended").isNotNull();
      assertThat(result.status()).isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED);
      assertThat(result.exported()).isEqualTo(16);
      assertThat(result.rejected()).isEqualTo(1);
    }
    // start, 2 segment starts, 4 acks, 2 finishes, end
    assertThat(calls).hasValue(10);
  }

  @Test
  void listenerMethodsAreNeverCalledConcurrently() {
    vendor.writeDelayMillis(20);
    TestConnectorProvider parallel =
        TestConnectorProvider.builder().limits(2, 1 << 20, 4, 1000).build();
    Connection c = connection(parallel, vendor);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    ExportListener slow =
        new RecordingListener() {
          @Override
          protected void record(String name, Object... args) {
            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
              Thread.sleep(5);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            inside.decrementAndGet();
          }
        };
    try (SegmentExporter exporter = Connectors.of(parallel).exporter(c)) {
      ExportResult result =
          exporter.export(
              Fixtures.definition(c, "S"),
              Fixtures.streaming("S", Fixtures.valid("p", 60)),
              FAST.withListener(slow));
      assertThat(result.exported()).isEqualTo(60);
    }
    assertThat(vendor.maxConcurrentWrites()).isGreaterThan(1);
    assertThat(maxInside).hasValue(1);
  }
}
