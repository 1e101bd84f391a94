package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Date;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

/** How the wait a vendor asks for is read from Retry-After and X-RateLimit-Reset. */
class VendorWaitHeadersTest {
  @Test
  void retryAfterInSecondsAndFractions() {
    assertThat(DefaultVendorHttp.waitFromHeaders(Headers.of("Retry-After", "3"))).isEqualTo(Duration.ofSeconds(3));
    assertThat(DefaultVendorHttp.waitFromHeaders(Headers.of("Retry-After", " 0.25 "))).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void retryAfterAsAnHttpDate() {
    Headers h = new Headers.Builder().set("Retry-After", new Date(System.currentTimeMillis() + 10_000)).build();
    Duration wait = DefaultVendorHttp.waitFromHeaders(h);
    assertThat(wait).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
  }

  @Test
  void resetAsDeltaEpochSecondsOrEpochMillis() {
    assertThat(DefaultVendorHttp.resetWait("2")).isEqualTo(Duration.ofSeconds(2));
    long now = System.currentTimeMillis();
    assertThat(DefaultVendorHttp.resetWait(Long.toString(now / 1000 + 5)))
        .isBetween(Duration.ofSeconds(3), Duration.ofSeconds(5));
    assertThat(DefaultVendorHttp.resetWait(Long.toString(now + 5000)))
        .isBetween(Duration.ofSeconds(4), Duration.ofSeconds(5));
    assertThat(DefaultVendorHttp.resetWait(Long.toString(now / 1000 - 60))).isEqualTo(Duration.ZERO);
  }

  @Test
  void resetIsUsedWhenThereIsNoRetryAfter() {
    assertThat(DefaultVendorHttp.waitFromHeaders(Headers.of("X-RateLimit-Reset", "4"))).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void missingOrUnreadableHeadersGiveNoWait() {
    assertThat(DefaultVendorHttp.waitFromHeaders(Headers.of())).isNull();
    assertThat(DefaultVendorHttp.waitFromHeaders(Headers.of("Retry-After", "soon"))).isNull();
    assertThat(DefaultVendorHttp.resetWait("tomorrow")).isNull();
    assertThat(DefaultVendorHttp.resetWait(null)).isNull();
  }
}
