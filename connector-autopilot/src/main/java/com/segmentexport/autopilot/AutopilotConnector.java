package com.segmentexport.autopilot;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.Secret;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.spi.AccountDirectory;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.CallSpec;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.Creation;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.DestinationPreview;
import com.segmentexport.spi.DestinationRequest;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.VendorHttp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Autopilot connector of one connection: finds or creates the list named as each segment and hands
 * out {@link AutopilotDestination}s that upsert batches into it. Thread-safe.
 */
final class AutopilotConnector implements Connector {
  private static final Logger log = LoggerFactory.getLogger(AutopilotConnector.class);

  private final ConnectorLimits limits;
  private final HttpUrl baseUrl;
  private final String apiKey;
  private final int maxConcurrentUpserts;

  /**
   * For each segment a plan previewed, the member pages the first batch of a run reads (the list's
   * members, 100 a page, before the first upsert): for {@link #estimatedCalls}.
   */
  private final Map<String, Long> memberPages = new ConcurrentHashMap<>();

  AutopilotConnector(Connection connection) {
    // Ranges (maxProfilesPerExport at most 100,000, upserts 1 to 64) were checked when the
    // connection was built.
    this.limits = StandardSettings.applyTo(new AutopilotConnectorProvider().limits(), connection);
    String base =
        connection
            .setting(StandardSettings.BASE_URL)
            .orElse(AutopilotConnectorProvider.DEFAULT_BASE_URL);
    HttpUrl url = HttpUrl.parse(base.replaceAll("/+$", ""));
    if (url == null) {
      throw new ConfigurationException(StandardSettings.BASE_URL + " is not a valid URL");
    }
    this.baseUrl = url;
    this.apiKey =
        connection.secret(AutopilotConnectorProvider.API_KEY).map(Secret::reveal).orElse("");
    this.maxConcurrentUpserts =
        connection
            .intSetting(AutopilotConnectorProvider.MAX_CONCURRENT_UPSERTS)
            .orElse(AutopilotConnectorProvider.DEFAULT_CONCURRENT_UPSERTS);
  }

  @Override
  public ConnectorLimits limits() {
    return limits;
  }

  /** The base URL: every connection with these credentials at this URL shares one rate budget. */
  @Override
  public String accountEndpoint() {
    return baseUrl.toString();
  }

  /** Upserts into one list that may be unanswered at once (at most the batches in flight). */
  int maxConcurrentUpserts() {
    return maxConcurrentUpserts;
  }

  /** {@code GET /v1/lists}: a missing key (400) or a wrong one (401) is an authentication error. */
  @Override
  public void verify(VendorHttp http) {
    readLists(http);
  }

  /**
   * Finds the list titled exactly as the segment, or creates it, through the account's {@link
   * AccountDirectory}: the exports of a JVM share one read of the lists, and one creation per title. A
   * list deleted at Autopilot is known as gone at most {@link AccountDirectory#FRESHNESS} after the read
   * that listed it.
   */
  @Override
  public Destination open(DestinationRequest request) {
    VendorHttp http = request.http();
    String name = request.segment();
    // A create whose answer is lost (a dropped connection, a gateway's 504) is resolved by reading
    // the lists again, never by repeating it: a replay could make a second list of the same name.
    String listId =
        request
            .directory()
            .<String>catalog(LISTS)
            .findOrCreate(
                name,
                () -> lists(readLists(http)),
                () ->
                    Creation.createOrAdopt(
                        "the list for segment '" + name + "'",
                        () -> Optional.ofNullable(find(readLists(http), name)),
                        () -> create(http, name)));
    log.info("autopilot: segment '{}' goes to list {}", name, listId);
    return new AutopilotDestination(
        this, http, listId, request.schema(), ListMembers.of(request.directory()).list(listId));
  }

  /**
   * Looks the list up by title ({@code GET /v1/lists}, as {@link #open} does) and, when it exists, reads
   * its first member page for {@code total_contacts}: the first batch of a run reads every member page,
   * or only those after the last member known when an earlier run of this JVM read the list.
   * Autopilot takes custom fields inline, under typed keys, with no field to create first: none is
   * reported.
   */
  @Override
  public DestinationPreview preview(DestinationRequest request) {
    VendorHttp http = request.http();
    String listId =
        request
            .directory()
            .<String>catalog(LISTS)
            .find(request.segment(), () -> lists(readLists(http)))
            .orElse(null);
    if (listId == null) {
      memberPages.put(request.segment(), 1L); // the run creates the list: one empty page
      return DestinationPreview.missing(List.of());
    }
    HttpResponse page =
        http.execute(
            request(url("list/" + listId + "/contacts")).get().build(), spec("list-members", true));
    if (!page.isSuccessful()) {
      throw AutopilotErrors.destination(page, "Autopilot's list " + listId + " could not be read");
    }
    long members = ListMembership.totalContacts(page.body());
    memberPages.put(
        request.segment(),
        ListMembers.of(request.directory()).list(listId).pagesBeforeFirstUpsert(members));
    return DestinationPreview.existing(listId, List.of());
  }

