package com.segmentexport.testkit.campaignmonitor;

import static com.segmentexport.testkit.SimulatorJson.render;
import static com.segmentexport.testkit.campaignmonitor.CampaignMonitorJson.codeForState;
import static com.segmentexport.testkit.campaignmonitor.CampaignMonitorJson.error;
import static com.segmentexport.testkit.campaignmonitor.CampaignMonitorJson.failure;
import static com.segmentexport.testkit.campaignmonitor.CampaignMonitorJson.fits;
import static com.segmentexport.testkit.campaignmonitor.CampaignMonitorJson.hexId;
import static com.segmentexport.testkit.campaignmonitor.CampaignMonitorJson.methodNotAllowed;
import static com.segmentexport.testkit.campaignmonitor.CampaignMonitorJson.oauthError;
import static java.util.Objects.requireNonNull;

import com.segmentexport.testkit.Counters;
import com.segmentexport.testkit.RouteTable;
import com.segmentexport.testkit.VendorSimulator;
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorAccount.FieldDef;
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorAccount.ListData;
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorAccount.SubscriberData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;

/**
 * A stand-in for Campaign Monitor's API (createsend v3.3), written from the vendor's documented
 * behaviour: paths under {@code /api/v3.3/} ending in {@code .json}, HTTP Basic with the API key as
 * user name (password ignored) or an OAuth bearer token, refreshed at {@code POST /oauth/token}; one
 * client with lists, per-list custom fields (keys such as {@code [tier]}), and the synchronous bulk
 * import {@code POST subscribers/{listid}/import.json} of at most 1,000 subscribers, answered 201 with
 * the import result, or, when some rows failed, 400 with {@code Code} 210 and the result in
 * {@code ResultData}.
 *
 * <p>Errors use the vendor's envelope {@code {"Code": n, "Message": "..."}}: 50 (no usable Basic
 * header), 100 (invalid API key), 120/121/122 (invalid, expired, revoked OAuth token), all with HTTP
 * 401; 209 (more than 1,000 subscribers), 212 (none), 214/215 (missing or invalid
 * {@code ConsentToTrack}) with HTTP 400. Per-row failures carry code 1 (invalid address) or, for an
 * address that is inactive while {@code Resubscribe} is false, 204 (on the client's suppression list),
 * 205 (deleted), 206 (unsubscribed), 207 (bounced), 208 (unconfirmed). Throttled requests get 429
 * {@code {"Code":429,"Message":...}} with {@code X-RateLimit-Limit/Remaining/Reset} (seconds until the
 * reset), or without any such header (as seen on subscriber endpoints); never {@code Retry-After}.
 *
 * <p>A subscriber's address changes with {@code PUT subscribers/{listid}.json?email={current}} whose body
 * carries the new {@code EmailAddress} (members bound as the import binds them; {@code ConsentToTrack}
 * required, 214/215): the same record, on that list only, keeps its state, join date
 * ({@code ListJoinedDate}), name, consent and custom fields, except those the body sets ("any details
 * omitted will not be changed"; an empty {@code Name} or value changes nothing). The update is applied
 * to inactive subscribers too, without changing their state unless {@code Resubscribe} is true. A current
 * address not on the list (in any state) is 400 with code 203 "Subscriber Not In List"; a new address
 * already on the list is 400 with code 201 "Already subscribed", in any state of that record (whether a
 * deleted or unsubscribed record counts is not documented: the stricter reading); an invalid new address
 * is 400 with code 211. The call is a write for the fault plan and is rate limited like the others.
 * {@code GET subscribers/{listid}.json?email=} answers the subscriber in any state, or 400 with code 203
 * for an address not on the list (that it fails is reported; its code is not known).
 *
 * <p>A member leaves a list with {@code DELETE subscribers/{listid}.json?email=} (one address per call;
 * the vendor has no bulk delete): 200 with an empty body, the subscriber's state on that list becomes
 * {@link #DELETED}, its name, custom fields, consent and join date are kept, no other list changes and
 * the address is not suppressed. An address not on the list is 400 with code 203; deleting a subscriber
 * already Deleted is 200 and changes nothing (not documented: the lenient reading). A Deleted subscriber
 * stays out of later imports and updates while {@code Resubscribe} is false (code 205 per row) and is
 * Active again with {@code Resubscribe} true (counted in {@link #deletedResubscribed()}). The call to
 * confuse it with, {@code POST subscribers/{listid}/unsubscribe.json} {@code {"EmailAddress"}}, is a
 * consent event: the state becomes {@link #UNSUBSCRIBED} and, when the list's {@code UnsubscribeSetting}
 * is {@code AllClientLists} (the vendor's default; {@link #unsubscribeSetting}), the address is also
 * unsubscribed from the client's other {@code AllClientLists} lists and put on the suppression list. A
 * subscriber who ever unsubscribed, bounced or was suppressed and is made Active again by
 * {@code Resubscribe} true is counted in {@link #optOutsOverridden()} (a Deleted record keeps that
 * history). Both calls are writes for the fault plan and rate limited like the others.
 *
 * <pre>{@code
 * try (CampaignMonitorSimulator cm = new CampaignMonitorSimulator("api-key").start()) {
 *   String list = cm.createList("VIP customers");
 *   cm.addSubscriber(list, "left@example.org", CampaignMonitorSimulator.UNSUBSCRIBED);
 *   // connection: baseUrl = cm.baseUrl(), apiKey; export option listId = list
 * }
 * }</pre>
 *
 * <p>Where the vendor's documents are silent or uncertain the simulator makes a stated choice, with a
 * knob for the other reading where a connector could depend on it: an unknown or foreign list id is
 * answered as {@link UnknownListAnswer#INVALID_LIST_ID_401} by default; custom field keys are accepted
 * on write bare ({@code tier}) and bracketed ({@code [tier]}) unless {@link #acceptBracketedKeys} is
 * off; an unknown key is skipped silently (as CM's UI import does) and counted; members are bound
 * case-insensitively (so both spellings of {@code QueueSubscriptionBasedAutoResponders} are the same
 * member, and must agree), unknown members are refused; the first row of an address repeated in one
 * import wins; a body over 10 MB is answered 413; a value that does not fit its field's type is not
 * stored, and counted.
 */
