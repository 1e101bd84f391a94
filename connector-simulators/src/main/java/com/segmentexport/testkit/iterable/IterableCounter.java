package com.segmentexport.testkit.iterable;

/** What {@link IterableSimulator} counts, in one {@link com.segmentexport.testkit.Counters}. */
enum IterableCounter {
  /** {@code POST /api/users/updateEmail} calls applied: a user now answers to another address. */
  ADDRESS_CHANGES,
  /** {@code POST /api/users/updateEmail} calls refused (unknown user, address taken or forgotten, invalid). */
  ADDRESS_CHANGE_REFUSALS
}
