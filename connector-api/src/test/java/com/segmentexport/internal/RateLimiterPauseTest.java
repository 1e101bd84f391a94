package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The limiter on a fake clock: what a vendor's push-back does to pacing, without real waits. */
class RateLimiterPauseTest {
  private static final long MS = 1_000_000L;
  private long now = 1_000 * MS;
  private final RateLimiter limiter = new RateLimiter(10, () -> now); // 100 ms apart, no burst

  @Test
  void aPauseHoldsRequestsThatReservedTheirSlotBeforeIt() {
    assertThat(limiter.reserve()).isZero();
    long queued = limiter.reserve();
    assertThat(queued).isEqualTo(100 * MS);
    now += 10 * MS;
    limiter.throttled(Duration.ofSeconds(1)); // the first request's 429
    now += queued - 10 * MS; // the queued request's slot comes
    assertThat(limiter.pauseRemaining())
        .as("the queued request finds the pause")
        .isEqualTo(910 * MS);
  }

  @Test
  void aPushBackLowersTheRateOncePerPauseAndSuccessesRaiseItAgain() {
    limiter.throttled(Duration.ofMillis(500));
    limiter.throttled(Duration.ofMillis(500)); // a second 429 of the same moment
    assertThat(limiter.currentRate()).isEqualTo(7.0);
    now += 600 * MS;
    limiter.throttled(Duration.ofMillis(500)); // a new push-back after the pause ended
    assertThat(limiter.currentRate()).isCloseTo(4.9, org.assertj.core.data.Offset.offset(1e-9));
    for (int i = 0; i < 100; i++) {
      limiter.recover();
    }
    assertThat(limiter.currentRate()).isEqualTo(10.0);
  }

  @Test
  void afterAPauseRequestsResumeOneIntervalApartNotInABurst() {
    RateLimiter fast = new RateLimiter(100, () -> now); // 10 ms apart, bursts of 10
    fast.throttled(Duration.ofSeconds(1));
    now += 1_000 * MS;
    long first = fast.reserve();
    long second = fast.reserve();
    assertThat(second - first)
        .as("no burst credit at the pause's end")
        .isEqualTo((long) (1e9 / 70));
  }
}
