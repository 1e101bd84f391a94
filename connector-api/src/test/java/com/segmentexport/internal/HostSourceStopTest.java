package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.connection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a run ends when the host's segment misbehaves at its edges: a source that blocks when the run
 * is cancelled, a close that fails after the whole segment was read and delivered. Found by trying
 * the SDK as a host would.
 */
class HostSourceStopTest {
  private final FakeVendor vendor = new FakeVendor();
  private final TestConnectorProvider provider =
      TestConnectorProvider.builder().limits(10, 1 << 20, 2, 1000).build();
  private final Connection connection = connection(provider, vendor);
  private final Connectors connectors = Connectors.of(provider);

  @AfterEach
  void stop() {
    vendor.close();
  }

  @Test
  void aCancelledRunEndsWhileItsSourceWaitsForTheNextProfile() throws InterruptedException {
    LinkedBlockingQueue<Profile> feed = new LinkedBlockingQueue<>();
    feed.add(Fixtures.profile("first@example.org", "First"));
    CountDownLatch waiting = new CountDownLatch(2);
    Iterator<Profile> blocking =
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            return true;
          }

          @Override
          public Profile next() {
            waiting.countDown();
            try {
              return feed.take(); // waits, interruptibly, for a profile that never comes
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException("interrupted while waiting for a profile", e);
            }
          }
        };
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      ExportHandle handle =
          exporter.start(
              Fixtures.definition(connection, "Feed"),
              name -> Segment.of(name, OptionalLong.empty(), blocking, () -> {}),
              FAST);
      waiting.await(); // the first profile was taken; the source now waits for the second
      handle.cancel();
      // Bounded only so that the hang fails the test instead of the build.
      ExportResult result = handle.await(Duration.ofSeconds(30)).orElse(null);
      assertThat(result).as("the cancelled run ended").isNotNull();
      assertThat(result.status()).isEqualTo(ExportStatus.CANCELLED);
    }
  }

  @Test
  void aCloseThatFailsAfterTheWholeSegmentWasDeliveredDoesNotFailTheRun() {
    List<Profile> profiles = Fixtures.valid("p", 5);
    ExportResult result;
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      result =
          exporter.export(
              Fixtures.definition(connection, "Cursor"),
              name ->
                  Segment.of(
                      name,
                      OptionalLong.empty(),
                      profiles.iterator(),
                      () -> {
                        throw new IllegalStateException("cursor close failed");
                      }),
              FAST);
    }
    assertThat(result.exported()).isEqualTo(5);
    assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
  }

  @Test
  void awaitingANullTimeoutNamesTheParameter() {
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      ExportHandle handle =
          exporter.start(
              Fixtures.definition(connection, "S"),
              Fixtures.streaming("S", Fixtures.valid("p", 1)),
              FAST);
      handle.await();
      assertThatThrownBy(() -> handle.await(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("timeout == null");
    }
  }

  @Test
  void aNullProfileFailsTheRunSayingWhereItWas() {
    java.util.List<Profile> profiles = new java.util.ArrayList<>(Fixtures.valid("p", 3));
    profiles.add(1, null);
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      assertThatThrownBy(
              () ->
                  exporter.export(
                      Fixtures.definition(connection, "S"),
                      Fixtures.streaming("S", profiles),
                      FAST))
          .isInstanceOfSatisfying(
              com.segmentexport.api.ExportException.class,
              e -> {
                assertThat(e)
                    .hasMessage(
                        "The source of segment 'S' gave null instead of a profile at row 2");
                ExportResult r = e.partialResult().orElseThrow();
                assertThat(r.status()).isEqualTo(ExportStatus.FAILED);
                assertThat(r.read()).isEqualTo(2);
                Fixtures.assertAddsUp(r);
              });
    }
  }
}
