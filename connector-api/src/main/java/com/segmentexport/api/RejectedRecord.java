package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A profile that was not exported, and why.
 *
 * @param segment the segment it belongs to
 * @param row its 1-based position in the segment as read
 * @param maskedIdentifier its e-mail address masked (such as {@code a***@e***.org}), or empty when
 *     it had none
 * @param reason our reason code
 * @param vendorCode the vendor's code, where the vendor gave one
 * @param message the vendor's message, or ours
 */
public record RejectedRecord(
    String segment,
    long row,
    String maskedIdentifier,
    RejectionReason reason,
    Optional<String> vendorCode,
    String message) {

  /**
   * Checks the parts.
   *
   * @param segment the segment it belongs to
   * @param row its 1-based position in the segment as read
   * @param maskedIdentifier the e-mail address, masked
   * @param reason our reason code
   * @param vendorCode the vendor's code, where the vendor gave one
   * @param message the vendor's message, or ours
   */
  public RejectedRecord {
    requireNonNull(segment, "segment == null");
    requireNonNull(maskedIdentifier, "maskedIdentifier == null");
    requireNonNull(reason, "reason == null");
    requireNonNull(vendorCode, "vendorCode == null");
    requireNonNull(message, "message == null");
  }
}
