package com.segmentexport.testkit.dotdigital;

/** What {@link DotdigitalSimulator} counts, in one {@link com.segmentexport.testkit.Counters}. */
enum DotdigitalCounter {
  /** Imports answered 202. */
  IMPORTS_ACCEPTED,
  /** Imports refused with {@code 429 contacts:tooManyActiveImports}. */
  ACTIVE_IMPORT_REFUSALS,
  /** The most imports active at once (a high-water mark). */
  MAX_ACTIVE_IMPORTS_SEEN,
  /** Data field values received as JSON null. */
  NULL_VALUES,
  /** Contacts received with a channel status. */
  CHANNEL_STATUSES,
  /** Import status requests. */
  STATUS_POLLS,
  /** {@code GET /v2/account-info} requests. */
  ACCOUNT_INFO_CALLS,
  /** Imports with a text value over 255 characters. */
  OVER_LONG_IMPORTS,
  /** Single-contact writes ({@code PATCH /contacts/v3/{identifier}/{value}}) applied. */
  CONTACT_PATCHES,
  /** Single-contact writes that created a contact (no contact had the path's identifier). */
  CONTACTS_CREATED_BY_PATCH,
  /** Single-contact writes that gave an existing contact another e-mail address, keeping its id. */
  ADDRESS_CHANGES,
  /** Bulk removals from an address book ({@code POST /v2/address-books/{id}/contacts/delete}) accepted. */
  BULK_REMOVALS_ACCEPTED,
  /** Contacts taken out of an address book (bulk or single), the contact kept. */
  BOOK_REMOVALS,
  /** Contact ids in a removal that were not in the book, or unknown: nothing changed. */
  BOOK_REMOVAL_NO_OPS,
  /** Contacts unsubscribed from an address book ({@code .../contacts/unsubscribe}): a consent event. */
  BOOK_UNSUBSCRIBES,
  /** Contacts unsubscribed from the account ({@code POST /v2/contacts/unsubscribe}): a global unsubscribe. */
  ACCOUNT_UNSUBSCRIBES,
  /** Contacts deleted from the account ({@code DELETE /v2/contacts/{id}}, {@code DELETE /contacts/v3/...}). */
  CONTACT_DELETIONS
}
