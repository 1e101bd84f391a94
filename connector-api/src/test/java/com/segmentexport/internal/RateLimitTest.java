package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.FAST_RETRY;
import static com.segmentexport.testsupport.Fixtures.assertAddsUp;
import static com.segmentexport.testsupport.Fixtures.connection;
import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.RecordingListener;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** §3 Rate limiting, §5 rule 3: the vendor's signals are honoured and the configured rate is never exceeded. */
class RateLimitTest {
  private static final long TOLERANCE_MS = 60;

  /** Requests arriving this soon after the client paused were sent before it did. */
  private static final long CONCURRENT_MS = 50;

  private final FakeVendor vendor = new FakeVendor();

  /** When the client first paused for a throttling answer ({@link System#nanoTime()}, as the vendor's times). */
  private final AtomicLong pausedAt = new AtomicLong();

  private final RecordingListener listener =
      new RecordingListener() {
        @Override
        public void throttled(Duration wait, String reason) {
          pausedAt.compareAndSet(0, System.nanoTime()); // just after the limiter was paused
          super.throttled(wait, reason);
        }
      };

  @AfterEach
  void stop() {
    vendor.close();
  }

  private ExportResult export(TestConnectorProvider provider, int profiles, ExportOptions options) {
    Connection c = connection(provider, vendor);
    try (SegmentExporter exporter = Connectors.of(provider).exporter(c)) {
      return exporter.export(
          Fixtures.definition(c, "S"),
          Fixtures.streaming("S", Fixtures.valid("p", profiles)),
          options.withListener(listener));
    }
  }

  private static TestConnectorProvider sequential() {
    return TestConnectorProvider.builder().limits(5, 1 << 20, 1, 1000).build();
  }

  private static long millisBetween(FakeVendor.Received a, FakeVendor.Received b) {
    return (b.atNanos() - a.atNanos()) / 1_000_000;
  }

