package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.assertAddsUp;
import static com.segmentexport.testsupport.Fixtures.connection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

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
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * §3 Streaming, §5 rule 4: a segment is read once, as the export goes, never materialised. (A
 * forked-JVM heap test lives in the testkit; here the engine's read-ahead is measured directly.)
 */
class StreamingTest {
  private static final int PROFILES = 300_000;
  private static final int BATCH = 5_000;
  private static final int CONCURRENCY = 2;
  private final FakeVendor vendor = new FakeVendor().discardBodies();

  @AfterEach
  void stop() {
    vendor.close();
  }

  /** Builds profiles on the fly; remembers how far reading ran ahead of what the vendor acknowledged. */
  private static final class LazyProfiles implements Iterator<Profile> {
    final AtomicLong acknowledged = new AtomicLong();
    final AtomicLong maxAhead = new AtomicLong();
    long generated;

    @Override
    public boolean hasNext() {
      return generated < PROFILES;
    }

    @Override
    public Profile next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      generated++;
      maxAhead.accumulateAndGet(generated - acknowledged.get(), Math::max);
      return Profile.of(
          "email",
          "user" + generated + "@example.org",
          "first",
          "First" + generated,
          "last",
          "Last name " + generated);
    }
  }

  @Test
  void aLargeLazySegmentStreamsWithBoundedReadAhead() {
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(BATCH, 8L << 20, CONCURRENCY, 10_000).build();
    Connection c = connection(provider, vendor);
    LazyProfiles profiles = new LazyProfiles();
    AtomicBoolean closed = new AtomicBoolean();
    ExportListener listener =
        new ExportListener() {
          @Override
          public void batchAcknowledged(
              String segment, int records, int exported, int rejected, long soFar) {
            profiles.acknowledged.addAndGet(records);
          }
        };
    ExportResult result;
    try (SegmentExporter exporter = Connectors.of(provider).exporter(c)) {
      result =
          exporter.export(
              Fixtures.definition(c, "Everyone"),
              name -> Segment.of(name, OptionalLong.empty(), profiles, () -> closed.set(true)),
              FAST.withListener(listener));
    }
    assertAddsUp(result);
    assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(result.read()).isEqualTo(PROFILES);
    assertThat(result.exported()).isEqualTo(PROFILES);
    assertThat(vendor.writes()).hasSize(PROFILES / BATCH);
    assertThat(closed).isTrue();
    // Read but not yet acknowledged: never more than the batches handed out (one more than the
    // requests in
    // flight) plus the one being filled (20,001 with this engine), with a batch of slack; nowhere
    // near the
    // segment's 300,000.
    assertThat(profiles.maxAhead.get()).isLessThanOrEqualTo((long) (CONCURRENCY + 3) * BATCH);
  }

  @Test
  void aSegmentIsClosedEvenWhenTheExportFails() {
    TestConnectorProvider provider = TestConnectorProvider.standard();
    Connection c = connection(provider, vendor);
    AtomicBoolean closed = new AtomicBoolean();
    Iterator<Profile> failing =
        new Iterator<>() {
          int n;

          @Override
          public boolean hasNext() {
            return true;
          }

          @Override
          public Profile next() {
            if (++n > 150) {
              throw new IllegalStateException("cursor lost");
            }
            return Fixtures.profile("u" + n + "@example.org", "U");
          }
        };
    try (SegmentExporter exporter = Connectors.of(provider).exporter(c)) {
      ExportHandle handle =
          exporter.start(
              Fixtures.definition(c, "S"),
              name -> Segment.of(name, OptionalLong.empty(), failing, () -> closed.set(true)),
              FAST);
      ExportException e = catchThrowableOfType(ExportException.class, handle::await);
      assertThat(e).hasMessageContaining("IllegalStateException");
      ExportResult partial = e.partialResult().orElseThrow();
      assertAddsUp(partial);
      assertThat(partial.read()).isEqualTo(150);
      assertThat(partial.exported() + partial.notAttempted()).isEqualTo(150);
    }
    assertThat(closed).isTrue();
  }
}
