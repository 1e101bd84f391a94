package com.segmentexport.api;

/** Why a profile was not exported. */
public enum RejectionReason {
  /** The mapped e-mail field is absent or blank. */
  MISSING_EMAIL,
  /** The e-mail address is not one the vendors accept. */
  INVALID_EMAIL,
  /** A mapped value could not be converted to the destination field's type. */
  INVALID_VALUE,
  /** The vendor rejected this record (see the vendor code and message). */
  VENDOR_REJECTED,
  /** The contact unsubscribed at the vendor; the export does not resubscribe them. */
  UNSUBSCRIBED,
  /** The contact is suppressed (bounced, complained, blocked) at the vendor; left untouched. */
  SUPPRESSED,
  /** The vendor refused the whole request this record was in (see the vendor code and message). */
  BATCH_FAILED,
  /** The request carrying this record failed through every retry: it is not at the vendor. */
  DELIVERY_FAILED,
  /**
   * Not a rejection: the record was sent, but no answer of the vendor proved what became of it (the
   * run stopped before the vendor confirmed it, or the vendor's answer did not name it). It may be on
   * the list. Counted in {@link SegmentResult#unconfirmed()}, shown in the result's sample, and never
   * given to the {@link RejectedRecordSink}.
   */
  UNCONFIRMED
}
