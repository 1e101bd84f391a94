package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.FAST_RETRY;
import static com.segmentexport.testsupport.Fixtures.assertAddsUp;
import static com.segmentexport.testsupport.Fixtures.connection;
import static com.segmentexport.testsupport.Fixtures.connectionBuilder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.AccessDeniedException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectionAccess;
import com.segmentexport.api.ConnectionRemovedException;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.Role;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.RecordingListener;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** §1.6 and §3 Cancellation: cancel and connection removal stop promptly with an honest result; access rules. */
class CancellationAndAccessTest {
  /** Each upsert takes this long at the vendor; the whole export would take about 4.5 s. */
  private static final int WRITE_MILLIS = 150;

  private static final int PROFILES = 600;
  private static final int CONCURRENCY = 2;

  private final FakeVendor vendor = new FakeVendor().writeDelayMillis(WRITE_MILLIS);
  private final TestConnectorProvider provider =
      TestConnectorProvider.builder().limits(10, 1 << 20, CONCURRENCY, 1000).build();
  private final Connection connection = connection(provider, vendor);
  private final Connectors connectors = Connectors.of(provider);

  @AfterEach
  void stop() {
    vendor.close();
  }

  /** Starts a slow export, waits until {@code acks} batches are acknowledged, then stops it with {@code stop}. */
  private ExportResult stopAfter(
      int acks, SegmentExporter exporter, Consumer<ExportHandle> stop, long[] stoppedAt) {
    CountDownLatch acknowledged = new CountDownLatch(acks);
    RecordingListener listener =
        new RecordingListener() {
          @Override
          public void batchAcknowledged(
              String segment, int records, int exported, int rejected, long soFar) {
            super.batchAcknowledged(segment, records, exported, rejected, soFar);
            acknowledged.countDown();
          }
        };
    ExportHandle handle =
        exporter.start(
            Fixtures.definition(connection, "Slow"),
            Fixtures.streaming("Slow", Fixtures.valid("p", PROFILES)),
            FAST.withListener(listener));
    try {
      assertThat(acknowledged.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    stoppedAt[0] = System.nanoTime();
    stop.accept(handle);
    ExportResult result =
        handle.await(Duration.ofSeconds(3)).orElseThrow(() -> new AssertionError("did not stop"));
    long stopMillis = (System.nanoTime() - stoppedAt[0]) / 1_000_000;
    // In-flight batches finish (150 ms each at the vendor); nothing new starts. Far below the ~4 s
    // left.
    assertThat(stopMillis).as("ms from stop to result").isLessThan(1500);
    assertThat(handle.isDone()).isTrue();
    assertThat(listener.names()).endsWith("segmentFinished", "exportFinished");
    return result;
  }

  private void assertStoppedHonestly(ExportResult result, long stoppedAt) {
    assertAddsUp(result);
    assertThat(result.status()).isEqualTo(ExportStatus.CANCELLED);
    assertThat(result.segments())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.status()).isEqualTo(ExportStatus.CANCELLED);
              assertThat(s.read()).isLessThan(PROFILES);
              assertThat(s.exported()).isGreaterThanOrEqualTo(40);
              assertThat(s.notAttempted()).isPositive();
              assertThat(s.notAttemptedReason()).isPresent();
            });
    // What the result calls exported is exactly what the vendor holds.
    assertThat((long) vendor.contacts().size()).isEqualTo(result.exported());
    // At most the batches already in flight reached the vendor after the stop.
    long lateWrites = vendor.writes().stream().filter(w -> w.atNanos() > stoppedAt).count();
    assertThat(lateWrites).isLessThanOrEqualTo(CONCURRENCY);
  }

  @Test
  void cancelStopsASlowExportPromptlyAndTheCountsStillAddUp() {
    long[] stoppedAt = new long[1];
    ExportResult result;
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      result = stopAfter(4, exporter, ExportHandle::cancel, stoppedAt);
    }
    assertStoppedHonestly(result, stoppedAt[0]);
    assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f).contains("cancelled"));
  }

  @Test
  void removingTheConnectionStopsItsExportAndRefusesNewOnes() {
    long[] stoppedAt = new long[1];
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      ExportResult result = stopAfter(4, exporter, h -> connection.remove(), stoppedAt);
      assertStoppedHonestly(result, stoppedAt[0]);
      assertThat(result.failure())
          .hasValueSatisfying(f -> assertThat(f).contains("connection removed"));
      int requestsBefore = vendor.requestCount();

      assertThatThrownBy(
              () ->
                  exporter.start(
                      Fixtures.definition(connection, "Again"),
                      Fixtures.streaming("Again", Fixtures.valid("q", 5)),
                      FAST))
          .isInstanceOf(ConnectionRemovedException.class);
      assertThatThrownBy(exporter::verify).isInstanceOf(ConnectionRemovedException.class);
      assertThatThrownBy(() -> connectors.exporter(connection))
          .isInstanceOf(ConnectionRemovedException.class);
      assertThat(vendor.requestCount()).isEqualTo(requestsBefore);
    }
  }

  @Test
  void closingTheExporterCancelsItsExports() {
    long[] stoppedAt = new long[1];
    SegmentExporter exporter = connectors.exporter(connection);
    ExportResult result = stopAfter(4, exporter, h -> exporter.close(), stoppedAt);
    assertStoppedHonestly(result, stoppedAt[0]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Retry-After", "backoff"})
  void cancelDoesNotWaitOutALongThrottleOrBackoff(String kind) throws InterruptedException {
    vendor.writeDelayMillis(0);
    CountDownLatch waiting = new CountDownLatch(1);
    RecordingListener listener =
        new RecordingListener() {
          @Override
          public void throttled(Duration wait, String reason) {
            waiting.countDown();
          }

          @Override
          public void retrying(String call, int attempt, Duration delay, String reason) {
            waiting.countDown();
          }
        };
    if (kind.equals("Retry-After")) {
      vendor.fault(
          (r, proceed) ->
              r.writeNumber() == 1
                  ? FakeVendor.error(429, "SLOW", "wait").addHeader("Retry-After", "30")
                  : proceed.get());
    } else {
      vendor.fault(
          (r, proceed) ->
              r.writeNumber() == 1 ? FakeVendor.error(503, "DOWN", "wait") : proceed.get());
    }
    ExportOptions options =
        ExportOptions.DEFAULT
            .withListener(listener)
            .withRetryPolicy(FAST_RETRY.withDelays(Duration.ofSeconds(30), Duration.ofSeconds(30)));
    List<RejectedRecord> sink = Collections.synchronizedList(new ArrayList<>());
    TestConnectorProvider sequential =
        TestConnectorProvider.builder().limits(10, 1 << 20, 1, 1000).build();
    Connection c = connection(sequential, vendor);
    try (SegmentExporter exporter = Connectors.of(sequential).exporter(c)) {
      ExportHandle handle =
          exporter.start(
              Fixtures.definition(c, "S"),
              Fixtures.streaming("S", Fixtures.valid("p", 50)),
              options.withRejectedRecordSink(sink::add));
      assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
      long t0 = System.nanoTime();
      handle.cancel();
      ExportResult result = handle.await(Duration.ofSeconds(5)).orElseThrow();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
      assertAddsUp(result);
      assertThat(result.status()).isEqualTo(ExportStatus.CANCELLED);
      assertThat(result.exported()).isZero();
      // The waiting batch was sent once, with no confirmation: it may be at the vendor, so it is
      // counted
      // unconfirmed (never rejected, never given to the sink of rejected records), and never
      // silently lost.
      assertThat(result.unconfirmed()).isEqualTo(10);
      assertThat(result.rejected()).isZero();
      assertThat(sink).isEmpty();
      assertThat(result.rejectedSample())
          .hasSize(10)
          .allSatisfy(r -> assertThat(r.reason()).isEqualTo(RejectionReason.UNCONFIRMED));
      assertThat(result.notAttempted()).isEqualTo(result.read() - 10);
    }
    assertThat(vendor.writes()).hasSize(1);
  }

  @Test
  void aClosedExporterRefusesWithAnExportException() {
    SegmentExporter exporter = connectors.exporter(connection);
    exporter.close();
    assertThatThrownBy(
            () ->
                exporter.export(
                    Fixtures.definition(connection, "S"),
                    Fixtures.streaming("S", Fixtures.valid("p", 3)),
                    FAST))
        .isInstanceOf(ExportException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(exporter::verify).isInstanceOf(ExportException.class);
    assertThat(vendor.requestCount()).isZero();
  }

  @Test
  void interruptingTheThreadBlockedInExportCancelsItAndTheExceptionCarriesThePartialResult()
      throws Exception {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    CountDownLatch acknowledged = new CountDownLatch(1);
    RecordingListener listener =
        new RecordingListener() {
          @Override
          public void batchAcknowledged(
              String segment, int records, int exported, int rejected, long soFar) {
            acknowledged.countDown();
          }
        };
    Thread caller =
        new Thread(
            () -> {
              try (SegmentExporter exporter = connectors.exporter(connection)) {
                exporter.export(
                    Fixtures.definition(connection, "Slow"),
                    Fixtures.streaming("Slow", Fixtures.valid("p", PROFILES)),
                    FAST.withListener(listener));
              } catch (Throwable t) {
                thrown.set(t);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
              }
            });
    caller.start();
    assertThat(acknowledged.await(10, TimeUnit.SECONDS)).isTrue();
    caller.interrupt();
    caller.join(10_000);
    assertThat(caller.isAlive()).isFalse();
    assertThat(thrown.get())
        .isInstanceOf(ExportException.class)
        .hasMessageContaining("Interrupted");
    ExportResult partial =
        ((ExportException) thrown.get())
            .partialResult()
            .orElseThrow(
                () -> new AssertionError("an interrupted export must carry its partial result"));
    assertAddsUp(partial);
    assertThat(partial.status()).isEqualTo(ExportStatus.CANCELLED);
    assertThat(partial.exported()).isPositive().isLessThan(PROFILES);
    assertThat(stillInterrupted).as("the interrupt flag is set again").isTrue();
  }

  @Test
  void aContributorMayNotUseAnAdministratorsOnlyConnection() {
    assertThat(connection.access()).isEqualTo(ConnectionAccess.ADMINISTRATORS);
    assertThatThrownBy(() -> connectors.exporter(connection, Role.CONTRIBUTOR))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("CONTRIBUTOR");
    assertThatThrownBy(() -> connectors.exporter(connection, Role.VIEWER))
        .isInstanceOf(AccessDeniedException.class);
    assertThat(vendor.requestCount()).isZero();
  }

  @Test
  void aContributorMayUseAConnectionSharedWithContributors() {
    vendor.writeDelayMillis(0);
    Connection shared =
        connectionBuilder(provider, vendor)
            .access(ConnectionAccess.ADMINISTRATORS_AND_CONTRIBUTORS)
            .build();
    assertThatThrownBy(() -> connectors.exporter(shared, Role.VIEWER))
        .isInstanceOf(AccessDeniedException.class);
    try (SegmentExporter exporter = connectors.exporter(shared, Role.CONTRIBUTOR)) {
      exporter.verify();
      ExportResult result =
          exporter.export(
              Fixtures.definition(shared, "S"),
              Fixtures.streaming("S", Fixtures.valid("p", 5)),
              FAST);
      assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
    }
  }
}