  /**
   * A batch's upsert ({@code POST /v1/contacts}), and for the first batch of each group of
   * {@code maxConcurrentBatches} the read of the list's {@code total_contacts} that confirms the group's
   * contacts joined (a group closes when it is full while upserts keep coming; with
   * {@code maxConcurrentBatches} 1 every batch is an upsert and a count read). A segment's first batch
   * also reads the list's members first, a page per 100, or per 100 that joined since an earlier run of
   * this JVM read them ({@link #preview} counted them). Not foreseen:
   * contacts that existed at Autopilot but were not on the list, which the count does not confirm and
   * which cost a membership check or a list add each, and groups closed early because the upserts paused.
   */
  @Override
  public int estimatedCalls(Batch batch) {
    int calls = 1;
    if ((batch.sequence() - 1) % limits.maxConcurrentBatches() == 0) {
      calls++;
    }
    if (batch.sequence() == 1) {
      calls += (int) Math.min(Integer.MAX_VALUE - 2, memberPages.getOrDefault(batch.segment(), 1L));
    }
    return calls;
  }

  /**
   * One {@code DELETE /v1/list/{list_id}/contact/{contact_id}} per member: Autopilot v1 has no bulk
   * removal, so a removal batch costs as many calls as it has members, each at the account's rate.
   */
  @Override
  public int estimatedRemovalCalls(Batch batch) {
    return Math.max(1, batch.size());
  }

  private String create(VendorHttp http, String name) {
    RequestBody body = Json.body(w -> w.beginObject().name("name").value(name).endObject());
    HttpResponse r =
        http.execute(request(url("list")).post(body).build(), spec("create-list", false));
    if (r.code() == 409) {
      // Created meanwhile (another export, or a replay the vendor had applied): use the match.
      String id = find(readLists(http), name);
      if (id != null) {
        return id;
      }
    }
    String id = r.isSuccessful() ? Json.string(Json.object(r.json()), "list_id") : null;
    if (id == null || id.isBlank()) {
      throw AutopilotErrors.destination(
          r, "Autopilot did not create the list for segment '" + name + "'");
    }
    log.info("autopilot: created list {} for segment '{}'", id, name);
    return id;
  }

  private HttpResponse readLists(VendorHttp http) {
    HttpResponse r = http.execute(request(url("lists")).get().build(), spec("lists", true));
    if (!r.isSuccessful()) {
      throw AutopilotErrors.destination(r, "Autopilot's lists could not be read");
    }
    return r;
  }

  /** The directory's catalog of the account's lists: title to id. */
  static final String LISTS = "autopilot.lists";

  /** Each title to the id of the first list with that title. */
  private static Map<String, String> lists(HttpResponse lists) {
    Map<String, String> out = new HashMap<>();
    for (Object o : Json.array(Json.object(lists.json()).get("lists"))) {
      Map<String, Object> list = Json.object(o);
      String title = Json.string(list, "title");
      String id = Json.string(list, "list_id");
      if (title != null && id != null) {
        out.putIfAbsent(title, id);
      }
    }
    return out;
  }

  /** The id of the first list whose {@code title} is exactly {@code name}, or null. */
  private static String find(HttpResponse lists, String name) {
    for (Object o : Json.array(Json.object(lists.json()).get("lists"))) {
      Map<String, Object> list = Json.object(o);
      if (name.equals(Json.string(list, "title"))) {
        return Json.string(list, "list_id");
      }
    }
    return null;
  }

  // ---- requests ------------------------------------------------------------------------------

  HttpUrl url(String path) {
    return baseUrl.newBuilder().addPathSegments(path).build();
  }

  Request.Builder request(HttpUrl url) {
    return new Request.Builder()
        .url(url)
        .header("autopilotapikey", apiKey)
        .header("Accept", "application/json");
  }

  static CallSpec spec(String name, boolean idempotent) {
    return new CallSpec(name, idempotent, AutopilotErrors.CLASSIFIER);
  }
}
