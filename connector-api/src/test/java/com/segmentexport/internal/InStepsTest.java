package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.connection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.testsupport.CountingExecutor;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 28: an export whose source never blocks runs in steps on the shared threads — no thread of
 * its own, none at all while it waits for a batch slot — and behaves as an export with a thread of its
 * own: every profile accounted for, cancellation, failures and several segments.
 */
class InStepsTest {
  private final FakeVendor vendor = new FakeVendor();

  /** The names of the threads the segments were opened on. */
  private final Set<String> openedOn = ConcurrentHashMap.newKeySet();

  @AfterEach
  void stop() {
    vendor.close();
  }

  /** Samples the threads while exports run: those of runners running an export. */
  private static final class ThreadCensus implements AutoCloseable {
    final Set<String> runners = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread sampler;

    ThreadCensus() {
      sampler =
          new Thread(
              () -> {
                while (running.get()) {
                  for (Thread t : Thread.getAllStackTraces().keySet()) {
                    String name = t.getName();
                    if (name.matches("segment-export-\\d+")) {
                      // A runner's thread is named so while it runs an export.
                      runners.add(name);
                    }
                  }
                  try {
                    Thread.sleep(2);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "thread-census");
      sampler.setDaemon(true);
      sampler.start();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      sampler.join();
    }
  }

  private List<ExportResult> runAtOnce(
      java.util.function.UnaryOperator<Connectors> configured, int exports, boolean nonBlocking) {
    TestConnectorProvider provider = TestConnectorProvider.standard();
    Connectors withProvider = configured.apply(Connectors.of(provider));
    List<SegmentExporter> exporters = new ArrayList<>();
    List<ExportHandle> handles = new ArrayList<>();
    for (int i = 0; i < exports; i++) {
      Connection c = connection(provider, vendor);
      SegmentExporter exporter = withProvider.exporter(c);
      exporters.add(exporter);
      SegmentSource streaming = Fixtures.streaming("S" + i, Fixtures.valid("e" + i + "-", 30));
      SegmentSource source =
          name -> {
            openedOn.add(Thread.currentThread().getName());
            return streaming.open(name);
          };
      handles.add(
          exporter.start(
              Fixtures.definition(c, "S" + i),
              nonBlocking ? SegmentSource.nonBlocking(source) : source,
              FAST));
    }
    List<ExportResult> results = new ArrayList<>();
    for (ExportHandle h : handles) {
      results.add(h.await());
    }
    exporters.forEach(SegmentExporter::close);
    return results;
  }

  @Test
  void aHundredExportsOfNonBlockingSourcesRunOnTheSharedThreadsAlone() throws Exception {
    vendor.writeDelayMillis(20);
    List<ExportResult> results;
    ThreadCensus census = new ThreadCensus();
    CountingExecutor host = new CountingExecutor();
    try (census;
        host) {
      results = runAtOnce(c -> c.withExecutor(host, 4), 100, true);
    }
    assertThat(results)
        .allSatisfy(
            r -> {
              assertThat(r.status()).isEqualTo(ExportStatus.SUCCEEDED);
              assertThat(r.exported()).isEqualTo(30);
            });
    assertThat(vendor.contacts()).hasSize(100 * 30);
    // No export had a thread of its own: every segment was opened on the host's executor, which ran
    // 4 batch writes and 1 set-up at most at once.
    assertThat(census.runners).isEmpty();
    assertThat(openedOn).isNotEmpty().noneMatch(n -> n.startsWith("segment-export-"));
    assertThat(host.most()).isBetween(2, 4 + EngineThreads.setUpParallelism(4));
  }

  @Test
  void exportsOfSourcesThatMayBlockStillHaveAThreadEach() {
    assumeFalse(
        Boolean.getBoolean(ExportRun.IN_STEPS_PROPERTY), "every source runs in steps in this pass");
    runAtOnce(c -> c.withEngineThreads(4), 20, false);
    assertThat(openedOn).hasSize(20).allMatch(n -> n.matches("segment-export-\\d+"));
  }

  @Test
  void withALimitOnRunningExportsANonBlockingSourceRunsOnARunnersThread() {
    List<ExportResult> results = runAtOnce(c -> c.withMaxRunningExports(2), 4, true);
    assertThat(results).allSatisfy(r -> assertThat(r.exported()).isEqualTo(30));
    assertThat(openedOn).isNotEmpty().allMatch(n -> n.matches("segment-export-\\d+"));
  }

  @Test
  void manySegmentsRunInOrderAndEachAddsUp() {
    vendor.writeDelayMillis(2);
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(7, 1 << 20, 2, 1000).build();
    Connection c = connection(provider, vendor);
    Map<String, List<Profile>> segments = new LinkedHashMap<>();
    segments.put("A", Fixtures.valid("a", 50));
    segments.put("B", Fixtures.valid("b", 0));
    segments.put("C", Fixtures.valid("c", 33));
    List<String> started = new ArrayList<>();
    try (SegmentExporter exporter = Connectors.of(provider).withEngineThreads(2).exporter(c)) {
      ExportResult r =
          exporter.export(
              Fixtures.definition(c, "A", "B", "C"),
              SegmentSource.nonBlocking(Fixtures.streaming(segments)),
              FAST.withListener(
                  new ExportListener() {
                    @Override
                    public void segmentStarted(
                        String segment, String destinationId, OptionalLong sizeHint) {
                      synchronized (started) {
                        started.add(segment);
                      }
                    }
                  }));
      assertThat(r.status()).isEqualTo(ExportStatus.SUCCEEDED);
      assertThat(r.segments()).extracting(SegmentResult::name).containsExactly("A", "B", "C");
      assertThat(r.segments()).extracting(SegmentResult::exported).containsExactly(50L, 0L, 33L);
      Fixtures.assertAddsUp(r);
    }
    assertThat(started).containsExactly("A", "B", "C");
    assertThat(vendor.contacts()).hasSize(83);
  }

  @Test
  void anExportCancelledWhileItWaitsForABatchSlotEndsCancelledWithEveryProfileCounted()
      throws Exception {
    vendor.writeDelayMillis(200);
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(5, 1 << 20, 1, 1000).build();
    Connection c = connection(provider, vendor);
    CountDownLatch firstAnswered = new CountDownLatch(1);
    try (SegmentExporter exporter = Connectors.of(provider).withEngineThreads(2).exporter(c)) {
      ExportHandle h =
          exporter.start(
              Fixtures.definition(c, "S"),
              SegmentSource.nonBlocking(Fixtures.streaming("S", Fixtures.valid("p", 500))),
              FAST.withListener(
                  new ExportListener() {
                    @Override
                    public void batchAcknowledged(
                        String segment, int records, int exported, int rejected, long soFar) {
                      firstAnswered.countDown();
                    }
                  }));
      assertThat(firstAnswered.await(10, TimeUnit.SECONDS)).isTrue();
      h.cancel();
      ExportResult r = h.await(Duration.ofSeconds(10)).orElseThrow();
      assertThat(r.status()).isEqualTo(ExportStatus.CANCELLED);
      assertThat(r.exported()).isBetween(5L, 495L);
      assertThat(r.notAttempted()).isPositive();
      Fixtures.assertAddsUp(r);
      assertThat(r.read()).isEqualTo(r.exported() + r.notAttempted());
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aSourceThatFailsMidwayFailsTheExportAfterItsBatchesAreAnswered(boolean nonBlocking) {
    vendor.writeDelayMillis(5);
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(10, 1 << 20, 2, 1000).build();
    Connection c = connection(provider, vendor);
    List<Profile> profiles = Fixtures.valid("p", 300);
    SegmentSource source =
        name ->
            Segment.of(
                name,
                OptionalLong.empty(),
                Fixtures.failingAfter(
                    profiles, () -> new IllegalStateException("the cursor broke")),
                () -> {});
    SegmentSource failing = nonBlocking ? SegmentSource.nonBlocking(source) : source;
    try (SegmentExporter exporter = Connectors.of(provider).withEngineThreads(2).exporter(c)) {
      assertThatThrownBy(() -> exporter.export(Fixtures.definition(c, "S"), failing, FAST))
          .isInstanceOfSatisfying(
              ExportException.class,
              e -> {
                ExportResult r = e.partialResult().orElseThrow();
                assertThat(r.status()).isEqualTo(ExportStatus.FAILED);
                // Two groups of 128 were admitted: 25 full batches went out and were answered; 6
                // profiles were in the 26th, 44 waited to be de-duplicated.
                assertThat(r.exported()).isEqualTo(250);
                assertThat(r.notAttempted()).isEqualTo(50);
                Fixtures.assertAddsUp(r);
              });
    }
    assertThat(vendor.contacts()).hasSize(250);
  }

  @Test
  void aSegmentThatCannotBeOpenedFailsTheExportAndItCompletes() {
    TestConnectorProvider provider = TestConnectorProvider.standard();
    Connection c = connection(provider, vendor);
    SegmentSource broken =
        SegmentSource.nonBlocking(
            name -> {
              throw new java.io.IOException("no such table");
            });
    try (SegmentExporter exporter = Connectors.of(provider).exporter(c)) {
      assertThatThrownBy(() -> exporter.export(Fixtures.definition(c, "S"), broken, FAST))
          .isInstanceOf(ExportException.class)
          .hasMessageContaining("Opening segment 'S' failed");
    }
    assertThat(vendor.writes()).isEmpty();
  }

  @Test
  void theNonBlockingWrapperKeepsTheSourcesSizes() {
    SegmentSource sized =
        new SegmentSource() {
          @Override
          public Segment open(String segmentName) {
            return Segment.of(segmentName, List.of());
          }

          @Override
          public OptionalLong size(String segmentName) {
            return OptionalLong.of(7);
          }
        };
    assertThat(sized.isNonBlocking()).isFalse();
    SegmentSource wrapped = SegmentSource.nonBlocking(sized);
    assertThat(wrapped.isNonBlocking()).isTrue();
    assertThat(wrapped.size("x")).hasValue(7);
  }
}