  /**
   * A 429 with a wait pauses every request of the budget, also those that had reserved their slot and
   * were waiting for it when the 429 came: none reaches the vendor before the wait is over.
   */
  @ParameterizedTest
  @ValueSource(strings = {"Retry-After seconds", "Retry-After date", "X-RateLimit-Reset"})
  void aWaitHoldsTheRequestsAlreadyQueuedInTheLimiter(String signal) {
    long[] refusedAt = new long[1];
    vendor.fault(
        (r, proceed) -> {
          if (r.writeNumber() != 1) {
            return proceed.get();
          }
          refusedAt[0] = r.atNanos();
          MockResponse.Builder slowDown = FakeVendor.error(429, "SLOW_DOWN", "too many requests");
          switch (signal) {
            case "Retry-After seconds":
              return slowDown.addHeader("Retry-After", "1");
            case "Retry-After date":
              return slowDown.addHeader(
                  "Retry-After",
                  DateTimeFormatter.ofPattern(
                          "EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US)
                      .format(
                          Instant.ofEpochSecond(System.currentTimeMillis() / 1000 + 2)
                              .atZone(ZoneOffset.UTC)));
            default:
              return slowDown
                  .addHeader("X-RateLimit-Remaining", "0")
                  .addHeader(
                      "X-RateLimit-Reset", Long.toString(System.currentTimeMillis() / 1000 + 2));
          }
        });
    // Four requests in flight at 10 per second: when the first is refused, the next three have
    // reserved
    // their slots (100, 200 and 300 ms later) and are waiting for them.
    ExportResult result =
        export(TestConnectorProvider.builder().limits(5, 1 << 20, 4, 10).build(), 40, FAST);

    assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(result.exported()).isEqualTo(40);
    // A write whose slot came before the client had read the 429 and paused (on a loaded machine,
    // reading
    // it can take longer than the 100 ms between slots) was sent before the pause and may arrive
    // after
    // the refusal; one still waiting for its slot when the client paused must wait out the pause.
    assertThat(pausedAt.get()).isNotZero();
    List<FakeVendor.Received> early =
        vendor.writes().stream()
            .filter(
                w ->
                    w.atNanos() - pausedAt.get() > CONCURRENT_MS * 1_000_000L
                        && w.atNanos() - refusedAt[0] < 900_000_000L)
            .toList();
    assertThat(early).as("writes that reached the vendor during its wait").isEmpty();
  }

  @Test
  void retryAfterInSecondsIsWaitedOut() {
    vendor.fault(
        (r, proceed) ->
            r.writeNumber() == 1
                ? FakeVendor.error(429, "SLOW_DOWN", "too many requests")
                    .addHeader("Retry-After", "1")
                : proceed.get());
    ExportResult result =
        export(TestConnectorProvider.builder().limits(5, 1 << 20, 2, 1000).build(), 30, FAST);

    assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(vendor.appliedCounts().values()).hasSize(30).containsOnly(1);
    List<FakeVendor.Received> writes = vendor.writes();
    assertThat(writes).hasSize(7);
    FakeVendor.Received throttled =
        writes.stream().filter(w -> w.writeNumber() == 1).findFirst().orElseThrow();
    FakeVendor.Received retried =
        writes.stream()
            .filter(w -> w.number() > throttled.number() && w.emails().equals(throttled.emails()))
            .findFirst()
            .orElseThrow();
    assertThat(millisBetween(throttled, retried)).isGreaterThanOrEqualTo(1000 - TOLERANCE_MS);
    // The whole connection waited: apart from the one other batch that may already have been on its
    // way
    // (two in flight), and requests sent before the client could read the 429 (within CONCURRENT_MS
    // of
    // it: on a loaded machine the answer can take that long to be read), nothing reached the vendor
    // during
    // the wait it asked for.
    List<FakeVendor.Received> later =
        vendor.received().stream()
            .filter(
                r ->
                    r.number() > throttled.number() + 1
                        && millisBetween(throttled, r) > CONCURRENT_MS)
            .toList();
    assertThat(later)
        .hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(
            r ->
                assertThat(millisBetween(throttled, r))
                    .isGreaterThanOrEqualTo(1000 - TOLERANCE_MS));
    assertThat(result.throttledTime()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(listener.events("throttled"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.arg(0)).isEqualTo(Duration.ofSeconds(1));
              assertThat((String) e.arg(1)).contains("429");
            });
    assertThat(result.retries()).isEqualTo(1);
  }

  @Test
  void anExhaustedQuotaPausesUntilTheResetGivenInSeconds() {
    vendor.fault(
        (r, proceed) ->
            r.writeNumber() == 1
                ? proceed
                    .get()
                    .addHeader("X-RateLimit-Remaining", "0")
                    .addHeader("X-RateLimit-Reset", "1")
                : proceed.get().addHeader("X-RateLimit-Remaining", "57"));
    ExportResult result = export(sequential(), 10, FAST);

    assertThat(result.exported()).isEqualTo(10);
    List<FakeVendor.Received> writes = vendor.writes();
    assertThat(writes).hasSize(2);
    assertThat(millisBetween(writes.get(0), writes.get(1)))
        .isGreaterThanOrEqualTo(1000 - TOLERANCE_MS);
    assertThat(result.retries()).isZero();
    assertThat(result.throttledTime()).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    assertThat(listener.events("throttled")).hasSize(1);
  }

  @Test
  void anExhaustedQuotaPausesUntilTheResetGivenAsEpochSeconds() {
    AtomicLong expectedWaitMs = new AtomicLong();
    vendor.fault(
        (r, proceed) -> {
          if (r.writeNumber() != 1) {
            return proceed.get();
          }
          long now = System.currentTimeMillis();
          long reset = (now + 1500) / 1000; // a whole second, 0.5 to 1.5 s from now
          expectedWaitMs.set(reset * 1000 - now);
          return proceed
              .get()
              .addHeader("X-RateLimit-Remaining", "0")
              .addHeader("X-RateLimit-Reset", reset);
        });
    ExportResult result = export(sequential(), 10, FAST);

    assertThat(result.exported()).isEqualTo(10);
    List<FakeVendor.Received> writes = vendor.writes();
    assertThat(expectedWaitMs.get()).isBetween(500L, 1500L);
    assertThat(millisBetween(writes.get(0), writes.get(1)))
        .isGreaterThanOrEqualTo(expectedWaitMs.get() - TOLERANCE_MS - 40);
    assertThat(result.throttledTime()).isPositive();
  }

  @Test
  void throttlingWithoutHeadersBacksOff() {
    vendor.fault(
        (r, proceed) ->
            r.isWrite() && r.writeNumber() <= 2
                ? FakeVendor.error(429, "SLOW_DOWN", "too many requests")
                : proceed.get());
    ExportOptions options =
        ExportOptions.DEFAULT.withRetryPolicy(
            FAST_RETRY.withDelays(Duration.ofMillis(200), Duration.ofMillis(400)));
    ExportResult result = export(sequential(), 5, options);

    assertThat(result.exported()).isEqualTo(5);
    List<FakeVendor.Received> writes = vendor.writes();
    assertThat(writes).hasSize(3);
    // Backoff with jitter: at least half of 200 ms after the first 429, half of 400 ms after the
    // second.
    assertThat(millisBetween(writes.get(0), writes.get(1))).isGreaterThanOrEqualTo(100 - 10);
    assertThat(millisBetween(writes.get(1), writes.get(2))).isGreaterThanOrEqualTo(200 - 10);
    assertThat(listener.events("throttled")).hasSize(2);
    assertThat(result.throttledTime()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(result.retries()).isEqualTo(2);
  }

  @Test
  void aVendorThatNeverStopsThrottlingIsGivenUpOn() {
    vendor.fault(
        (r, proceed) -> r.isWrite() ? FakeVendor.error(429, "SLOW_DOWN", "no") : proceed.get());
    ExportOptions options =
        ExportOptions.DEFAULT.withRetryPolicy(
            FAST_RETRY.withDelays(Duration.ofMillis(1), Duration.ofMillis(2)));
    ExportResult result =
        export(TestConnectorProvider.builder().limits(5, 1 << 20, 1, 10_000).build(), 5, options);
    assertAddsUp(result);
    assertThat(result.rejected()).isEqualTo(5);
    assertThat(vendor.writes()).hasSize(51);
  }

  @Test
  void aWaitLongerThanThePolicyAllowsFailsTheBatchInsteadOfHanging() {
    vendor.fault(
        (r, proceed) ->
            r.isWrite()
                ? FakeVendor.error(429, "SLOW_DOWN", "come back tomorrow")
                    .addHeader("Retry-After", "86400")
                : proceed.get());
    long t0 = System.nanoTime();
    ExportResult result = export(sequential(), 5, FAST);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    assertAddsUp(result);
    assertThat(result.rejected()).isEqualTo(5);
    assertThat(vendor.writes()).hasSize(1);
  }

  @Test
  void theConfiguredRequestRateIsNotExceeded() {
    double rate = 20;
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(1, 1 << 20, 4, rate).build();
    ExportResult result = export(provider, 30, FAST);
    assertThat(result.exported()).isEqualTo(30);
    assertRateRespected(vendor.received(), rate, 31);
  }

  @Test
  void exportsOnTheSameConnectionShareItsRateLimit() {
    double rate = 20;
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(1, 1 << 20, 4, rate).build();
    Connection c = connection(provider, vendor);
    Connectors connectors = Connectors.of(provider);
    try (SegmentExporter one = connectors.exporter(c);
        SegmentExporter two = connectors.exporter(c)) {
      ExportHandle a =
          one.start(
              Fixtures.definition(c, "A"), Fixtures.streaming("A", Fixtures.valid("a", 15)), FAST);
      ExportHandle b =
          two.start(
              Fixtures.definition(c, "B"), Fixtures.streaming("B", Fixtures.valid("b", 15)), FAST);
      assertThat(a.await().exported()).isEqualTo(15);
      assertThat(b.await().exported()).isEqualTo(15);
    }
    assertRateRespected(vendor.received(), rate, 32);
  }

  /**
   * In every window between two requests, no more requests arrived than the rate allows, plus the
   * limiter's burst (a fifth of a second of requests) and two for scheduling noise.
   */
  private static void assertRateRespected(
      List<FakeVendor.Received> received, double rate, int expected) {
    assertThat(received).hasSize(expected);
    long burst = (long) Math.ceil(rate * 0.2);
    for (int i = 0; i < received.size(); i++) {
      for (int j = i + 1; j < received.size(); j++) {
        double seconds = (received.get(j).atNanos() - received.get(i).atNanos()) / 1e9;
        int count = j - i + 1;
        assertThat((double) count)
            .as("%d requests in %.3f s (requests %d..%d)", count, seconds, i + 1, j + 1)
            .isLessThanOrEqualTo(rate * seconds + burst + 2);
      }
    }
  }
}