public final class CampaignMonitorSimulator extends VendorSimulator {
  /** A subscriber that receives mail. */
  public static final String ACTIVE = "Active";

  /** A subscriber that unsubscribed. */
  public static final String UNSUBSCRIBED = "Unsubscribed";

  /** A subscriber removed from the list. */
  public static final String DELETED = "Deleted";

  /** A subscriber whose mail bounced. */
  public static final String BOUNCED = "Bounced";

  /** A subscriber that has not confirmed a double opt-in. */
  public static final String UNCONFIRMED = "Unconfirmed";

  /** The documented most subscribers per import call. */
  public static final int MAX_IMPORT_SUBSCRIBERS = 1000;

  /** The simulator's cap on an import body (the vendor documents none). */
  public static final long MAX_IMPORT_BYTES = 10L * 1024 * 1024;

  /** The documented longest custom field value. */
  public static final int MAX_VALUE_LENGTH = 250;

  /** The custom field types the vendor knows. */
  public static final Set<String> DATA_TYPES =
      Set.of("Text", "Number", "MultiSelectOne", "MultiSelectMany", "Date", "Country", "USState");

  /** How a list id that is unknown, or belongs to another account, is answered (the vendor's documents disagree). */
  public enum UnknownListAnswer {
    /** HTTP 400 with {@code Code} 101 "Invalid ListID" (the legacy API's code). */
    INVALID_LIST_ID_400,
    /** HTTP 401 with {@code Code} 101 (v3.3 answers 401 for ids the caller does not own). */
    INVALID_LIST_ID_401,
    /** HTTP 404 with the vendor's envelope. */
    NOT_FOUND_404
  }

  /**
   * A comparable copy of the account's state.
   *
   * @param lists the lists by id
   * @param suppressed the client's suppression list, lower-cased
   */
  public record Snapshot(Map<String, ListState> lists, Set<String> suppressed) {}

  /**
   * A list as the snapshot holds it.
   *
   * @param title the list's title
   * @param customFields the custom fields, key (such as {@code [tier]}) to data type
   * @param subscribers the subscribers by lower-cased address, whatever their state
   */
  public record ListState(
      String title, Map<String, String> customFields, Map<String, Subscriber> subscribers) {}

  /**
   * A subscriber as the simulator holds it.
   *
   * @param name the subscriber's {@code Name} (empty when none was given)
   * @param state {@link #ACTIVE}, {@link #UNSUBSCRIBED}, {@link #DELETED}, {@link #BOUNCED} or {@link #UNCONFIRMED}
   * @param consentToTrack {@code Yes}, {@code No} or {@code Unchanged} (never given)
   * @param customFields values as text by field name (not key), as the vendor reads them back
   */
  public record Subscriber(
      String name, String state, String consentToTrack, Map<String, String> customFields) {}

  /**
   * The top-level flags of one import as received.
   *
   * @param listId the list
   * @param subscribers the rows in it
   * @param resubscribe {@code Resubscribe}
   * @param queueAutoresponders {@code QueueSubscriptionBasedAutoResponders} (either spelling)
   * @param restartAutoresponders {@code RestartSubscriptionBasedAutoresponders}
   * @param consentValues the {@code ConsentToTrack} values its rows carried
   */
  public record ImportRequest(
      String listId,
      int subscribers,
      boolean resubscribe,
      boolean queueAutoresponders,
      boolean restartAutoresponders,
      Set<String> consentValues) {}

  private static final Pattern EMAIL = Pattern.compile("[^@\\s\"]+@[^@\\s\"]+\\.[^@\\s\".]+");
  private static final Pattern LIST_ID = Pattern.compile("[0-9a-fA-F]{32}");
  private static final Set<String> IMPORT_MEMBERS =
      Set.of(
          "subscribers",
          "resubscribe",
          "queuesubscriptionbasedautoresponders",
          "restartsubscriptionbasedautoresponders");
  private static final Set<String> SUBSCRIBER_MEMBERS =
      Set.of("emailaddress", "name", "customfields", "consenttotrack");
  private static final Set<String> FIELD_MEMBERS = Set.of("key", "value", "clear");
  private static final Set<String> UPDATE_MEMBERS =
      Set.of(
          "emailaddress",
          "name",
          "mobilenumber",
          "customfields",
          "resubscribe",
          "restartsubscriptionbasedautoresponders",
          "consenttotrack",
          "consenttosendsms");
  private static final Set<String> CONSENT = Set.of("yes", "no", "unchanged");
  private static final int IMPORTS_KEPT = 1000;

  private final String apiKey;
  private final String clientId = hexId();
  private final CampaignMonitorAccount account = new CampaignMonitorAccount();

  private volatile String accessToken;
  private volatile String refreshToken;
  private volatile boolean accessTokenExpired;
  private volatile boolean accessTokenRevoked;
  private volatile boolean rateLimitHeaders = true;
  private volatile boolean acceptBracketedKeys = true;
  private volatile UnknownListAnswer unknownListAnswer = UnknownListAnswer.INVALID_LIST_ID_401;
  private volatile double ratePerSecond;

  private final Counters<CampaignMonitorCounter> counters =
      new Counters<>(CampaignMonitorCounter.class);

  /** The API's routes below the base path, without the {@code .json} suffix (paths are case-sensitive). */
  private final RouteTable routes =
      new RouteTable(false)
          .on("GET", "/clients", (request, p) -> clients())
          .on("GET", "/clients/{}/lists", (request, p) -> clientLists(p.get(0)))
          .on("GET", "/lists/{}", (request, p) -> listDetails(p.get(0)))
          .on("GET", "/lists/{}/customfields", (request, p) -> listFields(p.get(0)))
          .on("POST", "/lists/{}/customfields", (request, p) -> createField(p.get(0), request))
          .on(
              "POST",
              "/subscribers/{}/import",
              (request, p) -> importSubscribers(p.get(0), request))
          .on("GET", "/subscribers/{}", (request, p) -> subscriberDetails(p.get(0), request))
          .on("PUT", "/subscribers/{}", (request, p) -> updateSubscriber(p.get(0), request))
          .on("DELETE", "/subscribers/{}", (request, p) -> deleteSubscriber(p.get(0), request))
          .on(
              "POST",
              "/subscribers/{}/unsubscribe",
              (request, p) -> unsubscribe(p.get(0), request));

