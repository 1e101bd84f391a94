package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.connection;
import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 28: every export of a {@link Connectors} writes its batches on one bounded pool of threads,
 * handed out fairly, while each export's own limits still hold.
 */
class SharedThreadsTest {
  private final FakeVendor vendor = new FakeVendor();

  @AfterEach
  void stop() {
    vendor.close();
  }

  /** Hears on which threads batches were answered. */
  private static final class ThreadNames extends ExportListener {
    final Set<String> names = ConcurrentHashMap.newKeySet();

    @Override
    public void batchAcknowledged(
        String segment, int records, int exported, int rejected, long segmentExportedSoFar) {
      names.add(Thread.currentThread().getName());
    }
  }

  private List<ExportResult> runAtOnce(
      Connectors connectors, TestConnectorProvider provider, int exports, ThreadNames names) {
    List<SegmentExporter> exporters = new ArrayList<>();
    List<ExportHandle> handles = new ArrayList<>();
    for (int i = 0; i < exports; i++) {
      Connection c = connection(provider, vendor);
      SegmentExporter exporter = connectors.exporter(c);
      exporters.add(exporter);
      handles.add(
          exporter.start(
              Fixtures.definition(c, "S" + i),
              Fixtures.streaming("S" + i, Fixtures.valid("e" + i + "-", 60)),
              FAST.withListener(names)));
    }
    List<ExportResult> results = new ArrayList<>();
    for (ExportHandle h : handles) {
      results.add(h.await());
    }
    exporters.forEach(SegmentExporter::close);
    return results;
  }

