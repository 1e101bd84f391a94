package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.connection;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An export waiting for its turn under {@code Connectors.withMaxRunningExports(n)} that is cancelled,
 * or whose connection is removed, ends then, not when a running export ends. Found by trying the SDK as a host would.
 */
class QueuedExportCancelTest {
  private final FakeVendor vendor = new FakeVendor();
  private final TestConnectorProvider provider =
      TestConnectorProvider.builder().limits(10, 1 << 20, 2, 1000).build();
  private final Connection connection = connection(provider, vendor);

  @AfterEach
  void stop() {
    vendor.close();
  }

  @ParameterizedTest(name = "by removal of its connection: {0}")
  @ValueSource(booleans = {false, true})
  void aQueuedExportThatIsCancelledEndsWithoutWaitingForItsTurn(boolean byRemoval)
      throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch reading = new CountDownLatch(1);
    Iterator<Profile> held =
        new Iterator<>() {
          private int given;

          @Override
          public boolean hasNext() {
            if (given == 1) {
              reading.countDown();
              try {
                release.await(); // the running export holds the only runner until released
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return false;
            }
            return true;
          }

          @Override
          public Profile next() {
            given++;
            return Fixtures.profile("held@example.org", "Held");
          }
        };
    Connectors one = Connectors.of(provider).withMaxRunningExports(1);
    try (SegmentExporter exporter = one.exporter(connection)) {
      ExportHandle running =
          exporter.start(
              Fixtures.definition(connection, "Running"),
              name -> Segment.of(name, OptionalLong.empty(), held, () -> {}),
              FAST);
      reading.await();
      Connection other = connection(provider, vendor);
      SegmentExporter otherExporter = one.exporter(other);
      ExportHandle queued =
          otherExporter.start(
              Fixtures.definition(other, "Queued"),
              Fixtures.streaming("Queued", Fixtures.valid("q", 3)),
              FAST);
      if (byRemoval) {
        other.remove();
      } else {
        queued.cancel();
      }
      try {
        // Bounded only so that the wait fails the test instead of the build.
        ExportResult result = queued.await(Duration.ofSeconds(30)).orElse(null);
        assertThat(result).as("the cancelled queued export ended").isNotNull();
        assertThat(result.status()).isEqualTo(ExportStatus.CANCELLED);
        assertThat(result.segments()).allSatisfy(s -> assertThat(s.read()).isZero());
        assertThat(result.failure())
            .hasValue(
                byRemoval ? "cancelled: connection removed" : "cancelled: cancelled by the caller");
        assertThat(running.isDone()).isFalse();
      } finally {
        release.countDown();
        running.await();
        otherExporter.close();
      }
    }
  }
}
