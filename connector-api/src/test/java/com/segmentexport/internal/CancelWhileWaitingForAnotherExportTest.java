package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.assertAddsUp;
import static com.segmentexport.testsupport.Fixtures.connection;
import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.DestinationKey;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.spi.DestinationRequest;
import com.segmentexport.spi.DestinationState;
import com.segmentexport.spi.ExportCancelledException;
import com.segmentexport.spi.SyncStateStore;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.InMemorySyncStateStore;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An export cancelled while it waits for another export (its creation of the account's list, a claim
 * on the list held elsewhere) ends at once as cancelled, with nothing sent, rather than when the other
 * lets go.
 */
class CancelWhileWaitingForAnotherExportTest {
  private static final int PROFILES = 30;

  private final FakeVendor vendor = new FakeVendor();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    vendor.close();
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExportCancelledException("interrupted", false);
    }
  }

  /** The cancelled export's end: within a second of the cancel, cancelled, nothing sent. */
  private void assertEndsCancelledAtOnce(ExportHandle waiting, int writesBefore) {
    waiting.cancel();
    Optional<ExportResult> ended = waiting.await(Duration.ofSeconds(1));
    assertThat(ended).as("the cancelled export's result a second after the cancel").isPresent();
    ExportResult result = ended.get();
    assertAddsUp(result);
    assertThat(result.status()).isEqualTo(ExportStatus.CANCELLED);
    assertThat(result.exported()).isZero();
    assertThat(result.segments())
        .allSatisfy(s -> assertThat(s.status()).isEqualTo(ExportStatus.CANCELLED));
    assertThat(vendor.writes()).hasSize(writesBefore);
  }

  @Test
  void anExportCancelledWhileAnotherCreatesTheListEndsAtOnce() throws Exception {
    CountDownLatch creating = new CountDownLatch(1);
    CountDownLatch secondOpening = new CountDownLatch(1);
    Consumer<DestinationRequest> findOrCreate =
        request -> {
          if (creating.getCount() == 0) {
            secondOpening.countDown();
          }
          request
              .directory()
              .<String>catalog("test.lists")
              .findOrCreate(
                  request.segment(),
                  Map::of,
                  () -> {
                    creating.countDown();
                    await(release); // the creation the other export waits for
                    return "list-" + request.segment();
                  });
        };
    TestConnectorProvider provider =
        TestConnectorProvider.builder().beforeOpen(findOrCreate).build();
    Connection connection = connection(provider, vendor);
    try (SegmentExporter exporter = Connectors.of(provider).exporter(connection)) {
      ExportHandle creator =
          exporter.start(
              Fixtures.definition(connection, "Shared"),
              Fixtures.streaming("Shared", Fixtures.valid("a", PROFILES)),
              FAST);
      await(creating);
      ExportHandle waiting =
          exporter.start(
              Fixtures.definition(connection, "Shared"),
              Fixtures.streaming("Shared", Fixtures.valid("b", PROFILES)),
              FAST);
      await(secondOpening);
      Thread.sleep(100); // into its wait for the creator's result
      assertThat(waiting.isDone()).isFalse();

      assertEndsCancelledAtOnce(waiting, 0);

      release.countDown();
      ExportResult created = creator.await(Duration.ofSeconds(30)).orElseThrow();
      assertThat(created.status()).isEqualTo(ExportStatus.SUCCEEDED);
      assertThat(created.exported()).isEqualTo(PROFILES);
    }
  }

  /** A store whose claims are held by another process until released; the wait is interruptible. */
  private final class HeldClaims implements SyncStateStore {
    private final InMemorySyncStateStore states = new InMemorySyncStateStore();
    final CountDownLatch waiting = new CountDownLatch(1);

    @Override
    public DestinationState open(DestinationKey key) {
      return states.open(key);
    }

    @Override
    public Optional<DestinationState> find(DestinationKey key) {
      return states.find(key);
    }

    @Override
    public java.util.List<DestinationKey> destinations() {
      return states.destinations();
    }

    @Override
    public long forget(DestinationKey key) {
      return states.forget(key);
    }

    @Override
    public <T> T exclusively(String claim, Supplier<T> action) {
      waiting.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ExportCancelledException("interrupted while waiting for the claim", false);
      }
      return action.get();
    }

    @Override
    public void close() {
      states.close();
    }
  }

  @Test
  void anExportCancelledWhileItWaitsForAClaimHeldElsewhereEndsAtOnce() throws Exception {
    TestConnectorProvider provider = TestConnectorProvider.builder().build();
    Connection connection = connection(provider, vendor);
    HeldClaims store = new HeldClaims();
    try (SegmentExporter exporter = Connectors.of(provider).exporter(connection)) {
      ExportHandle waiting =
          exporter.start(
              Fixtures.definition(connection, "Claimed"),
              Fixtures.streaming("Claimed", Fixtures.valid("c", PROFILES)),
              ExportOptions.DEFAULT.withRetryPolicy(Fixtures.FAST_RETRY).withSyncState(store));
      await(store.waiting);
      Thread.sleep(100); // into its wait for the claim
      assertThat(waiting.isDone()).isFalse();

      assertEndsCancelledAtOnce(waiting, 0);
    } finally {
      store.close();
    }
  }
}
