package com.segmentexport.dotdigital;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.Secret;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.spi.AccountDirectory;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.CallSpec;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.DestinationPreview;
import com.segmentexport.spi.DestinationRequest;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.VendorHttp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dotdigital connector of one connection: discovers and caches the account's regional endpoint,
 * checks the address book, creates missing data fields, and hands out {@link DotdigitalDestination}s
 * that import batches. Thread-safe.
 */
final class DotdigitalConnector implements Connector {
  private static final Logger log = LoggerFactory.getLogger(DotdigitalConnector.class);

  private final ConnectorLimits limits;
  private final HttpUrl baseUrl;
  private final String authorization;
  private final Duration importTimeout;
  private final Object endpointLock = new Object();
  private volatile HttpUrl endpoint;

  DotdigitalConnector(DotdigitalConnectorProvider provider, Connection connection) {
    // Ranges (imports in flight at most 25, profiles at most 1,000,000, the import timeout at most
    // a day)
    // were checked when the connection was built.
    this.limits = StandardSettings.applyTo(provider.limits(), connection);
    String base =
        connection
            .setting(StandardSettings.BASE_URL)
            .orElse(DotdigitalConnectorProvider.DEFAULT_BASE_URL);
    this.baseUrl = parseEndpoint(base);
    if (baseUrl == null) {
      throw new ConfigurationException(StandardSettings.BASE_URL + " is not a valid URL");
    }
    String user =
        connection.secret(DotdigitalConnectorProvider.USERNAME).map(Secret::reveal).orElse("");
    String pass =
        connection.secret(DotdigitalConnectorProvider.PASSWORD).map(Secret::reveal).orElse("");
    this.authorization = Credentials.basic(user, pass, StandardCharsets.UTF_8);
    this.importTimeout =
        Duration.ofSeconds(
            connection
                .intSetting(DotdigitalConnectorProvider.IMPORT_TIMEOUT_SECONDS)
                .orElse(DotdigitalConnectorProvider.DEFAULT_IMPORT_TIMEOUT_SECONDS));
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

  /** Asks r1 (or the base URL) for the account's endpoint, which also checks the credentials. */
  @Override
  public void verify(VendorHttp http) {
    discover(http);
  }

  /** The account's regional endpoint, discovered once per connector. */
  HttpUrl endpoint(VendorHttp http) {
    HttpUrl e = endpoint;
    if (e != null) {
      return e;
    }
    synchronized (endpointLock) {
      return endpoint != null ? endpoint : discover(http);
    }
  }

  /**
   * The account's regional endpoint, discovered once per connector, or taken from the account's
   * directory when another export of the JVM discovered it a moment ago.
   */
  HttpUrl endpoint(VendorHttp http, AccountDirectory directory) {
    HttpUrl e = endpoint;
    if (e != null) {
      return e;
    }
    synchronized (endpointLock) {
      if (endpoint == null) {
        endpoint =
            directory
                .<HttpUrl>catalog(ENDPOINT)
                .find(ENDPOINT, () -> Map.of(ENDPOINT, discover(http)))
                .orElseThrow();
      }
      return endpoint;
    }
  }

  /** The directory's catalog of the account's endpoint, under this one name. */
  private static final String ENDPOINT = "dotdigital.api-endpoint";

  /** The directory's catalog of the account's contact data fields: upper-cased name to type. */
  private static final String DATA_FIELDS = "dotdigital.data-fields";

  private HttpUrl discover(VendorHttp http) {
    HttpUrl url = baseUrl.newBuilder().addPathSegments("v2/account-info").build();
    HttpResponse r = http.execute(get(url), spec("account-info"));
    if (!r.isSuccessful()) {
      throw DotdigitalErrors.destination(r, "dotdigital's account-info call failed");
    }
    String apiEndpoint = null;
    for (Object p : Json.array(Json.object(r.json()).get("properties"))) {
      Map<String, Object> property = Json.object(p);
      if ("ApiEndpoint".equalsIgnoreCase(Json.string(property, "name"))) {
        apiEndpoint = Json.string(property, "value");
      }
    }
    HttpUrl found = apiEndpoint == null ? null : parseEndpoint(apiEndpoint.trim());
    if (found == null) {
      throw new DestinationException(
          r.code(),
          null,
          null,
          "dotdigital's account-info answer has no usable ApiEndpoint property");
    }
    endpoint = found;
    log.debug("dotdigital account endpoint: {}", found.host());
    return found;
  }

  /** Parses an endpoint URL without its trailing slash; null when it is not an http(s) URL. */
  static HttpUrl parseEndpoint(String text) {
    String t = text;
    while (t.endsWith("/")) {
      t = t.substring(0, t.length() - 1);
    }
    return HttpUrl.parse(t);
  }

  @Override
  public Destination open(DestinationRequest request) {
    VendorHttp http = request.http();
    ExportDefinition definition = request.definition();
    long bookId = bookId(definition);
    boolean createFields = definition.flag(DotdigitalConnectorProvider.CREATE_MISSING_FIELDS);
    HttpUrl ep = endpoint(http, request.directory());
    checkBook(http, ep, bookId);

    List<DataFieldPlan> plans = planDataFields(http, ep, request, createFields);
    log.info(
        "dotdigital: segment '{}' goes to address book {} with {} data field(s)",
        request.segment(),
        bookId,
        plans.size());
    return new DotdigitalDestination(
        this, http, ep, bookId, plans, importTimeout, limits.maxConcurrentBatches());
  }

  /**
   * Looks at the configured address book as {@link #open} does, with its reads only (the account's
   * endpoint, {@code GET v2/address-books/{id}} and, when fields are mapped, {@code GET v2/data-fields}):
   * the book always exists (a run never creates one; an unknown id fails the preview as it would fail the
   * run), and the mapped data fields the account lacks are those a run would create. When the export does
   * not let a run create them ({@value DotdigitalConnectorProvider#CREATE_MISSING_FIELDS} false), or a
   * field's type cannot take the mapped values, the preview fails as the run would.
   */
  @Override
  public DestinationPreview preview(DestinationRequest request) {
    VendorHttp http = request.http();
    ExportDefinition definition = request.definition();
    long bookId = bookId(definition);
    boolean createFields = definition.flag(DotdigitalConnectorProvider.CREATE_MISSING_FIELDS);
    HttpUrl ep = endpoint(http, request.directory());
    checkBook(http, ep, bookId);
    List<String> missing = new ArrayList<>();
    List<MappedField> mapped = mappedFields(request);
    if (!mapped.isEmpty()) {
      AccountDirectory.Catalog<String> fields = request.directory().catalog(DATA_FIELDS);
      for (MappedField f : mapped) {
        String name = DotdigitalConnectorProvider.dataFieldName(f.name(), f.custom());
        String type = fields.find(name, () -> readDataFields(http, ep)).orElse(null);
        if (type == null) {
          if (!createFields) {
            throw missingField(name, f);
          }
          missing.add(name);
        } else {
          checkCompatible(name, type, f);
        }
      }
    }
    return DestinationPreview.existing(Long.toString(bookId), missing);
  }

  /**
   * How long an import is taken to run while this connector has seen none finish: dotdigital documents
   * no figure, so this is an assumption, for estimates only.
   */
  static final Duration ASSUMED_IMPORT_TIME = Duration.ofSeconds(1);

  /**
   * A batch's import ({@code PUT contacts/v3/import}) and its status polls ({@code GET
   * contacts/v3/import/{id}}, in dotdigital's Unlimited rate tier), counted on the poll schedule the run
   * uses: for an import as long as the typical one this connection has seen ({@link
   * #ASSUMED_IMPORT_TIME} before any), the first {@code maxConcurrentBatches} batches polled from
   * {@link DotdigitalDestination#FIRST_POLL} (no import has finished when they start), the later ones close
   * to the typical time. Not foreseen: resubmissions while the account has its 25 imports active.
   */
  @Override
  public int estimatedCalls(Batch batch) {
    long typical = typicalImportNanos();
    long importNanos = typical > 0 ? typical : ASSUMED_IMPORT_TIME.toNanos();
    boolean learnt = typical > 0 || batch.sequence() > limits.maxConcurrentBatches();
    return 1 + ImportPoller.Schedule.polls(learnt ? importNanos : 0, importNanos);
  }

  /**
   * A removal batch's bulk removals ({@code POST /v2/address-books/{id}/contacts/delete}, up to {@value
   * DotdigitalDestination#MAX_REMOVAL_IDS} contact ids each) and their job's status polls ({@code GET
   * /v2/contacts/deletion/{id}}, backing off from {@link ImportPoller#FIRST_POLL}), assuming a job as long
   * as {@link #ASSUMED_IMPORT_TIME}; plus a look-up by address ({@code GET /contacts/v3/email/{email}}) for
   * each member whose contact id the sync state does not hold.
   */
  @Override
  public int estimatedRemovalCalls(Batch batch) {
    long lookUps = 0;
    for (ExportRecord r : batch.records()) {
      if (DotdigitalDestination.contactId(r.vendorId().orElse(null)) < 0) {
        lookUps++;
      }
    }
    long requests =
        (batch.size() + DotdigitalDestination.MAX_REMOVAL_IDS - 1)
            / DotdigitalDestination.MAX_REMOVAL_IDS;
    long calls = lookUps + requests * (1 + removalPolls(ASSUMED_IMPORT_TIME));
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, calls));
  }

  /** The status polls of a removal job that takes {@code time}, on the removal's doubling schedule. */
  static int removalPolls(Duration time) {
    long waited = 0;
    long delay = ImportPoller.FIRST_POLL.toNanos();
    int polls = 0;
    do {
      waited += delay;
      delay = Math.min(delay * 2, ImportPoller.MAX_POLL_INTERVAL.toNanos());
      polls++;
    } while (waited < time.toNanos());
    return polls;
  }

  private static long bookId(ExportDefinition definition) {
    return definition
        .longOption(DotdigitalConnectorProvider.ADDRESS_BOOK_ID)
        .orElseThrow(
            () ->
                new ConfigurationException(
                    "export option "
                        + DotdigitalConnectorProvider.ADDRESS_BOOK_ID
                        + " is required"));
  }

  /** Checks that the account has the address book ({@code GET v2/address-books/{id}}). */
  private void checkBook(VendorHttp http, HttpUrl ep, long bookId) {
    HttpResponse book =
        http.execute(get(url(ep, "v2/address-books/" + bookId)), spec("get-address-book"));
    if (!book.isSuccessful()) {
      VendorError e = DotdigitalErrors.parse(book);
      throw new DestinationException(
          book.code(),
          e.code(),
          e.message(),
          "dotdigital address book "
              + bookId
              + " (export option "
              + DotdigitalConnectorProvider.ADDRESS_BOOK_ID
              + ") cannot be used: "
              + (book.code() == 404
                  ? "it does not exist in this account"
                  : e.code() + " " + e.message()));
    }
  }

  /** How one mapped field is written: the data field's name and the account's type for it. */
  record DataFieldPlan(MappedField field, String name, String type) {}

  private static List<MappedField> mappedFields(DestinationRequest request) {
    List<MappedField> mapped = new ArrayList<>();
    for (MappedField f : request.schema().fields()) {
      if (f.index() != 0) {
        mapped.add(f);
      }
    }
    return mapped;
  }

  /** The account's data fields: each upper-cased name to its type ({@code GET v2/data-fields}). */
  private Map<String, String> readDataFields(VendorHttp http, HttpUrl ep) {
    HttpResponse r = http.execute(get(url(ep, "v2/data-fields")), spec("list-data-fields"));
    if (!r.isSuccessful()) {
      throw DotdigitalErrors.destination(r, "dotdigital's data fields could not be read");
    }
    Map<String, String> existing = new LinkedHashMap<>();
    for (Object o : Json.array(r.json())) {
      Map<String, Object> field = Json.object(o);
      String name = Json.string(field, "name");
      if (name != null) {
        existing.put(name.toUpperCase(Locale.ROOT), nonNull(Json.string(field, "type"), "String"));
      }
    }
    return existing;
  }

  private static DestinationException missingField(String name, MappedField f) {
    return new DestinationException(
        0,
        null,
        null,
        "The dotdigital account has no contact data field "
            + name
            + " (mapped from '"
            + f.name()
            + "') and the export option "
            + DotdigitalConnectorProvider.CREATE_MISSING_FIELDS
            + " is false: create the field in dotdigital or "
            + "let the export create it");
  }

  private static void checkCompatible(String name, String type, MappedField f) {
    if (!compatible(type, f.type())) {
      throw new DestinationException(
          0,
          null,
          null,
          "The dotdigital data field "
              + name
              + " holds "
              + type
              + " values but '"
              + f.name()
              + "' is mapped as "
              + f.type().name().toLowerCase(Locale.ROOT)
              + ": map it with a matching type or to another field");
    }
  }

  private List<DataFieldPlan> planDataFields(
      VendorHttp http, HttpUrl ep, DestinationRequest request, boolean createFields) {
    List<MappedField> mapped = mappedFields(request);
    if (mapped.isEmpty()) {
      return List.of();
    }
    // The account's fields are read once for the exports of the JVM starting together; a field is
    // created by one of them, the others waiting for it.
    AccountDirectory.Catalog<String> fields = request.directory().catalog(DATA_FIELDS);
    Supplier<Map<String, String>> read = () -> readDataFields(http, ep);
    List<DataFieldPlan> plans = new ArrayList<>();
    for (MappedField f : mapped) {
      String name = DotdigitalConnectorProvider.dataFieldName(f.name(), f.custom());
      String type;
      if (createFields) {
        String wanted = vendorType(f.type());
        type =
            fields.findOrCreate(
                name,
                read,
                () -> {
                  createDataField(http, ep, name, wanted);
                  return wanted;
                });
      } else {
        type = fields.find(name, read).orElseThrow(() -> missingField(name, f));
      }
      checkCompatible(name, type, f);
      plans.add(new DataFieldPlan(f, name, canonicalType(type)));
    }
    return List.copyOf(plans);
  }

  private void createDataField(VendorHttp http, HttpUrl ep, String name, String type) {
    RequestBody body =
        Json.body(
            w -> {
              w.beginObject();
              w.name("name").value(name);
              w.name("type").value(type);
              w.name("visibility").value("Private");
              w.endObject();
            });
    HttpResponse r =
        http.execute(
            request(url(ep, "v2/data-fields")).post(body).build(), spec("create-data-field"));
    if (r.isSuccessful()) {
      log.info("dotdigital: created contact data field {} ({})", name, type);
      return;
    }
    VendorError e = DotdigitalErrors.parse(r);
    if ("ERROR_NON_UNIQUE_DATAFIELD".equals(e.code())) {
      return; // created meanwhile (another export, or a repeated request)
    }
    throw DotdigitalErrors.destination(
        r, "dotdigital refused to create the contact data field " + name);
  }

  /** dotdigital's data field type for a field type. */
  static String vendorType(FieldType type) {
    switch (type) {
      case INTEGER:
      case NUMBER:
        return "Numeric";
      case BOOLEAN:
        return "Boolean";
      case DATE:
      case DATETIME:
        return "Date";
      default:
        return "String";
    }
  }

  private static String canonicalType(String type) {
    for (String t : List.of("String", "Numeric", "Date", "Boolean")) {
      if (t.equalsIgnoreCase(type)) {
        return t;
      }
    }
    return "String";
  }

  /** Whether values of this field type can be written to a data field of the account's type. */
  static boolean compatible(String accountType, FieldType type) {
    String t = canonicalType(accountType);
    return t.equals("String") || t.equals(vendorType(type));
  }

  // ---- requests ------------------------------------------------------------------------------

  static HttpUrl url(HttpUrl ep, String path) {
    return ep.newBuilder().addPathSegments(path).build();
  }

  Request.Builder request(HttpUrl url) {
    return new Request.Builder()
        .url(url)
        .header("Authorization", authorization)
        .header("Accept", "application/json");
  }

  Request get(HttpUrl url) {
    return request(url).get().build();
  }

  static CallSpec spec(String name) {
    return CallSpec.idempotent(name).classifiedBy(DotdigitalErrors.CLASSIFIER);
  }

  private static String nonNull(String a, String b) {
    return a != null ? a : b;
  }

  private final AtomicLong typicalImportNanos = new AtomicLong();

  /** A moving average of how long this account's imports take to finish, or 0 before the first. */
  long typicalImportNanos() {
    return typicalImportNanos.get();
  }

  /**
   * Folds one observed import time (submission to Finished) into the moving average: a shorter one
   * moves it halfway, a longer one a quarter of the way. Polling too late leaves an import slot idle
   * until the poll, while polling too early costs a status poll (in the unlimited tier), so the average
   * follows faster imports faster.
   */
  void recordImportTime(long nanos) {
    typicalImportNanos.updateAndGet(
        t -> t == 0 ? nanos : nanos < t ? (t + nanos) / 2 : (3 * t + nanos) / 4);
  }
}
