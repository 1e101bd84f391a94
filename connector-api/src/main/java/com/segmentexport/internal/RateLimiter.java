package com.segmentexport.internal;

import java.time.Duration;

/**
 * One rate budget's request pacing (a vendor account's, see {@link RateLimiters}), shared by every
 * export on it: a generic cell-rate limiter (a token bucket holding 100 ms of requests) seeded with the
 * vendor's documented rate, paused by the vendor's signals ({@code Retry-After}, an exhausted {@code
 * X-RateLimit-Remaining}, a 429), slowed multiplicatively by each such push-back and recovering
 * additively on success. Time comes from a {@link Ticker}.
 */
final class RateLimiter {
  private double baseRate;
  private double rate;
  private long intervalNanos;
  private long burstNanos;
  private long theoreticalArrival;
  private long pausedUntil;
  private final Ticker ticker;

  RateLimiter(double requestsPerSecond) {
    this(requestsPerSecond, Ticker.SYSTEM);
  }

  /** A limiter on this clock (tests drive a fake one). */
  RateLimiter(double requestsPerSecond, Ticker ticker) {
    this.ticker = ticker;
    this.baseRate = requestsPerSecond;
    setRate(requestsPerSecond);
    this.theoreticalArrival = ticker.nanoTime();
    this.pausedUntil = theoreticalArrival;
  }

  private void setRate(double r) {
    rate = r;
    intervalNanos = Math.max(1, (long) (1_000_000_000L / r));
    // Half of the 200 ms a vendor's bucket commonly holds: spending the vendor's whole burst at the
    // start
    // would leave its bucket empty for the rest of the export, so that any request arriving a
    // little early
    // (a slow upload before it, a pause in the network) is refused, and some vendors' 429s say only
    // "wait
    // until the next second". Keeping half of it is the vendor's margin for our jitter.
    long burst = Math.max(1, (long) Math.ceil(r * 0.1));
    burstNanos = (burst - 1) * intervalNanos;
  }

  /**
   * Sets the rate to recover towards (a connection configured anew for the same account); the current
   * rate moves to it at once unless throttling had slowed it below both.
   */
  synchronized void setBaseRate(double requestsPerSecond) {
    if (requestsPerSecond == baseRate) {
      return;
    }
    boolean slowed = rate < baseRate;
    baseRate = requestsPerSecond;
    setRate(slowed ? Math.min(rate, requestsPerSecond) : requestsPerSecond);
  }

  /** Reserves the next request slot; returns how long to wait before sending, in nanoseconds. */
  synchronized long reserve() {
    long now = ticker.nanoTime();
    long start = Math.max(now, Math.max(theoreticalArrival - burstNanos, pausedUntil));
    theoreticalArrival = Math.max(theoreticalArrival, start) + intervalNanos;
    return start - now;
  }

  /**
   * The vendor pushed back (a 429, or its quota reported used up): holds every request of this budget
   * back for {@code wait} — also those that reserved their slot earlier and are still waiting for it, which
   * check {@link #pauseRemaining()} before they go — and, once per such event, lowers the rate to 70%
   * (not below a tenth of the base rate), so that the pause does not end in the same burst that caused
   * it. Successes raise it again gradually ({@link #recover()}).
   */
  synchronized void throttled(Duration wait) {
    boolean newEvent = ticker.nanoTime() - pausedUntil >= 0;
    pause(wait);
    if (newEvent) {
      setRate(Math.max(baseRate / 10, rate * 0.7));
    }
    // No burst credit at the pause's end: the requests held back resume one interval apart.
    if (pausedUntil + burstNanos - theoreticalArrival > 0) {
      theoreticalArrival = pausedUntil + burstNanos;
    }
  }

  /** How long the current pause still holds requests back, in nanoseconds; 0 or less when none does. */
  synchronized long pauseRemaining() {
    return pausedUntil - ticker.nanoTime();
  }

  /** Holds every request back for {@code wait}, as a vendor asked. */
  synchronized void pause(Duration wait) {
    long until = ticker.nanoTime() + wait.toNanos();
    if (until - pausedUntil > 0) {
      pausedUntil = until;
    }
  }

  /** Throttled without a stated wait: slow down to 70%, not below a tenth of the base rate. */
  synchronized void slowDown() {
    setRate(Math.max(baseRate / 10, rate * 0.7));
  }

  /** A request went through: creep back up towards the base rate. */
  synchronized void recover() {
    if (rate < baseRate) {
      setRate(Math.min(baseRate, rate + baseRate * 0.02));
    }
  }

  synchronized double currentRate() {
    return rate;
  }
}
