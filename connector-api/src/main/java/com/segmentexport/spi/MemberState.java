package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One member of a destination as its {@link DestinationState} remembers it.
 *
 * @param memberKey the member's key: {@code id:} and the profile's stable id when the export's mapping
 *     names one, else {@code email:} and the normalised address
 * @param email the address the vendor last confirmed for the member, or the one last sent when none was
 *     ever confirmed
 * @param confirmedHash the hash of the mapped fields the vendor last confirmed; empty if it never
 *     confirmed the member
 * @param outcome what became of the member's last send
 * @param reason why the last send was rejected or is unconfirmed (a {@link
 *     com.segmentexport.api.RejectionReason} name and the vendor's code); empty when it was confirmed
 * @param vendorId the vendor's own id of the contact, where the vendor has one
 * @param updatedAt when the outcome was recorded
 */
public record MemberState(
    String memberKey,
    String email,
    OptionalLong confirmedHash,
    MemberOutcome.Kind outcome,
    Optional<String> reason,
    Optional<String> vendorId,
    Instant updatedAt) {
  /**
   * Checks the parts.
   *
   * @param memberKey the member's key
   * @param email the member's address
   * @param confirmedHash the hash of the fields the vendor last confirmed
   * @param outcome what became of the member's last send
   * @param reason why the last send was not confirmed
   * @param vendorId the vendor's own id of the contact
   * @param updatedAt when the outcome was recorded
   */
  public MemberState {
    requireNonNull(memberKey, "memberKey == null");
    requireNonNull(email, "email == null");
    requireNonNull(confirmedHash, "confirmedHash == null");
    requireNonNull(outcome, "outcome == null");
    requireNonNull(reason, "reason == null");
    requireNonNull(vendorId, "vendorId == null");
    requireNonNull(updatedAt, "updatedAt == null");
  }

  /**
   * {@return true if the vendor confirmed exactly these fields at the last send, so nothing need be sent}
   *
   * @param fieldsHash the hash of the member's mapped fields now
   */
  public boolean isUnchanged(long fieldsHash) {
    return outcome == MemberOutcome.Kind.CONFIRMED
        && confirmedHash.isPresent()
        && confirmedHash.getAsLong() == fieldsHash;
  }

  @Override
  public String toString() {
    return "MemberState{"
        + outcome
        + ", confirmed="
        + confirmedHash.isPresent()
        + ", at="
        + updatedAt
        + "}";
  }
}