  /**
   * Creates a simulator of one Campaign Monitor account with one client and no lists; call
   * {@link #start()} before use.
   *
   * @param apiKey the API key the simulator accepts as the Basic user name
   */
  public CampaignMonitorSimulator(String apiKey) {
    this.apiKey = requireNonNull(apiKey, "apiKey == null");
  }

  @Override
  public String vendor() {
    return "Campaign Monitor";
  }

  @Override
  protected String basePath() {
    return "/api/v3.3/";
  }

  /** The OAuth token endpoint (the vendor's {@code https://api.createsend.com/oauth/token}). */
  public String tokenUrl() {
    return url("/oauth/token").toString();
  }

  @Override
  public List<String> credentials() {
    List<String> out = new ArrayList<>(List.of(apiKey));
    if (accessToken != null) {
      out.add(accessToken);
    }
    if (refreshToken != null) {
      out.add(refreshToken);
    }
    return out;
  }

  /** The account's client id. */
  public String clientId() {
    return clientId;
  }

  // ---- configuration ------------------------------------------------------------------------

  /**
   * Issues an OAuth access token and refresh token the simulator accepts (besides the API key).
   *
   * @param access the access token
   * @param refresh the refresh token, exchanged at {@link #tokenUrl()} for a new pair
   * @return this simulator
   */
  public CampaignMonitorSimulator oauthTokens(String access, String refresh) {
    this.accessToken = requireNonNull(access, "access == null");
    this.refreshToken = requireNonNull(refresh, "refresh == null");
    this.accessTokenExpired = false;
    this.accessTokenRevoked = false;
    return this;
  }

  /** Makes the current access token expired (code 121) until it is refreshed. */
  public CampaignMonitorSimulator expireAccessToken() {
    this.accessTokenExpired = true;
    return this;
  }

  /** Makes the current access token revoked (code 122). */
  public CampaignMonitorSimulator revokeAccessToken() {
    this.accessTokenRevoked = true;
    return this;
  }

  /** The access token now valid, if any. */
  public Optional<String> accessToken() {
    return Optional.ofNullable(accessToken);
  }

  /** Whether 429 answers carry {@code X-RateLimit-*} headers (true by default). */
  public CampaignMonitorSimulator rateLimitHeaders(boolean send) {
    this.rateLimitHeaders = send;
    return this;
  }

  /** Whether custom field keys are accepted bracketed ({@code [tier]}) on write as well as bare (true by default). */
  public CampaignMonitorSimulator acceptBracketedKeys(boolean accept) {
    this.acceptBracketedKeys = accept;
    return this;
  }

  /** How unknown and foreign list ids are answered. */
  public CampaignMonitorSimulator unknownListAnswer(UnknownListAnswer answer) {
    this.unknownListAnswer = requireNonNull(answer, "answer == null");
    return this;
  }

  @Override
  public synchronized CampaignMonitorSimulator rateLimit(double perSecond, double burst) {
    super.rateLimit(perSecond, burst);
    this.ratePerSecond = perSecond;
    return this;
  }

  /**
   * Makes the import refuse this address in {@code FailureDetails}. Categories: {@code invalid} (code 1,
   * the default when null), {@code suppressed} (204), {@code deleted} (205), {@code unsubscribed} (206),
   * {@code bounced} (207), {@code unconfirmed} (208), or a number used as the code.
   */
  @Override
  public CampaignMonitorSimulator rejectAddress(String email, String category) {
    super.rejectAddress(email, category);
    return this;
  }

  // ---- state ---------------------------------------------------------------------------------

  /** Creates a list of the account's client, as {@code POST lists/{clientid}.json} would; returns its id. */
  public String createList(String title) {
    return account.createList(title);
  }

  /** The id of the list with this title, created if there is none. */
  public String ensureList(String title) {
    return account.ensureList(title);
  }

  /** A list id that exists at the vendor but belongs to another account (answered like an unknown one). */
  public String foreignListId() {
    return account.foreignListId();
  }

  /** Creates a custom field on a list directly; returns its key. */
  public String addCustomField(String listId, String name, String dataType) {
    if (!DATA_TYPES.contains(dataType)) {
      throw new IllegalArgumentException("unknown data type " + dataType);
    }
    synchronized (account.lock) {
      String key = key(name);
      list(listId).fields.put(key, new FieldDef(key, name, dataType));
      return key;
    }
  }

  /** Adds (or replaces) a subscriber in a state such as {@link #UNSUBSCRIBED}. */
  public void addSubscriber(String listId, String email, String state) {
    synchronized (account.lock) {
      SubscriberData s = new SubscriberData(state);
      s.optedOut = state.equals(UNSUBSCRIBED) || state.equals(BOUNCED);
      list(listId).subscribers.put(email.trim().toLowerCase(Locale.ROOT), s);
    }
  }

  /**
   * Sets a list's {@code UnsubscribeSetting}: {@code AllClientLists} (the default: an unsubscribe
   * reaches the client's other such lists and the suppression list) or {@code OnlyThisList}.
   */
  public CampaignMonitorSimulator unsubscribeSetting(String listId, String setting) {
    if (!setting.equals("AllClientLists") && !setting.equals("OnlyThisList")) {
      throw new IllegalArgumentException("AllClientLists or OnlyThisList: " + setting);
    }
    synchronized (account.lock) {
      list(listId).unsubscribeSetting = setting;
    }
    return this;
  }

  /** A subscriber's state on a list ({@link #ACTIVE}, {@link #DELETED}, ...), empty when the address is not on it. */
  public Optional<String> subscriberState(String listId, String email) {
    return subscriber(listId, email).map(Subscriber::state);
  }

  /** Whether the address is on the client's suppression list. */
  public boolean isSuppressed(String email) {
    synchronized (account.lock) {
      return account.suppressed.contains(email.trim().toLowerCase(Locale.ROOT));
    }
  }

  /** Subscribers moved to Deleted by {@code DELETE subscribers/{listid}.json}. */
  public int deletions() {
    return counters.intValue(CampaignMonitorCounter.DELETIONS);
  }

