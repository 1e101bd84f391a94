package com.segmentexport.testkit.iterable;

/** What {@link IterableSimulator} counts, in one {@link com.segmentexport.testkit.Counters}. */
enum IterableCounter {
  /** {@code POST /api/users/updateEmail} calls applied: a user now answers to another address. */
  ADDRESS_CHANGES,
  /** {@code POST /api/users/updateEmail} calls refused (unknown user, address taken or forgotten, invalid). */
  ADDRESS_CHANGE_REFUSALS,
  /** Users taken off a list by {@code POST /api/lists/unsubscribe}. */
  LIST_REMOVALS,
  /** Users named in {@code POST /api/lists/unsubscribe} who were not on the list (a success, no change). */
  LIST_REMOVAL_NO_OPS,
  /** {@code POST /api/lists/unsubscribe} requests accepted. */
  UNSUBSCRIBE_REQUESTS,
  /** Users unsubscribed from the list's channel ({@code channelUnsubscribe: true}): a global unsubscribe. */
  CHANNEL_UNSUBSCRIBES,
  /** {@code POST /api/lists/unsubscribe} requests carrying a {@code campaignId}. */
  CAMPAIGN_ATTRIBUTED_UNSUBSCRIBES,
  /** Users deleted by {@code DELETE /api/users/{email}}. */
  USER_DELETIONS
}
