package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.assertAddsUp;
import static com.segmentexport.testsupport.Fixtures.connection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.LimitExceededException;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.ConnectorContext;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** §5 rule 7: the per-export profile cap is enforced, up front when sizes are known, else at the limit. */
class ProfileLimitTest {
  private static final int CAP = 25;
  private final FakeVendor vendor = new FakeVendor();
  private final TestConnectorProvider provider =
      TestConnectorProvider.builder()
          .limits(new ConnectorLimits(10, 1 << 20, 2, 1000, OptionalLong.of(CAP)))
          .build();
  private final Connection connection = connection(provider, vendor);
  private final Connectors connectors = Connectors.of(provider);

  @AfterEach
  void stop() {
    vendor.close();
  }

  @Test
  void knownSizesOverTheCapFailBeforeAnyRequest() {
    AtomicInteger opened = new AtomicInteger();
    SegmentSource source =
        new SegmentSource() {
          @Override
          public Segment open(String name) {
            opened.incrementAndGet();
            return Segment.of(name, Fixtures.valid(name, 15));
          }

          @Override
          public OptionalLong size(String name) {
            return OptionalLong.of(15);
          }
        };
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      LimitExceededException e =
          catchThrowableOfType(
              LimitExceededException.class,
              () -> exporter.start(Fixtures.definition(connection, "A", "B"), source, FAST));
      assertThat(e.limit()).isEqualTo(CAP);
      assertThat(e.requested()).isEqualTo(30);
      assertThat(e.getMessage()).contains("25").contains("30");
    }
    assertThat(opened).hasValue(0);
    assertThat(vendor.requestCount()).isZero();
  }

  @Test
  @Timeout(20)
  void pastTheCapAnEndlessSourceIsReadForABoundedTimeOnly() {
    Iterator<Profile> endless =
        new Iterator<>() {
          private long i;

          @Override
          public boolean hasNext() {
            return true;
          }

          @Override
          public Profile next() {
            i++;
            return Fixtures.profile("e" + i + "@example.org", "N");
          }
        };
    Connector connector = provider.create(new ConnectorContext(connection));
    ExportRun run =
        new ExportRun(
            connector,
            Fixtures.definition(connection, "Endless"),
            name -> Segment.of(name, OptionalLong.empty(), endless, () -> {}),
            FAST,
            HttpClients.newClient(),
            AccountBudgets.of(new RateLimiter(1000)),
            null,
            EngineThreads.shared(),
            Duration.ofMillis(300));
    run.preflight();
    run.start(ExportRunners.unbounded());
    ExportResult result = run.await();
    assertAddsUp(result);
    SegmentResult s = result.segment("Endless").orElseThrow();
    assertThat(s.exported()).isEqualTo(CAP);
    assertThat(s.notAttempted()).isEqualTo(s.read() - CAP).isPositive();
    assertThat(s.notAttemptedReason())
        .hasValueSatisfying(
            reason -> assertThat(reason).contains(Integer.toString(CAP)).contains("not read"));
    assertThat(s.status()).isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED);
  }

  @Test
  void knownSizesWithinTheCapRun() {
    SegmentSource source =
        new SegmentSource() {
          @Override
          public Segment open(String name) {
            return Segment.of(name, Fixtures.valid(name, 12));
          }

          @Override
          public OptionalLong size(String name) {
            return OptionalLong.of(12);
          }
        };
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      ExportResult result =
          exporter.export(Fixtures.definition(connection, "A", "B"), source, FAST);
      assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
      assertThat(result.exported()).isEqualTo(24);
    }
  }

  @Test
  void aSegmentWhoseOwnSizeHintBreaksTheCapFailsBeforeAnyRequest() {
    // The source does not know sizes, but the opened segment does (a Collection).
    SegmentSource source = name -> Segment.of(name, Fixtures.valid(name, 40));
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      ExportHandle handle = exporter.start(Fixtures.definition(connection, "Big"), source, FAST);
      LimitExceededException e = catchThrowableOfType(LimitExceededException.class, handle::await);
      assertThat(e.requested()).isEqualTo(40);
      assertAddsUp(e.partialResult().orElseThrow());
    }
    assertThat(vendor.requestCount()).isZero();
  }

  @Test
  void unknownSizesStopAtTheCapAndAccountForTheRestAsNotAttempted() {
    Map<String, List<Profile>> segments = new LinkedHashMap<>();
    segments.put("A", Fixtures.valid("a", 15));
    segments.put("B", Fixtures.valid("b", 20));
    ExportResult result;
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      result =
          exporter.export(
              Fixtures.definition(connection, "A", "B"), Fixtures.streaming(segments), FAST);
    }
    assertAddsUp(result);
    assertThat(result.exported()).isEqualTo(CAP);
    SegmentResult a = result.segment("A").orElseThrow();
    assertThat(a.exported()).isEqualTo(15);
    assertThat(a.notAttempted()).isZero();
    SegmentResult b = result.segment("B").orElseThrow();
    assertThat(b.read()).isEqualTo(20);
    assertThat(b.exported()).isEqualTo(10);
    assertThat(b.notAttempted()).isEqualTo(10);
    assertThat(b.notAttemptedReason())
        .hasValueSatisfying(r -> assertThat(r).contains("limit").contains("25"));
    assertThat(b.status()).isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED);
    assertThat(result.status()).isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED);
    // The vendor got exactly the first 25 distinct profiles, nothing beyond the cap.
    assertThat(vendor.contacts()).hasSize(CAP);
    assertThat(vendor.contacts())
        .containsKeys("b10@example.org")
        .doesNotContainKey("b11@example.org");
  }

  @Test
  void rejectedAndDuplicateProfilesDoNotUseUpTheCap() {
    List<Profile> profiles = new java.util.ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      profiles.add(Fixtures.profile("p" + i + "@example.org", "P"));
      profiles.add(Fixtures.profile("P" + i + "@EXAMPLE.org", "dup"));
      profiles.add(Fixtures.profile("broken" + i, "bad"));
    }
    ExportResult result;
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      result =
          exporter.export(
              Fixtures.definition(connection, "S"), Fixtures.streaming("S", profiles), FAST);
    }
    assertAddsUp(result);
    assertThat(result.exported()).isEqualTo(CAP);
    assertThat(result.notAttempted()).isEqualTo(5);
    assertThat(result.duplicates()).isEqualTo(30);
    assertThat(result.rejected()).isEqualTo(30);
  }
}