  /** Deletions of a subscriber already Deleted (200, nothing changed). */
  public int deletionNoOps() {
    return counters.intValue(CampaignMonitorCounter.DELETION_NO_OPS);
  }

  /** {@code POST subscribers/{listid}/unsubscribe.json} calls applied: consent events, never a removal. */
  public int unsubscribes() {
    return counters.intValue(CampaignMonitorCounter.UNSUBSCRIBES);
  }

  /** Addresses put on the suppression list by an unsubscribe. */
  public int suppressions() {
    return counters.intValue(CampaignMonitorCounter.SUPPRESSIONS);
  }

  /** Deleted subscribers made Active again by {@code Resubscribe} true. */
  public int deletedResubscribed() {
    return counters.intValue(CampaignMonitorCounter.DELETED_RESUBSCRIBED);
  }

  /** Subscribers who had unsubscribed, bounced or been suppressed, made Active again by {@code Resubscribe} true. */
  public int optOutsOverridden() {
    return counters.intValue(CampaignMonitorCounter.OPT_OUTS_OVERRIDDEN);
  }

  /** Puts an address on the client's suppression list. */
  public void suppress(String email) {
    account.suppress(email);
  }

  /** The list's {@link #ACTIVE} subscribers, lower-cased; empty for an unknown list. */
  public Set<String> activeSubscribers(String listId) {
    return account.activeSubscribers(listId);
  }

  /** A subscriber of a list, if present. */
  public Optional<Subscriber> subscriber(String listId, String email) {
    return account.subscriber(listId, email);
  }

  /** A subscriber's {@code ListJoinedDate}, if the address is on the list: a record keeps it for life. */
  public Optional<String> listJoinedDate(String listId, String email) {
    synchronized (account.lock) {
      ListData l = account.lists.get(listId);
      SubscriberData s =
          l == null ? null : l.subscribers.get(email.trim().toLowerCase(Locale.ROOT));
      return s == null ? Optional.empty() : Optional.of(s.joined());
    }
  }

  /**
   * How many subscribers of a list, in any state, hold this custom field value (field by name): with a
   * field holding the profile's stable id, whether the profile is one subscriber or was split into two.
   */
  public int subscribersWith(String listId, String fieldName, String value) {
    synchronized (account.lock) {
      ListData l = account.lists.get(listId);
      int n = 0;
      for (SubscriberData s : l == null ? List.<SubscriberData>of() : l.subscribers.values()) {
        n += value.equals(s.view(l).customFields().get(fieldName)) ? 1 : 0;
      }
      return n;
    }
  }

  /** Subscriber updates applied. */
  public int subscriberUpdates() {
    return counters.intValue(CampaignMonitorCounter.SUBSCRIBER_UPDATES);
  }

  /** Subscriber updates that changed the subscriber's address. */
  public int addressChanges() {
    return counters.intValue(CampaignMonitorCounter.ADDRESS_CHANGES);
  }

  /** A list's custom fields, key to data type, in creation order. */
  public Map<String, String> customFields(String listId) {
    return account.customFields(listId);
  }

  /** The most recent imports received (up to 1,000), oldest first. */
  public List<ImportRequest> importRequests() {
    return account.importRequests();
  }

  /** Imports applied (answered 201 or 400 with code 210). */
  public int importsAccepted() {
    return counters.intValue(CampaignMonitorCounter.IMPORTS_ACCEPTED);
  }

  /** Custom field values sent with a key the list does not have (skipped silently). */
  public int unknownCustomFieldKeys() {
    return counters.intValue(CampaignMonitorCounter.UNKNOWN_KEYS);
  }

  /** Custom field values not stored because they did not fit their field (type, date range, 250 characters). */
  public int invalidCustomFieldValues() {
    return counters.intValue(CampaignMonitorCounter.INVALID_VALUES);
  }

  /** Names not stored because they were longer than {@value #MAX_VALUE_LENGTH} characters. */
  public int invalidNames() {
    return counters.intValue(CampaignMonitorCounter.INVALID_NAMES);
  }

  /** Refresh-token exchanges answered with new tokens. */
  public int tokenRefreshes() {
    return counters.intValue(CampaignMonitorCounter.TOKEN_REFRESHES);
  }

  /** Subscribers for whom an import queued subscription-based autoresponders. */
  public int autorespondersQueued() {
    return counters.intValue(CampaignMonitorCounter.AUTORESPONDERS_QUEUED);
  }

  @Override
  public Snapshot snapshot() {
    synchronized (account.lock) {
      Map<String, ListState> out = new TreeMap<>();
      account.lists.forEach(
          (id, l) -> {
            Map<String, Subscriber> subs = new TreeMap<>();
            l.subscribers.forEach((e, s) -> subs.put(e, s.view(l)));
            out.put(id, new ListState(l.title, l.fieldTypes(), Collections.unmodifiableMap(subs)));
          });
      return new Snapshot(Collections.unmodifiableMap(out), Set.copyOf(account.suppressed));
    }
  }

  // ---- protocol ------------------------------------------------------------------------------

  private boolean isTokenRequest(RecordedRequest request) {
    return request.getUrl().encodedPath().equals("/oauth/token");
  }

  @Override
  protected boolean isWrite(RecordedRequest request) {
    String path = route(request).toLowerCase(Locale.ROOT);
    return ("POST".equals(request.getMethod())
            && path.matches("/subscribers/[^/]+/(import|unsubscribe)\\.json"))
        || (("PUT".equals(request.getMethod()) || "DELETE".equals(request.getMethod()))
            && path.matches("/subscribers/[^/]+\\.json"));
  }

  @Override
  protected boolean authenticated(RecordedRequest request) {
    return isTokenRequest(request)
        || authFailure(request.getHeaders().get("Authorization")) == null;
  }

  /** The vendor's code and message for refused credentials. */
  private record AuthFailure(int code, String message) {}

  private static final AuthFailure NO_BASIC_HEADER =
      new AuthFailure(50, "Must supply a valid HTTP Basic Authorization header");

