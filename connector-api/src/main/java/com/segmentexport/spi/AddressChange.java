package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

/**
 * Gives the vendor's contact of a moved profile its new address, as the same contact: one vendor's
 * calls for a record whose {@linkplain ExportRecord#previousEmail() previous address} the vendor knows.
 * A connector implements it with its vendor's own calls and hands it to {@link AddressChanges}, which
 * applies it to a batch's moved records and turns each {@link Result} into the record's outcome.
 *
 * <p>An implementation answers the four outcomes the vendors share ({@link Outcome}); any other refusal
 * is a {@link com.segmentexport.api.DestinationException}, and a failure whose outcome it cannot settle
 * (by reading the addresses back, say) an {@link OutcomeUnknownException}. {@link
 * com.segmentexport.api.AuthenticationException} and {@link ExportCancelledException} propagate. It is
 * called by several workers at once, so it must be thread-safe. The vendors' calls and readings are in
 * {@code docs/vendors-address-change.md}.
 */
@FunctionalInterface
public interface AddressChange {
  /** What became of an address change. */
  enum Outcome {
    /**
     * The vendor's contact answers to the new address now, as the same contact (or the two addresses
     * are one to the vendor, and no call was needed): the caller writes the record as usual.
     */
    CHANGED,
    /**
     * The vendor has no contact at the old address: nothing changed; the caller's write adds the new
     * address.
     */
    CURRENT_UNKNOWN,
    /**
     * Another contact has the new address: nothing changed, nothing merged; the caller's write updates
     * that contact, and the one at the old address stays (for a mirror mode to remove).
     */
    NEW_ADDRESS_TAKEN,
    /** The vendor refused the new address itself (invalid, say): the record is rejected. */
    REFUSED
  }

  /**
   * An address change's outcome, with the vendor's code and message where it answered one.
   *
   * @param outcome what became of the change
   * @param vendorCode the vendor's code, or null when it answered none (as when it made the change)
   * @param message why, for reports; never an address
   */
  record Result(Outcome outcome, String vendorCode, String message) {
    /**
     * Checks the parts.
     *
     * @param outcome what became of the change
     * @param vendorCode the vendor's code, or null
     * @param message why, for reports; never an address
     */
    public Result {
      requireNonNull(outcome, "outcome == null");
      requireNonNull(message, "message == null");
    }
  }

  /**
   * Gives the vendor's contact at {@code oldEmail} the address {@code newEmail}.
   *
   * @param oldEmail the address the vendor knows the contact by
   * @param newEmail the profile's address now
   * @return the outcome
   * @throws OutcomeUnknownException if the change failed ambiguously and the implementation could not
   *     settle it
   * @throws com.segmentexport.api.DestinationException if the vendor refused a call otherwise
   */
  Result change(String oldEmail, String newEmail);
}
