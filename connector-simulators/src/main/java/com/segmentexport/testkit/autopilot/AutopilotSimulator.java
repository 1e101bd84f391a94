package com.segmentexport.testkit.autopilot;

import com.segmentexport.testkit.Counters;
import com.segmentexport.testkit.VendorSimulator;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A stand-in for Autopilot's REST API v1, written from the vendor's documented behaviour: the
 * {@code autopilotapikey} header (missing: 400, wrong: 401), {@code GET /v1/lists} ({@code title}),
 * {@code POST /v1/list} ({@code name}; 409 for a taken name, or a second list of that name),
 * {@code POST /v1/contacts} with at most 100 contacts (standard PascalCase fields, typed
 * {@code custom} keys such as {@code string--Loyalty--Tier}, {@code _autopilot_list}), answered with
 * {@code contact_ids} and {@code email_contact_map} (a refused contact is missing from the map),
 * list membership calls ({@code GET|POST|DELETE /v1/list/{id}/contact/{email}}), list member paging,
 * errors as {@code {"error", "message"}}, and 429 without any rate-limit header; the single-contact
 * upsert {@code POST /v1/contact} ({@code {"contact": {...}}}, answered {@code {"contact_id"}}) with
 * {@code _NewEmail}, and contact reads {@code GET /v1/contact/{contact_id_or_email}} (404 "Contact could
 * not be found."). Not simulated: custom-field definitions.
 *
 * <p>A member leaves a list with {@code DELETE /v1/list/{list_id}/contact/{contact_id_or_email}}, one
 * contact per call (v1 has no bulk removal): 200 {@code {}}; the contact, its fields, its other lists and
 * its subscription are kept. A contact that is not on the list is answered 200
 * {@code {"not_modified": true}} and nothing changes (undocumented; ap-php reads the flag), an unknown
 * contact 404 "Contact could not be found.", an unknown list 404. The calls a flawed connector might use
 * instead are simulated so that their effect shows: {@code POST /v1/contact/{contact_id_or_email}/unsubscribe}
 * (a global email unsubscribe: {@link #isUnsubscribed(String)}) and {@code DELETE
 * /v1/contact/{contact_id_or_email}} (204; the contact and all its memberships are gone, every contact
 * with that address: {@link #contactExists(String)}). All three are writes for the fault plan and rate
 * limited like every call ({@code /v1/contact...} paths answer 429 with the "5 r/s" message).
 *
 * <p>A contact keeps its {@code contact_id} for life: {@code _NewEmail} in a single upsert gives the
 * contact identified by {@code Email} the new address, keeping its id, fields and list memberships (as
 * n8n describes the key; Autopilot's own documents in the store do not mention it). A later contact
 * at the old address is another contact, with another id.
 *
 * <p>Where the vendor's behaviour is uncertain the simulator offers both readings:
 * {@link ListAssignment} (whether {@code _autopilot_list} in a bulk upsert adds existing contacts),
 * {@link #duplicateListNames} (409 or a second list), {@link #caseSensitiveAddresses} (whether
 * {@code Ana@example.org} and {@code ana@example.org} are one contact or two; undocumented), and for
 * {@code _NewEmail}: {@link UnknownCurrentAddress} (what a change of an address no contact has does),
 * {@link TakenNewAddress} (what a change to an address another contact has does) and
 * {@link BulkNewEmail} (whether the bulk upsert honours the key). Each defaults to the stricter reading:
 * the one under which a connector that sends the change blindly leaves the account wrong.
 */
public final class AutopilotSimulator extends VendorSimulator {
  /** Most contacts in one {@code POST /v1/contacts}. */
  public static final int MAX_BULK_CONTACTS = 100;

  /** Standard contact fields accepted at the top level of a contact. */
  public static final Set<String> STANDARD_FIELDS =
      Set.of(
          "Email",
          "FirstName",
          "LastName",
          "Twitter",
          "Salutation",
          "Company",
          "NumberOfEmployees",
          "Title",
          "Industry",
          "Phone",
          "MobilePhone",
          "Fax",
          "Website",
          "MailingStreet",
          "MailingCity",
          "MailingState",
          "MailingPostalCode",
          "MailingCountry",
          "owner_name",
          "LeadSource",
          "Status",
          "LinkedIn",
          "Unsubscribed",
          "unsubscribed",
          "_autopilot_list",
          "_autopilot_session_id",
          "_NewEmail",
          "notify",
          "custom");

  private static final Pattern CUSTOM_KEY =
      Pattern.compile("(string|integer|float|date|boolean)--\\S+");

  /** When {@code _autopilot_list} in a bulk upsert puts a contact on the list (UNCERTAIN at the vendor). */
  public enum ListAssignment {
    /** For new and existing contacts. */
    ALWAYS,
    /** Only for contacts the upsert creates (n8n: "added on creation"). */
    ON_CREATION,
    /** Never in bulk calls (only {@code POST /v1/list/{id}/contact/{email}} adds). */
    NEVER_IN_BULK
  }

  /** What {@code _NewEmail} does when no contact has the address in {@code Email} (undocumented). */
  public enum UnknownCurrentAddress {
    /** The upsert creates a contact at the new address, answered 200 like a change (the default). */
    CREATES_CONTACT,
    /** 404 "Contact could not be found."; nothing is created. */
    NOT_FOUND
  }

  /** What {@code _NewEmail} does when another contact already has the new address (undocumented). */
  public enum TakenNewAddress {
    /**
     * The change is applied anyway and two contacts share the address (Autopilot allows several
     * contacts with one address): the default.
     */
    SHARED_BY_TWO_CONTACTS,
    /** 409 Conflict; nothing changes. */
    CONFLICT
  }

  /** Whether {@code _NewEmail} works in the bulk upsert {@code POST /v1/contacts} (undocumented). */
  public enum BulkNewEmail {
    /** Ignored: the contact at {@code Email} is upserted and keeps its address (the default). */
    IGNORED,
    /** Applied as in the single upsert. */
    APPLIED
  }

  /** A list: its title and members (addresses as the account keys them, lower-cased by default). */
  public record ContactList(String title, Set<String> members) {}

  /** A deep copy of the account: lists by id, contacts' fields by address, unsubscribed contacts' addresses. */
  public record Snapshot(
      Map<String, ContactList> lists,
      Map<String, Map<String, String>> contacts,
      Set<String> unsubscribed) {}

  private final String apiKey;
  private final Map<String, ContactList> lists = new LinkedHashMap<>();
  private final Map<String, Long> memberCounts = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> contacts = new LinkedHashMap<>();

  /** Addresses (keys) of contacts unsubscribed by {@code POST /v1/contact/{id}/unsubscribe}. */
  private final Set<String> unsubscribed = new java.util.TreeSet<>();

  private final AtomicInteger listAdds = new AtomicInteger();
  private final AtomicInteger bulkUpserts = new AtomicInteger();
  private final AtomicInteger listCountReads = new AtomicInteger();
  private final Set<String> refusedListAdds = ConcurrentHashMap.newKeySet();
  private volatile ListAssignment listAssignment = ListAssignment.ON_CREATION;
  private volatile boolean duplicateListNames;
  private volatile boolean caseSensitive;
  private volatile UnknownCurrentAddress unknownCurrentAddress =
      UnknownCurrentAddress.CREATES_CONTACT;
  private volatile TakenNewAddress takenNewAddress = TakenNewAddress.SHARED_BY_TWO_CONTACTS;
  private volatile BulkNewEmail bulkNewEmail = BulkNewEmail.IGNORED;

  /**
   * Contact ids that differ from the one derived from the address: a contact that moved to this
   * address keeps its id, and a new contact at an address one moved away from gets a fresh one.
   */
  private final Map<String, String> contactIds = new HashMap<>();

  /** The derived contact id of each address asked for (a cache: the id depends on the address alone). */
  private final Map<String, String> derivedIds = new HashMap<>();

  /** Contacts sharing an address with the contact the address resolves to, by key: their id and fields. */
  private final Map<String, List<SharedContact>> shared = new LinkedHashMap<>();

  private final Counters<AutopilotCounter> counters = new Counters<>(AutopilotCounter.class);

  /** A second contact at an address, as the taken-address reading leaves it. */
  private record SharedContact(String id, Map<String, String> fields) {}

  /** A simulator accepting this API key. */
  public AutopilotSimulator(String apiKey) {
    this.apiKey = apiKey;
  }

  @Override
  public String vendor() {
    return "Autopilot";
  }

  @Override
  protected String basePath() {
    return "/v1";
  }

  @Override
  public List<String> credentials() {
    return List.of(apiKey);
  }

  /** Chooses the reading of {@code _autopilot_list} (default {@link ListAssignment#ON_CREATION}). */
  public AutopilotSimulator listAssignment(ListAssignment assignment) {
    this.listAssignment = assignment;
    return this;
  }

  /** True: creating a list with a taken name makes a second one (ap-php); false (default): 409. */
  public AutopilotSimulator duplicateListNames(boolean duplicates) {
    this.duplicateListNames = duplicates;
    return this;
  }

  /**
   * True: addresses differing in case are different contacts (the upsert creates a second contact, the
   * membership calls and pages keep the case); false (default): one contact, keyed lower-case.
   * Autopilot documents neither.
   */
  public AutopilotSimulator caseSensitiveAddresses(boolean sensitive) {
    this.caseSensitive = sensitive;
    return this;
  }

  /** Chooses the reading of a change whose current address no contact has (default: creates a contact). */
  public AutopilotSimulator unknownCurrentAddress(UnknownCurrentAddress reading) {
    this.unknownCurrentAddress = reading;
    return this;
  }

  /** Chooses the reading of a change to an address another contact has (default: two contacts share it). */
  public AutopilotSimulator takenNewAddress(TakenNewAddress reading) {
    this.takenNewAddress = reading;
    return this;
  }

  /** Chooses whether the bulk upsert honours {@code _NewEmail} (default: ignored). */
  public AutopilotSimulator bulkNewEmail(BulkNewEmail reading) {
    this.bulkNewEmail = reading;
    return this;
  }

  /** The account's key for an address: as given when addresses are case-sensitive, else lower-cased. */
  private String key(String email) {
    return caseSensitive ? email : email.toLowerCase(Locale.ROOT);
  }

  // ---- state ---------------------------------------------------------------------------------

  /** Creates a list and returns its id. */
  public synchronized String createList(String title) {
    String id = "contactlist_" + UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
    lists.put(id, new ContactList(title, new LinkedHashSet<>()));
    memberCounts.put(id, 0L);
    return id;
  }

  /** The id of the first list with this title, or null. */
  public synchronized String listId(String title) {
    for (Map.Entry<String, ContactList> e : lists.entrySet()) {
      if (e.getValue().title().equals(title)) {
        return e.getKey();
      }
    }
    return null;
  }

  /** How many lists carry this title. */
  public synchronized int listsTitled(String title) {
    return (int) lists.values().stream().filter(l -> l.title().equals(title)).count();
  }

  /** The members of the first list with this title (empty if none). */
  public synchronized Set<String> members(String title) {
    String id = listId(title);
    return id == null ? Set.of() : Set.copyOf(lists.get(id).members());
  }

  /** Adds a contact (as another source would have) with these fields. */
  public synchronized void addContact(String email, Map<String, String> fields) {
    Map<String, String> c = new TreeMap<>(fields);
    c.put("Email", email);
    contacts.put(key(email), c);
  }

  /**
   * Puts a contact on a list (as another source would have), creating the contact if the account does
   * not know it.
   */
  public synchronized void addListMember(String listId, String email) {
    contacts.computeIfAbsent(key(email), k -> new TreeMap<>(Map.of("Email", email)));
    lists.get(listId).members().add(key(email));
  }

  /** The stored fields of a contact (standard names, custom fields by typed key), or an empty map. */
  public synchronized Map<String, String> contactFields(String email) {
    Map<String, String> c = contacts.get(key(email));
    return c == null ? Map.of() : Map.copyOf(c);
  }

  /** A contact's id, if a contact has this address (the first one, when several share it). */
  public synchronized java.util.Optional<String> contactIdOf(String email) {
    return contacts.containsKey(key(email))
        ? java.util.Optional.of(contactId(email))
        : java.util.Optional.empty();
  }

  /** How many contacts have this address (more than one only after a change to a taken address). */
  public synchronized int contactsWithAddress(String email) {
    String k = key(email);
    return (contacts.containsKey(k) ? 1 : 0) + shared.getOrDefault(k, List.of()).size();
  }

  /**
   * How many contacts hold this field value (a standard field, or a custom one by its typed key such as
   * {@code string--Profile--Id}): with a field holding the profile's stable id, whether the profile is
   * one contact or was split into two.
   */
  public synchronized int contactsWith(String field, String value) {
    int n = 0;
    for (Map<String, String> c : contacts.values()) {
      n += value.equals(c.get(field)) ? 1 : 0;
    }
    for (List<SharedContact> list : shared.values()) {
      for (SharedContact c : list) {
        n += value.equals(c.fields().get(field)) ? 1 : 0;
      }
    }
    return n;
  }

  /** The titles of the lists this address is a member of, in creation order. */
  public synchronized List<String> listsOf(String email) {
    String k = key(email);
    List<String> titles = new ArrayList<>();
    lists
        .values()
        .forEach(
            l -> {
              if (l.members().contains(k)) {
                titles.add(l.title());
              }
            });
    return titles;
  }

  /** Whether a contact (any, when several share the address) has this address. */
  public synchronized boolean contactExists(String email) {
    return contactsWithAddress(email) > 0;
  }

  /** Whether the list (by id) has this address as a member. */
  public synchronized boolean isMember(String listId, String email) {
    ContactList list = lists.get(listId);
    return list != null && list.members().contains(key(email));
  }

  /**
   * Whether the contact at this address is unsubscribed from email: by {@code POST
   * /v1/contact/{id}/unsubscribe}, or by an upsert that set {@code Unsubscribed}/{@code unsubscribed} true.
   * Removing a member from a list must never make this true.
   */
  public synchronized boolean isUnsubscribed(String email) {
    String k = key(email);
    Map<String, String> c = contacts.getOrDefault(k, Map.of());
    return unsubscribed.contains(k)
        || "true".equalsIgnoreCase(c.get("Unsubscribed"))
        || "true".equalsIgnoreCase(c.get("unsubscribed"));
  }

  /** Contacts taken off a list by {@code DELETE /v1/list/{id}/contact/{id_or_email}}. */
  public int listRemovals() {
    return counters.intValue(AutopilotCounter.LIST_REMOVALS);
  }

  /** List removals of a contact that was not on the list (200 {@code not_modified}, nothing changed). */
  public int listRemovalNoOps() {
    return counters.intValue(AutopilotCounter.LIST_REMOVAL_NO_OPS);
  }

  /** Contacts unsubscribed by {@code POST /v1/contact/{id}/unsubscribe} (a global unsubscribe). */
  public int contactUnsubscribes() {
    return counters.intValue(AutopilotCounter.CONTACT_UNSUBSCRIBES);
  }

  /** Contacts deleted by {@code DELETE /v1/contact/{id_or_email}}. */
  public int contactDeletions() {
    return counters.intValue(AutopilotCounter.CONTACT_DELETIONS);
  }

  /** Contacts given a new address by {@code _NewEmail}. */
  public int addressChanges() {
    return counters.intValue(AutopilotCounter.ADDRESS_CHANGES);
  }

  /** Changes to a taken address that left two contacts sharing it. */
  public int sharedAddressChanges() {
    return counters.intValue(AutopilotCounter.SHARED_ADDRESSES);
  }

  /** Changes of an unknown address that created a contact instead. */
  public int contactsCreatedByAddressChange() {
    return counters.intValue(AutopilotCounter.CONTACTS_CREATED_BY_ADDRESS_CHANGE);
  }

  /** Contacts in bulk upserts whose {@code _NewEmail} was ignored. */
  public int ignoredBulkNewEmails() {
    return counters.intValue(AutopilotCounter.IGNORED_BULK_NEW_EMAILS);
  }

  /** Single upserts ({@code POST /v1/contact}) applied. */
  public int singleUpserts() {
    return counters.intValue(AutopilotCounter.SINGLE_UPSERTS);
  }

  /** Contacts added to lists one by one ({@code POST /v1/list/{id}/contact/{email}}). */
  public int singleListAdds() {
    return listAdds.get();
  }

  /** Bulk upserts applied. */
  public int bulkUpserts() {
    return bulkUpserts.get();
  }

  /**
   * Reads of a list's first member page ({@code GET /v1/list/{id}/contacts}, no bookmark), the page
   * that carries {@code total_contacts}: each count read, and the first page of each full read.
   */
  public int listCountReads() {
    return listCountReads.get();
  }

  /**
   * Makes {@code POST /v1/list/{id}/contact/{email}} answer 404 "Contact could not be found." for
   * this address, as when the contact was deleted after its upsert.
   */
  public AutopilotSimulator refuseListAdd(String email) {
    refusedListAdds.add(key(email));
    return this;
  }

  @Override
  public synchronized Snapshot snapshot() {
    Map<String, ContactList> l = new TreeMap<>();
    lists.forEach(
        (id, list) -> l.put(id, new ContactList(list.title(), Set.copyOf(list.members()))));
    Map<String, Map<String, String>> c = new TreeMap<>();
    contacts.forEach((k, v) -> c.put(k, Map.copyOf(v)));
    return new Snapshot(l, c, Set.copyOf(unsubscribed));
  }

  // ---- protocol ------------------------------------------------------------------------------

  @Override
  protected boolean isWrite(RecordedRequest request) {
    String path = route(request);
    String method = request.getMethod();
    return ("POST".equals(method)
            && (path.equals("/contacts")
                || path.equals("/contact")
                || path.matches("/list/[^/]+/contact/[^/]+")
                || path.matches("/contact/[^/]+/unsubscribe")))
        || ("DELETE".equals(method)
            && (path.matches("/list/[^/]+/contact/[^/]+") || path.matches("/contact/[^/]+")));
  }

  @Override
  protected boolean isCreate(RecordedRequest request) {
    return "POST".equals(request.getMethod()) && route(request).equals("/list");
  }

  @Override
  protected boolean authenticated(RecordedRequest request) {
    return apiKey.equals(request.getHeaders().get("autopilotapikey"));
  }

  @Override
  protected MockResponse unauthorized(RecordedRequest request) {
    return request.getHeaders().get("autopilotapikey") == null
        ? error(400, "Bad Request", "No autopilotapikey header provided.")
        : error(401, "Unauthorized", "Provided autopilotapikey not valid.");
  }

  /** 429 with the documented body and no header: Autopilot sends no Retry-After nor X-RateLimit-*. */
  @Override
  protected MockResponse throttled(RecordedRequest request, Duration untilNextToken) {
    return route(request).startsWith("/contact")
        ? error(429, "Too Many Requests", "You have exceeded your request rate of 5 r/s.")
        : error(
            429,
            "Too Many Requests",
            "Your request was throttled. Please see \"Rate Limit\" section of "
                + "documentation at http://developers.autopilothq.com.");
  }

  @Override
  protected MockResponse serverError(RecordedRequest request, int status) {
    return error(
        status, status == 503 ? "Service Unavailable" : "Internal Server Error", "(various)");
  }

  @Override
  protected MockResponse badRequest(RecordedRequest request, String message) {
    return error(400, "Bad Request", message);
  }

  @Override
  protected MockResponse handle(RecordedRequest request) {
    String method = request.getMethod();
    String[] seg = route(request).substring(1).split("/");
    if (seg.length == 1 && seg[0].equals("lists") && method.equals("GET")) {
      return getLists();
    }
    if (seg.length == 1 && seg[0].equals("list") && method.equals("POST")) {
      return createList(request);
    }
    if (seg.length == 1 && seg[0].equals("contacts") && method.equals("POST")) {
      return bulkUpsert(request);
    }
    if (seg.length == 1 && seg[0].equals("contact") && method.equals("POST")) {
      return singleUpsert(request);
    }
    if (seg.length == 2 && seg[0].equals("contact") && method.equals("GET")) {
      return getContact(URLDecoder.decode(seg[1], StandardCharsets.UTF_8));
    }
    if (seg.length == 2 && seg[0].equals("contact") && method.equals("DELETE")) {
      return deleteContact(URLDecoder.decode(seg[1], StandardCharsets.UTF_8));
    }
    if (seg.length == 3
        && seg[0].equals("contact")
        && seg[2].equals("unsubscribe")
        && method.equals("POST")) {
      return unsubscribeContact(URLDecoder.decode(seg[1], StandardCharsets.UTF_8));
    }
    if (seg.length >= 2 && seg[0].equals("list")) {
      synchronized (this) {
        ContactList list = lists.get(seg[1]);
        if (list == null) {
          return error(404, "Not Found", "List could not be found.");
        }
        if ((seg.length == 3 || seg.length == 4)
            && seg[2].equals("contacts")
            && method.equals("GET")) {
          return listContacts(seg[1], list, seg.length == 4 ? seg[3] : null);
        }
        if (seg.length == 4 && seg[2].equals("contact")) {
          return membership(
              method, seg[1], list, URLDecoder.decode(seg[3], StandardCharsets.UTF_8));
        }
      }
    }
    return error(404, "Not Found", "Resource could not be found.");
  }

  private synchronized MockResponse getLists() {
    StringBuilder b = new StringBuilder("{\"lists\":[");
    String sep = "";
    for (Map.Entry<String, ContactList> e : lists.entrySet()) {
      b.append(sep)
          .append("{\"list_id\":")
          .append(quote(e.getKey()))
          .append(",\"title\":")
          .append(quote(e.getValue().title()))
          .append('}');
      sep = ",";
    }
    return json(200, b.append("]}").toString());
  }

  private MockResponse createList(RecordedRequest request) {
    Map<String, Object> body = object(jsonBody(request), "body");
    if (!body.keySet().equals(Set.of("name"))
        || !(body.get("name") instanceof String)
        || ((String) body.get("name")).isBlank()) {
      throw new MalformedBodyException("A list needs exactly a non-empty \"name\".");
    }
    String name = (String) body.get("name");
    synchronized (this) {
      if (!duplicateListNames && listId(name) != null) {
        return error(409, "Conflict", "A list with this name already exists.");
      }
      return json(200, "{\"list_id\":" + quote(createList(name)) + "}");
    }
  }

  private MockResponse bulkUpsert(RecordedRequest request) {
    Map<String, Object> body = object(jsonBody(request), "body");
    if (!body.keySet().equals(Set.of("contacts")) || !(body.get("contacts") instanceof List)) {
      throw new MalformedBodyException("The body must be {\"contacts\": [...]}.");
    }
    List<?> items = (List<?>) body.get("contacts");
    if (items.isEmpty() || items.size() > MAX_BULK_CONTACTS) {
      throw new MalformedBodyException("Between 1 and 100 contacts may be sent at once.");
    }
    List<Map<String, Object>> parsed = new ArrayList<>();
    for (Object item : items) {
      parsed.add(validContact(object(item, "contact")));
    }
    noteBatch(parsed.size());
    StringBuilder ids = new StringBuilder();
    StringBuilder map = new StringBuilder();
    synchronized (this) {
      for (Map<String, Object> contact : parsed) {
        String email = (String) contact.get("Email");
        noteEmail(email);
        if (rejectionFor(email).isPresent()) {
          continue; // refused: absent from email_contact_map, not stored
        }
        if (contact.containsKey("_NewEmail") && bulkNewEmail == BulkNewEmail.APPLIED) {
          Changed changed = change(email, contact);
          if (changed.refusal() == null) {
            String id = changed.id();
            String now = (String) contact.get("_NewEmail");
            ids.append(ids.length() == 0 ? "" : ",").append(quote(id));
            map.append(map.length() == 0 ? "" : ",")
                .append(quote(now))
                .append(':')
                .append(quote(id));
          }
          continue;
        }
        if (contact.containsKey("_NewEmail")) {
          counters.increment(AutopilotCounter.IGNORED_BULK_NEW_EMAILS);
        }
        String id = contactId(email);
        boolean created = apply(email, contact);
        Object list = contact.get("_autopilot_list");
        if (list instanceof String
            && (listAssignment == ListAssignment.ALWAYS
                || (listAssignment == ListAssignment.ON_CREATION && created))) {
          addMember((String) list, email);
        }
        ids.append(ids.length() == 0 ? "" : ",").append(quote(id));
        map.append(map.length() == 0 ? "" : ",").append(quote(email)).append(':').append(quote(id));
      }
      bulkUpserts.incrementAndGet();
    }
    return json(
        200,
        "{\"contact_ids\":["
            + ids
            + "],\"email_contact_map\":{"
            + map
            + "},\"_removeResultKeys\":[\"proposedContacts\"]}");
  }

  /** Checks one contact's shape as the vendor reads it; returns it. */
  private static Map<String, Object> validContact(Map<String, Object> contact) {
    for (Map.Entry<String, Object> e : contact.entrySet()) {
      String key = e.getKey();
      Object v = e.getValue();
      if (!STANDARD_FIELDS.contains(key)) {
        throw new MalformedBodyException(
            "Unknown contact field " + key + ": custom fields go in \"custom\".");
      }
      if (key.equals("custom")) {
        for (Map.Entry<String, Object> c : object(v, "custom").entrySet()) {
          checkCustom(c.getKey(), c.getValue());
        }
      } else if (v == null || v instanceof Map || v instanceof List) {
        throw new MalformedBodyException("Field " + key + " must be a plain value.");
      }
    }
    if (!(contact.get("Email") instanceof String)
        || !((String) contact.get("Email")).contains("@")) {
      throw new MalformedBodyException("Invalid contact_id_or_email value provided.");
    }
    if (contact.containsKey("_NewEmail")
        && !(contact.get("_NewEmail") instanceof String
            && ((String) contact.get("_NewEmail")).contains("@"))) {
      throw new MalformedBodyException("Invalid _NewEmail value provided.");
    }
    return contact;
  }

  private static void checkCustom(String key, Object value) {
    if (!CUSTOM_KEY.matcher(key).matches()) {
      throw new MalformedBodyException("Custom field keys are <type>--<Name>, spaces as --.");
    }
    String type = key.substring(0, key.indexOf("--"));
    boolean ok;
    switch (type) {
      case "integer":
        ok = value instanceof Double && ((Double) value) == Math.rint((Double) value);
        break;
      case "float":
        ok = value instanceof Double;
        break;
      case "boolean":
        ok = value instanceof Boolean;
        break;
      case "date":
        ok = value instanceof String && ((String) value).matches("\\d{4}-\\d{2}-\\d{2}.*");
        break;
      default:
        ok = value instanceof String;
    }
    if (!ok) {
      throw new MalformedBodyException("Custom field " + key + " holds a value of another type.");
    }
  }

  /** Upserts a contact by e-mail; true if it was created. */
  private boolean apply(String email, Map<String, Object> contact) {
    if (!retainsContacts()) {
      return true;
    }
    String key = key(email);
    boolean created = !contacts.containsKey(key);
    Map<String, String> stored = contacts.computeIfAbsent(key, k -> new TreeMap<>());
    for (Map.Entry<String, Object> e : contact.entrySet()) {
      if (e.getKey().equals("custom")) {
        object(e.getValue(), "custom").forEach((k, v) -> put(stored, k, v));
      } else if (!e.getKey().startsWith("_") && !e.getKey().equals("notify")) {
        put(stored, e.getKey(), e.getValue());
      }
    }
    return created;
  }

  private static void put(Map<String, String> stored, String key, Object value) {
    String text =
        value instanceof Double && ((Double) value) == Math.rint((Double) value)
            ? Long.toString(((Double) value).longValue())
            : String.valueOf(value);
    stored.put(key, text);
  }

  private void addMember(String listId, String email) {
    ContactList list = lists.get(listId);
    if (list == null) {
      return; // an unknown list id is ignored by the upsert
    }
    if (retainsContacts()) {
      list.members().add(key(email));
    } else {
      memberCounts.merge(listId, 1L, Long::sum);
    }
  }

  /** One page of 100 members after {@code bookmark} (a contact id); the last page has no bookmark. */
  private MockResponse listContacts(String id, ContactList list, String bookmark) {
    if (bookmark == null) {
      listCountReads.incrementAndGet();
    }
    long total = retainsContacts() ? list.members().size() : memberCounts.get(id);
    StringBuilder b = new StringBuilder("{\"contacts\":[");
    int n = 0;
    boolean started = bookmark == null;
    String last = null;
    boolean more = false;
    for (String m : list.members()) {
      if (!started) {
        started = contactId(m).equals(bookmark);
        continue;
      }
      if (n == 100) {
        more = true;
        break;
      }
      last = contactId(m);
      b.append(n++ == 0 ? "" : ",")
          .append("{\"contact_id\":")
          .append(quote(last))
          .append(",\"Email\":")
          .append(quote(m))
          .append('}');
    }
    b.append("],\"total_contacts\":").append(total);
    if (more) {
      b.append(",\"bookmark\":").append(quote(last));
    }
    return json(200, b.append('}').toString());
  }

  private String contactId(String email) {
    String k = key(email);
    String id = contactIds.get(k);
    // Derived once per address: a members page after a bookmark looks at every member before it.
    return id != null ? id : derivedIds.computeIfAbsent(k, AutopilotSimulator::derivedId);
  }

  private static String derivedId(String key) {
    return "person_"
        + UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8))
            .toString()
            .toUpperCase(Locale.ROOT);
  }

  // ---- the single upsert and _NewEmail
  // ------------------------------------------------------------

  private MockResponse singleUpsert(RecordedRequest request) {
    Map<String, Object> body = object(jsonBody(request), "body");
    if (!body.keySet().equals(Set.of("contact"))) {
      throw new MalformedBodyException("The body must be {\"contact\": {...}}.");
    }
    Map<String, Object> contact = validContact(object(body.get("contact"), "contact"));
    String email = (String) contact.get("Email");
    noteBatch(1);
    noteEmail(email);
    synchronized (this) {
      counters.increment(AutopilotCounter.SINGLE_UPSERTS);
      if (contact.containsKey("_NewEmail")) {
        Changed changed = change(email, contact);
        return changed.refusal() != null
            ? changed.refusal()
            : json(200, "{\"contact_id\":" + quote(changed.id()) + "}");
      }
      String id = contactId(email);
      boolean created = apply(email, contact);
      Object list = contact.get("_autopilot_list");
      if (list instanceof String && (listAssignment == ListAssignment.ALWAYS || created)) {
        addMember((String) list, email);
      }
      return json(200, "{\"contact_id\":" + quote(id) + "}");
    }
  }

  /** A change's outcome: the contact id now at the new address, or the vendor's refusal. */
  private record Changed(String id, MockResponse refusal) {}

  /**
   * Gives the contact at {@code email} the address in {@code _NewEmail}, keeping its id, fields and
   * memberships, then applies the other fields. Holds the lock.
   */
  private Changed change(String email, Map<String, Object> contact) {
    String target = (String) contact.get("_NewEmail");
    noteEmail(target);
    String from = key(email);
    String to = key(target);
    if (!retainsContacts()) {
      return new Changed(derivedId(to), null);
    }
    if (!contacts.containsKey(from)) {
      if (unknownCurrentAddress == UnknownCurrentAddress.NOT_FOUND) {
        return new Changed(null, error(404, "Not Found", "Contact could not be found."));
      }
      // The upsert's reading: a contact is made, at the new address (the change had nothing to
      // move).
      Map<String, Object> asNew = new LinkedHashMap<>(contact);
      asNew.remove("_NewEmail");
      asNew.put("Email", target);
      counters.increment(AutopilotCounter.CONTACTS_CREATED_BY_ADDRESS_CHANGE);
      apply(target, asNew);
      return new Changed(contactId(target), null);
    }
    if (from.equals(to)) {
      contact = new LinkedHashMap<>(contact);
      contact.put("Email", target);
      apply(target, contact);
      return new Changed(contactId(target), null);
    }
    boolean taken = contacts.containsKey(to);
    if (taken && takenNewAddress == TakenNewAddress.CONFLICT) {
      return new Changed(null, error(409, "Conflict", "A contact with this email already exists."));
    }
    String id = contactId(email);
    Map<String, String> fields = contacts.remove(from);
    fields.put("Email", target);
    // A later contact at the old address is another contact: it gets a fresh id.
    contactIds.put(from, "person_" + UUID.randomUUID().toString().toUpperCase(Locale.ROOT));
    for (ContactList list : lists.values()) {
      if (list.members().remove(from)) {
        list.members().add(to);
      }
    }
    if (taken) {
      // The taken-address reading: the contact moves anyway, and two contacts now share the
      // address.
      shared.computeIfAbsent(to, k -> new ArrayList<>()).add(new SharedContact(id, fields));
      counters.increment(AutopilotCounter.SHARED_ADDRESSES);
    } else {
      contacts.put(to, fields);
      if (id.equals(derivedId(to))) {
        contactIds.remove(to);
      } else {
        contactIds.put(to, id);
      }
      Map<String, Object> rest = new LinkedHashMap<>(contact);
      rest.remove("_NewEmail");
      rest.remove("Email");
      apply(target, rest);
    }
    counters.increment(AutopilotCounter.ADDRESS_CHANGES);
    return new Changed(id, null);
  }

  /** The key of the contact a {@code contact_id_or_email} path segment names, or null. Holds the lock. */
  private String resolve(String idOrEmail) {
    if (idOrEmail.startsWith("person_")) {
      for (String k : contacts.keySet()) {
        if (contactId(k).equals(idOrEmail)) {
          return k;
        }
      }
      return null;
    }
    return contacts.containsKey(key(idOrEmail)) ? key(idOrEmail) : null;
  }

  /** {@code DELETE /v1/contact/{contact_id_or_email}}: every contact with the address, from every list; 204. */
  private synchronized MockResponse deleteContact(String idOrEmail) {
    String found = resolve(idOrEmail);
    if (found == null) {
      return error(
          404,
          "Not Found",
          "Could not delete contact as contact could not be found."); // as documented
    }
    noteEmail(found);
    contacts.remove(found);
    shared.remove(found);
    unsubscribed.remove(found);
    lists.values().forEach(l -> l.members().remove(found));
    counters.increment(AutopilotCounter.CONTACT_DELETIONS);
    return new MockResponse.Builder().code(204).build();
  }

  /** {@code POST /v1/contact/{contact_id_or_email}/unsubscribe}: a global email unsubscribe; 200. */
  private synchronized MockResponse unsubscribeContact(String idOrEmail) {
    String found = resolve(idOrEmail);
    if (found == null) {
      return error(404, "Not Found", "Contact could not be found.");
    }
    noteEmail(found);
    if (unsubscribed.add(found)) {
      counters.increment(AutopilotCounter.CONTACT_UNSUBSCRIBES);
    }
    return json(200, "{}");
  }

  /** {@code GET /v1/contact/{contact_id_or_email}}: the contact with its lists, or 404. */
  private synchronized MockResponse getContact(String idOrEmail) {
    String found = resolve(idOrEmail);
    if (found == null) {
      return error(404, "Not Found", "Contact could not be found.");
    }
    Map<String, String> fields = contacts.get(found);
    StringBuilder b = new StringBuilder("{\"contact_id\":").append(quote(contactId(found)));
    StringBuilder custom = new StringBuilder();
    for (Map.Entry<String, String> e : fields.entrySet()) {
      if (CUSTOM_KEY.matcher(e.getKey()).matches()) {
        String type = e.getKey().substring(0, e.getKey().indexOf("--"));
        String name = e.getKey().substring(type.length() + 2).replace("--", " ");
        custom
            .append(custom.length() == 0 ? "" : ",")
            .append("{\"kind\":")
            .append(quote(name))
            .append(",\"value\":")
            .append(quote(e.getValue()))
            .append(",\"fieldType\":")
            .append(quote(type))
            .append('}');
      } else {
        b.append(',').append(quote(e.getKey())).append(':').append(quote(e.getValue()));
      }
    }
    b.append(",\"custom_fields\":[").append(custom).append("],\"lists\":[");
    String sep = "";
    for (Map.Entry<String, ContactList> e : lists.entrySet()) {
      if (e.getValue().members().contains(found)) {
        b.append(sep).append(quote(e.getKey()));
        sep = ",";
      }
    }
    return json(200, b.append("]}").toString());
  }

  private MockResponse membership(
      String method, String listId, ContactList list, String idOrEmail) {
    String resolved = resolve(idOrEmail);
    String key = resolved != null ? resolved : key(idOrEmail);
    switch (method) {
      case "GET":
        return list.members().contains(key) ? json(200, "{}") : error(404, "Not Found", "");
      case "POST":
        if (!contacts.containsKey(key) || refusedListAdds.contains(key)) {
          return error(404, "Not Found", "Contact could not be found.");
        }
        listAdds.incrementAndGet();
        return list.members().add(key) ? json(200, "{}") : json(200, "{\"not_modified\":true}");
      case "DELETE":
        if (resolved == null) {
          return error(404, "Not Found", "Contact could not be found.");
        }
        noteEmail(key);
        if (!list.members().remove(key)) {
          counters.increment(AutopilotCounter.LIST_REMOVAL_NO_OPS);
          return json(200, "{\"not_modified\":true}");
        }
        counters.increment(AutopilotCounter.LIST_REMOVALS);
        return json(200, "{}");
      default:
        return error(405, "Method Not Allowed", "");
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static MockResponse error(int status, String error, String message) {
    return json(status, "{\"error\":" + quote(error) + ",\"message\":" + quote(message) + "}");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value, String what) {
    if (!(value instanceof Map)) {
      throw new MalformedBodyException("Expected a JSON object for " + what + ".");
    }
    return (Map<String, Object>) value;
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