  /** Why the vendor refuses an Authorization header; null when it is accepted. */
  private AuthFailure authFailure(String header) {
    if (header != null && header.startsWith("Basic ")) {
      String decoded;
      try {
        decoded =
            new String(
                Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return NO_BASIC_HEADER;
      }
      int colon = decoded.indexOf(':');
      String user = colon < 0 ? decoded : decoded.substring(0, colon);
      return user.equals(apiKey) ? null : new AuthFailure(100, "Invalid API Key");
    }
    if (header != null && header.startsWith("Bearer ")) {
      String token = header.substring(7).trim();
      if (!token.equals(accessToken)) {
        return new AuthFailure(120, "Invalid OAuth Token");
      }
      if (accessTokenRevoked) {
        return new AuthFailure(122, "Revoked OAuth Token");
      }
      return accessTokenExpired ? new AuthFailure(121, "Expired OAuth Token") : null;
    }
    return NO_BASIC_HEADER;
  }

  @Override
  protected MockResponse unauthorized(RecordedRequest request) {
    AuthFailure failure = authFailure(request.getHeaders().get("Authorization"));
    return error(401, failure.code(), failure.message());
  }

  @Override
  protected MockResponse throttled(RecordedRequest request, Duration untilNextToken) {
    if (!rateLimitHeaders || untilNextToken == null) {
      return error(429, 429, "Subscriber was added too many times too quickly, try again later.");
    }
    long resetSeconds = Math.max(1, (untilNextToken.toMillis() + 999) / 1000);
    return new MockResponse.Builder(error(429, 429, "Rate limit exceeded"))
        .setHeader("X-RateLimit-Limit", Long.toString(Math.max(1, Math.round(ratePerSecond))))
        .setHeader("X-RateLimit-Remaining", "0")
        .setHeader("X-RateLimit-Reset", Long.toString(resetSeconds))
        .build();
  }

  @Override
  protected MockResponse serverError(RecordedRequest request, int status) {
    return error(status, status, "Sorry, something went wrong while processing your request");
  }

  @Override
  protected MockResponse badRequest(RecordedRequest request, String message) {
    return error(
        400,
        400,
        "Failed to deserialize your request. Please check the documentation and try again. "
            + message);
  }

  @Override
  protected MockResponse handle(RecordedRequest request) {
    if (isTokenRequest(request)) {
      return "POST".equals(request.getMethod())
          ? refresh(request)
          : error(405, 405, "Method not allowed");
    }
    String path = request.getUrl().encodedPath();
    if (!path.startsWith(basePath())) {
      return error(404, 404, "Not found");
    }
    String route = route(request);
    if (!route.toLowerCase(Locale.ROOT).endsWith(".json")) {
      // XML is the vendor's default format.
      return new MockResponse.Builder()
          .code(400)
          .setHeader("Content-Type", "application/xml; charset=utf-8")
          .body("<Result><Code>400</Code><Message>Use a .json path for JSON</Message></Result>")
          .build();
    }
    return routes
        .dispatch(
            request.getMethod(),
            route.substring(0, route.length() - ".json".length()),
            request,
            method -> methodNotAllowed())
        .orElseGet(() -> error(404, 404, "Not found"));
  }

  // ---- OAuth ---------------------------------------------------------------------------------

  private MockResponse refresh(RecordedRequest request) {
    Map<String, String> form = new LinkedHashMap<>();
    String body = request.getBody() == null ? "" : request.getBody().utf8();
    HttpUrl parsed = HttpUrl.parse("http://form.invalid/?" + body);
    if (parsed != null) {
      for (String name : parsed.queryParameterNames()) {
        form.put(name, parsed.queryParameter(name));
      }
    }
    if (!"refresh_token".equals(form.get("grant_type"))) {
      return oauthError("unsupported_grant_type", "The grant type is not supported");
    }
    String given = form.get("refresh_token");
    if (given == null || refreshToken == null || !given.equals(refreshToken)) {
      return oauthError("invalid_grant", "Specified refresh_token is invalid or expired");
    }
    String access = "access-" + UUID.randomUUID();
    String refresh = "refresh-" + UUID.randomUUID();
    oauthTokens(access, refresh);
    counters.increment(CampaignMonitorCounter.TOKEN_REFRESHES);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("access_token", access);
    out.put("expires_in", 1209600);
    out.put("refresh_token", refresh);
    return json(200, render(out));
  }

  // ---- clients and lists ---------------------------------------------------------------------

  private MockResponse clients() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("ClientID", clientId);
    c.put("Name", "Simulated client");
    return json(200, render(List.of(c)));
  }

