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
  ADDRESS_CHANGES
}
