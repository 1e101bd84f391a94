package com.segmentexport.testkit.iterable;

import static java.util.Objects.requireNonNull;

import com.segmentexport.testkit.Counters;
import com.segmentexport.testkit.SimulatorJson;
import com.segmentexport.testkit.VendorSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * Iterable's REST API as a segment export uses it: {@code GET /api/lists}, {@code POST /api/lists},
 * {@code POST /api/lists/subscribe}, {@code GET /api/users/getFields}, for a profile whose address
 * changed, {@code POST /api/users/updateEmail} and {@code GET /api/users/getByEmail}, and, for a member
 * that left the segment, {@code POST /api/lists/unsubscribe} (with the calls a flawed connector might
 * use instead: a channel unsubscribe and {@code DELETE /api/users/{email}}); authenticated by an
 * {@code Api-Key} header. The project is email-based (users are identified by their lower-cased address).
 *
 * <p>What it enforces, from Iterable's own API spec and recorded traffic:
 * <ul>
 *   <li>{@code Api-Key} header; anything else is {@code 401 {"code":"BadApiKey"}}.
 *   <li>Subscribe bodies parsed strictly: {@code listId} and {@code subscribers} required, each
 *       subscriber an {@code email} or {@code userId} with optional {@code dataFields}; unknown members
 *       are {@code 400 BadJsonBody}.
 *   <li>At most {@value #MAX_SUBSCRIBERS} subscribers ({@code 400 BatchTooLarge}) and
 *       {@value #MAX_BODY_BYTES} bytes per request ({@code 413 BatchTooLarge}) — Iterable documents no
 *       cap for subscribe; these are the caps integrators use (1,000, and bulkUpdate's 4 MB).
 *   <li>Subscribing to a list id that does not exist, or that is not a Standard list, is
 *       {@code 400 {"msg":"error.lists.invalidListId"}}; so are the first
 *       {@linkplain #freshListRejections(int) few} subscribes to a list just created. The list is looked
 *       up before the subscribers are read (a stated choice: which refusal comes first is not
 *       documented), so such a refusal does not cost the simulator a parse of a thousand users.
 *   <li>Profile field types are fixed at their first write. A value of another type rejects the whole
 *       request with {@code 400 RequestFieldsTypesMismatched} naming every offending field in
 *       {@code params.validationErrors} (expected type, incoming types, a value), or, in the other
 *       documented reading
 *       ({@link #typeMismatchPerRecord(boolean)}), reports the user in
 *       {@code failedUpdates.invalidDataEmails}.
 *   <li>Per-record failures come back with HTTP 200 in {@code failedUpdates.*} (or, with
 *       {@link #legacyResponses(boolean)}, in the older top-level {@code invalidEmails}), addresses
 *       lower-cased.
 *   <li>429 {@code RateLimitExceeded}, with {@code Retry-After} unless {@link #retryAfterHeader(boolean)}
 *       is off (whether Iterable sends it is not known).
 *   <li>{@code POST /api/users/updateEmail} ({@code {"currentEmail" | "currentUserId", "newEmail"}},
 *       parsed strictly; {@code currentEmail} wins when both are given) moves the user, its data fields
 *       and its list memberships to the new address: the same user, never a second one ("all profile
 *       data and events will be migrated"). An unknown current user is {@code 400 BadParams "Cannot
 *       change user Some(old) to new. User does not exist"} (as recorded); a new address that already
 *       belongs to a user, or that was forgotten ({@link #rejectAddress} with {@code forgottenEmails}),
 *       is {@code EmailAlreadyExists} ("New email already exists" / "New email is on the forgotten
 *       list") and changes nothing. Its HTTP status is not known (Iterable's spec lists 400 and 409 for
 *       the call): 409 by default, {@link #emailConflictStatus(int)} for the other reading. A new address
 *       equal to the current one (in any case) counts as taken: the stricter reading. The call is a write
 *       for the {@link #faults() fault plan}, and is rate limited like every other call.
 *   <li>{@code GET /api/users/getByEmail?email=} answers {@code {"user": {"email", "dataFields"}}}, or
 *       {@code {}} for an unknown user (as recorded for {@code GET /api/users/{email}}).
 *   <li>{@code POST /api/lists/unsubscribe} ({@code {"listId", "subscribers": [{"email" | "userId"}],
 *       "campaignId"?, "channelUnsubscribe"?}}, parsed strictly, the same caps as subscribe) removes the
 *       users from that list only: the user, its data fields, its other lists and its subscriptions are
 *       kept. The answer has the subscribe answer's shape: an unknown user is in
 *       {@code failedUpdates.notFoundEmails} ("for subscribe/unsubscribe only", Iterable's spec), a
 *       malformed address in {@code invalidEmails}. A user who is not on the list changes nothing
 *       ({@link #listRemovalNoOps()}); whether Iterable names it in {@code notFoundEmails} (RudderStack
 *       reads {@code notFoundEmails} on unsubscribe as "already off the list") or counts it a success is
 *       not documented: {@code notFoundEmails} by default, {@link #notFoundForNonMembers(boolean)} for
 *       the other reading. A connector must take both as "not on the list". {@code channelUnsubscribe: true} also unsubscribes the user from the list's channel
 *       ("essentially a global unsubscribe"): {@link #isGloballyUnsubscribed(String)} turns true and
 *       stays true; a later subscribe does not undo it.
 *   <li>{@code DELETE /api/users/{email}} deletes the user and its memberships ({@link #hasUser}
 *       false, {@link #userDeletions()}); an unknown user is {@code 400 BadParams} (not documented).
 * </ul>
 *
 * <p>Stated choices where Iterable's documents are silent: e-mails are valid when they look like
 * {@code local@domain.tld}; an address twice in one request is applied twice (the last values win);
 * list names need not be unique.
 */
public final class IterableSimulator extends VendorSimulator {
  /** Most subscribers per subscribe request. */
  public static final int MAX_SUBSCRIBERS = 1000;

  /** Most bytes per subscribe request body. */
  public static final long MAX_BODY_BYTES = 4L * 1024 * 1024;

  /** The categories {@link #rejectAddress} understands: {@code failedUpdates} keys for e-mails. */
  public static final Set<String> FAILURE_CATEGORIES =
      Set.of(
          "invalidEmails",
          "notFoundEmails",
          "forgottenEmails",
          "conflictEmails",
          "invalidDataEmails");

  private static final Pattern EMAIL = Pattern.compile("[^\\s@]+@[^\\s@]+\\.[A-Za-z]{2,}");
  private static final Pattern DATE =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}( \\d{2}:\\d{2}:\\d{2} [+-]\\d{2}:\\d{2})?");
  private static final Set<String> SUBSCRIBE_MEMBERS =
      Set.of("listId", "subscribers", "updateExistingUsersOnly");
  private static final Set<String> USER_MEMBERS =
      Set.of("email", "userId", "dataFields", "preferUserId", "mergeNestedObjects");
  private static final Set<String> UPDATE_EMAIL_MEMBERS =
      Set.of("currentEmail", "currentUserId", "newEmail");
  private static final Set<String> UNSUBSCRIBE_MEMBERS =
      Set.of("listId", "subscribers", "campaignId", "channelUnsubscribe");
  private static final Set<String> UNSUBSCRIBER_MEMBERS = Set.of("email", "userId");

  /** One list: its name, type and members (lower-cased e-mails). */
  public record IterableList(String name, String listType, Set<String> members) {}

  /** The project's state, comparable. */
  public record Snapshot(
      Map<Long, IterableList> lists,
      Map<String, Map<String, Object>> users,
      Map<String, String> fieldTypes,
      Set<String> channelUnsubscribed) {}

  private final String apiKey;
  private final Map<Long, IterableList> lists = new TreeMap<>();

  /** Each list's {@code createdAt}, epoch milliseconds, as {@code GET /api/lists} reports it. */
  private final Map<Long, Long> listCreatedAt = new TreeMap<>();

  private final Map<Long, Integer> freshRejectionsLeft = new TreeMap<>();
  // A hash table, as a vendor indexes its users: with a million users a sorted map cost most of the
  // simulator's CPU in the benchmarks (compare strings down a 20-level tree on every subscriber,
  // under
  // the simulator's lock). Ordered views (snapshot) sort a copy.
  private final Map<String, Map<String, Object>> users = new HashMap<>();
  private final Map<String, String> fieldTypes = new TreeMap<>();
  private final Set<String> channelUnsubscribed = new TreeSet<>();
  private final AtomicInteger listCreations = new AtomicInteger();
  private final AtomicInteger updateExistingOnly = new AtomicInteger();
  private final AtomicInteger typeMismatches = new AtomicInteger();
  private long nextListId = 731_200;
  private volatile int freshListRejections;
  private volatile Duration freshListRejectionDelay = Duration.ZERO;
  private volatile boolean typeMismatchPerRecord;
  private volatile boolean legacyResponses;
  private volatile boolean retryAfterHeader = true;
  private volatile int emailConflictStatus = 409;
  private volatile boolean notFoundForNonMembers = true;
  private final Counters<IterableCounter> counters = new Counters<>(IterableCounter.class);

  /** A simulator of a project whose server-side API key is {@code apiKey}. */
  public IterableSimulator(String apiKey) {
    this.apiKey = requireNonNull(apiKey, "apiKey == null");
  }

  @Override
  public String vendor() {
    return "Iterable";
  }

  @Override
  public List<String> credentials() {
    return List.of(apiKey);
  }

  // ---- knobs ---------------------------------------------------------------------------------

  /** Each list created from now on refuses its first {@code n} subscribes with {@code invalidListId}. */
  public IterableSimulator freshListRejections(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n < 0");
    }
    freshListRejections = n;
    return this;
  }

  /**
   * Answers each fresh-list refusal only after {@code delay}, as when the server that refuses a new list
   * is slower than the ones that already know it.
   */
  public IterableSimulator freshListRejectionDelay(Duration delay) {
    freshListRejectionDelay = requireNonNull(delay, "delay == null");
    return this;
  }

  /** Reports type clashes per user in {@code failedUpdates.invalidDataEmails} instead of a 400. */
  public IterableSimulator typeMismatchPerRecord(boolean perRecord) {
    typeMismatchPerRecord = perRecord;
    return this;
  }

  /** Answers subscribes in the older shape: top-level {@code invalidEmails}/{@code invalidUserIds} only. */
  public IterableSimulator legacyResponses(boolean legacy) {
    legacyResponses = legacy;
    return this;
  }

  /**
   * The HTTP status of an {@code EmailAlreadyExists} answer to {@code updateEmail}: 409 (the default) or
   * 400. Iterable's spec lists both for the call and no recording shows which one it sends.
   */
  public IterableSimulator emailConflictStatus(int status) {
    if (status != 400 && status != 409) {
      throw new IllegalArgumentException("status must be 400 or 409: " + status);
    }
    emailConflictStatus = status;
    return this;
  }

  /**
   * Whether {@code lists/unsubscribe} names a user who exists but is not on the list in
   * {@code failedUpdates.notFoundEmails} (true, the default) or counts it a success (false). Iterable
   * documents neither; nothing changes either way.
   */
  public IterableSimulator notFoundForNonMembers(boolean notFound) {
    notFoundForNonMembers = notFound;
    return this;
  }

  /** Whether 429 answers carry {@code Retry-After} (default true). */
  public IterableSimulator retryAfterHeader(boolean send) {
    retryAfterHeader = send;
    return this;
  }

  /**
   * Refuses this address per record in {@code failedUpdates.<category>}; category one of
   * {@link #FAILURE_CATEGORIES}, null for {@code invalidEmails}.
   */
  @Override
  public IterableSimulator rejectAddress(String email, String category) {
    String c = category == null ? "invalidEmails" : category;
    if (!FAILURE_CATEGORIES.contains(c)) {
      throw new IllegalArgumentException(
          "unknown category " + c + "; use one of " + FAILURE_CATEGORIES);
    }
    super.rejectAddress(email, c);
    return this;
  }

  // ---- state ---------------------------------------------------------------------------------

  /**
   * Creates a list of this type ({@code Standard}, {@code Dynamic}, ...) that has existed for a day, and
   * returns its id.
   */
  public long createList(String name, String listType) {
    return createList(name, listType, Instant.now().minus(Duration.ofDays(1)));
  }

  /**
   * Creates a list of this type created at the time given (a list another client made a moment ago, or
   * long ago), and returns its id.
   */
  public synchronized long createList(String name, String listType, Instant createdAt) {
    long id = nextListId++;
    lists.put(id, new IterableList(name, listType, new LinkedHashSet<>()));
    listCreatedAt.put(id, createdAt.toEpochMilli());
    if (freshListRejections > 0) {
      freshRejectionsLeft.put(id, freshListRejections);
    }
    return id;
  }

  /** The ids of the lists with this name and type, oldest first. */
  public synchronized List<Long> listIds(String name, String listType) {
    List<Long> ids = new ArrayList<>();
    lists.forEach(
        (id, l) -> {
          if (l.name().equals(name) && l.listType().equals(listType)) {
            ids.add(id);
          }
        });
    return ids;
  }

  /** The members of the Standard list named {@code name} (empty if there is none). */
  public synchronized Set<String> members(String name) {
    Set<String> all = new TreeSet<>();
    for (long id : listIds(name, "Standard")) {
      all.addAll(lists.get(id).members());
    }
    return all;
  }

  /** A user's data fields as text (absent fields left out). */
  public synchronized Map<String, String> dataFields(String email) {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, Object> fields = users.getOrDefault(email.toLowerCase(Locale.ROOT), Map.of());
    fields.forEach((k, v) -> out.put(k, text(v)));
    return out;
  }

  /** Adds (or replaces) a user with these data fields, as another source would have. */
  public synchronized void addUser(String email, Map<String, ?> dataFields) {
    users.put(email.toLowerCase(Locale.ROOT), new TreeMap<>(dataFields));
  }

  /** Puts a user on a list (the user is created when the project does not have it). */
  public synchronized void addListMember(long listId, String email) {
    String key = email.toLowerCase(Locale.ROOT);
    IterableList list = lists.get(listId);
    if (list == null) {
      throw new IllegalArgumentException("no list " + listId);
    }
    users.computeIfAbsent(key, k -> new TreeMap<>());
    list.members().add(key);
  }

  /** Whether the project has a user at this address. */
  public synchronized boolean hasUser(String email) {
    return users.containsKey(email.toLowerCase(Locale.ROOT));
  }

  /** The names of the lists whose members include this address, in list id order. */
  public synchronized List<String> listsOf(String email) {
    String key = email.toLowerCase(Locale.ROOT);
    List<String> names = new ArrayList<>();
    lists
        .values()
        .forEach(
            l -> {
              if (l.members().contains(key)) {
                names.add(l.name());
              }
            });
    return names;
  }

  /**
   * How many users hold this data field value (compared as text): with a field holding the profile's
   * stable id, whether the profile is one user or was split into two.
   */
  public synchronized int usersWith(String field, Object value) {
    String wanted = text(value);
    int n = 0;
    for (Map<String, Object> fields : users.values()) {
      Object v = fields.get(field);
      if (v != null && text(v).equals(wanted)) {
        n++;
      }
    }
    return n;
  }

  /** Whether this list (by id) has this address as a member. */
  public synchronized boolean isMember(long listId, String email) {
    IterableList list = lists.get(listId);
    return list != null && list.members().contains(email.toLowerCase(Locale.ROOT));
  }

  /**
   * Whether this address was unsubscribed from a channel (a {@code lists/unsubscribe} with
   * {@code channelUnsubscribe: true}): a global unsubscribe, which removing a member must never cause.
   */
  public synchronized boolean isGloballyUnsubscribed(String email) {
    return channelUnsubscribed.contains(email.toLowerCase(Locale.ROOT));
  }

  /** Users removed from a list by {@code lists/unsubscribe} (each user once per list it left). */
  public int listRemovals() {
    return counters.intValue(IterableCounter.LIST_REMOVALS);
  }

  /** Users named in {@code lists/unsubscribe} who were not on the list: counted a success, nothing changed. */
  public int listRemovalNoOps() {
    return counters.intValue(IterableCounter.LIST_REMOVAL_NO_OPS);
  }

  /** {@code lists/unsubscribe} requests accepted (of any size). */
  public int unsubscribeRequests() {
    return counters.intValue(IterableCounter.UNSUBSCRIBE_REQUESTS);
  }

  /** Users unsubscribed from a channel by {@code channelUnsubscribe: true}. */
  public int channelUnsubscribes() {
    return counters.intValue(IterableCounter.CHANNEL_UNSUBSCRIBES);
  }

  /** {@code lists/unsubscribe} requests that attributed the removal to a campaign ({@code campaignId}). */
  public int campaignAttributedUnsubscribes() {
    return counters.intValue(IterableCounter.CAMPAIGN_ATTRIBUTED_UNSUBSCRIBES);
  }

  /** Users deleted by {@code DELETE /api/users/{email}}. */
  public int userDeletions() {
    return counters.intValue(IterableCounter.USER_DELETIONS);
  }

  /** {@code updateEmail} calls applied. */
  public int addressChanges() {
    return counters.intValue(IterableCounter.ADDRESS_CHANGES);
  }

  /** {@code updateEmail} calls refused. */
  public int addressChangeRefusals() {
    return counters.intValue(IterableCounter.ADDRESS_CHANGE_REFUSALS);
  }

  /** The project's field types, fixed at each field's first write. */
  public synchronized Map<String, String> fieldTypes() {
    return Map.copyOf(fieldTypes);
  }

  /** Fixes a field's type, as if an earlier write had set it. */
  public synchronized void fieldType(String field, String type) {
    fieldTypes.put(field, type);
  }

  /** {@code POST /api/lists} calls accepted. */
  public int listCreations() {
    return listCreations.get();
  }

  /** Subscribe requests that set {@code updateExistingUsersOnly} to true. */
  public int updateExistingUsersOnlyRequests() {
    return updateExistingOnly.get();
  }

  /** Subscribe requests refused whole with {@code RequestFieldsTypesMismatched}. */
  public int typeMismatchRejections() {
    return typeMismatches.get();
  }

  @Override
  public synchronized Snapshot snapshot() {
    Map<Long, IterableList> l = new TreeMap<>();
    lists.forEach(
        (id, v) -> l.put(id, new IterableList(v.name(), v.listType(), Set.copyOf(v.members()))));
    Map<String, Map<String, Object>> u = new TreeMap<>();
    users.forEach((k, v) -> u.put(k, Map.copyOf(v)));
    return new Snapshot(l, u, Map.copyOf(fieldTypes), Set.copyOf(channelUnsubscribed));
  }

  // ---- protocol ------------------------------------------------------------------------------

  @Override
  protected boolean isWrite(RecordedRequest request) {
    String path = route(request);
    return ("POST".equals(request.getMethod())
            && (path.equals("/api/lists/subscribe")
                || path.equals("/api/lists/unsubscribe")
                || path.equals("/api/users/updateEmail")))
        || ("DELETE".equals(request.getMethod()) && isUserPath(path));
  }

  @Override
  protected boolean isCreate(RecordedRequest request) {
    return "POST".equals(request.getMethod()) && route(request).equals("/api/lists");
  }

  @Override
  protected boolean authenticated(RecordedRequest request) {
    return apiKey.equals(request.getHeaders().get("Api-Key"));
  }

  @Override
  protected MockResponse unauthorized(RecordedRequest request) {
    return json(
        401,
        "{\"msg\":\"Invalid API key\",\"code\":\"BadApiKey\",\"params\":{\"ip\":\"127.0.0.1\","
            + "\"endpoint\":\""
            + route(request)
            + "\"}}");
  }

  @Override
  protected MockResponse throttled(RecordedRequest request, Duration untilNextToken) {
    MockResponse.Builder b =
        new MockResponse.Builder(
            json(
                429,
                "{\"msg\":\"Exceeded rate limit for endpoint: "
                    + route(request)
                    + ", project: 10216 \",\"code\":\"RateLimitExceeded\",\"params\":{}}"));
    if (retryAfterHeader && untilNextToken != null) {
      b.setHeader(
          "Retry-After", Long.toString(Math.max(1, (untilNextToken.toMillis() + 999) / 1000)));
    }
    return b.build();
  }

  @Override
  protected MockResponse serverError(RecordedRequest request, int status) {
    if (status == 502 || status == 503 || status == 504) {
      // Iterable's ingress answers these with plain text, not its JSON envelope.
      return new MockResponse.Builder()
          .code(status)
          .setHeader("Content-Type", "text/plain")
          .body("Request timeout. Try again later.")
          .build();
    }
    return error(status, "GenericError", "An unexpected error occurred");
  }

  @Override
  protected MockResponse badRequest(RecordedRequest request, String message) {
    return error(400, "BadJsonBody", message);
  }

  @Override
  protected MockResponse handle(RecordedRequest request) {
    String path = route(request);
    String method = request.getMethod();
    if (path.equals("/api/lists") && method.equals("GET")) {
      return listLists();
    }
    if (path.equals("/api/lists") && method.equals("POST")) {
      return createList(request);
    }
    if (path.equals("/api/lists/subscribe") && method.equals("POST")) {
      return subscribe(request);
    }
    if (path.equals("/api/users/getFields") && method.equals("GET")) {
      return getFields();
    }
    if (path.equals("/api/users/updateEmail") && method.equals("POST")) {
      return updateEmail(request);
    }
    if (path.equals("/api/users/getByEmail") && method.equals("GET")) {
      return getByEmail(request);
    }
    if (path.equals("/api/lists/unsubscribe") && method.equals("POST")) {
      return unsubscribe(request);
    }
    if (isUserPath(path) && method.equals("DELETE")) {
      return deleteUser(path);
    }
    return error(404, "NotFound", "No such endpoint: " + method + " " + path);
  }

  /** {@code {"fields": {name: type}}}, the project's profile fields as recorded (it-gr). */
  private synchronized MockResponse getFields() {
    StringBuilder b = new StringBuilder("{\"fields\":{");
    String sep = "";
    for (Map.Entry<String, String> e : fieldTypes.entrySet()) {
      b.append(sep).append(quote(e.getKey())).append(':').append(quote(e.getValue()));
      sep = ",";
    }
    return json(200, b.append("}}").toString());
  }

  private synchronized MockResponse listLists() {
    StringBuilder b = new StringBuilder("{\"lists\":[");
    String sep = "";
    for (Map.Entry<Long, IterableList> e : lists.entrySet()) {
      b.append(sep)
          .append("{\"id\":")
          .append(e.getKey())
          .append(",\"name\":")
          .append(quote(e.getValue().name()))
          .append(",\"createdAt\":")
          .append(listCreatedAt.getOrDefault(e.getKey(), 1719912000123L))
          .append(",\"listType\":\"")
          .append(e.getValue().listType())
          .append("\"}");
      sep = ",";
    }
    return json(200, b.append("]}").toString());
  }

  private MockResponse createList(RecordedRequest request) {
    Map<String, Object> body = object(jsonBody(request), "body");
    for (String k : body.keySet()) {
      if (!k.equals("name") && !k.equals("description")) {
        throw new MalformedBodyException("Unknown field '" + k + "'");
      }
    }
    Object name = body.get("name");
    if (!(name instanceof String) || ((String) name).isBlank()) {
      return error(400, "BadParams", "name is required");
    }
    listCreations.incrementAndGet();
    return json(200, "{\"listId\":" + createList((String) name, "Standard", Instant.now()) + "}");
  }

  private MockResponse subscribe(RecordedRequest request) {
    if (request.getBodySize() > MAX_BODY_BYTES) {
      return error(413, "BatchTooLarge", "Request body exceeds " + MAX_BODY_BYTES + " bytes");
    }
    MockResponse unusable = unusableList(listIdOf(request));
    if (unusable != null) {
      return unusable; // the list is looked up before the subscribers are read
    }
    Map<String, Object> body = object(jsonBody(request), "body");
    for (String k : body.keySet()) {
      if (!SUBSCRIBE_MEMBERS.contains(k)) {
        throw new MalformedBodyException("Unknown field '" + k + "' in SubscribeRequest");
      }
    }
    if (!(body.get("listId") instanceof Number) || !(body.get("subscribers") instanceof List)) {
      return error(400, "BadParams", "listId and subscribers are required");
    }
    Object only = body.get("updateExistingUsersOnly");
    if (only != null && !(only instanceof Boolean)) {
      throw new MalformedBodyException("updateExistingUsersOnly must be a boolean");
    }
    if (Boolean.TRUE.equals(only)) {
      updateExistingOnly.incrementAndGet();
    }
    List<?> subscribers = (List<?>) body.get("subscribers");
    if (subscribers.size() > MAX_SUBSCRIBERS) {
      return error(400, "BatchTooLarge", "At most " + MAX_SUBSCRIBERS + " subscribers per request");
    }
    List<Map<String, Object>> users = new ArrayList<>();
    for (Object s : subscribers) {
      Map<String, Object> user = object(s, "subscriber");
      for (String k : user.keySet()) {
        if (!USER_MEMBERS.contains(k)) {
          throw new MalformedBodyException("Unknown field '" + k + "' in subscriber");
        }
      }
      if (!(user.get("email") instanceof String) && !(user.get("userId") instanceof String)) {
        return error(400, "BadParams", "Each subscriber needs an email or a userId");
      }
      if (user.containsKey("dataFields")) {
        object(user.get("dataFields"), "dataFields");
      }
      users.add(user);
    }
    noteBatch(users.size());
    return apply(((Number) body.get("listId")).longValue(), users);
  }

  /**
   * The top-level {@code listId} of a subscribe body when it is a whole number, read without building
   * the subscribers (a streaming pass that skips every other value); null when the body has none or is
   * not JSON, which the full parse then answers.
   */
  private static Long listIdOf(RecordedRequest request) {
    okio.ByteString bytes = request.getBody();
    if (bytes == null || bytes.size() == 0) {
      return null;
    }
    try (com.squareup.moshi.JsonReader r =
        com.squareup.moshi.JsonReader.of(new okio.Buffer().write(bytes))) {
      r.beginObject();
      while (r.hasNext()) {
        if (r.nextName().equals("listId")
            && r.peek() == com.squareup.moshi.JsonReader.Token.NUMBER) {
          double id = r.nextDouble();
          return id == Math.rint(id) ? (long) id : null;
        }
        r.skipValue();
      }
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
    return null;
  }

  /**
   * The {@code invalidListId} refusal for a list that does not exist, is not a Standard list or was
   * created moments ago (one of its {@linkplain #freshListRejections fresh refusals} used up); null for
   * a usable list, or no list id.
   */
  private synchronized MockResponse unusableList(Long listId) {
    if (listId == null) {
      return null;
    }
    IterableList list = lists.get(listId);
    Integer fresh = freshRejectionsLeft.get(listId);
    if (list != null && list.listType().equals("Standard") && fresh == null) {
      return null;
    }
    MockResponse refusal = error(400, "BadParams", "error.lists.invalidListId: " + listId);
    if (fresh == null) {
      return refusal;
    }
    if (fresh <= 1) {
      freshRejectionsLeft.remove(listId);
    } else {
      freshRejectionsLeft.put(listId, fresh - 1);
    }
    return freshListRejectionDelay.isZero()
        ? refusal
        : new MockResponse.Builder(refusal)
            .headersDelay(
                freshListRejectionDelay.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)
            .build();
  }

  private synchronized MockResponse apply(long listId, List<Map<String, Object>> subscribers) {
    MockResponse unusable = unusableList(listId);
    if (unusable != null) {
      return unusable;
    }
    IterableList list = lists.get(listId);
    Map<String, Object> mismatched = new LinkedHashMap<>(); // field -> its first offending value
    Map<String, String> pendingTypes = new LinkedHashMap<>();
    Map<String, List<String>> failed = new LinkedHashMap<>();
    for (String c : FAILURE_CATEGORIES) {
      failed.put(c, new ArrayList<>());
    }
    List<Map<String, Object>> accepted = new ArrayList<>();
    for (Map<String, Object> s : subscribers) {
      Object rawEmail = s.get("email");
      if (!(rawEmail instanceof String)) {
        continue; // userId-only subscribers: not used by this project's identity (email)
      }
      String email = ((String) rawEmail).toLowerCase(Locale.ROOT);
      noteEmail(email);
      String category = rejectionFor(email).orElse(null);
      if (category == null && !EMAIL.matcher(email).matches()) {
        category = "invalidEmails";
      }
      if (category == null) {
        Map<String, Object> dataFields =
            object(s.getOrDefault("dataFields", Map.of()), "dataFields");
        List<String> clashes = clashes(dataFields, pendingTypes);
        if (!clashes.isEmpty()) {
          if (!typeMismatchPerRecord) {
            clashes.forEach(f -> mismatched.putIfAbsent(f, dataFields.get(f)));
            continue;
          }
          category = "invalidDataEmails";
        }
      }
      if (category != null) {
        failed.get(category).add(email);
        continue;
      }
      accepted.add(s);
    }
    if (!mismatched.isEmpty()) {
      // As recorded: every offending field in params.validationErrors, with the project's type, the
      // types
      // the request's value could have, and the value.
      typeMismatches.incrementAndGet();
      String field = mismatched.keySet().iterator().next();
      StringBuilder errors = new StringBuilder();
      for (Map.Entry<String, Object> e : mismatched.entrySet()) {
        String expected = fieldTypes.getOrDefault(e.getKey(), pendingTypes.get(e.getKey()));
        List<String> incoming = incomingTypes(typeOf(e.getValue()));
        errors
            .append(errors.length() == 0 ? "" : ",")
            .append(quote(e.getKey()))
            .append(":{\"incomingTypes\":")
            .append(array(incoming))
            .append(",\"expectedType\":")
            .append(quote(expected))
            .append(",\"_type\":\"UnexpectedType\",\"offendingValue\":")
            .append(quote(text(e.getValue())))
            .append(",\"category\":\"user\"}");
      }
      return json(
          400,
          "{\"msg\":"
              + quote(
                  "Project 10216: The request does not have the same data types as the data "
                      + "previously submitted. Field '"
                      + field
                      + "' already exists for type 'user' and has a data type of '"
                      + fieldTypes.getOrDefault(field, pendingTypes.get(field))
                      + "' but possible types '"
                      + String.join(", ", incomingTypes(typeOf(mismatched.get(field))))
                      + "' in the request.")
              + ",\"code\":\"RequestFieldsTypesMismatched\",\"params\":{\"validationErrors\":{"
              + errors
              + "}}}");
    }
    fieldTypes.putAll(pendingTypes);
    for (Map<String, Object> s : retainsContacts() ? accepted : List.<Map<String, Object>>of()) {
      String email = ((String) s.get("email")).toLowerCase(Locale.ROOT);
      Map<String, Object> fields = users.computeIfAbsent(email, k -> new TreeMap<>());
      fields.putAll(object(s.getOrDefault("dataFields", Map.of()), "dataFields"));
      list.members().add(email);
    }
    int failCount = subscribers.size() - accepted.size();
    StringBuilder b =
        new StringBuilder("{\"successCount\":")
            .append(accepted.size())
            .append(",\"failCount\":")
            .append(failCount);
    if (legacyResponses) {
      b.append(",\"invalidEmails\":")
          .append(array(failed.get("invalidEmails")))
          .append(",\"invalidUserIds\":[]}");
    } else {
      b.append(",\"failedUpdates\":{");
      String sep = "";
      for (Map.Entry<String, List<String>> e : failed.entrySet()) {
        b.append(sep).append(quote(e.getKey())).append(':').append(array(e.getValue()));
        sep = ",";
      }
      b.append(
          ",\"invalidUserIds\":[],\"notFoundUserIds\":[],\"forgottenUserIds\":[],\"conflictUserIds\":[],"
              + "\"invalidDataUserIds\":[]},\"createdFields\":[],\"filteredOutFields\":[]}");
    }
    return json(200, b.toString());
  }

  // ---- a member leaves the list ---------------------------------------------------------------

  private static boolean isUserPath(String path) {
    return path.startsWith("/api/users/")
        && path.indexOf('/', "/api/users/".length()) < 0
        && path.length() > "/api/users/".length();
  }

  private MockResponse unsubscribe(RecordedRequest request) {
    if (request.getBodySize() > MAX_BODY_BYTES) {
      return error(413, "BatchTooLarge", "Request body exceeds " + MAX_BODY_BYTES + " bytes");
    }
    Map<String, Object> body = object(jsonBody(request), "body");
    for (String k : body.keySet()) {
      if (!UNSUBSCRIBE_MEMBERS.contains(k)) {
        throw new MalformedBodyException("Unknown field '" + k + "' in UnsubscribeRequest");
      }
    }
    if (!(body.get("listId") instanceof Number) || !(body.get("subscribers") instanceof List)) {
      return error(400, "BadParams", "listId and subscribers are required");
    }
    Object channel = body.get("channelUnsubscribe");
    if (channel != null && !(channel instanceof Boolean)) {
      throw new MalformedBodyException("channelUnsubscribe must be a boolean");
    }
    Object campaign = body.get("campaignId");
    if (campaign != null && !(campaign instanceof Number)) {
      throw new MalformedBodyException("campaignId must be an integer");
    }
    List<?> subscribers = (List<?>) body.get("subscribers");
    if (subscribers.size() > MAX_SUBSCRIBERS) {
      return error(400, "BatchTooLarge", "At most " + MAX_SUBSCRIBERS + " subscribers per request");
    }
    List<String> emails = new ArrayList<>();
    for (Object s : subscribers) {
      Map<String, Object> user = object(s, "subscriber");
      for (String k : user.keySet()) {
        if (!UNSUBSCRIBER_MEMBERS.contains(k)) {
          throw new MalformedBodyException("Unknown field '" + k + "' in Unsubscriber");
        }
      }
      Object email = user.get("email");
      if (!(email instanceof String) && !(user.get("userId") instanceof String)) {
        return error(400, "BadParams", "Each subscriber needs an email or a userId");
      }
      emails.add(email instanceof String ? (String) email : null);
    }
    noteBatch(emails.size());
    return removeFromList(
        ((Number) body.get("listId")).longValue(),
        emails,
        Boolean.TRUE.equals(channel),
        campaign != null);
  }

  private synchronized MockResponse removeFromList(
      long listId, List<String> emails, boolean channel, boolean attributed) {
    IterableList list = lists.get(listId);
    if (list == null || !list.listType().equals("Standard")) {
      return error(400, "BadParams", "error.lists.invalidListId: " + listId);
    }
    counters.increment(IterableCounter.UNSUBSCRIBE_REQUESTS);
    if (attributed) {
      counters.increment(IterableCounter.CAMPAIGN_ATTRIBUTED_UNSUBSCRIBES);
    }
    Map<String, List<String>> failed = new LinkedHashMap<>();
    for (String c : FAILURE_CATEGORIES) {
      failed.put(c, new ArrayList<>());
    }
    int success = 0;
    for (String raw : emails) {
      if (raw == null) {
        continue; // userId only: this project identifies users by e-mail; counted in failCount
      }
      String email = raw.trim().toLowerCase(Locale.ROOT);
      noteEmail(email);
      String category = rejectionFor(email).orElse(null);
      if (category == null && !EMAIL.matcher(email).matches()) {
        category = "invalidEmails";
      }
      if (category == null && !users.containsKey(email)) {
        category = "notFoundEmails";
      }
      if (category != null) {
        failed.get(category).add(email);
        continue;
      }
      if (list.members().remove(email)) {
        counters.increment(IterableCounter.LIST_REMOVALS);
        success++;
      } else {
        counters.increment(IterableCounter.LIST_REMOVAL_NO_OPS);
        if (notFoundForNonMembers) {
          failed.get("notFoundEmails").add(email);
        } else {
          success++;
        }
      }
      if (channel && channelUnsubscribed.add(email)) {
        counters.increment(IterableCounter.CHANNEL_UNSUBSCRIBES);
      }
    }
    int failCount = emails.size() - success;
    StringBuilder b =
        new StringBuilder("{\"successCount\":")
            .append(success)
            .append(",\"failCount\":")
            .append(failCount);
    if (legacyResponses) {
      List<String> invalid = new ArrayList<>();
      failed.values().forEach(invalid::addAll);
      return json(
          200,
          b.append(",\"invalidEmails\":")
              .append(array(invalid))
              .append(",\"invalidUserIds\":[]}")
              .toString());
    }
    b.append(",\"failedUpdates\":{");
    String sep = "";
    for (Map.Entry<String, List<String>> e : failed.entrySet()) {
      b.append(sep).append(quote(e.getKey())).append(':').append(array(e.getValue()));
      sep = ",";
    }
    b.append(
        ",\"invalidUserIds\":[],\"notFoundUserIds\":[],\"forgottenUserIds\":[],\"conflictUserIds\":[],"
            + "\"invalidDataUserIds\":[]},\"createdFields\":[],\"filteredOutFields\":[]}");
    return json(200, b.toString());
  }

  private synchronized MockResponse deleteUser(String path) {
    String email =
        java.net.URLDecoder.decode(
                path.substring("/api/users/".length()).replace("+", "%2B"),
                java.nio.charset.StandardCharsets.UTF_8)
            .trim()
            .toLowerCase(Locale.ROOT);
    if (users.remove(email) == null) {
      return error(400, "BadParams", "User does not exist: " + email);
    }
    lists.values().forEach(l -> l.members().remove(email));
    counters.increment(IterableCounter.USER_DELETIONS);
    return json(
        200, "{\"msg\":\"User deletion request accepted\",\"code\":\"Success\",\"params\":null}");
  }

  // ---- a profile's address changes ------------------------------------------------------------

  private MockResponse updateEmail(RecordedRequest request) {
    Map<String, Object> body = object(jsonBody(request), "body");
    for (Map.Entry<String, Object> e : body.entrySet()) {
      if (!UPDATE_EMAIL_MEMBERS.contains(e.getKey())) {
        throw new MalformedBodyException(
            "Unknown field '" + e.getKey() + "' in UpdateEmailRequest");
      }
      if (e.getValue() != null && !(e.getValue() instanceof String)) {
        throw new MalformedBodyException(e.getKey() + " must be a string");
      }
    }
    String currentEmail = (String) body.get("currentEmail");
    String currentUserId = (String) body.get("currentUserId");
    String newEmail = (String) body.get("newEmail");
    if (newEmail == null || newEmail.isBlank()) {
      return refused(error(400, "BadParams", "newEmail is required"));
    }
    if (currentEmail == null && currentUserId == null) {
      return refused(error(400, "BadParams", "currentEmail or currentUserId is required"));
    }
    String target = newEmail.trim().toLowerCase(Locale.ROOT);
    if (!EMAIL.matcher(target).matches()) {
      return refused(error(400, "InvalidEmailAddressError", "Invalid email: " + newEmail));
    }
    synchronized (this) {
      // currentEmail takes precedence when both are given, as documented.
      String current =
          currentEmail != null
              ? currentEmail.trim().toLowerCase(Locale.ROOT)
              : userById(currentUserId);
      String named = currentEmail != null ? currentEmail : currentUserId;
      if (current == null || !users.containsKey(current)) {
        return refused(
            error(
                400,
                "BadParams",
                "Cannot change user Some(" + named + ") to " + newEmail + ". User does not exist"));
      }
      if ("forgottenEmails".equals(rejectionFor(target).orElse(null))) {
        return refused(
            error(
                emailConflictStatus,
                "EmailAlreadyExists",
                "Cannot change user "
                    + named
                    + " to "
                    + newEmail
                    + ". New email is on the forgotten list"));
      }
      if (users.containsKey(target)) {
        return refused(
            error(
                emailConflictStatus,
                "EmailAlreadyExists",
                "Cannot change user Some("
                    + named
                    + ") to "
                    + newEmail
                    + ". New email already exists"));
      }
      users.put(target, users.remove(current));
      for (IterableList list : lists.values()) {
        if (list.members().remove(current)) {
          list.members().add(target);
        }
      }
      noteEmail(target);
      counters.increment(IterableCounter.ADDRESS_CHANGES);
    }
    return json(200, "{\"msg\":\"\",\"code\":\"Success\",\"params\":null}");
  }

  private MockResponse refused(MockResponse answer) {
    counters.increment(IterableCounter.ADDRESS_CHANGE_REFUSALS);
    return answer;
  }

  /** The address of the user whose {@code userId} data field is {@code userId}, or null. Holds the lock. */
  private String userById(String userId) {
    for (Map.Entry<String, Map<String, Object>> e : users.entrySet()) {
      if (userId.equals(e.getValue().get("userId"))) {
        return e.getKey();
      }
    }
    return null;
  }

  private synchronized MockResponse getByEmail(RecordedRequest request) {
    String email = request.getUrl().queryParameter("email");
    if (email == null || email.isBlank()) {
      return error(400, "BadParams", "email is required");
    }
    String key = email.trim().toLowerCase(Locale.ROOT);
    Map<String, Object> fields = users.get(key);
    if (fields == null) {
      return json(200, "{}"); // as recorded: an unknown user is an empty object, not a 404
    }
    Map<String, Object> dataFields = new TreeMap<>(fields);
    dataFields.put("email", key);
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("email", key);
    user.put("dataFields", dataFields);
    return json(200, SimulatorJson.render(Map.of("user", user)));
  }

  /** The fields whose value's type differs from the project's (or this request's) type for them. */
  private List<String> clashes(Map<String, Object> dataFields, Map<String, String> pendingTypes) {
    List<String> clashes = new ArrayList<>();
    for (Map.Entry<String, Object> e : dataFields.entrySet()) {
      if (e.getValue() == null) {
        continue;
      }
      String type = typeOf(e.getValue());
      String known = fieldTypes.getOrDefault(e.getKey(), pendingTypes.get(e.getKey()));
      if (known == null) {
        pendingTypes.put(e.getKey(), type);
      } else if (!compatible(known, type)) {
        clashes.add(e.getKey());
      }
    }
    return clashes;
  }

  /** The types Iterable names for a value ({@code "string", "keyword"} for text, as recorded). */
  private static List<String> incomingTypes(String type) {
    return type.equals("string") ? List.of("string", "keyword") : List.of(type);
  }

  private static String typeOf(Object v) {
    if (v instanceof Boolean) {
      return "boolean";
    }
    if (v instanceof Number) {
      double d = ((Number) v).doubleValue();
      return d == Math.rint(d) ? "long" : "double";
    }
    if (v instanceof String) {
      return DATE.matcher((String) v).matches() ? "date" : "string";
    }
    return "object";
  }

  private static boolean compatible(String known, String incoming) {
    return known.equals(incoming)
        || (known.equals("double") && incoming.equals("long"))
        || (known.equals("string") && incoming.equals("date"));
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static MockResponse error(int status, String code, String msg) {
    return json(status, "{\"msg\":" + quote(msg) + ",\"code\":\"" + code + "\",\"params\":null}");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value, String what) {
    if (!(value instanceof Map)) {
      throw new MalformedBodyException(what + " must be a JSON object");
    }
    return (Map<String, Object>) value;
  }

  private static String text(Object v) {
    if (v instanceof Double && (Double) v == Math.rint((Double) v)) {
      return Long.toString(((Double) v).longValue());
    }
    return String.valueOf(v);
  }

  private static String array(List<String> values) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      b.append(i == 0 ? "" : ",").append(quote(values.get(i)));
    }
    return b.append(']').toString();
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
