package com.segmentexport.testkit.dotdigital;

import static com.segmentexport.testkit.SimulatorJson.intParam;
import static com.segmentexport.testkit.SimulatorJson.object;
import static com.segmentexport.testkit.SimulatorJson.parseStrict;
import static com.segmentexport.testkit.SimulatorJson.renderWithNulls;
import static com.segmentexport.testkit.dotdigital.DotdigitalJson.bookJson;
import static com.segmentexport.testkit.dotdigital.DotdigitalJson.convert;
import static com.segmentexport.testkit.dotdigital.DotdigitalJson.entry;
import static com.segmentexport.testkit.dotdigital.DotdigitalJson.failure;
import static com.segmentexport.testkit.dotdigital.DotdigitalJson.isV3;
import static com.segmentexport.testkit.dotdigital.DotdigitalJson.methodNotAllowed;
import static com.segmentexport.testkit.dotdigital.DotdigitalJson.parseId;
import static com.segmentexport.testkit.dotdigital.DotdigitalJson.property;
import static com.segmentexport.testkit.dotdigital.DotdigitalJson.suppressedDescription;
import static com.segmentexport.testkit.dotdigital.DotdigitalJson.v2Error;
import static com.segmentexport.testkit.dotdigital.DotdigitalJson.v3Error;
import static java.util.Objects.requireNonNull;

