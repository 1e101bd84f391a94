package com.segmentexport.iterable;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.DestinationException;
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
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Iterable connector of one connection: resolves the data centre, finds or creates each segment's
 * static list, and hands out {@link IterableDestination}s that subscribe batches to it. Thread-safe.
 */
final class IterableConnector implements Connector {
  private static final Logger log = LoggerFactory.getLogger(IterableConnector.class);

  private final ConnectorLimits limits;
  private final HttpUrl baseUrl;
  private final String apiKey;

  IterableConnector(IterableConnectorProvider provider, Connection connection) {
    this.limits = StandardSettings.applyTo(provider.limits(), connection);
    String dataCenter =
        connection
            .setting(IterableConnectorProvider.DATA_CENTER)
            .orElse("US")
            .trim()
            .toUpperCase(Locale.ROOT);
    String base =
        connection
            .setting(StandardSettings.BASE_URL)
            .orElse(
                dataCenter.equals("EU")
                    ? IterableConnectorProvider.EU_BASE_URL
                    : IterableConnectorProvider.US_BASE_URL);
    this.baseUrl = HttpUrl.parse(base.trim());
    if (baseUrl == null) {
      throw new ConfigurationException(StandardSettings.BASE_URL + " is not a valid URL");
    }
    this.apiKey =
        connection.secret(IterableConnectorProvider.API_KEY).map(Secret::reveal).orElse("");
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

  /** {@code GET /api/lists}: the cheapest authenticated call. */
  @Override
  public void verify(VendorHttp http) {
    HttpResponse r = http.execute(request("api/lists").get().build(), idempotent("list-lists"));
    if (!r.isSuccessful()) {
      throw IterableErrors.destination(r, "Iterable's list of lists could not be read");
    }
  }

  /**
   * How long after its creation a list is still treated as new: Iterable may refuse subscribes to it
   * ({@code invalidListId}) for a moment, whoever made it (this export, another of this JVM, another
   * host sharing the state). Generous, for clocks that differ.
   */
  static final Duration NEW_LIST_AGE = Duration.ofMinutes(10);

  /**
   * Finds the Standard list named exactly as the segment, or creates it, through the account's {@link
   * AccountDirectory}: the exports of a JVM share one read of the lists, and one creation per name.
   */
  @Override
  public Destination open(DestinationRequest request) {
    VendorHttp http = request.http();
    String name = request.segment();
    AccountDirectory.Catalog<ListEntry> lists = request.directory().catalog(LISTS);
    // A create whose answer is lost (a dropped connection, a gateway's 504) is resolved by reading
    // the lists again, never by repeating it: a replay could make a second list of the same name.
    ListEntry list =
        lists.findOrCreate(
            name,
            () -> readLists(http),
            () ->
                new ListEntry(
                    Creation.createOrAdopt(
                        "the list for segment '" + name + "'",
                        () -> Optional.ofNullable(readLists(http).get(name)).map(ListEntry::id),
                        () -> createList(http, name)),
                    Instant.now()));
    // A list someone else (another export, another host) created moments ago is as new as ours.
    boolean isNew = list.createdAt().isAfter(Instant.now().minus(NEW_LIST_AGE));
    log.info(
        "Iterable: segment '{}' goes to {} static list {}",
        name,
        isNew ? "new" : "existing",
        list.id());
    return new IterableDestination(
        this,
        http,
        list.id(),
        isNew,
        request.schema(),
        request.definition().flag(IterableConnectorProvider.UPDATE_EXISTING_USERS_ONLY),
        () -> lists.forget(name),
        request.directory().catalog(IterableDestination.PROJECT_FIELDS));
  }

  /** The directory's catalog of the account's Standard lists, by name. */
  static final String LISTS = "iterable.standard-lists";

  /**
   * A Standard list of the account.
   *
   * @param id its id
   * @param createdAt when Iterable says it was created (for a list an export of this JVM made: when it
   *     was made); a list younger than {@link #NEW_LIST_AGE} may be refused for a short while, which is
   *     waited out
   */
  record ListEntry(long id, Instant createdAt) {}

  /**
   * Looks the segment's Standard list up by name, with the one {@code GET /api/lists} that {@link #open}
   * starts with. Iterable creates a data field on the first write of a value for it, so a run creates no
   * field: none is reported.
   */
  @Override
  public DestinationPreview preview(DestinationRequest request) {
    Optional<ListEntry> found =
        request
            .directory()
            .<ListEntry>catalog(LISTS)
            .find(request.segment(), () -> readLists(request.http()));
    return found.isEmpty()
        ? DestinationPreview.missing(List.of())
        : DestinationPreview.existing(Long.toString(found.get().id()), List.of());
  }

  /**
   * One {@code POST /api/lists/subscribe} per batch; the first batch of a segment that maps data fields
   * may read the project's field types ({@code GET /api/users/getFields}, a read the exports of the JVM
   * share for a few seconds: counted here, as at most one per destination). Splits
   * and resends after a type clash or an oversized body, and the waits for a just-created list, depend on
   * the vendor's answers and are not foreseen.
   */
  @Override
  public int estimatedCalls(Batch batch) {
    boolean dataFields = batch.schema().fields().stream().anyMatch(f -> f.index() != 0);
    return batch.sequence() == 1 && dataFields ? 2 : 1;
  }

  /**
   * One {@code POST /api/lists/unsubscribe} per removal batch (up to 1,000 users). Splits after a body
   * Iterable finds too large depend on its answer and are not foreseen.
   */
  @Override
  public int estimatedRemovalCalls(Batch batch) {
    return 1;
  }

  /**
   * The account's Standard lists ({@code GET /api/lists}), each name to its oldest list: only static
   * lists take subscribers, and a Dynamic list of the same name is not ours.
   */
  private Map<String, ListEntry> readLists(VendorHttp http) {
    HttpResponse r = http.execute(request("api/lists").get().build(), idempotent("list-lists"));
    if (!r.isSuccessful()) {
      throw IterableErrors.destination(r, "Iterable's list of lists could not be read");
    }
    Map<String, ListEntry> lists = new HashMap<>();
    for (Object o : Json.array(Json.object(r.json()).get("lists"))) {
      Map<String, Object> list = Json.object(o);
      String name = Json.string(list, "name");
      long id = Json.number(list, "id", -1);
      if (name != null && id > 0 && "Standard".equals(Json.string(list, "listType"))) {
        // createdAt is epoch milliseconds (the spec's int32 is wrong); missing counts as long ago.
        ListEntry entry =
            new ListEntry(id, Instant.ofEpochMilli(Json.number(list, "createdAt", 0)));
        lists.merge(name, entry, (a, b) -> a.id() <= b.id() ? a : b);
      }
    }
    return lists;
  }

  /** Creates the list, once: {@link Creation#createOrAdopt} resolves a lost answer. */
  private long createList(VendorHttp http, String name) {
    RequestBody body = Json.body(w -> w.beginObject().name("name").value(name).endObject());
    HttpResponse r =
        http.execute(
            request("api/lists").post(body).build(),
            CallSpec.once("create-list").classifiedBy(IterableErrors.CLASSIFIER));
    if (!r.isSuccessful()) {
      throw IterableErrors.destination(
          r, "Iterable refused to create the static list for segment '" + name + "'");
    }
    long id = Json.number(Json.object(r.json()), "listId", -1);
    if (id < 1) {
      throw new DestinationException(
          r.code(), null, null, "Iterable created a list but sent no listId");
    }
    return id;
  }

  // ---- requests ------------------------------------------------------------------------------

  /** A request to a path under the base URL, with the {@code Api-Key} header. */
  Request.Builder request(String path) {
    return new Request.Builder()
        .url(baseUrl.newBuilder().addPathSegments(path).build())
        .header("Api-Key", apiKey)
        .header("Accept", "application/json");
  }

  static CallSpec idempotent(String name) {
    return CallSpec.idempotent(name).classifiedBy(IterableErrors.CLASSIFIER);
  }
}
