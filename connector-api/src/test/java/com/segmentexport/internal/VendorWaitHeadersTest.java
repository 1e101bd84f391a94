package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

/** How the wait a vendor asks for is read from Retry-After and X-RateLimit-Reset, on a fixed clock. */
class VendorWaitHeadersTest {
  private static final Instant NOW = Instant.parse("2026-12-05T10:00:00.400Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @Test
  void retryAfterInSecondsAndFractions() {
    assertThat(DefaultVendorHttp.waitFromHeaders(Headers.of("Retry-After", "3"), CLOCK))
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(DefaultVendorHttp.waitFromHeaders(Headers.of("Retry-After", " 0.25 "), CLOCK))
        .isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void retryAfterAsAnHttpDate() {
    // HTTP dates have whole seconds: 10:00:10 is 9.6 s after 10:00:00.4.
    Headers h =
        new Headers.Builder()
            .set("Retry-After", Date.from(Instant.parse("2026-12-05T10:00:10Z")))
            .build();
    assertThat(DefaultVendorHttp.waitFromHeaders(h, CLOCK)).isEqualTo(Duration.ofMillis(9_600));
  }

  @Test
  void retryAfterAsAnHttpDateWithAOneDigitDayAsJavasFormatterWritesIt() {
    // java.time's RFC_1123_DATE_TIME writes "Sat, 5 Dec 2026 10:00:03 GMT", which OkHttp does not
    // read.
    assertThat(
            DefaultVendorHttp.waitFromHeaders(
                Headers.of("Retry-After", "Sat, 5 Dec 2026 10:00:03 GMT"), CLOCK))
        .isEqualTo(Duration.ofMillis(2_600));
    assertThat(
            DefaultVendorHttp.waitFromHeaders(
                Headers.of("Retry-After", "Sat, 05 Dec 2026 10:00:03 GMT"), CLOCK))
        .isEqualTo(Duration.ofMillis(2_600));
  }

  @Test
  void resetAsDeltaEpochSecondsOrEpochMillis() {
    assertThat(DefaultVendorHttp.resetWait("2", CLOCK)).isEqualTo(Duration.ofSeconds(2));
    long now = NOW.toEpochMilli();
    assertThat(DefaultVendorHttp.resetWait(Long.toString(now / 1000 + 5), CLOCK))
        .isEqualTo(Duration.ofMillis(4_600));
    assertThat(DefaultVendorHttp.resetWait(Long.toString(now + 5000), CLOCK))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(DefaultVendorHttp.resetWait(Long.toString(now / 1000 - 60), CLOCK))
        .isEqualTo(Duration.ZERO);
  }

  @Test
  void resetIsUsedWhenThereIsNoRetryAfter() {
    assertThat(DefaultVendorHttp.waitFromHeaders(Headers.of("X-RateLimit-Reset", "4"), CLOCK))
        .isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void missingOrUnreadableHeadersGiveNoWait() {
    assertThat(DefaultVendorHttp.waitFromHeaders(Headers.of(), CLOCK)).isNull();
    assertThat(DefaultVendorHttp.waitFromHeaders(Headers.of("Retry-After", "soon"), CLOCK))
        .isNull();
    assertThat(DefaultVendorHttp.resetWait("tomorrow", CLOCK)).isNull();
    assertThat(DefaultVendorHttp.resetWait(null, CLOCK)).isNull();
  }
}
