package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/** What a response means, as a {@link ResponseClassifier} decides. */
public final class Verdict {
  /** The kind of verdict. */
  public enum Kind {
    /** Hand the response to the connector (success, or an error it parses itself). */
    ACCEPT,
    /** Rate-limited: wait (as the response's headers say, else back off) and repeat. */
    THROTTLE,
    /** A transient failure: back off and repeat, within the retry policy. */
    RETRY,
    /** The credentials were refused: fail at once, never repeat. */
    AUTHENTICATION
  }

  private static final Verdict ACCEPT = new Verdict(Kind.ACCEPT, null, "accepted");

  private final Kind kind;
  private final Duration wait;
  private final String reason;

  private Verdict(Kind kind, Duration wait, String reason) {
    this.kind = kind;
    this.wait = wait;
    this.reason = reason;
  }

  /**
   * Hand the response to the connector.
   *
   * @return the verdict
   */
  public static Verdict accept() {
    return ACCEPT;
  }

  /**
   * Rate-limited; the wait comes from the response headers or the backoff.
   *
   * @param reason why, for logs and events
   * @return the verdict
   */
  public static Verdict throttle(String reason) {
    return new Verdict(Kind.THROTTLE, null, requireNonNull(reason, "reason == null"));
  }

  /**
   * Rate-limited for a known time.
   *
   * @param wait how long to wait
   * @param reason why, for logs and events
   * @return the verdict
   */
  public static Verdict throttle(Duration wait, String reason) {
    return new Verdict(
        Kind.THROTTLE,
        requireNonNull(wait, "wait == null"),
        requireNonNull(reason, "reason == null"));
  }

  /**
   * {@return a transient failure to retry with backoff}
   *
   * @param reason why, for logs and events
   */
  public static Verdict retry(String reason) {
    return new Verdict(Kind.RETRY, null, requireNonNull(reason, "reason == null"));
  }

  /**
   * The credentials were refused; {@code reason} must not contain secrets.
   *
   * @param reason why, for logs and events
   * @return the verdict
   */
  public static Verdict authentication(String reason) {
    return new Verdict(Kind.AUTHENTICATION, null, requireNonNull(reason, "reason == null"));
  }

  /** {@return the kind} */
  public Kind kind() {
    return kind;
  }

  /** {@return a wait the vendor asked for, if the classifier knows it} */
  public Optional<Duration> requestedWait() {
    return Optional.ofNullable(wait);
  }

  /** {@return why, for logs and events} */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return kind + "(" + reason + ")";
  }
}
