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
  IGNORED_BULK_NEW_EMAILS,
  /** Contacts taken off a list by {@code DELETE /v1/list/{id}/contact/{id_or_email}}. */
  LIST_REMOVALS,
  /** List removals of a contact not on the list (200 {@code not_modified}). */
  LIST_REMOVAL_NO_OPS,
  /** Contacts unsubscribed by {@code POST /v1/contact/{id}/unsubscribe}: a global unsubscribe. */
  CONTACT_UNSUBSCRIBES,
  /** Contacts deleted by {@code DELETE /v1/contact/{id_or_email}}. */
  CONTACT_DELETIONS
}
