package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Work a run left at the vendor whose outcome is not yet known, such as a dotdigital import not yet
 * polled to its end: kept in the {@link DestinationState} so that a crashed run's successor can finish it
 * before new work.
 *
 * @param runId the run that started it
 * @param kind what it is, e.g. {@code import}
 * @param vendorRef the vendor's reference of it, e.g. the import id
 * @param payload what the engine needs to record its outcome (the members it carries), in the
 *     engine's own text form
 * @param createdAt when it started
 */
public record PendingWork(
    String runId, String kind, String vendorRef, String payload, Instant createdAt) {
  /**
   * Checks the parts.
   *
   * @param runId the run that started it
   * @param kind what it is
   * @param vendorRef the vendor's reference of it
   * @param payload what the engine needs to record its outcome
   * @param createdAt when it started
   */
  public PendingWork {
    requireNonNull(runId, "runId == null");
    requireNonNull(kind, "kind == null");
    requireNonNull(vendorRef, "vendorRef == null");
    requireNonNull(payload, "payload == null");
    requireNonNull(createdAt, "createdAt == null");
  }

  @Override
  public String toString() {
    return "PendingWork{" + kind + " " + vendorRef + " of run " + runId + "}";
  }
}