  @Test
  void manyExportsWriteOnTheBoundedPoolAndEachCompletes() {
    vendor.writeDelayMillis(15);
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(5, 1 << 20, 4, 1000).build();
    Connectors connectors = Connectors.of(provider).withEngineThreads(3);
    ThreadNames names = new ThreadNames();
    List<ExportHandle> handles = new ArrayList<>();
    List<SegmentExporter> exporters = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      Connection c = connection(provider, vendor);
      SegmentExporter exporter = connectors.exporter(c);
      exporters.add(exporter);
      handles.add(
          exporter.start(
              Fixtures.definition(c, "S" + i),
              Fixtures.streaming("S" + i, Fixtures.valid("e" + i + "-", 50)),
              FAST.withListener(names)));
    }
    for (ExportHandle h : handles) {
      ExportResult r = h.await();
      assertThat(r.status()).isEqualTo(ExportStatus.SUCCEEDED);
      assertThat(r.exported()).isEqualTo(50);
    }
    exporters.forEach(SegmentExporter::close);
    // Each export may have 4 batches at the vendor; all twelve together never more than the pool's
    // 3.
    assertThat(vendor.maxConcurrentWrites()).isBetween(2, 3);
    assertThat(vendor.contacts()).hasSize(12 * 50);
    assertThat(names.names).allSatisfy(n -> assertThat(n).startsWith("segment-export-io-"));
    assertThat(names.names.size()).isLessThanOrEqualTo(3);
  }

  @Test
  void anExportStillHoldsItsOwnConcurrencyLimitInABigPool() {
    vendor.writeDelayMillis(15);
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(5, 1 << 20, 2, 1000).build();
    Connection c = connection(provider, vendor);
    try (SegmentExporter exporter = Connectors.of(provider).withEngineThreads(32).exporter(c)) {
      ExportResult r =
          exporter.export(
              Fixtures.definition(c, "S"), Fixtures.streaming("S", Fixtures.valid("p", 100)), FAST);
      assertThat(r.exported()).isEqualTo(100);
    }
    assertThat(vendor.maxConcurrentWrites()).isEqualTo(2);
  }

  @Test
  void aHostsExecutorRunsTheBatches() {
    AtomicInteger ids = new AtomicInteger();
    ExecutorService host =
        Executors.newFixedThreadPool(
            6,
            r -> {
              Thread t = new Thread(r, "host-pool-" + ids.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      vendor.writeDelayMillis(10);
      ThreadNames names = new ThreadNames();
      TestConnectorProvider provider = TestConnectorProvider.standard();
      List<ExportResult> results =
          runAtOnce(Connectors.of(provider).withExecutor(host, 2), provider, 4, names);
      assertThat(results).allSatisfy(r -> assertThat(r.exported()).isEqualTo(60));
      assertThat(names.names).isNotEmpty().allSatisfy(n -> assertThat(n).startsWith("host-pool-"));
      assertThat(vendor.maxConcurrentWrites()).isLessThanOrEqualTo(2);
    } finally {
      host.shutdownNow();
    }
  }

  @Test
  void aSmallExportStartedBesideALargeOneIsNotMadeToWaitForIt() throws Exception {
    vendor.writeDelayMillis(10);
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(5, 1 << 20, 4, 1000).build();
    Connectors connectors = Connectors.of(provider).withEngineThreads(1);
    Connection big = connection(provider, vendor);
    Connection small = connection(provider, vendor);
    CountDownLatch bigIsWriting = new CountDownLatch(1);
    try (SegmentExporter bigExporter = connectors.exporter(big);
        SegmentExporter smallExporter = connectors.exporter(small)) {
      ExportHandle bigRun =
          bigExporter.start(
              Fixtures.definition(big, "Big"),
              Fixtures.streaming("Big", Fixtures.valid("big", 400)),
              FAST.withListener(
                  new ExportListener() {
                    @Override
                    public void batchAcknowledged(
                        String segment, int records, int exported, int rejected, long soFar) {
                      bigIsWriting.countDown();
                    }
                  }));
      assertThat(bigIsWriting.await(10, TimeUnit.SECONDS)).isTrue();
      ExportResult smallResult =
          smallExporter
              .start(
                  Fixtures.definition(small, "Small"),
                  Fixtures.streaming("Small", Fixtures.valid("small", 5)),
                  FAST)
              .await(Duration.ofSeconds(30))
              .orElseThrow();
      // 80 batches of the large export share the one thread; the small one's batch took its turn.
      assertThat(smallResult.exported()).isEqualTo(5);
      assertThat(bigRun.isDone()).isFalse();
      assertThat(bigRun.await().exported()).isEqualTo(400);
    }
  }

  @Test
  void withALimitExportsBeyondItWaitForOneToEndAndEveryOneCompletes() {
    vendor.writeDelayMillis(5);
    TestConnectorProvider provider = TestConnectorProvider.standard();
    Connectors connectors = Connectors.of(provider).withMaxRunningExports(2);
    AtomicInteger reading = new AtomicInteger();
    AtomicInteger mostReading = new AtomicInteger();
    List<ExportHandle> handles = new ArrayList<>();
    List<SegmentExporter> exporters = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Connection c = connection(provider, vendor);
      SegmentExporter exporter = connectors.exporter(c);
      exporters.add(exporter);
      List<com.segmentexport.api.Profile> profiles = Fixtures.valid("r" + i + "-", 40);
      handles.add(
          exporter.start(
              Fixtures.definition(c, "S" + i),
              name -> {
                mostReading.accumulateAndGet(reading.incrementAndGet(), Math::max);
                return com.segmentexport.api.Segment.of(
                    name,
                    java.util.OptionalLong.empty(),
                    profiles.iterator(),
                    reading::decrementAndGet);
              },
              FAST));
    }
    for (ExportHandle h : handles) {
      assertThat(h.await().exported()).isEqualTo(40);
    }
    exporters.forEach(SegmentExporter::close);
    assertThat(mostReading.get()).isBetween(1, 2);
    assertThat(vendor.contacts()).hasSize(6 * 40);
  }

  @Test
  void anExportCancelledWhileItWaitsForASlotEndsCancelledHavingReadNothing() throws Exception {
    TestConnectorProvider provider = TestConnectorProvider.standard();
    Connectors connectors = Connectors.of(provider).withMaxRunningExports(1);
    CountDownLatch release = new CountDownLatch(1);
    Connection first = connection(provider, vendor);
    Connection second = connection(provider, vendor);
    try (SegmentExporter a = connectors.exporter(first);
        SegmentExporter b = connectors.exporter(second)) {
      ExportHandle blocking =
          a.start(
              Fixtures.definition(first, "A"),
              name -> {
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return com.segmentexport.api.Segment.of(
                    name,
                    java.util.OptionalLong.empty(),
                    Fixtures.valid("a", 3).iterator(),
                    () -> {});
              },
              FAST);
      AtomicInteger opened = new AtomicInteger();
      ExportHandle waiting =
          b.start(
              Fixtures.definition(second, "B"),
              name -> {
                opened.incrementAndGet();
                return com.segmentexport.api.Segment.of(
                    name,
                    java.util.OptionalLong.empty(),
                    Fixtures.valid("b", 3).iterator(),
                    () -> {});
              },
              FAST);
      assertThat(waiting.isDone()).isFalse();
      waiting.cancel();
      release.countDown();
      assertThat(blocking.await().exported()).isEqualTo(3);
      ExportResult cancelled = waiting.await();
      assertThat(cancelled.status()).isEqualTo(ExportStatus.CANCELLED);
      assertThat(cancelled.read()).isZero();
      assertThat(opened.get()).isZero();
    }
  }
}