  private MockResponse clientLists(String id) {
    if (!id.equals(clientId)) {
      return error(401, 102, "Invalid ClientID");
    }
    List<Object> out = new ArrayList<>();
    synchronized (account.lock) {
      account.lists.forEach(
          (listId, l) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ListID", listId);
            m.put("Name", l.title);
            out.add(m);
          });
    }
    return json(200, render(out));
  }

  /** The list, or null when the id is unknown or foreign. Holds {@link #lock}. */
  private ListData known(String listId) {
    return LIST_ID.matcher(listId).matches()
        ? account.lists.get(listId.toLowerCase(Locale.ROOT))
        : null;
  }

  private MockResponse unknownList() {
    switch (unknownListAnswer) {
      case INVALID_LIST_ID_400:
        return error(400, 101, "Invalid ListID");
      case NOT_FOUND_404:
        return error(404, 404, "The requested list could not be found");
      default:
        return error(401, 101, "Invalid ListID");
    }
  }

  private MockResponse listDetails(String listId) {
    synchronized (account.lock) {
      ListData l = known(listId);
      if (l == null) {
        return unknownList();
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ListID", listId.toLowerCase(Locale.ROOT));
      m.put("Title", l.title);
      m.put("UnsubscribePage", "");
      m.put("ConfirmedOptIn", false);
      m.put("ConfirmationSuccessPage", "");
      m.put("UnsubscribeSetting", "AllClientLists");
      return json(200, render(m));
    }
  }

  private MockResponse listFields(String listId) {
    List<Object> out = new ArrayList<>();
    synchronized (account.lock) {
      ListData l = known(listId);
      if (l == null) {
        return unknownList();
      }
      l.fields.forEach(
          (key, f) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("FieldName", f.name);
            m.put("Key", key);
            m.put("DataType", f.dataType);
            m.put("FieldOptions", List.of());
            m.put("VisibleInPreferenceCenter", false);
            out.add(m);
          });
    }
    return json(200, render(out));
  }

  private MockResponse createField(String listId, RecordedRequest request) {
    Map<String, Object> body =
        members(
            jsonBody(request),
            Set.of("fieldname", "datatype", "options", "visibleinpreferencecenter"),
            "");
    Object name = body.get("fieldname");
    Object type = body.get("datatype");
    if (!(name instanceof String)
        || ((String) name).isBlank()
        || ((String) name).length() > 100
        || key((String) name).equals("[]")) {
      return error(400, 254, "Invalid Field Name");
    }
    if (!(type instanceof String) || !DATA_TYPES.contains(type)) {
      return badRequest(request, "DataType must be one of " + new TreeSet<>(DATA_TYPES));
    }
    synchronized (account.lock) {
      ListData l = known(listId);
      if (l == null) {
        return unknownList();
      }
      String key = key((String) name);
      if (l.fields.containsKey(key)) {
        return error(400, 255, "Field name already exists");
      }
      l.fields.put(key, new FieldDef(key, ((String) name).trim(), (String) type));
      return json(201, render(key));
    }
  }

  // ---- import --------------------------------------------------------------------------------

  private MockResponse importSubscribers(String listId, RecordedRequest request) {
    if (request.getBodySize() > MAX_IMPORT_BYTES) {
      return error(413, 413, "Request entity too large");
    }
    Map<String, Object> body = members(jsonBody(request), IMPORT_MEMBERS, "");
    boolean resubscribe = flag(body, "resubscribe");
    boolean queue = flag(body, "queuesubscriptionbasedautoresponders");
    boolean restart = flag(body, "restartsubscriptionbasedautoresponders");
    Object rows = body.get("subscribers");
    if (rows != null && !(rows instanceof List)) {
      throw new MalformedBodyException("Subscribers must be an array");
    }
    List<?> subscribers = rows == null ? List.of() : (List<?>) rows;
    if (subscribers.isEmpty()) {
      return error(400, 212, "No subscribers provided");
    }
    if (subscribers.size() > MAX_IMPORT_SUBSCRIBERS) {
      return error(
          400,
          209,
          "Too many subscribers in this batch. You can only add 1000 subscribers in one call");
    }
    List<Map<String, Object>> parsed = new ArrayList<>();
    Set<String> consent = new TreeSet<>();
    for (int i = 0; i < subscribers.size(); i++) {
      Map<String, Object> s =
          members(subscribers.get(i), SUBSCRIBER_MEMBERS, "Subscribers[" + i + "].");
      if (!(s.get("emailaddress") instanceof String)) {
        throw new MalformedBodyException("Subscribers[" + i + "].EmailAddress is required");
      }
      Object c = s.get("consenttotrack");
      if (c == null) {
        return error(400, 214, "ConsentToTrack is required");
      }
      if (!(c instanceof String) || !CONSENT.contains(((String) c).toLowerCase(Locale.ROOT))) {
        return error(400, 215, "Invalid ConsentToTrack value");
      }
      consent.add((String) c);
      if (s.get("name") != null && !(s.get("name") instanceof String)) {
        throw new MalformedBodyException("Subscribers[" + i + "].Name must be text");
      }
      Object fields = s.get("customfields");
      if (fields != null && !(fields instanceof List)) {
        throw new MalformedBodyException("Subscribers[" + i + "].CustomFields must be an array");
      }
      for (Object f : fields == null ? List.of() : (List<?>) fields) {
        Map<String, Object> field =
            members(f, FIELD_MEMBERS, "Subscribers[" + i + "].CustomFields.");
        if (!(field.get("key") instanceof String)) {
          throw new MalformedBodyException("Subscribers[" + i + "].CustomFields.Key is required");
        }
      }
      parsed.add(s);
    }
    synchronized (account.lock) {
      ListData list = known(listId);
      if (list == null) {
        return unknownList();
      }
      noteBatch(parsed.size());
      for (Map<String, Object> s : parsed) {
        noteEmail((String) s.get("emailaddress"));
      }
      if (account.importRequests.size() >= IMPORTS_KEPT) {
        account.importRequests.remove(0);
      }
      account.importRequests.add(
          new ImportRequest(
              listId, parsed.size(), resubscribe, queue, restart, Set.copyOf(consent)));
      counters.increment(CampaignMonitorCounter.IMPORTS_ACCEPTED);
      return apply(list, parsed, resubscribe, queue);
    }
  }

  /** Applies an import and renders its result. Holds {@link #lock}. */
  private MockResponse apply(
      ListData list, List<Map<String, Object>> rows, boolean resubscribe, boolean queue) {
    List<Object> failures = new ArrayList<>();
    Set<String> duplicates = new LinkedHashSet<>();
    Set<String> seen = new HashSet<>();
    int created = 0;
    int existing = 0;
    for (Map<String, Object> row : rows) {
      String email = ((String) row.get("emailaddress")).trim();
      String key = email.toLowerCase(Locale.ROOT);
      if (!seen.add(key)) {
        duplicates.add(key);
        continue;
      }
      Optional<String> rejection = rejectionFor(key);
      if (!EMAIL.matcher(key).matches() || rejection.isPresent()) {
        int code = rejection.map(CampaignMonitorJson::codeFor).orElse(1);
        failures.add(failure(email, code));
        continue;
      }
      if (!retainsContacts()) {
        created++;
        continue;
      }
      SubscriberData s = list.subscribers.get(key);
      boolean wasSuppressed = account.suppressed.contains(key);
      if ((s != null && !s.state.equals(ACTIVE)) || wasSuppressed) {
        if (!resubscribe) {
          failures.add(failure(email, wasSuppressed ? 204 : codeForState(s.state)));
          continue;
        }
        reactivated(s, wasSuppressed);
        account.suppressed.remove(key);
        if (queue) {
          counters.increment(CampaignMonitorCounter.AUTORESPONDERS_QUEUED);
        }
      }
      if (s == null) {
        s = new SubscriberData(ACTIVE);
        list.subscribers.put(key, s);
        created++;
        if (queue) {
          counters.increment(CampaignMonitorCounter.AUTORESPONDERS_QUEUED);
        }
      } else {
        existing++;
      }
      s.state = ACTIVE;
      update(list, s, row);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("FailureDetails", failures);
    result.put("TotalUniqueEmailsSubmitted", seen.size());
    result.put("TotalExistingSubscribers", existing);
    result.put("TotalNewSubscribers", created);
    result.put("DuplicateEmailsInSubmission", new ArrayList<>(duplicates));
    if (failures.isEmpty()) {
      return json(201, render(result));
    }
    Map<String, Object> envelope = new LinkedHashMap<>();
    envelope.put("Code", 210);
    envelope.put("Message", "Subscriber Import had some failures");
    envelope.put("ResultData", result);
    return json(400, render(envelope));
  }

  // ---- one subscriber -----------------------------------------------------------------------

  private MockResponse subscriberDetails(String listId, RecordedRequest request) {
    String email = request.getUrl().queryParameter("email");
    synchronized (account.lock) {
      ListData list = known(listId);
      if (list == null) {
        return unknownList();
      }
      SubscriberData s =
          email == null ? null : list.subscribers.get(email.trim().toLowerCase(Locale.ROOT));
      if (s == null) {
        return error(400, 203, "Subscriber Not In List");
      }
      Subscriber view = s.view(list);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("EmailAddress", email.trim().toLowerCase(Locale.ROOT));
      out.put("Name", view.name());
      String joined = s.joined();
      out.put("Date", joined);
      out.put("ListJoinedDate", joined);
      out.put("State", view.state());
      List<Object> fields = new ArrayList<>();
      view.customFields().forEach((k, v) -> fields.add(Map.of("Key", k, "Value", v)));
      out.put("CustomFields", fields);
      out.put("ReadsEmailWith", "");
      if ("true".equalsIgnoreCase(request.getUrl().queryParameter("includetrackingpreference"))) {
        out.put("ConsentToTrack", view.consentToTrack());
      }
      return json(200, render(out));
    }
  }

  private MockResponse updateSubscriber(String listId, RecordedRequest request) {
    String email = request.getUrl().queryParameter("email");
    Map<String, Object> body = members(jsonBody(request), UPDATE_MEMBERS, "");
    Object consent = body.get("consenttotrack");
    if (consent == null) {
      return error(400, 214, "Please provide a consent to track value");
    }
    if (!(consent instanceof String)
        || !CONSENT.contains(((String) consent).toLowerCase(Locale.ROOT))) {
      return error(400, 215, "Please provide a valid consent to track value");
    }
    if (body.get("name") != null && !(body.get("name") instanceof String)) {
      throw new MalformedBodyException("Name must be text");
    }
    Object fields = body.get("customfields");
    if (fields != null && !(fields instanceof List)) {
      throw new MalformedBodyException("CustomFields must be an array");
    }
    for (Object f : fields == null ? List.of() : (List<?>) fields) {
      if (!(members(f, FIELD_MEMBERS, "CustomFields.").get("key") instanceof String)) {
        throw new MalformedBodyException("CustomFields.Key is required");
      }
    }
    boolean resubscribe = flag(body, "resubscribe");
    flag(body, "restartsubscriptionbasedautoresponders");
    Object given = body.get("emailaddress");
    if (given != null && !(given instanceof String)) {
      throw new MalformedBodyException("EmailAddress must be text");
    }
    synchronized (account.lock) {
      ListData list = known(listId);
      if (list == null) {
        return unknownList();
      }
      String from = email == null ? "" : email.trim().toLowerCase(Locale.ROOT);
      SubscriberData s = list.subscribers.get(from);
      if (s == null) {
        return error(400, 203, "Subscriber Not In List");
      }
      // An omitted or empty EmailAddress leaves the address as it is ("empty parameters will remain
      // unchanged").
      String to =
          given == null || ((String) given).isBlank()
              ? from
              : ((String) given).trim().toLowerCase(Locale.ROOT);
      if (!EMAIL.matcher(to).matches()) {
        return error(400, 211, "Invalid New Email Address");
      }
      if (!to.equals(from) && list.subscribers.containsKey(to)) {
        return error(400, 201, "Already subscribed");
      }
      noteEmail(to);
      if (!to.equals(from)) {
        list.subscribers.put(to, list.subscribers.remove(from));
        counters.increment(CampaignMonitorCounter.ADDRESS_CHANGES);
      }
      if (resubscribe && (!s.state.equals(ACTIVE) || account.suppressed.contains(to))) {
        reactivated(s, account.suppressed.contains(to));
        s.state = ACTIVE;
        account.suppressed.remove(to);
      }
      Map<String, Object> row = new LinkedHashMap<>(body);
      if ("".equals(row.get("name"))) {
        row.remove("name");
      }
      update(list, s, row);
      counters.increment(CampaignMonitorCounter.SUBSCRIBER_UPDATES);
      return json(200, "");
    }
  }

  /** Counts a subscriber made Active again by {@code Resubscribe}. Holds {@link #lock}. */
  private void reactivated(SubscriberData s, boolean wasSuppressed) {
    if (s != null && s.state.equals(DELETED) && !s.optedOut && !wasSuppressed) {
      counters.increment(CampaignMonitorCounter.DELETED_RESUBSCRIBED);
    } else {
      counters.increment(CampaignMonitorCounter.OPT_OUTS_OVERRIDDEN);
    }
  }

  // ---- a member leaves the list ------------------------------------------------------------

  private MockResponse deleteSubscriber(String listId, RecordedRequest request) {
    String email = request.getUrl().queryParameter("email");
    if (request.getBodySize() > 0) {
      throw new MalformedBodyException("DELETE takes no body");
    }
    synchronized (account.lock) {
      ListData list = known(listId);
      if (list == null) {
        return unknownList();
      }
      String key = email == null ? "" : email.trim().toLowerCase(Locale.ROOT);
      SubscriberData s = list.subscribers.get(key);
      if (s == null) {
        return error(400, 203, "Subscriber Not In List");
      }
      noteEmail(key);
      if (s.state.equals(DELETED)) {
        counters.increment(CampaignMonitorCounter.DELETION_NO_OPS);
      } else {
        s.state = DELETED;
        counters.increment(CampaignMonitorCounter.DELETIONS);
      }
      return json(200, "");
    }
  }

  private MockResponse unsubscribe(String listId, RecordedRequest request) {
    Map<String, Object> body = members(jsonBody(request), Set.of("emailaddress"), "");
    if (!(body.get("emailaddress") instanceof String)) {
      throw new MalformedBodyException("EmailAddress is required");
    }
    String key = ((String) body.get("emailaddress")).trim().toLowerCase(Locale.ROOT);
    synchronized (account.lock) {
      ListData list = known(listId);
      if (list == null) {
        return unknownList();
      }
      SubscriberData s = list.subscribers.get(key);
      if (s == null) {
        return error(400, 203, "Subscriber Not In List");
      }
      noteEmail(key);
      s.state = UNSUBSCRIBED;
      s.optedOut = true;
      if (list.unsubscribeSetting.equals("AllClientLists")) {
        for (ListData other : account.lists.values()) {
          SubscriberData o = other.subscribers.get(key);
          if (o != null && other.unsubscribeSetting.equals("AllClientLists")) {
            o.state = UNSUBSCRIBED;
            o.optedOut = true;
          }
        }
        if (account.suppressed.add(key)) {
          counters.increment(CampaignMonitorCounter.SUPPRESSIONS);
        }
      }
      counters.increment(CampaignMonitorCounter.UNSUBSCRIBES);
      return json(200, "");
    }
  }

  /** Writes a row's name, consent and custom fields to a subscriber. Holds {@link #lock}. */
  private void update(ListData list, SubscriberData s, Map<String, Object> row) {
    Object name = row.get("name");
    if (name instanceof String && ((String) name).length() > MAX_VALUE_LENGTH) {
      counters.increment(
          CampaignMonitorCounter.INVALID_NAMES); // not stored, like an over-long custom field value
    } else if (name instanceof String) {
      s.name = (String) name;
    }
    String consent = ((String) row.get("consenttotrack"));
    if (consent.equalsIgnoreCase("yes")) {
      s.consent = "Yes"; // one instance for every subscriber, not a string each
    } else if (consent.equalsIgnoreCase("no")) {
      s.consent = "No";
    } else if (!consent.equalsIgnoreCase("unchanged")) {
      s.consent =
          consent.substring(0, 1).toUpperCase(Locale.ROOT)
              + consent.substring(1).toLowerCase(Locale.ROOT);
    }
    Object fields = row.get("customfields");
    for (Object f : fields == null ? List.of() : (List<?>) fields) {
      Map<String, Object> field = members(f, FIELD_MEMBERS, "");
      String key = writtenKey((String) field.get("key"));
      FieldDef def = key == null ? null : list.fields.get(key);
      if (def == null) {
        counters.increment(CampaignMonitorCounter.UNKNOWN_KEYS);
        continue;
      }
      Object value = field.get("value");
      if (Boolean.TRUE.equals(field.get("clear"))) {
        s.fields.remove(key);
        continue;
      }
      String text =
          value == null
              ? ""
              : value instanceof Double && (Double) value == Math.rint((Double) value)
                  ? Long.toString(((Double) value).longValue())
                  : value.toString();
      if (text.isEmpty()) {
        continue; // an empty value leaves the field as it is
      }
      if (!fits(def.dataType, text)) {
        counters.increment(CampaignMonitorCounter.INVALID_VALUES);
        continue;
      }
      s.fields.put(def.key, text); // the list's instance of the key, not this request's copy
    }
  }

  /** The list key a written key names, or null when the form is not accepted. */
  private String writtenKey(String written) {
    String k = written.trim();
    if (k.startsWith("[") && k.endsWith("]")) {
      return acceptBracketedKeys ? k.toLowerCase(Locale.ROOT) : null;
    }
    return "[" + k.toLowerCase(Locale.ROOT) + "]";
  }

  // ---- helpers -------------------------------------------------------------------------------

  private ListData list(String listId) {
    ListData l = account.lists.get(listId);
    if (l == null) {
      throw new IllegalArgumentException("no such list");
    }
    return l;
  }

  /** The key the vendor derives from a field name: {@code "subscription date"} becomes {@code [subscriptiondate]}. */
  static String key(String name) {
    return "[" + name.trim().replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT) + "]";
  }

  /**
   * An object's members by lower-cased name, as the vendor binds them: case-insensitively, refusing
   * unknown members and two spellings of one member with different values.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> members(Object value, Set<String> known, String where) {
    if (!(value instanceof Map)) {
      throw new MalformedBodyException(
          where.isEmpty() ? "the body must be an object" : where + " must be an object");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : ((Map<String, Object>) value).entrySet()) {
      String name = lowerCase(e.getKey());
      if (!known.contains(name)) {
        throw new MalformedBodyException("Fields in error: " + where + e.getKey());
      }
      if (out.containsKey(name) && !java.util.Objects.equals(out.get(name), e.getValue())) {
        throw new MalformedBodyException(
            "Fields in error: " + where + e.getKey() + " (given twice, differently)");
      }
      out.put(name, e.getValue());
    }
    return out;
  }

  /** Lower-cased member names seen, by their spelling: an import repeats a few names a thousand times. */
  private static final Map<String, String> LOWER_CASE_NAMES = new ConcurrentHashMap<>();

  /** How many spellings {@link #LOWER_CASE_NAMES} keeps at most (a bound against unusual bodies). */
  private static final int LOWER_CASE_NAMES_KEPT = 1024;

  /** A member name lower-cased, from {@link #LOWER_CASE_NAMES} when it was seen before. */
  private static String lowerCase(String name) {
    String lower = LOWER_CASE_NAMES.get(name);
    if (lower == null) {
      lower = name.toLowerCase(Locale.ROOT);
      if (LOWER_CASE_NAMES.size() < LOWER_CASE_NAMES_KEPT) {
        LOWER_CASE_NAMES.put(name, lower);
      }
    }
    return lower;
  }

  private static boolean flag(Map<String, Object> body, String name) {
    Object v = body.get(name);
    if (v != null && !(v instanceof Boolean)) {
      throw new MalformedBodyException("Fields in error: " + name + " must be true or false");
    }
    return Boolean.TRUE.equals(v);
  }
}
