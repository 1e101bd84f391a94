package com.segmentexport.testkit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Faults a {@link VendorSimulator} injects into its write requests (the requests that change the
 * destination), counted from 1 in arrival order: fail the k-th with a status, drop its connection
 * (before or after applying it), delay it, or answer it as rate-limited.
 */
public final class FaultPlan {
  /** What happens to one write request. */
  public enum Kind {
    /** Answer with an HTTP error status in the vendor's error shape; nothing applied. */
    STATUS,
    /** Close the connection without answering; nothing applied. */
    DROP_BEFORE_APPLYING,
    /** Apply the request, then close the connection without answering (the client cannot know). */
    DROP_AFTER_APPLYING,
    /** Apply the request and answer normally, but only after a delay. */
    DELAY,
    /** Answer 429 in the vendor's shape; nothing applied. */
    THROTTLE
  }

  /**
   * One planned fault.
   *
   * @param kind what happens
   * @param status the status for {@link Kind#STATUS}
   * @param duration the delay for {@link Kind#DELAY}, or the Retry-After for {@link Kind#THROTTLE}
   *     (null to send none)
   */
  public record Fault(Kind kind, int status, Duration duration) {}

  private final Map<Integer, Fault> byWrite = new ConcurrentHashMap<>();
  private volatile Fault everyWrite;

  /** The k-th write (1-based) answers {@code status}. */
  public FaultPlan failWrite(int k, int status) {
    return put(k, new Fault(Kind.STATUS, status, null));
  }

  /** The k-th write loses its connection before the simulator applies it. */
  public FaultPlan dropWrite(int k) {
    return put(k, new Fault(Kind.DROP_BEFORE_APPLYING, 0, null));
  }

  /** The k-th write is applied, then its connection is dropped before the answer. */
  public FaultPlan dropWriteAfterApplying(int k) {
    return put(k, new Fault(Kind.DROP_AFTER_APPLYING, 0, null));
  }

  /** The k-th write is answered after {@code delay}. */
  public FaultPlan delayWrite(int k, Duration delay) {
    return put(k, new Fault(Kind.DELAY, 0, delay));
  }

  /** The k-th write is answered 429, with {@code Retry-After} if {@code retryAfter} is not null. */
  public FaultPlan throttleWrite(int k, Duration retryAfter) {
    return put(k, new Fault(Kind.THROTTLE, 429, retryAfter));
  }

  /** Every write answers {@code status} (a vendor outage). */
  public FaultPlan failEveryWrite(int status) {
    everyWrite = new Fault(Kind.STATUS, status, null);
    return this;
  }

  /** Every write is answered after {@code delay}. */
  public FaultPlan delayEveryWrite(Duration delay) {
    everyWrite = new Fault(Kind.DELAY, 0, delay);
    return this;
  }

  /** Removes every planned fault. */
  public FaultPlan clear() {
    byWrite.clear();
    everyWrite = null;
    return this;
  }

  private FaultPlan put(int k, Fault fault) {
    if (k < 1) {
      throw new IllegalArgumentException("writes are counted from 1");
    }
    byWrite.put(k, fault);
    return this;
  }

  Fault forWrite(int k) {
    Fault f = byWrite.get(k);
    return f != null ? f : everyWrite;
  }
}
