package com.segmentexport.testkit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Faults a {@link VendorSimulator} injects into its write requests (the requests that change the
 * destination), counted from 1 in arrival order: fail the k-th with a status, drop its connection
 * (before or after applying it), delay it, or answer it as rate-limited. Requests that create a
 * destination (a list) are counted apart, as creates, and take the same kinds of fault.
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
    THROTTLE,
    /**
     * Apply the request, then answer with an HTTP error status (a gateway's 502 or 504 in front of a
     * vendor that did the work): the client is told it failed although it did not.
     */
    STATUS_AFTER_APPLYING
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
  private final Map<Integer, Fault> byCreate = new ConcurrentHashMap<>();
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

  /** The k-th write is applied, then answered {@code status} (a gateway's 504 after the vendor's work). */
  public FaultPlan failWriteAfterApplying(int k, int status) {
    return put(k, new Fault(Kind.STATUS_AFTER_APPLYING, status, null));
  }

  /**
   * The k-th request that creates a destination (1-based, counted apart from writes) is applied, then
   * answered {@code status}: the list exists, but the client was told the create failed.
   */
  public FaultPlan failCreateAfterApplying(int k, int status) {
    return putCreate(k, new Fault(Kind.STATUS_AFTER_APPLYING, status, null));
  }

  /** The k-th create is applied, then its connection is dropped before the answer. */
  public FaultPlan dropCreateAfterApplying(int k) {
    return putCreate(k, new Fault(Kind.DROP_AFTER_APPLYING, 0, null));
  }

  /** The k-th create answers {@code status} without being applied. */
  public FaultPlan failCreate(int k, int status) {
    return putCreate(k, new Fault(Kind.STATUS, status, null));
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
    byCreate.clear();
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

  private FaultPlan putCreate(int k, Fault fault) {
    if (k < 1) {
      throw new IllegalArgumentException("creates are counted from 1");
    }
    byCreate.put(k, fault);
    return this;
  }

  Fault forCreate(int k) {
    return byCreate.get(k);
  }

  Fault forWrite(int k) {
    Fault f = byWrite.get(k);
    return f != null ? f : everyWrite;
  }
}
