package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * What the vendor did with one member in one batch, as the engine records it in a
 * {@link DestinationState}.
 *
 * @param memberKey the member's key (see {@link MemberState#memberKey()})
 * @param email the address sent
 * @param fieldsHash the hash of the mapped fields sent
 * @param kind what became of it
 * @param reason why it was rejected or is unconfirmed; empty when confirmed
 * @param vendorId the vendor's own id of the contact, where its answer gave one
 * @param at when the vendor answered
 */
public record MemberOutcome(
    String memberKey,
    String email,
    long fieldsHash,
    Kind kind,
    Optional<String> reason,
    Optional<String> vendorId,
    Instant at) {
  /** What became of a member's send. */
  public enum Kind {
    /** The vendor confirmed the member with the fields sent. */
    CONFIRMED,
    /** The vendor (or the SDK's validation of its answer) refused the member: the next run sends it again. */
    REJECTED,
    /** Sent, but no answer proved what became of it: the next run sends it again. */
    UNCONFIRMED
  }

  /**
   * Checks the parts.
   *
   * @param memberKey the member's key
   * @param email the address sent
   * @param fieldsHash the hash of the mapped fields sent
   * @param kind what became of it
   * @param reason why it was rejected or is unconfirmed
   * @param vendorId the vendor's own id of the contact
   * @param at when the vendor answered
   */
  public MemberOutcome {
    requireNonNull(memberKey, "memberKey == null");
    requireNonNull(email, "email == null");
    requireNonNull(kind, "kind == null");
    requireNonNull(reason, "reason == null");
    requireNonNull(vendorId, "vendorId == null");
    requireNonNull(at, "at == null");
  }

  @Override
  public String toString() {
    return "MemberOutcome{" + kind + reason.map(r -> " " + r).orElse("") + "}";
  }
}