import com.segmentexport.testkit.Counters;
import com.segmentexport.testkit.RouteTable;
import com.segmentexport.testkit.VendorSimulator;
import com.segmentexport.testkit.dotdigital.DotdigitalAccount.BookState;
import com.segmentexport.testkit.dotdigital.DotdigitalAccount.ContactState;
import com.segmentexport.testkit.dotdigital.DotdigitalAccount.ImportJob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A stand-in for dotdigital's API (v2 and Contacts v3), written from the vendor's documented
 * behaviour: HTTP Basic with an API user's e-mail and password, region discovery through
 * {@code GET /v2/account-info} (whose {@code ApiEndpoint} ends with a slash), address books, account-wide
 * contact data fields, the asynchronous v3 bulk import ({@code PUT /contacts/v3/import}, 202 with an
 * {@code importId}, polled at {@code GET /contacts/v3/import/{importId}} until {@code Finished},
 * {@code RejectedByWatchdog}, {@code Failed} or {@code ExceedsAllowedContactLimit}; {@code Failed} for an
 * import holding a text value over {@value #MAX_TEXT_LENGTH} characters), the 50 MB body cap,
 * 25 active imports per account ({@code 429 contacts:tooManyActiveImports}), v2 errors
 * ({@code {"message": "... ERROR_X"}}) and v3 errors ({@code {"errorCode", "description", "details"}}),
 * and rate limiting answered with {@code 429} and {@code X-RateLimit-Limit/Remaining/Reset/Scope}, or,
 * for the deprecated flat scheme, {@code 400 ERROR_APIUSAGE_EXCEEDED}.
 *
 * <p>Contacts are account-wide and keep their e-mail status: an import never changes the status of
 * an unsubscribed or suppressed contact, never updates it and never adds it to an address book; it
 * counts it in {@code summary.globallySuppressed} and (unless {@link #listSuppressedContactsAsFailures}
 * is turned off) lists it in {@code failures} with failure code {@code unsubscribed} or
 * {@code suppressed}. Only an explicit {@code channelProperties.email.status} changes a status, as in
 * the vendor's API.
 *
 * <pre>{@code
 * try (DotdigitalSimulator dd = new DotdigitalSimulator("apiuser-1@apiconnector.com", "secret").start()) {
 *   long book = dd.ensureAddressBook("VIP customers");
 *   dd.accountRegion("r2");                       // the account lives on another region's endpoint
 *   dd.addContact("left@example.org", DotdigitalSimulator.UNSUBSCRIBED, Map.of());
 *   // connection: baseUrl = dd.baseUrl(), username/password; export option addressBookId = book
 * }
 * }</pre>
 *
 * <p>A contact's address changes with {@code PATCH /contacts/v3/{identifier}/{value}} (identifier
 * {@code contactId} or {@code email}) whose body names the new address in {@code identifiers.email}:
 * the same contact (its {@code contactId}, status, data fields and list memberships) answers to the new
 * address (implied by the documents, not stated). A new address another contact has is {@code 409
 * contacts:idAlreadyExists} ("All identifiers must be unique!") and changes nothing; an invalid one is
 * {@code 400 contacts:invalidId}. As documented, the call is an upsert: when no contact has the path's
 * identifier, a contact is created from the body's identifiers (201). {@code GET
 * /contacts/v3/{identifier}/{value}} answers the contact, or {@code 404 contacts:contactNotFound}. Both
 * are rate limited in the Medium tier (the tier of each call is not in the sources); the {@code PATCH} is
 * a write for the fault plan.
 *
 * <p>A member leaves an address book with {@code POST /v2/address-books/{addressBookId}/contacts/delete},
 * whose body is a bare JSON array of contact ids ({@code [35210001, 35210002]}), not addresses: 202
 * {@code {"id": "<guid>", "status": "Started"}}, polled at {@code GET /v2/contacts/deletion/{id}} until
 * {@code Completed}. Only membership changes: the contacts, their status and data fields and their
 * other books are kept; an id that is not in the book, or unknown, changes nothing (the vendor reports
 * nothing per contact). The vendor documents no cap on the ids per call; the simulator refuses more than
 * {@link #maxBulkRemovalIds(int)} ({@value #MAX_BULK_REMOVAL_IDS} by default) with {@code 400 ...
 * ERROR_PARAMETER_INVALID}, and an empty or non-integer array the same way; an unknown book is {@code 404
 * ERROR_ADDRESSBOOK_NOT_FOUND}. The single {@code DELETE /v2/address-books/{addressBookId}/contacts/{contactId}}
 * (204) does the same for one contact ({@code 404 ERROR_CONTACT_NOT_FOUND} for an unknown id). The calls a
 * flawed connector might use instead are simulated so their effect shows: {@code POST
 * /v2/address-books/{id}/contacts/unsubscribe} {@code {"email"}} (the contact leaves the book as an
 * unsubscriber: {@link #isUnsubscribedFrom}; a later import does not put it back in that book),
 * {@code POST /v2/contacts/unsubscribe} {@code {"email"}} (the contact's account status becomes
 * {@link #UNSUBSCRIBED}) and the contact deletes {@code DELETE /v2/contacts/{id}} (204) and {@code DELETE
 * /contacts/v3/{identifier}/{value}} (200), which remove the contact from the account
 * ({@link #contactExists}). All are writes for the fault plan, rate limited in the Medium tier (the tier
 * of each call is not in the sources).
 *
 * <p>Where the vendor's documents are silent the simulator makes a stated choice: an import naming an
 * unknown data field or address book is refused whole with {@code 400 contacts:badRequest} (with a
 * {@code details} item naming it); a body over the cap is answered {@code 413
 * contacts:requestTooLarge}; a rate-limited v3 request carries {@code contacts:tooManyRequests}; a
 * value of the wrong type for its data field is a per-contact failure {@code invalidDataFieldValue};
 * only {@code email} is supported as a match identifier. The simulator applies an import when it accepts
 * it and reports it {@code NotFinished} until its {@linkplain #importProcessingTime processing time},
 * counted from its arrival, has passed.
 */
public final class DotdigitalSimulator extends VendorSimulator {
  /** The e-mail status of a contact that receives mail. */
  public static final String SUBSCRIBED = "subscribed";

  /** The e-mail status of a contact that unsubscribed. */
  public static final String UNSUBSCRIBED = "unsubscribed";

  /** The e-mail status of a contact on the account's suppression list (bounced, complained, blocked). */
  public static final String SUPPRESSED = "suppressed";

  /** The documented cap on a v3 import request body: 50 MB. */
  public static final long MAX_IMPORT_BYTES = 50L * 1024 * 1024;

  /**
   * Most characters in a text data field's value (dotdigital's support article: "text values up to 255
   * characters"). What the vendor does with a longer one is not documented; this simulator fails the
   * whole import ({@code Failed}), the harshest reading: one such value may lose a batch of 2,000.
   */
  public static final int MAX_TEXT_LENGTH = 255;

  /**
   * The simulator's default cap on contact ids in one bulk removal from an address book. dotdigital
   * documents none; 1,000 is the vendor's page size for address-book reads and a size integrators batch
   * by. {@link #maxBulkRemovalIds(int)} sets another.
   */
  public static final int MAX_BULK_REMOVAL_IDS = 1000;

  /** The documented number of contact imports an account may have active at once. */
  public static final int MAX_ACTIVE_IMPORTS = 25;

  /** The import statuses that end an import without applying it. */
  public static final Set<String> FAILURE_STATUSES =
      Set.of("RejectedByWatchdog", "Failed", "ExceedsAllowedContactLimit");

  /** How the simulator answers a request beyond its rate limit. */
  public enum ThrottleStyle {
    /** Tiered scheme: 429 with {@code X-RateLimit-Reset} as a Unix time in seconds (the documented reading). */
    TIERED_EPOCH_RESET,
    /** Tiered scheme: 429 with {@code X-RateLimit-Reset} as seconds from now (the other reading). */
    TIERED_DELTA_RESET,
    /** The deprecated flat scheme: 400 with {@code ERROR_APIUSAGE_EXCEEDED} and no rate-limit headers. */
    LEGACY_APIUSAGE_EXCEEDED
  }

  /**
   * A comparable copy of the account's state.
   *
   * @param addressBooks the address books by id
   * @param dataFields the data fields, name to type
   * @param contacts the contacts by lower-cased e-mail address
   */
  public record Snapshot(
      Map<Long, Book> addressBooks,
      Map<String, String> dataFields,
      Map<String, Contact> contacts) {}

  /**
   * An address book as the snapshot holds it.
   *
   * @param name the book's name
   * @param members the member addresses, lower-cased
   * @param unsubscribed the addresses unsubscribed from the book, lower-cased
   */
  public record Book(String name, Set<String> members, Set<String> unsubscribed) {}

  /**
   * A contact as the snapshot holds it.
   *
   * @param id the contact id
   * @param status the e-mail status ({@link #SUBSCRIBED}, {@link #UNSUBSCRIBED}, {@link #SUPPRESSED}...)
   * @param dataFields the data field values as text, by field name
   */
  public record Contact(long id, String status, Map<String, String> dataFields) {}

  private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9_-]{1,20}");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s\"]+@[^@\\s\"]+\\.[^@\\s\".]+");
  private static final Set<String> FIELD_TYPES = Set.of("String", "Numeric", "Date", "Boolean");
  private static final Set<String> MERGE_OPTIONS =
      Set.of("overwrite", "overwriteIfNotEmpty", "overwriteIfEmpty");
  private static final Set<String> RESERVED_BOOK_NAMES = Set.of("test", "all contacts");

  private final String apiUser;
  private final String password;
  private final String expectedAuthorization;

  private final DotdigitalAccount account = new DotdigitalAccount();

  private volatile String region;
  private volatile Duration processingTime = Duration.ofMillis(50);
  private volatile int maxActiveImports = MAX_ACTIVE_IMPORTS;
  private volatile long maxImportBytes = MAX_IMPORT_BYTES;
  private volatile ThrottleStyle throttleStyle = ThrottleStyle.TIERED_EPOCH_RESET;
  private volatile boolean listSuppressed = true;
  private volatile int maxBulkRemovalIds = MAX_BULK_REMOVAL_IDS;
  private final Set<String> leftOutOfReports = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile double ratePerMinute = 0;

  private final Counters<DotdigitalCounter> counters = new Counters<>(DotdigitalCounter.class);

  /** The API's routes, relative to the account's regional endpoint (paths are case-insensitive). */
  private final RouteTable routes =
      new RouteTable(true)
          .on("GET", "/v2/address-books", (request, p) -> listBooks(request))
          .on("POST", "/v2/address-books", (request, p) -> createBook(request))
          .on("GET", "/v2/address-books/{}", (request, p) -> getBook(p.get(0)))
          .on(
              "GET",
              "/v2/address-books/{}/contacts",
              (request, p) -> bookContacts(p.get(0), request))
          .on("GET", "/v2/data-fields", (request, p) -> listFields())
          .on("POST", "/v2/data-fields", (request, p) -> createField(request))
          .on("PUT", "/contacts/v3/import", (request, p) -> importContacts(request))
          .on("GET", "/contacts/v3/import/{}", (request, p) -> importStatus(p.get(0)))
          .on("GET", "/contacts/v3/{}/{}", (request, p) -> getContact(p.get(0), p.get(1)))
          .on(
              "PATCH",
              "/contacts/v3/{}/{}",
              (request, p) -> patchContact(p.get(0), p.get(1), request))
          .on("DELETE", "/contacts/v3/{}/{}", (request, p) -> deleteContactV3(p.get(0), p.get(1)))
          .on(
              "POST",
              "/v2/address-books/{}/contacts/delete",
              (request, p) -> removeFromBook(p.get(0), request))
          .on(
              "DELETE",
              "/v2/address-books/{}/contacts/{}",
              (request, p) -> removeOneFromBook(p.get(0), p.get(1)))
          .on("GET", "/v2/contacts/deletion/{}", (request, p) -> removalStatus(p.get(0)))
          .on(
              "POST",
              "/v2/address-books/{}/contacts/unsubscribe",
              (request, p) -> unsubscribeFromBook(p.get(0), request))
          .on("POST", "/v2/contacts/unsubscribe", (request, p) -> unsubscribeFromAccount(request))
          .on("DELETE", "/v2/contacts/{}", (request, p) -> deleteContactV2(p.get(0)));

  /**
   * Creates a simulator of one dotdigital account with the default data fields ({@code FIRSTNAME},
   * {@code LASTNAME}, {@code FULLNAME}, {@code GENDER}, {@code POSTCODE}, {@code LASTSUBSCRIBED}) and no
   * address books; call {@link #start()} before use.
   *
   * @param apiUser the API user's e-mail address the simulator accepts
   * @param password the API user's password the simulator accepts
   */
  public DotdigitalSimulator(String apiUser, String password) {
    this.apiUser = requireNonNull(apiUser, "apiUser == null");
    this.password = requireNonNull(password, "password == null");
    this.expectedAuthorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((apiUser + ":" + password).getBytes(StandardCharsets.UTF_8));
    for (String f : List.of("FIRSTNAME", "LASTNAME", "FULLNAME", "GENDER", "POSTCODE")) {
      account.fields.put(f, f + "|String");
    }
    account.fields.put("LASTSUBSCRIBED", "LASTSUBSCRIBED|Date");
  }

  @Override
  public String vendor() {
    return "dotdigital";
  }

  @Override
  public List<String> credentials() {
    return List.of(apiUser, password);
  }

  // ---- configuration ------------------------------------------------------------------------

  /**
   * Places the account on another region: {@code GET /v2/account-info} (answered on the base URL, as
   * r1 answers it for every account) then returns {@code {baseUrl}/{name}/} as the {@code ApiEndpoint},
   * and every other call made outside that path is refused with {@code 403 Forbidden: Access is denied},
   * as a wrong region is. Null puts the account back on the base URL itself.
   *
   * @param name a path segment such as {@code r2}, or null
   * @return this simulator
   */
  public DotdigitalSimulator accountRegion(String name) {
    if (name != null && !name.matches("[A-Za-z0-9-]+")) {
      throw new IllegalArgumentException("region must be one path segment: " + name);
    }
    this.region = name;
    return this;
  }

  /** The account's API endpoint as {@code account-info} announces it, without the trailing slash. */
  public String apiEndpoint() {
    String r = region;
    String base = url("/").toString();
    return r == null ? base.substring(0, base.length() - 1) : base + r;
  }

  /**
   * How long an import takes, from its arrival to {@code Finished} (50 ms by default). The time the
   * simulator spends reading, checking and applying it before it answers 202 is part of it, as the
   * vendor's own handling of an upload is part of its import time.
   *
   * @param time the processing time
   * @return this simulator
   */
  public DotdigitalSimulator importProcessingTime(Duration time) {
    this.processingTime = requireNonNull(time, "time == null");
    return this;
  }

  /**
   * The number of imports that may be active at once before {@code 429 contacts:tooManyActiveImports}
   * ({@value #MAX_ACTIVE_IMPORTS} by default, as documented).
   *
   * @param max the cap
   * @return this simulator
   */
  public DotdigitalSimulator maxActiveImports(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max < 1");
    }
    this.maxActiveImports = max;
    return this;
  }

  /**
   * The largest import body accepted (50 MB by default, as documented); tests lower it.
   *
   * @param bytes the cap in bytes
   * @return this simulator
   */
  public DotdigitalSimulator maxImportBytes(long bytes) {
    this.maxImportBytes = bytes;
    return this;
  }

  /**
   * How rate-limited requests are answered ({@link ThrottleStyle#TIERED_EPOCH_RESET} by default).
   *
   * @param style the style
   * @return this simulator
   */
  public DotdigitalSimulator throttleStyle(ThrottleStyle style) {
    this.throttleStyle = requireNonNull(style, "style == null");
    return this;
  }

  /**
   * Whether suppressed and unsubscribed contacts are listed in an import's {@code failures} as well as
   * counted in {@code summary.globallySuppressed} (true by default). False simulates the other reading
   * of the documents: counted only.
   *
   * @param listed whether to list them
   * @return this simulator
   */
  public DotdigitalSimulator listSuppressedContactsAsFailures(boolean listed) {
    this.listSuppressed = listed;
    return this;
  }

  /**
   * Imports this contact like any other but leaves it out of the import's report (neither created,
   * updated nor failed), as a report that does not account for every contact would.
   *
   * @param email the address
   * @return this simulator
   */
  public DotdigitalSimulator leaveOutOfReports(String email) {
    leftOutOfReports.add(email.toLowerCase(Locale.ROOT));
    return this;
  }

  /**
   * The most contact ids one bulk removal from an address book may carry ({@value #MAX_BULK_REMOVAL_IDS}
   * by default; the vendor documents no cap).
   *
   * @param max the cap
   * @return this simulator
   */
  public DotdigitalSimulator maxBulkRemovalIds(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max < 1");
    }
    this.maxBulkRemovalIds = max;
    return this;
  }

  /** Imports failed whole because a text value was over {@value #MAX_TEXT_LENGTH} characters. */
  public int overLongTextImports() {
    return counters.intValue(DotdigitalCounter.OVER_LONG_IMPORTS);
  }

  /**
   * Makes the next {@code imports} accepted imports end with {@code status} instead of
   * {@code Finished}, applying nothing.
   *
   * @param status one of {@link #FAILURE_STATUSES} (or any other status text)
   * @param imports how many imports
   * @return this simulator
   */
  public DotdigitalSimulator forceImportStatus(String status, int imports) {
    requireNonNull(status, "status == null");
    synchronized (account.lock) {
      for (int i = 0; i < imports; i++) {
        account.forcedStatuses.add(status);
      }
    }
    return this;
  }

  @Override
  public synchronized DotdigitalSimulator rateLimit(double perSecond, double burst) {
    super.rateLimit(perSecond, burst);
    this.ratePerMinute = perSecond * 60;
    return this;
  }

  /**
   * Makes the vendor refuse this address per record in the import report. Categories:
   * {@code invalidEmail} (the default when null), {@code suppressed} and {@code unsubscribed} (reported
   * as an account-suppressed contact: counted in {@code globallySuppressed} and listed with that failure
   * code), or any other text, used as the {@code failureCode}.
   */
  @Override
  public DotdigitalSimulator rejectAddress(String email, String category) {
    super.rejectAddress(email, category);
    return this;
  }

  // ---- state ---------------------------------------------------------------------------------

  /**
   * Creates an address book, as {@code POST /v2/address-books} would.
   *
   * @param name the book's name
   * @return its id
   */
  public long createAddressBook(String name) {
    return account.createAddressBook(name);
  }

  /**
   * The id of the address book with this name, created if there is none.
   *
   * @param name the book's name
   * @return its id
   */
  public long ensureAddressBook(String name) {
    return account.ensureAddressBook(name);
  }

  /**
   * The members of an address book, lower-cased; empty if there is no such book.
   *
   * @param id the book's id
   * @return the members
   */
  public Set<String> addressBookMembers(long id) {
    return account.addressBookMembers(id);
  }

  /**
   * Adds (or replaces) a contact in the account.
   *
   * @param email the address
   * @param status its e-mail status, such as {@link #UNSUBSCRIBED}
   * @param dataFields data field values by field name (the fields must exist)
   */
  public void addContact(String email, String status, Map<String, ?> dataFields) {
    account.addContact(email, status, dataFields);
  }

  /**
   * Adds a member to an address book directly.
   *
   * @param id the book's id
   * @param email the member's address (the contact must exist)
   */
  public void addToAddressBook(long id, String email) {
    account.addToAddressBook(id, email);
  }

  /**
   * A contact's e-mail status, if the contact exists.
   *
   * @param email the address
   * @return the status
   */
  public Optional<String> contactStatus(String email) {
    return account.contactStatus(email);
  }

  /**
   * A contact's data field values as text (whole numbers without a fraction), by field name; empty if
   * the contact does not exist.
   *
   * @param email the address
   * @return the values
   */
  public Map<String, String> contactDataFields(String email) {
    return account.contactDataFields(email);
  }

  /**
   * Creates a contact data field directly.
   *
   * @param name the field's name
   * @param type {@code String}, {@code Numeric}, {@code Date} or {@code Boolean}
   */
  public void addDataField(String name, String type) {
    if (!FIELD_TYPES.contains(type)) {
      throw new IllegalArgumentException("unknown type " + type);
    }
    synchronized (account.lock) {
      account.fields.put(name.toUpperCase(Locale.ROOT), name + "|" + type);
    }
  }

  /** The account's data fields, name to type, in creation order. */
  public Map<String, String> dataFields() {
    return account.dataFields();
  }

  /** A contact's id, if a contact has this address. */
  public java.util.OptionalLong contactId(String email) {
    synchronized (account.lock) {
      ContactState c = account.contacts.get(email.trim().toLowerCase(Locale.ROOT));
      return c == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(c.id);
    }
  }

  /** The names of the address books (lists) this address is a member of, in id order. */
  public List<String> addressBooksOf(String email) {
    synchronized (account.lock) {
      String key = email.trim().toLowerCase(Locale.ROOT);
      List<String> names = new ArrayList<>();
      account
          .books
          .values()
          .forEach(
              b -> {
                if (b.members.contains(key)) {
                  names.add(b.name);
                }
              });
      return names;
    }
  }

  /**
   * How many contacts hold this data field value (as text, field by name): with a field holding the
   * profile's stable id, whether the profile is one contact or was split into two.
   */
  public int contactsWith(String field, String value) {
    synchronized (account.lock) {
      int n = 0;
      for (ContactState c : account.contacts.values()) {
        n += value.equals(c.textFields().get(field)) ? 1 : 0;
      }
      return n;
    }
  }

  /** Whether the account has a contact at this address. */
  public boolean contactExists(String email) {
    return contactStatus(email).isPresent();
  }

  /** Whether this address is a member of the address book. */
  public boolean isMember(long addressBookId, String email) {
    return addressBookMembers(addressBookId).contains(email.trim().toLowerCase(Locale.ROOT));
  }

  /** Whether this address was unsubscribed from the address book (a consent event, never a removal). */
  public boolean isUnsubscribedFrom(long addressBookId, String email) {
    synchronized (account.lock) {
      BookState b = account.books.get(addressBookId);
      return b != null && b.unsubscribed.contains(email.trim().toLowerCase(Locale.ROOT));
    }
  }

  /** Bulk removals from address books accepted (202). */
  public int bulkRemovalsAccepted() {
    return counters.intValue(DotdigitalCounter.BULK_REMOVALS_ACCEPTED);
  }

  /** Contacts taken out of an address book by a removal (bulk or single), the contact kept. */
  public int bookRemovals() {
    return counters.intValue(DotdigitalCounter.BOOK_REMOVALS);
  }

  /** Contact ids in removals that were not in the book, or unknown (nothing changed). */
  public int bookRemovalNoOps() {
    return counters.intValue(DotdigitalCounter.BOOK_REMOVAL_NO_OPS);
  }

  /** Contacts unsubscribed from an address book. */
  public int bookUnsubscribes() {
    return counters.intValue(DotdigitalCounter.BOOK_UNSUBSCRIBES);
  }

  /** Contacts unsubscribed from the account. */
  public int accountUnsubscribes() {
    return counters.intValue(DotdigitalCounter.ACCOUNT_UNSUBSCRIBES);
  }

  /** Contacts deleted from the account. */
  public int contactDeletions() {
    return counters.intValue(DotdigitalCounter.CONTACT_DELETIONS);
  }

  /** Single-contact writes applied. */
  public int contactPatches() {
    return counters.intValue(DotdigitalCounter.CONTACT_PATCHES);
  }

  /** Single-contact writes that created a contact. */
  public int contactsCreatedByPatch() {
    return counters.intValue(DotdigitalCounter.CONTACTS_CREATED_BY_PATCH);
  }

  /** Single-contact writes that gave a contact another address. */
  public int addressChanges() {
    return counters.intValue(DotdigitalCounter.ADDRESS_CHANGES);
  }

  /** Imports accepted (answered 202). */
  public int importsAccepted() {
    return counters.intValue(DotdigitalCounter.IMPORTS_ACCEPTED);
  }

  /** Imports refused with {@code 429 contacts:tooManyActiveImports}. */
  public int tooManyActiveImportsAnswers() {
    return counters.intValue(DotdigitalCounter.ACTIVE_IMPORT_REFUSALS);
  }

  /** The most imports that were active at once. */
  public int maxActiveImportsSeen() {
    return counters.intValue(DotdigitalCounter.MAX_ACTIVE_IMPORTS_SEEN);
  }

  /** Data field values received as JSON {@code null} (which clears the field at the vendor). */
  public int nullDataFieldValuesReceived() {
    return counters.intValue(DotdigitalCounter.NULL_VALUES);
  }

  /** Contacts received with a {@code channelProperties.email.status} (which changes their status). */
  public int channelStatusesReceived() {
    return counters.intValue(DotdigitalCounter.CHANNEL_STATUSES);
  }

  /** Import status requests received. */
  public int importStatusPolls() {
    return counters.intValue(DotdigitalCounter.STATUS_POLLS);
  }

  /** {@code GET /v2/account-info} requests received. */
  public int accountInfoCalls() {
    return counters.intValue(DotdigitalCounter.ACCOUNT_INFO_CALLS);
  }

  @Override
  public Snapshot snapshot() {
    synchronized (account.lock) {
      Map<Long, Book> b = new TreeMap<>();
      account.books.forEach(
          (id, s) ->
              b.put(
                  id,
                  new Book(
                      s.name,
                      Collections.unmodifiableSet(new TreeSet<>(s.members)),
                      Collections.unmodifiableSet(new TreeSet<>(s.unsubscribed)))));
      Map<String, Contact> c = new TreeMap<>();
      account.contacts.forEach((e, s) -> c.put(e, new Contact(s.id, s.status, s.textFields())));
      return new Snapshot(
          Collections.unmodifiableMap(b), dataFields(), Collections.unmodifiableMap(c));
    }
  }

  // ---- protocol ------------------------------------------------------------------------------

  /** The path relative to the account's endpoint, or null when the request is outside it. */
  private String relative(RecordedRequest request) {
    String path = route(request);
    String r = region;
    if (r == null) {
      return path;
    }
    String prefix = "/" + r + "/";
    return path.startsWith(prefix) ? path.substring(prefix.length() - 1) : null;
  }

  @Override
  protected boolean isWrite(RecordedRequest request) {
    String rel = relative(request);
    String method = request.getMethod();
    if (rel == null) {
      return false;
    }
    String lower = rel.toLowerCase(Locale.ROOT);
    return isImport(request)
        || ("PATCH".equals(method) && isV3(rel))
        || ("DELETE".equals(method)
            && (lower.startsWith("/contacts/v3/")
                || lower.startsWith("/v2/contacts/")
                || lower.matches("/v2/address-books/[^/]+/contacts/[^/]+")))
        || ("POST".equals(method)
            && (lower.matches("/v2/address-books/[^/]+/contacts/(delete|unsubscribe)")
                || lower.equals("/v2/contacts/unsubscribe")));
  }

  private boolean isImport(RecordedRequest request) {
    String rel = relative(request);
    return "PUT".equals(request.getMethod())
        && rel != null
        && rel.equalsIgnoreCase("/contacts/v3/import");
  }

  @Override
  protected boolean authenticated(RecordedRequest request) {
    return expectedAuthorization.equals(request.getHeaders().get("Authorization"));
  }

  @Override
  protected MockResponse unauthorized(RecordedRequest request) {
    if (isV3(route(request))) {
      return new MockResponse.Builder().code(401).setHeader("WWW-Authenticate", "Basic").build();
    }
    return new MockResponse.Builder(v2Error(401, "Authorization has been denied for this request."))
        .setHeader("WWW-Authenticate", "Basic")
        .build();
  }

  @Override
  protected MockResponse throttled(RecordedRequest request, Duration untilNextToken) {
    ThrottleStyle style = throttleStyle;
    if (style == ThrottleStyle.LEGACY_APIUSAGE_EXCEEDED) {
      return v2Error(
          400,
          "Your account has generated excess API activity and is being temporarily capped. "
              + "Please contact support. ERROR_APIUSAGE_EXCEEDED");
    }
    String path = route(request);
    MockResponse base =
        isV3(path)
            ? v3Error(
                429,
                "contacts:tooManyRequests",
                "Too many requests: the API rate limit was exceeded.")
            : v2Error(429, "Too many requests: the API rate limit was exceeded.");
    MockResponse.Builder b =
        new MockResponse.Builder(base)
            .setHeader("X-RateLimit-Limit", Long.toString(Math.max(1, Math.round(ratePerMinute))))
            .setHeader("X-RateLimit-Remaining", "0")
            .setHeader("X-RateLimit-Scope", tier(request));
    if (untilNextToken != null) {
      long waitMillis = Math.max(1, untilNextToken.toMillis());
      long reset =
          style == ThrottleStyle.TIERED_EPOCH_RESET
              ? (System.currentTimeMillis() + waitMillis + 999) / 1000
              : (waitMillis + 999) / 1000;
      b.setHeader("X-RateLimit-Reset", Long.toString(reset));
    }
    return b.build();
  }

  /** Polls of an import's status are in dotdigital's Unlimited tier: the rate limit does not count them. */
  @Override
  protected boolean rateLimited(RecordedRequest request) {
    return !"Unlimited".equals(tier(request));
  }

  /** The documented rate-limit tier of a call: bulk imports Low, polling Unlimited, the rest Medium. */
  private String tier(RecordedRequest request) {
    String rel = relative(request);
    if (isImport(request)) {
      return "Low";
    }
    if (rel != null && rel.toLowerCase(Locale.ROOT).startsWith("/contacts/v3/import/")) {
      return "Unlimited";
    }
    return "Medium";
  }

  @Override
  protected MockResponse serverError(RecordedRequest request, int status) {
    return isV3(route(request))
        ? v3Error(status, "contacts:internalServerError", "An unexpected error occurred.")
        : v2Error(status, "An error has occurred.");
  }

  @Override
  protected MockResponse badRequest(RecordedRequest request, String message) {
    return isV3(route(request))
        ? v3Error(400, "contacts:badJson", "The request JSON is badly formed")
        : v2Error(400, "The request body is not valid: " + message + ". ERROR_MALFORMED_REQUEST");
  }

  @Override
  protected MockResponse handle(RecordedRequest request) {
    String method = request.getMethod();
    String path = route(request);
    String rel = relative(request);
    String lower = path.toLowerCase(Locale.ROOT);
    boolean accountInfo =
        lower.equals("/v2/account-info")
            || (rel != null && rel.equalsIgnoreCase("/v2/account-info"));
    if (accountInfo) {
      return "GET".equals(method) ? accountInfo() : methodNotAllowed(method);
    }
    if (rel == null) {
      return isV3(path)
          ? new MockResponse.Builder().code(403).body("Forbidden: Access is denied").build()
          : v2Error(403, "Forbidden: Access is denied");
    }
    return routes
        .dispatch(method, rel, request, DotdigitalJson::methodNotAllowed)
        .orElseGet(
            () ->
                isV3(rel)
                    ? v3Error(404, "contacts:notFound", "The resource was not found.")
                    : v2Error(404, "No HTTP resource was found that matches the request URI."));
  }

  // ---- v2 ------------------------------------------------------------------------------------

  private MockResponse accountInfo() {
    counters.increment(DotdigitalCounter.ACCOUNT_INFO_CALLS);
    List<Object> props = new ArrayList<>();
    props.add(property("Name", "String", "Simulated account"));
    props.add(property("MainEmail", "String", "owner@account.invalid"));
    props.add(property("ApiEndpoint", "String", apiEndpoint() + "/"));
    props.add(property("ApiCallsInLastHour", "Int", Integer.toString(requestCount())));
    props.add(
        property("ApiCallsRemaining", "Int", Integer.toString(Math.max(0, 2000 - requestCount()))));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", 90210);
    body.put("properties", props);
    return json(200, renderWithNulls(body));
  }

  private MockResponse listBooks(RecordedRequest request) {
    int select = intParam(request, "select", 1000);
    int skip = intParam(request, "skip", 0);
    if (select < 1 || select > 1000 || skip < 0) {
      return v2Error(400, "Error: ERROR_PARAMETER_INVALID");
    }
    List<Object> out = new ArrayList<>();
    synchronized (account.lock) {
      int i = 0;
      for (Map.Entry<Long, BookState> e : account.books.entrySet()) {
        if (i++ >= skip && out.size() < select) {
          out.add(bookJson(e.getKey(), e.getValue()));
        }
      }
    }
    return json(200, renderWithNulls(out));
  }

  private MockResponse createBook(RecordedRequest request) {
    Map<String, Object> body = object(jsonBody(request));
    Object name = body.get("name");
    if (!(name instanceof String) || ((String) name).isBlank() || ((String) name).length() > 128) {
      return v2Error(400, "Error: ERROR_PARAMETER_INVALID");
    }
    synchronized (account.lock) {
      String n = ((String) name).trim();
      if (RESERVED_BOOK_NAMES.contains(n.toLowerCase(Locale.ROOT))) {
        return v2Error(400, "Error: ERROR_ADDRESSBOOK_DUPLICATE");
      }
      for (BookState b : account.books.values()) {
        if (b.name.equalsIgnoreCase(n)) {
          return v2Error(400, "Error: ERROR_ADDRESSBOOK_DUPLICATE");
        }
      }
      long id = createAddressBook(n);
      return json(201, renderWithNulls(bookJson(id, account.books.get(id))));
    }
  }

  private MockResponse getBook(String idText) {
    Long id = parseId(idText);
    if (id == null) {
      return v2Error(400, "Error: ERROR_PARAMETER_INVALID");
    }
    synchronized (account.lock) {
      BookState b = account.books.get(id);
      return b == null
          ? v2Error(404, "Error: ERROR_ADDRESSBOOK_NOT_FOUND")
          : json(200, renderWithNulls(bookJson(id, b)));
    }
  }

  private MockResponse bookContacts(String idText, RecordedRequest request) {
    Long id = parseId(idText);
    if (id == null) {
      return v2Error(400, "Error: ERROR_PARAMETER_INVALID");
    }
    int select = intParam(request, "select", 1000);
    int skip = intParam(request, "skip", 0);
    if (select < 1 || select > 1000 || skip < 0) {
      return v2Error(400, "Error: ERROR_PARAMETER_INVALID");
    }
    List<Object> out = new ArrayList<>();
    synchronized (account.lock) {
      BookState b = account.books.get(id);
      if (b == null) {
        return v2Error(404, "Error: ERROR_ADDRESSBOOK_NOT_FOUND");
      }
      int i = 0;
      for (String email : new TreeSet<>(b.members)) {
        if (i++ < skip || out.size() >= select) {
          continue;
        }
        ContactState c = account.contacts.get(email);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id);
        m.put("email", c.email);
        m.put("optInType", "Unknown");
        m.put("emailType", "Html");
        List<Object> df = new ArrayList<>();
        c.textFields()
            .forEach(
                (k, v) -> {
                  Map<String, Object> kv = new LinkedHashMap<>();
                  kv.put("key", k);
                  kv.put("value", v);
                  df.add(kv);
                });
        m.put("dataFields", df);
        m.put("status", c.status.substring(0, 1).toUpperCase(Locale.ROOT) + c.status.substring(1));
        out.add(m);
      }
    }
    return json(200, renderWithNulls(out));
  }

  private MockResponse listFields() {
    List<Object> out = new ArrayList<>();
    for (Map.Entry<String, String> f : dataFields().entrySet()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", f.getKey());
      m.put("type", f.getValue());
      m.put("visibility", "Private");
      m.put("defaultValue", null);
      out.add(m);
    }
    return json(200, renderWithNulls(out));
  }

  private MockResponse createField(RecordedRequest request) {
    Map<String, Object> body = object(jsonBody(request));
    Object name = body.get("name");
    Object type = body.get("type");
    Object visibility = body.getOrDefault("visibility", "Private");
    if (!(name instanceof String) || !FIELD_NAME.matcher((String) name).matches()) {
      return v2Error(
          400,
          "The data field name must be 1 to 20 letters, digits, '_' or '-'. ERROR_PARAMETER_INVALID");
    }
    if (!(type instanceof String) || !FIELD_TYPES.contains(type)) {
      return v2Error(
          400,
          "The data field type must be String, Numeric, Date or Boolean. ERROR_PARAMETER_INVALID");
    }
    if (!("Private".equals(visibility) || "Public".equals(visibility))) {
      return v2Error(
          400, "The data field visibility must be Private or Public. ERROR_PARAMETER_INVALID");
    }
    synchronized (account.lock) {
      String key = ((String) name).toUpperCase(Locale.ROOT);
      if (account.fields.containsKey(key)) {
        return v2Error(400, "Field already exists. ERROR_NON_UNIQUE_DATAFIELD");
      }
      account.fields.put(key, name + "|" + type);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("type", type);
    m.put("visibility", visibility);
    m.put("defaultValue", body.get("defaultValue"));
    return json(201, renderWithNulls(m));
  }

  // ---- v3 import -----------------------------------------------------------------------------

  private MockResponse importContacts(RecordedRequest request) {
    long arrived = System.nanoTime();
    if (request.getBodySize() > maxImportBytes) {
      long cap = maxImportBytes;
      return v3Error(
          413,
          "contacts:requestTooLarge",
          "The request body exceeds the maximum size of "
              + (cap % (1024 * 1024) == 0 ? cap / (1024 * 1024) + " MB." : cap + " bytes."));
    }
    Object parsed = parseStrict(request.getBody());
    if (!(parsed instanceof Map)) {
      return v3Error(400, "contacts:badJson", "The request JSON is badly formed");
    }
    Map<String, Object> body = object(parsed);
    Object mergeOption = body.getOrDefault("mergeOption", "overwrite");
    if (!(mergeOption instanceof String) || !MERGE_OPTIONS.contains(mergeOption)) {
      return v3Error(
          400,
          "contacts:badRequest",
          "The MergeOption field is invalid",
          "mergeOption",
          "Allowed values: overwrite, overwriteIfNotEmpty, overwriteIfEmpty");
    }
    Object contactsValue = body.get("contacts");
    if (!(contactsValue instanceof List) || ((List<?>) contactsValue).isEmpty()) {
      return v3Error(
          400,
          "contacts:badRequest",
          "The Contacts field is required",
          "contacts",
          "At least one contact is required");
    }
    List<?> rows = (List<?>) contactsValue;
    String importId = UUID.randomUUID().toString();
    synchronized (account.lock) {
      int active = activeImports();
      if (active >= maxActiveImports) {
        counters.increment(DotdigitalCounter.ACTIVE_IMPORT_REFUSALS);
        return v3Error(
            429,
            "contacts:tooManyActiveImports",
            "There are too many active imports. "
                + "Please wait for an import to complete and then resubmit.");
      }
      noteBatch(rows.size());
      for (Object row : rows) {
        Object email = object(object(row).get("identifiers")).get("email");
        noteEmail(email instanceof String ? (String) email : null);
      }
      MockResponse invalid = validateContacts(rows);
      if (invalid != null) {
        return invalid;
      }
      ImportJob job = new ImportJob(arrived + processingTime.toNanos());
      String forced = account.forcedStatuses.poll();
      if (forced != null) {
        job.terminal = forced;
      } else if (hasOverLongText(rows)) {
        // One text value over 255 characters fails the whole import: nothing of it is applied.
        counters.increment(DotdigitalCounter.OVER_LONG_IMPORTS);
        job.terminal = "Failed";
      } else {
        job.report = apply(importId, rows, (String) mergeOption);
      }
      account.imports.put(importId, job);
      counters.increment(DotdigitalCounter.IMPORTS_ACCEPTED);
      counters.atLeast(DotdigitalCounter.MAX_ACTIVE_IMPORTS_SEEN, active + 1);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("importId", importId);
    return json(202, renderWithNulls(out));
  }

  /** Checks every contact's shape; null when the request is acceptable. */
  private MockResponse validateContacts(List<?> rows) {
    synchronized (account.lock) {
      for (int i = 0; i < rows.size(); i++) {
        String item = "contacts[" + i + "]";
        if (!(rows.get(i) instanceof Map)) {
          return v3Error(
              400, "contacts:badRequest", "Each contact must be an object", item, "Not an object");
        }
        Map<String, Object> c = object(rows.get(i));
        Object match = c.get("matchIdentifier");
        if (!(match instanceof String)) {
          return v3Error(
              400,
              "contacts:badRequest",
              "The MatchIdentifier field is required",
              item + ".matchIdentifier",
              "The MatchIdentifier field is required");
        }
        if (!(c.get("identifiers") instanceof Map)) {
          return v3Error(
              400,
              "contacts:badRequest",
              "The Identifiers field is required",
              item + ".identifiers",
              "The Identifiers field is required");
        }
        if (!"email".equals(match)) {
          return v3Error(
              400,
              "contacts:badRequest",
              "Unsupported match identifier",
              item + ".matchIdentifier",
              "This simulator supports only the email identifier");
        }
        if (!(object(c.get("identifiers")).get("email") instanceof String)) {
          return v3Error(
              400,
              "contacts:badRequest",
              "The email identifier is required",
              item + ".identifiers.email",
              "The email identifier is required when matchIdentifier is email");
        }
        Object df = c.get("dataFields");
        if (df != null) {
          if (!(df instanceof Map)) {
            return v3Error(
                400,
                "contacts:badRequest",
                "The DataFields field must be an object",
                item + ".dataFields",
                "Not an object");
          }
          for (Map.Entry<String, Object> e : object(df).entrySet()) {
            if (!account.fields.containsKey(e.getKey().toUpperCase(Locale.ROOT))) {
              return v3Error(
                  400,
                  "contacts:badRequest",
                  "Unknown data field",
                  item + ".dataFields." + e.getKey(),
                  "Data field '" + e.getKey() + "' does not exist");
            }
            Object v = e.getValue();
            if (v instanceof Map || v instanceof List) {
              return v3Error(
                  400,
                  "contacts:badRequest",
                  "Data field values must be scalars",
                  item + ".dataFields." + e.getKey(),
                  "Not a scalar");
            }
          }
        }
        Object lists = c.get("lists");
        if (lists != null) {
          if (!(lists instanceof List)
              || ((List<?>) lists).isEmpty()
              || ((List<?>) lists).size() > 100) {
            return v3Error(
                400,
                "contacts:badRequest",
                "The Lists field must hold 1 to 100 list ids",
                item + ".lists",
                "Between 1 and 100 list ids");
          }
          for (Object l : (List<?>) lists) {
            if (!(l instanceof Number) || !account.books.containsKey(((Number) l).longValue())) {
              return v3Error(
                  400,
                  "contacts:badRequest",
                  "Unknown list",
                  item + ".lists",
                  "List " + l + " does not exist");
            }
          }
        }
        Object channel = c.get("channelProperties");
        if (channel != null && !(channel instanceof Map)) {
          return v3Error(
              400,
              "contacts:badRequest",
              "The ChannelProperties field must be an object",
              item + ".channelProperties",
              "Not an object");
        }
      }
      return null;
    }
  }

  /** Whether a contact holds a value over {@value #MAX_TEXT_LENGTH} characters for a text field. Holds {@link #lock}. */
  private boolean hasOverLongText(List<?> rows) {
    for (Object row : rows) {
      for (Map.Entry<String, Object> e : object(object(row).get("dataFields")).entrySet()) {
        String def = account.fields.get(e.getKey().toUpperCase(Locale.ROOT));
        if (def != null
            && def.endsWith("|String")
            && e.getValue() != null
            && e.getValue().toString().length() > MAX_TEXT_LENGTH) {
          return true;
        }
      }
    }
    return false;
  }

  /** Applies an accepted import and renders its Finished report. Holds {@link #lock}. */
  private byte[] apply(String importId, List<?> rows, String mergeOption) {
    List<Object> created = new ArrayList<>();
    List<Object> updated = new ArrayList<>();
    List<Object> failures = new ArrayList<>();
    int globallySuppressed = 0;
    int invalid = 0;
    int duplicates = 0;
    Set<String> seen = new HashSet<>();
    for (Object row : rows) {
      Map<String, Object> c = object(row);
      String email = ((String) object(c.get("identifiers")).get("email")).trim();
      String key = email.toLowerCase(Locale.ROOT);
      Map<String, Object> data = object(c.get("dataFields"));
      for (Object v : data.values()) {
        if (v == null) {
          counters.increment(DotdigitalCounter.NULL_VALUES);
        }
      }
      String channelStatus =
          Optional.ofNullable(object(object(c.get("channelProperties")).get("email")).get("status"))
              .map(Object::toString)
              .orElse(null);
      if (channelStatus != null) {
        counters.increment(DotdigitalCounter.CHANNEL_STATUSES);
      }
      if (!EMAIL.matcher(key).matches()) {
        invalid++;
        failures.add(failure(key, "invalidEmail", "Invalid value for 'email'"));
        continue;
      }
      if (!seen.add(key)) {
        duplicates++;
        failures.add(
            failure(key, "duplicateIdentifier", "Duplicate identifier detected for email " + key));
        continue;
      }
      Optional<String> rejection = rejectionFor(key);
      if (rejection.isPresent()) {
        String category = rejection.get().isEmpty() ? "invalidEmail" : rejection.get();
        if (category.equals(SUPPRESSED) || category.equals(UNSUBSCRIBED)) {
          globallySuppressed++;
          if (listSuppressed) {
            failures.add(failure(key, category, suppressedDescription(category)));
          }
        } else {
          if (category.equals("invalidEmail")) {
            invalid++;
          }
          failures.add(
              failure(
                  key,
                  category,
                  category.equals("invalidEmail")
                      ? "Invalid value for 'email'"
                      : "The contact was rejected (" + category + ")"));
        }
        continue;
      }
      if (!retainsContacts()) {
        created.add(entry(account.nextContactId++, key));
        continue;
      }
      ContactState contact = account.contacts.get(key);
      String status = contact == null ? null : contact.status;
      if (contact != null
          && !status.equals(SUBSCRIBED)
          && !status.equals("pendingOptIn")
          && !SUBSCRIBED.equals(channelStatus)) {
        globallySuppressed++;
        if (listSuppressed) {
          String code = status.equals(UNSUBSCRIBED) ? UNSUBSCRIBED : SUPPRESSED;
          failures.add(failure(key, code, suppressedDescription(code)));
        }
        continue;
      }
      Map<String, Object> converted = new LinkedHashMap<>();
      String badField = null;
      for (Map.Entry<String, Object> e : data.entrySet()) {
        String def = account.fields.get(e.getKey().toUpperCase(Locale.ROOT));
        String name = def.substring(0, def.indexOf('|'));
        String type = def.substring(def.indexOf('|') + 1);
        Object v = e.getValue();
        if (v != null) {
          v = convert(v, type);
          if (v == null) {
            badField = name;
            break;
          }
        }
        converted.put(name, v);
      }
      if (badField != null) {
        failures.add(
            failure(
                key, "invalidDataFieldValue", "Invalid value for data field '" + badField + "'"));
        continue;
      }
      boolean isNew = contact == null;
      if (isNew) {
        String optIn =
            Optional.ofNullable(
                    object(object(c.get("channelProperties")).get("email")).get("optInType"))
                .map(Object::toString)
                .orElse("single");
        String initial =
            channelStatus != null
                ? channelStatus
                : optIn.equals("double") || optIn.equals("verifiedDouble")
                    ? "pendingOptIn"
                    : SUBSCRIBED;
        contact = new ContactState(account.nextContactId++, key, initial);
        account.contacts.put(key, contact);
      } else if (channelStatus != null) {
        contact.status = channelStatus;
      }
      for (Map.Entry<String, Object> e : converted.entrySet()) {
        Object v = e.getValue();
        Object current = contact.dataFields.get(e.getKey());
        boolean empty = v == null || (v instanceof String && ((String) v).isEmpty());
        if (mergeOption.equals("overwriteIfNotEmpty") && empty) {
          continue;
        }
        if (mergeOption.equals("overwriteIfEmpty") && current != null) {
          continue;
        }
        if (v == null) {
          contact.dataFields.remove(e.getKey());
        } else {
          contact.dataFields.put(e.getKey(), v);
        }
      }
      for (Object l : (List<?>) Optional.ofNullable(c.get("lists")).orElse(List.of())) {
        BookState book = account.books.get(((Number) l).longValue());
        if (!book.unsubscribed.contains(key)) {
          book.members.add(key);
        }
      }
      if (!leftOutOfReports.contains(key)) {
        (isNew ? created : updated).add(entry(contact.id, key));
      }
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("newContacts", created.size());
    summary.put("updatedContacts", updated.size());
    summary.put("globallySuppressed", globallySuppressed);
    summary.put("invalidEntries", invalid);
    summary.put("duplicateIdentifiers", duplicates);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("importId", importId);
    report.put("status", "Finished");
    report.put("summary", summary);
    report.put("created", created);
    report.put("updated", updated);
    report.put("failures", failures);
    return renderWithNulls(report).getBytes(StandardCharsets.UTF_8);
  }

  private MockResponse importStatus(String importId) {
    counters.increment(DotdigitalCounter.STATUS_POLLS);
    synchronized (account.lock) {
      ImportJob job = account.imports.get(importId);
      if (job == null) {
        return v3Error(404, "contacts:importNotFound", "The import was not found.");
      }
      if (!job.finished()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("importId", importId);
        m.put("status", "NotFinished");
        return json(200, renderWithNulls(m));
      }
      if (job.terminal != null) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("importId", importId);
        m.put("status", job.terminal);
        return json(200, renderWithNulls(m));
      }
      String report = new String(job.report, StandardCharsets.UTF_8);
      if (!retainsContacts()) {
        account.imports.remove(importId); // keep memory flat in very large exports
      }
      return json(200, report);
    }
  }

  // ---- one contact ---------------------------------------------------------------------------

  private static final Set<String> PATCH_MEMBERS =
      Set.of(
          "identifiers",
          "dataFields",
          "channelProperties",
          "lists",
          "preferences",
          "consentRecords");
  private static final Map<String, String> PATCH_MERGE_OPTIONS =
      Map.of(
          "overwrite",
          "overwrite",
          "overwrite-if-not-empty",
          "overwriteIfNotEmpty",
          "overwrite-if-empty",
          "overwriteIfEmpty");

  /** The contact a path names, null when none has it; or an error answer for an identifier it cannot be. */
  private Object find(String identifier, String value) {
    String id = identifier.toLowerCase(Locale.ROOT);
    if (id.equals("email")) {
      // Percent-decoding only: a "+" in a path is a plus sign (in addresses such as
      // a+tag@example.org).
      String key =
          java.net.URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8)
              .trim()
              .toLowerCase(Locale.ROOT);
      if (!EMAIL.matcher(key).matches()) {
        return invalidId(key, "email");
      }
      return account.contacts.get(key);
    }
    if (id.equals("contactid")) {
      Long contactId = parseId(value);
      if (contactId == null) {
        return invalidId(value, "contactId");
      }
      for (ContactState c : account.contacts.values()) {
        if (c.id == contactId) {
          return c;
        }
      }
      return null;
    }
    return v3Error(
        400,
        "contacts:badRequest",
        "Unsupported identifier",
        "identifier",
        "This simulator supports the contactId and email identifiers only");
  }

  // ---- a member leaves the address book ----------------------------------------------------

  private MockResponse removeFromBook(String bookText, RecordedRequest request) {
    Long bookId = parseId(bookText);
    if (bookId == null) {
      return v2Error(400, "Error: ERROR_PARAMETER_INVALID");
    }
    Object parsed = parseStrict(request.getBody());
    if (!(parsed instanceof List) || ((List<?>) parsed).isEmpty()) {
      return v2Error(
          400,
          "The request body must be a non-empty array of contact ids. ERROR_PARAMETER_INVALID");
    }
    List<?> ids = (List<?>) parsed;
    if (ids.size() > maxBulkRemovalIds) {
      return v2Error(
          400,
          "At most "
              + maxBulkRemovalIds
              + " contact ids may be sent at once. ERROR_PARAMETER_INVALID");
    }
    List<Long> contactIds = new ArrayList<>();
    for (Object id : ids) {
      if (!(id instanceof Number)
          || ((Number) id).doubleValue() != Math.rint(((Number) id).doubleValue())
          || ((Number) id).doubleValue() < 1
          || ((Number) id).doubleValue() > Integer.MAX_VALUE) {
        return v2Error(400, "Contact ids must be whole numbers (int32). ERROR_PARAMETER_INVALID");
      }
      contactIds.add(((Number) id).longValue());
    }
    synchronized (account.lock) {
      BookState book = account.books.get(bookId);
      if (book == null) {
        return v2Error(404, "Error: ERROR_ADDRESSBOOK_NOT_FOUND");
      }
      noteBatch(contactIds.size());
      for (long id : contactIds) {
        ContactState c = byId(id);
        if (c != null) {
          noteEmail(c.email);
        }
        if (c != null && book.members.remove(c.email)) {
          counters.increment(DotdigitalCounter.BOOK_REMOVALS);
        } else {
          counters.increment(DotdigitalCounter.BOOK_REMOVAL_NO_OPS);
        }
      }
      String jobId = UUID.randomUUID().toString();
      account.removals.put(jobId, new ImportJob(System.nanoTime() + processingTime.toNanos()));
      counters.increment(DotdigitalCounter.BULK_REMOVALS_ACCEPTED);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("id", jobId);
      out.put("status", "Started");
      return json(202, renderWithNulls(out));
    }
  }

  private MockResponse removalStatus(String jobId) {
    synchronized (account.lock) {
      ImportJob job = account.removals.get(jobId.toLowerCase(Locale.ROOT));
      if (job == null) {
        return v2Error(404, "Error: ERROR_PARAMETER_INVALID");
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("id", jobId.toLowerCase(Locale.ROOT));
      out.put("status", job.finished() ? "Completed" : "Started");
      return json(200, renderWithNulls(out));
    }
  }

  private MockResponse removeOneFromBook(String bookText, String contactText) {
    Long bookId = parseId(bookText);
    Long contactId = parseId(contactText);
    if (bookId == null || contactId == null) {
      return v2Error(400, "Error: ERROR_PARAMETER_INVALID");
    }
    synchronized (account.lock) {
      BookState book = account.books.get(bookId);
      if (book == null) {
        return v2Error(404, "Error: ERROR_ADDRESSBOOK_NOT_FOUND");
      }
      ContactState c = byId(contactId);
      if (c == null) {
        return v2Error(404, "Error: ERROR_CONTACT_NOT_FOUND");
      }
      noteEmail(c.email);
      counters.increment(
          book.members.remove(c.email)
              ? DotdigitalCounter.BOOK_REMOVALS
              : DotdigitalCounter.BOOK_REMOVAL_NO_OPS);
      return new MockResponse.Builder().code(204).build();
    }
  }

  private MockResponse unsubscribeFromBook(String bookText, RecordedRequest request) {
    Long bookId = parseId(bookText);
    String email = emailMember(request);
    if (bookId == null || email == null) {
      return v2Error(400, "Error: ERROR_PARAMETER_INVALID");
    }
    synchronized (account.lock) {
      BookState book = account.books.get(bookId);
      if (book == null) {
        return v2Error(404, "Error: ERROR_ADDRESSBOOK_NOT_FOUND");
      }
      ContactState c = account.contacts.get(email);
      if (c == null) {
        return v2Error(404, "Error: ERROR_CONTACT_NOT_FOUND");
      }
      noteEmail(email);
      book.members.remove(email);
      if (book.unsubscribed.add(email)) {
        counters.increment(DotdigitalCounter.BOOK_UNSUBSCRIBES);
      }
      return json(200, renderWithNulls(suppression(c)));
    }
  }

  private MockResponse unsubscribeFromAccount(RecordedRequest request) {
    String email = emailMember(request);
    if (email == null) {
      return v2Error(400, "Error: ERROR_PARAMETER_INVALID");
    }
    synchronized (account.lock) {
      ContactState c = account.contacts.get(email);
      if (c == null) {
        return v2Error(404, "Error: ERROR_CONTACT_NOT_FOUND");
      }
      noteEmail(email);
      if (!c.status.equals(UNSUBSCRIBED)) {
        c.status = UNSUBSCRIBED;
        counters.increment(DotdigitalCounter.ACCOUNT_UNSUBSCRIBES);
      }
      return json(200, renderWithNulls(suppression(c)));
    }
  }

  private MockResponse deleteContactV2(String idText) {
    Long id = parseId(idText);
    if (id == null) {
      return v2Error(400, "Error: ERROR_PARAMETER_INVALID");
    }
    synchronized (account.lock) {
      ContactState c = byId(id);
      if (c == null) {
        return v2Error(404, "Error: ERROR_CONTACT_NOT_FOUND");
      }
      deleteContact(c);
      return new MockResponse.Builder().code(204).build();
    }
  }

  private MockResponse deleteContactV3(String identifier, String value) {
    synchronized (account.lock) {
      Object found = find(identifier, value);
      if (found instanceof MockResponse) {
        return (MockResponse) found;
      }
      if (found == null) {
        return v3Error(
            404,
            "contacts:contactNotFound",
            "The following contacts could not be found",
            value,
            "Not found using the identifier '" + identifier + "'");
      }
      ContactState c = (ContactState) found;
      Map<String, Object> out = contactJson(c);
      deleteContact(c);
      return json(200, renderWithNulls(out));
    }
  }

  /** Removes a contact from the account and from every book. Holds the lock. */
  private void deleteContact(ContactState c) {
    noteEmail(c.email);
    account.contacts.remove(c.email);
    account.books.values().forEach(b -> b.members.remove(c.email));
    counters.increment(DotdigitalCounter.CONTACT_DELETIONS);
  }

  /** The contact with this id, or null. Holds the lock. */
  private ContactState byId(long id) {
    for (ContactState c : account.contacts.values()) {
      if (c.id == id) {
        return c;
      }
    }
    return null;
  }

  /** The lower-cased {@code email} of a {@code {"email": ...}} body (other members refused), or null. */
  private static String emailMember(RecordedRequest request) {
    Object parsed = parseStrict(request.getBody());
    if (!(parsed instanceof Map)
        || !object(parsed).keySet().equals(Set.of("email"))
        || !(object(parsed).get("email") instanceof String)) {
      return null;
    }
    String email = ((String) object(parsed).get("email")).trim().toLowerCase(Locale.ROOT);
    return EMAIL.matcher(email).matches() ? email : null;
  }

  /** The v2 {@code ApiContactSuppression} answer of an unsubscribe. */
  private static Map<String, Object> suppression(ContactState c) {
    Map<String, Object> contact = new LinkedHashMap<>();
    contact.put("id", c.id);
    contact.put("email", c.email);
    contact.put("optInType", "Unknown");
    contact.put("emailType", "Html");
    contact.put("dataFields", null);
    contact.put(
        "status", c.status.substring(0, 1).toUpperCase(Locale.ROOT) + c.status.substring(1));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("suppressedContact", contact);
    out.put("dateRemoved", java.time.Instant.now().toString());
    out.put("reason", "Unsubscribed");
    return out;
  }

  private static MockResponse invalidId(String value, String identifier) {
    return v3Error(
        400,
        "contacts:invalidId",
        "The id value '" + value + "' is invalid for the identifier '" + identifier + "'");
  }

  private MockResponse getContact(String identifier, String value) {
    synchronized (account.lock) {
      Object found = find(identifier, value);
      if (found instanceof MockResponse) {
        return (MockResponse) found;
      }
      if (found == null) {
        return v3Error(
            404,
            "contacts:contactNotFound",
            "The following contacts could not be found",
            value,
            "Not found using the identifier '" + identifier + "'");
      }
      return json(200, renderWithNulls(contactJson((ContactState) found)));
    }
  }

  private MockResponse patchContact(String identifier, String value, RecordedRequest request) {
    String option = request.getUrl().queryParameter("merge-option");
    String mergeOption = PATCH_MERGE_OPTIONS.get(option == null ? "overwrite" : option);
    if (mergeOption == null) {
      return v3Error(
          400,
          "contacts:badRequest",
          "The merge-option parameter is invalid",
          "merge-option",
          "Allowed values: overwrite, overwrite-if-not-empty, overwrite-if-empty");
    }
    Object parsed = parseStrict(request.getBody());
    if (!(parsed instanceof Map)) {
      return v3Error(400, "contacts:badJson", "The request JSON is badly formed");
    }
    Map<String, Object> body = object(parsed);
    for (String k : body.keySet()) {
      if (!PATCH_MEMBERS.contains(k)) {
        return v3Error(
            400, "contacts:badRequest", "Unknown field", k, "'" + k + "' is not a contact field");
      }
    }
    Object identifiers = body.getOrDefault("identifiers", Map.of());
    if (!(identifiers instanceof Map)) {
      return v3Error(
          400,
          "contacts:badRequest",
          "The Identifiers field must be an object",
          "identifiers",
          "Not an object");
    }
    for (Map.Entry<String, Object> e : object(identifiers).entrySet()) {
      if (!e.getKey().equals("email") || !(e.getValue() instanceof String)) {
        return v3Error(
            400,
            "contacts:badRequest",
            "Unsupported identifier",
            "identifiers." + e.getKey(),
            "This simulator supports the email identifier only, as text");
      }
    }
    String newEmail = (String) object(identifiers).get("email");
    String target = newEmail == null ? null : newEmail.trim().toLowerCase(Locale.ROOT);
    if (target != null && !EMAIL.matcher(target).matches()) {
      return invalidId(newEmail, "email");
    }
    synchronized (account.lock) {
      Object found = find(identifier, value);
      if (found instanceof MockResponse) {
        return (MockResponse) found;
      }
      MockResponse invalid = validatePatch(body);
      if (invalid != null) {
        return invalid;
      }
      ContactState contact = (ContactState) found;
      ContactState holder = target == null ? null : account.contacts.get(target);
      if (holder != null && holder != contact) {
        return v3Error(
            409,
            "contacts:idAlreadyExists",
            "The id value '"
                + target
                + " for the identifier 'email' already exists. All identifiers must be unique!");
      }
      boolean created = contact == null;
      if (created) {
        if (target == null) {
          return v3Error(
              400,
              "contacts:badRequest",
              "The Identifiers field is required",
              "identifiers",
              "A new contact needs an email identifier");
        }
        contact = new ContactState(account.nextContactId++, target, SUBSCRIBED);
        account.contacts.put(target, contact);
        counters.increment(DotdigitalCounter.CONTACTS_CREATED_BY_PATCH);
      } else if (target != null && !target.equals(contact.email)) {
        String from = contact.email;
        account.contacts.remove(from);
        contact.email = target;
        account.contacts.put(target, contact);
        for (BookState b : account.books.values()) {
          if (b.members.remove(from)) {
            b.members.add(target);
          }
        }
        counters.increment(DotdigitalCounter.ADDRESS_CHANGES);
      }
      noteEmail(contact.email);
      merge(contact, object(body.get("dataFields")), mergeOption);
      for (Object l : (List<?>) Optional.ofNullable(body.get("lists")).orElse(List.of())) {
        account.books.get(((Number) l).longValue()).members.add(contact.email);
      }
      String status =
          Optional.ofNullable(
                  object(object(body.get("channelProperties")).get("email")).get("status"))
              .map(Object::toString)
              .orElse(null);
      if (status != null) {
        contact.status = status;
      }
      counters.increment(DotdigitalCounter.CONTACT_PATCHES);
      return json(created ? 201 : 200, renderWithNulls(contactJson(contact)));
    }
  }

  /** Checks a single-contact write's data fields, lists and channel properties; null when acceptable. Holds the lock. */
  private MockResponse validatePatch(Map<String, Object> body) {
    Object df = body.get("dataFields");
    if (df != null && !(df instanceof Map)) {
      return v3Error(
          400,
          "contacts:badRequest",
          "The DataFields field must be an object",
          "dataFields",
          "Not an object");
    }
    for (Map.Entry<String, Object> e : object(df).entrySet()) {
      if (!account.fields.containsKey(e.getKey().toUpperCase(Locale.ROOT))) {
        return v3Error(
            400,
            "contacts:badRequest",
            "Unknown data field",
            "dataFields." + e.getKey(),
            "Data field '" + e.getKey() + "' does not exist");
      }
      if (e.getValue() instanceof Map || e.getValue() instanceof List) {
        return v3Error(
            400,
            "contacts:badRequest",
            "Data field values must be scalars",
            "dataFields." + e.getKey(),
            "Not a scalar");
      }
      String def = account.fields.get(e.getKey().toUpperCase(Locale.ROOT));
      if (e.getValue() != null
          && convert(e.getValue(), def.substring(def.indexOf('|') + 1)) == null) {
        return v3Error(
            400,
            "contacts:badRequest",
            "Invalid data field value",
            "dataFields." + e.getKey(),
            "Invalid value for data field '" + def.substring(0, def.indexOf('|')) + "'");
      }
    }
    Object lists = body.get("lists");
    if (lists != null) {
      if (!(lists instanceof List)
          || ((List<?>) lists).isEmpty()
          || ((List<?>) lists).size() > 100) {
        return v3Error(
            400,
            "contacts:badRequest",
            "The Lists field must hold 1 to 100 list ids",
            "lists",
            "Between 1 and 100 list ids");
      }
      for (Object l : (List<?>) lists) {
        if (!(l instanceof Number) || !account.books.containsKey(((Number) l).longValue())) {
          return v3Error(
              400, "contacts:badRequest", "Unknown list", "lists", "List " + l + " does not exist");
        }
      }
    }
    Object channel = body.get("channelProperties");
    if (channel != null && !(channel instanceof Map)) {
      return v3Error(
          400,
          "contacts:badRequest",
          "The ChannelProperties field must be an object",
          "channelProperties",
          "Not an object");
    }
    return null;
  }

  /** Writes checked data field values by the merge option ({@code null} clears a field). Holds the lock. */
  private void merge(ContactState contact, Map<String, Object> data, String mergeOption) {
    Map<String, Object> converted = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : data.entrySet()) {
      String def = account.fields.get(e.getKey().toUpperCase(Locale.ROOT));
      converted.put(
          def.substring(0, def.indexOf('|')),
          e.getValue() == null ? null : convert(e.getValue(), def.substring(def.indexOf('|') + 1)));
    }
    converted.forEach(
        (name, v) -> {
          boolean empty = v == null || (v instanceof String && ((String) v).isEmpty());
          if ((mergeOption.equals("overwriteIfNotEmpty") && empty)
              || (mergeOption.equals("overwriteIfEmpty") && contact.dataFields.get(name) != null)) {
            return;
          }
          if (v == null) {
            contact.dataFields.remove(name);
          } else {
            contact.dataFields.put(name, v);
          }
        });
  }

  /** A contact as the v3 API renders it. Holds {@link #lock}. */
  private Map<String, Object> contactJson(ContactState c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("contactId", c.id);
    m.put("status", c.status);
    m.put("created", "2024-01-01T00:00:00Z");
    m.put("updated", "2024-01-01T00:00:00Z");
    m.put("identifiers", Map.of("email", c.email));
    m.put("dataFields", new LinkedHashMap<>(c.textFields()));
    m.put(
        "channelProperties",
        Map.of("email", Map.of("status", c.status, "emailType", "html", "optInType", "single")));
    List<Object> lists = new ArrayList<>();
    account.books.forEach(
        (id, b) -> {
          if (b.members.contains(c.email)) {
            lists.add(Map.of("id", id, "name", b.name, "status", "subscribed"));
          }
        });
    m.put("lists", lists);
    return m;
  }

  /** Imports not yet finished. Holds {@link #lock}. */
  private int activeImports() {
    int n = 0;
    for (Iterator<ImportJob> it = account.imports.values().iterator(); it.hasNext(); ) {
      if (!it.next().finished()) {
        n++;
      }
    }
    return n;
  }

  /** The number of imports not yet finished. */
  public int activeImportCount() {
    synchronized (account.lock) {
      return activeImports();
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

}
