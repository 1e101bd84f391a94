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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An export cancelled, or whose connection is removed, while it waits for another export (its creation
 * of the account's list, a claim on the list held elsewhere) ends as cancelled, with nothing sent,
 * while the other still holds on, rather than when the other lets go.
 */
class CancelWhileWaitingForAnotherExportTest {
  private static final int PROFILES = 30;

  /** Generous: the other export never lets go before the waiting one's end is asserted. */
  private static final Duration ENDS_WITHIN = Duration.ofSeconds(30);

  private final FakeVendor vendor = new FakeVendor();
  private final CountDownLatch release = new CountDownLatch(1);

  /** How the waiting export is stopped, and what its result then says. */
  enum Stop {
    CANCEL("cancelled by the caller"),
    REMOVE_CONNECTION("connection removed");

    final String failure;

    Stop(String failure) {
      this.failure = failure;
    }

    void apply(ExportHandle handle, Connection connection) {
      if (this == CANCEL) {
        handle.cancel();
      } else {
        connection.remove();
      }
    }
  }

  @AfterEach
  void stop() {
    release.countDown();
    vendor.close();
  }

  private static void await(CountDownLatch latch) {
    await(latch, Duration.ofSeconds(30));
  }

  private static void await(CountDownLatch latch, Duration atMost) {
    try {
      assertThat(latch.await(atMost.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExportCancelledException("interrupted", false);
    }
  }

  /**
   * Stops the waiting export; it ends while the other export still holds on: cancelled, nothing sent,
   * its result saying why.
   */
  private void assertEndsCancelledWhileTheOtherHolds(
      Stop stop, ExportHandle waiting, Connection connection, int writesBefore) {
    stop.apply(waiting, connection);
    Optional<ExportResult> ended = waiting.await(ENDS_WITHIN);
    assertThat(release.getCount()).as("the other export still holds on").isEqualTo(1);
    assertThat(ended).as("the stopped export's result while the other holds on").isPresent();
    ExportResult result = ended.get();
    assertAddsUp(result);
    assertThat(result.status()).isEqualTo(ExportStatus.CANCELLED);
    assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f).contains(stop.failure));
    assertThat(result.exported()).isZero();
    assertThat(result.segments())
        .allSatisfy(s -> assertThat(s.status()).isEqualTo(ExportStatus.CANCELLED));
    assertThat(vendor.writes()).hasSize(writesBefore);
  }

  @ParameterizedTest
  @EnumSource(Stop.class)
  void anExportStoppedWhileAnotherCreatesTheListEndsAtOnce(Stop stop) throws Exception {
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
                    // The creation the other export waits for: held longer than the test waits.
                    await(release, ENDS_WITHIN.multipliedBy(2));
                    return "list-" + request.segment();
                  });
        };
    TestConnectorProvider provider =
        TestConnectorProvider.builder().beforeOpen(findOrCreate).build();
    Connectors connectors = Connectors.of(provider);
    // Two connections to one account (one directory of lists): removing the waiting export's
    // connection leaves the creator's running.
    Connection creatorConnection = connection(provider, vendor);
    Connection waitingConnection = connection(provider, vendor);
    try (SegmentExporter creatorExporter = connectors.exporter(creatorConnection);
        SegmentExporter waitingExporter = connectors.exporter(waitingConnection)) {
      ExportHandle creator =
          creatorExporter.start(
              Fixtures.definition(creatorConnection, "Shared"),
              Fixtures.streaming("Shared", Fixtures.valid("a", PROFILES)),
              FAST);
      await(creating);
      ExportHandle waiting =
          waitingExporter.start(
              Fixtures.definition(waitingConnection, "Shared"),
              Fixtures.streaming("Shared", Fixtures.valid("b", PROFILES)),
              FAST);
      await(secondOpening);
      Thread.sleep(100); // into its wait for the creator's result
      assertThat(waiting.isDone()).isFalse();

      assertEndsCancelledWhileTheOtherHolds(stop, waiting, waitingConnection, 0);

      release.countDown();
      ExportResult created = creator.await(ENDS_WITHIN).orElseThrow();
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

  @ParameterizedTest
  @EnumSource(Stop.class)
  void anExportStoppedWhileItWaitsForAClaimHeldElsewhereEndsAtOnce(Stop stop) throws Exception {
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

      assertEndsCancelledWhileTheOtherHolds(stop, waiting, connection, 0);
    } finally {
      store.close();
    }
  }
}
