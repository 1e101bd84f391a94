package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The connection's limiter: pacing, burst, vendor pauses, slow-down and recovery. Reservations are
 * compared as absolute start times (clock before the call + the wait returned), so that the time the
 * test thread spends between calls, however long on a busy machine, does not matter.
 */
class RateLimiterTest {
  private static final long MS = 1_000_000;

  /** Absolute start times of {@code n} consecutive reservations. */
  private static long[] starts(RateLimiter limiter, int n) {
    long[] starts = new long[n];
    for (int i = 0; i < n; i++) {
      long before = System.nanoTime();
      starts[i] = before + limiter.reserve();
    }
    return starts;
  }

  @Test
  void reservationsAreSpacedByTheRateAfterTheBurst() {
    RateLimiter limiter =
        new RateLimiter(20); // a burst of 2 (100 ms of requests), then one per 50 ms
    long before = System.nanoTime();
    assertThat(limiter.reserve()).isZero();
    assertThat(limiter.reserve()).isZero();
    long[] s = starts(limiter, 5);
    // The third request's slot is one interval after the first, the next ones one interval apart.
    // (The
    // tolerance covers a thread preempted inside a call on a busy machine.)
    assertThat(s[0] - before).isCloseTo(50 * MS, within(10 * MS));
    for (int i = 1; i < s.length; i++) {
      assertThat(s[i] - s[i - 1]).isCloseTo(50 * MS, within(10 * MS));
    }
  }

  @Test
  void aPauseHoldsBackEveryRequestUntilItEnds() {
    RateLimiter limiter = new RateLimiter(1000);
    long before = System.nanoTime();
    limiter.pause(Duration.ofMillis(500));
    long[] s = starts(limiter, 3);
    for (long start : s) {
      assertThat(start - before).isGreaterThanOrEqualTo(500 * MS);
    }
    // A shorter pause never shortens a longer one.
    limiter.pause(Duration.ofMillis(10));
    assertThat(starts(limiter, 1)[0] - before).isGreaterThanOrEqualTo(500 * MS);
  }

  @Test
  void throttlingWithoutAWaitSlowsDownAndSuccessRecovers() {
    RateLimiter limiter = new RateLimiter(100);
    limiter.slowDown();
    assertThat(limiter.currentRate()).isCloseTo(70, within(0.001));
    for (int i = 0; i < 20; i++) {
      limiter.slowDown();
    }
    assertThat(limiter.currentRate())
        .isCloseTo(10, within(0.001)); // never below a tenth of the base rate
    limiter.recover();
    assertThat(limiter.currentRate()).isCloseTo(12, within(0.001));
    for (int i = 0; i < 100; i++) {
      limiter.recover();
    }
    assertThat(limiter.currentRate()).isCloseTo(100, within(0.001)); // never above the base rate
  }

  @Test
  void aSlowerRateSpacesReservationsFurther() {
    RateLimiter limiter = new RateLimiter(1000);
    for (int i = 0; i < 10; i++) {
      limiter.slowDown();
    }
    assertThat(limiter.currentRate()).isCloseTo(100, within(0.001));
    // After the burst, 10 ms apart instead of 1 ms.
    long[] s = starts(limiter, 60);
    assertThat(s[59] - s[30]).isCloseTo(29 * 10 * MS, within(10 * MS));
  }

  @Test
  void eachConnectionHasOneLimiter() {
    RateLimiters limiters = new RateLimiters();
    assertThat(limiters.forAccount("a", 10)).isSameAs(limiters.forAccount("a", 99));
    assertThat(limiters.forAccount("a", 10)).isNotSameAs(limiters.forAccount("b", 10));
  }
}
