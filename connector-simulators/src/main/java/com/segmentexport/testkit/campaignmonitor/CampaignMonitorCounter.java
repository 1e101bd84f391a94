package com.segmentexport.testkit.campaignmonitor;

/** What {@link CampaignMonitorSimulator} counts, in one {@link com.segmentexport.testkit.Counters}. */
enum CampaignMonitorCounter {
  /** Imports applied (answered 201, or 400 with code 210). */
  IMPORTS_ACCEPTED,
  /** Custom field keys the list does not have. */
  UNKNOWN_KEYS,
  /** Custom field values that do not fit their field's type. */
  INVALID_VALUES,
  /** Names not stored for being too long. */
  INVALID_NAMES,
  /** OAuth token refreshes. */
  TOKEN_REFRESHES,
  /** Subscribers whose import queued autoresponders. */
  AUTORESPONDERS_QUEUED,
  /** Subscriber updates ({@code PUT subscribers/{listid}.json?email=}) applied. */
  SUBSCRIBER_UPDATES,
  /** Subscriber updates that gave the subscriber another address (same record, same list). */
  ADDRESS_CHANGES,
  /** {@code DELETE subscribers/{listid}.json?email=} calls that moved a subscriber to Deleted. */
  DELETIONS,
  /** {@code DELETE} calls for a subscriber already Deleted (answered 200, nothing changed). */
  DELETION_NO_OPS,
  /** {@code POST subscribers/{listid}/unsubscribe.json} calls applied (a consent event). */
  UNSUBSCRIBES,
  /** Subscribers put on the client's suppression list by an unsubscribe. */
  SUPPRESSIONS,
  /** Deleted subscribers made Active again by an import or update with {@code Resubscribe} true. */
  DELETED_RESUBSCRIBED,
  /**
   * Subscribers made Active again by {@code Resubscribe} true although they had unsubscribed, bounced or
   * been suppressed: a consent the SDK must never override.
   */
  OPT_OUTS_OVERRIDDEN
}
