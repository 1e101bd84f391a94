package com.segmentexport.internal;

import com.segmentexport.api.LimitExceededException;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * An export's profile cap (the vendor's per-export limit), counted across its segments. Past the cap,
 * the reader goes on only to count what is left, for at most {@link #PAST_CAP_READING}, so that the
 * result says how much was not sent. Reader thread only.
 */
final class ProfileCap {
  /** How long the reader goes on past the cap, only to count the rest. */
  static final Duration PAST_CAP_READING = Duration.ofSeconds(10);

  private final long cap;
  private final String vendor;
  private final long pastCapReadingNanos;
  private final Ticker ticker;
  private long admitted;

  /** When the cap was first reached ({@link Ticker#nanoTime()}), valid once {@link #reached} is true. */
  private long reachedAt;

  private boolean reached;

  ProfileCap(OptionalLong cap, String vendor, Duration pastCapReading, Ticker ticker) {
    this.cap = cap.orElse(Long.MAX_VALUE);
    this.vendor = vendor;
    this.pastCapReadingNanos = pastCapReading.toNanos();
    this.ticker = ticker;
  }

  /** True when the vendor sets no cap. */
  boolean unlimited() {
    return cap == Long.MAX_VALUE;
  }

  /** The cap, or {@link Long#MAX_VALUE}. */
  long cap() {
    return cap;
  }

  /** Profiles admitted so far, all segments. */
  long admitted() {
    return admitted;
  }

  /** Admits one profile if the cap allows it. */
  boolean admit() {
    if (admitted >= cap) {
      return false;
    }
    admitted++;
    return true;
  }

  /** Notes that a profile was turned away by the cap. */
  void turnedAway() {
    if (!reached) {
      reached = true;
      reachedAt = ticker.nanoTime();
    }
  }

  /** True once the reader has counted past the cap for as long as it may. */
  boolean doneCounting() {
    return reached && ticker.nanoTime() - reachedAt > pastCapReadingNanos;
  }

  /** Why profiles past the cap are not attempted. */
  String reason() {
    return "the export reached " + vendor + "'s limit of " + cap + " profiles";
  }

  /** What the reason adds when the reader stopped before a segment's end. */
  String unreadNote() {
    return "; the rest of the segment was not read (counting stops "
        + Duration.ofNanos(pastCapReadingNanos).toSeconds()
        + " s after the limit)";
  }

  /** The error for sizes known in advance that break the cap. */
  LimitExceededException exceeded(long requested) {
    return new LimitExceededException(
        vendor
            + " accepts at most "
            + cap
            + " profiles per export; this export's "
            + "segments hold "
            + requested
            + ". Split the segments across several exports.",
        cap,
        requested);
  }
}
