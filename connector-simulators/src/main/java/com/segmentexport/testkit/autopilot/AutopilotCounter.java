package com.segmentexport.testkit.autopilot;

/** What {@link AutopilotSimulator} counts, in one {@link com.segmentexport.testkit.Counters}. */
enum AutopilotCounter {
  /** Single upserts ({@code POST /v1/contact}) applied. */
  SINGLE_UPSERTS,
  /** Contacts given a new address by {@code _NewEmail}, keeping their contact id. */
  ADDRESS_CHANGES,
  /** {@code _NewEmail} changes that left two contacts with one address (the taken-address reading). */
  SHARED_ADDRESSES,
  /** {@code _NewEmail} changes whose current address was unknown and that created a contact instead. */
  CONTACTS_CREATED_BY_ADDRESS_CHANGE,
  /** Contacts in bulk upserts carrying {@code _NewEmail}, which the bulk reading ignored. */
  IGNORED_BULK_NEW_EMAILS
}
