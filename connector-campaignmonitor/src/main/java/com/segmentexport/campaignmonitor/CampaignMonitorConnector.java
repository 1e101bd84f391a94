package com.segmentexport.campaignmonitor;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.Secret;
import com.segmentexport.api.StandardFields;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.CallSpec;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.DestinationPreview;
import com.segmentexport.spi.DestinationRequest;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.VendorHttp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.Credentials;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Campaign Monitor connector of one connection: authenticates with the API key (HTTP Basic) or an
 * OAuth token (refreshed when it expires), checks the destination list, creates missing custom fields,
 * and hands out {@link CampaignMonitorDestination}s that import batches. Thread-safe.
 */
final class CampaignMonitorConnector implements Connector {
  private static final Logger log = LoggerFactory.getLogger(CampaignMonitorConnector.class);

  private final ConnectorLimits limits;
  private final HttpUrl baseUrl;
  private final HttpUrl tokenUrl;
  private final Object refreshLock = new Object();
  private volatile String authorization;
  private volatile String refreshToken;

  CampaignMonitorConnector(CampaignMonitorConnectorProvider provider, Connection connection) {
    List<String> problems = CampaignMonitorConnectorProvider.credentialProblems(connection);
    if (!problems.isEmpty()) {
      throw new ConfigurationException("Invalid campaignmonitor connection", problems);
    }
    // Ranges (maxProfilesPerExport at most 1,000,000) were checked when the connection was built.
    this.limits = StandardSettings.applyTo(provider.limits(), connection);
    this.baseUrl =
        url(
            connection,
            StandardSettings.BASE_URL,
            CampaignMonitorConnectorProvider.DEFAULT_BASE_URL,
            true);
    this.tokenUrl =
        url(
            connection,
            CampaignMonitorConnectorProvider.OAUTH_TOKEN_URL,
            CampaignMonitorConnectorProvider.DEFAULT_TOKEN_URL,
            false);
    String apiKey =
        connection
            .secret(CampaignMonitorConnectorProvider.API_KEY)
            .map(Secret::reveal)
            .orElse(null);
    this.authorization =
        apiKey != null
            ? Credentials.basic(apiKey, "x", StandardCharsets.UTF_8)
            : bearer(
                connection
                    .secret(CampaignMonitorConnectorProvider.ACCESS_TOKEN)
                    .map(Secret::reveal)
                    .orElse(""));
    this.refreshToken =
        connection
            .secret(CampaignMonitorConnectorProvider.REFRESH_TOKEN)
            .map(Secret::reveal)
            .orElse(null);
  }

  private static HttpUrl url(
      Connection connection, String setting, String fallback, boolean directory) {
    String text = connection.setting(setting).orElse(fallback).trim();
    HttpUrl url = HttpUrl.parse(directory && !text.endsWith("/") ? text + "/" : text);
    if (url == null) {
      throw new ConfigurationException(setting + " is not a valid URL");
    }
    return url;
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

  /** {@code GET clients.json}: the cheapest authenticated call. */
  @Override
  public void verify(VendorHttp http) {
    HttpResponse r = send(http, request("clients.json").get(), spec("clients"));
    if (!r.isSuccessful()) {
      throw CampaignMonitorErrors.destination(r, "Campaign Monitor's clients call failed");
    }
  }

  @Override
  public Destination open(DestinationRequest request) {
    VendorHttp http = request.http();
    ExportDefinition definition = request.definition();
    String listId = listId(definition);
    List<MappedField> custom = request.schema().customFields();
    // With custom fields mapped, reading the list's fields also tells whether the account has the
    // list: one call fewer per export than checking the list first.
    if (custom.isEmpty()) {
      checkList(http, listId);
    }
    List<FieldPlan> plans = planCustomFields(http, listId, custom);
    log.info(
        "Campaign Monitor: segment '{}' goes to list {} with {} custom field(s)",
        request.segment(),
        listId,
        plans.size());
    return new CampaignMonitorDestination(
        this,
        http,
        listId,
        request.schema().field(StandardFields.FIRST_NAME),
        request.schema().field(StandardFields.LAST_NAME),
        plans,
        CampaignMonitorDestination.ImportOptions.of(definition));
  }

  /**
   * Looks at the configured list as {@link #open} does, with its read only ({@code GET
   * lists/{listid}/customfields.json} when the mapping has custom fields, which also checks the list;
   * {@code GET lists/{listid}.json} when it has none): the list always exists (a run never creates one; an unknown id fails the preview as it would
   * fail the run), and the mapped custom fields it lacks are those a run would create. A custom field whose
   * type cannot take the mapped values fails the preview as it would fail the run. (With OAuth, an access
   * token that expired is refreshed at the token URL: that changes no list.)
   */
  @Override
  public DestinationPreview preview(DestinationRequest request) {
    VendorHttp http = request.http();
    String listId = listId(request.definition());
    List<MappedField> custom = request.schema().customFields();
    List<String> missing = new ArrayList<>();
    if (custom.isEmpty()) {
      checkList(http, listId);
    } else {
      Map<String, ListField> existing = readCustomFields(http, listId);
      for (MappedField f : custom) {
        ListField field = existing.get(CampaignMonitorConnectorProvider.fieldKey(f.name()));
        if (field == null) {
          missing.add(f.name());
        } else {
          checkCompatible(field, f);
        }
      }
    }
    return DestinationPreview.existing(listId, missing);
  }

  /** One import a batch ({@code POST subscribers/{listid}/import.json}), answered synchronously. */
  @Override
  public int estimatedCalls(Batch batch) {
    return 1;
  }

  /**
   * Two calls per member: the subscriber's state on the list ({@code GET subscribers/{listid}.json?email=})
   * and its deletion ({@code DELETE subscribers/{listid}.json?email=}); Campaign Monitor has no bulk
   * delete. Not foreseen: members already off the list, unsubscribed or bounced, which cost the read alone.
   */
  @Override
  public int estimatedRemovalCalls(Batch batch) {
    return Math.max(1, 2 * batch.size());
  }

  /** The configured list's id (export option {@value CampaignMonitorConnectorProvider#LIST_ID}). */
  private static String listId(ExportDefinition definition) {
    return definition
        .option(CampaignMonitorConnectorProvider.LIST_ID)
        .map(String::trim)
        .orElseThrow(
            () ->
                new ConfigurationException(
                    "export option " + CampaignMonitorConnectorProvider.LIST_ID + " is required"));
  }

  /** Checks that the account has the list ({@code GET lists/{listid}.json}). */
  private void checkList(VendorHttp http, String listId) {
    HttpResponse list = send(http, request("lists/" + listId + ".json").get(), spec("get-list"));
    if (!list.isSuccessful()) {
      throw unusableList(list, listId);
    }
  }

  /** The error for a list Campaign Monitor refused to show: unknown, foreign, or another refusal. */
  private static DestinationException unusableList(HttpResponse answer, String listId) {
    VendorError e = CampaignMonitorErrors.parse(answer);
    boolean unknown =
        answer.code() == 404
            || CampaignMonitorErrors.number(e) == CampaignMonitorErrors.INVALID_LIST_ID;
    return new DestinationException(
        answer.code(),
        e.code(),
        e.message(),
        "Campaign Monitor list "
            + listId
            + " (export option "
            + CampaignMonitorConnectorProvider.LIST_ID
            + ") cannot be used: "
            + (unknown
                ? "it does not exist, or belongs to another account or client"
                : e.code() + " " + e.message()));
  }

  /**
   * How one mapped custom field is written.
   *
   * @param field the mapped field
   * @param key the list's key without brackets, as the import takes it
   * @param dataType the list's data type for it
   */
  record FieldPlan(MappedField field, String key, String dataType) {}

  /** Finds the list's custom field for each mapped one, creating those it lacks. */
  private List<FieldPlan> planCustomFields(
      VendorHttp http, String listId, List<MappedField> custom) {
    if (custom.isEmpty()) {
      return List.of();
    }
    String listPath = "lists/" + listId;
    Map<String, ListField> existing = readCustomFields(http, listId);
    List<FieldPlan> plans = new ArrayList<>();
    for (MappedField f : custom) {
      String wanted = CampaignMonitorConnectorProvider.fieldKey(f.name());
      ListField field = existing.get(wanted);
      if (field == null) {
        field = createCustomField(http, listPath, f);
        if (field == null) {
          existing = readCustomFields(http, listId); // created meanwhile by another export
          field = existing.get(wanted);
        }
        if (field == null) {
          throw new DestinationException(
              0, null, null, "Campaign Monitor did not create the custom field '" + f.name() + "'");
        }
      }
      checkCompatible(field, f);
      plans.add(new FieldPlan(f, field.key(), field.dataType()));
    }
    return List.copyOf(plans);
  }

  /** Fails when the list's field cannot take the mapped field's values. */
  private static void checkCompatible(ListField field, MappedField f) {
    if (!compatible(field.dataType(), f.type())) {
      throw new DestinationException(
          0,
          null,
          null,
          "The Campaign Monitor custom field ["
              + field.key()
              + "] holds "
              + field.dataType()
              + " values but '"
              + f.name()
              + "' is mapped as "
              + f.type().name().toLowerCase(Locale.ROOT)
              + ": map it with a matching type or to another field");
    }
  }

  /** A custom field of the list: its key without brackets and its data type. */
  private record ListField(String key, String dataType) {}

  /**
   * The list's custom fields by lower-cased bare key ({@code GET lists/{listid}/customfields.json}),
   * which also checks that the account has the list.
   */
  private Map<String, ListField> readCustomFields(VendorHttp http, String listId) {
    HttpResponse r =
        send(
            http,
            request("lists/" + listId + "/customfields.json").get(),
            spec("list-custom-fields"));
    if (!r.isSuccessful()) {
      if (r.code() == 404
          || CampaignMonitorErrors.number(CampaignMonitorErrors.parse(r))
              == CampaignMonitorErrors.INVALID_LIST_ID) {
        throw unusableList(r, listId);
      }
      throw CampaignMonitorErrors.destination(
          r, "Campaign Monitor's custom fields could not be read");
    }
    Map<String, ListField> out = new LinkedHashMap<>();
    for (Object o : Json.array(r.json())) {
      Map<String, Object> field = Json.object(o);
      String key = bare(Json.string(field, "Key"));
      if (key != null) {
        out.put(
            key.toLowerCase(Locale.ROOT),
            new ListField(key, nonNull(Json.string(field, "DataType"), "Text")));
      }
    }
    return out;
  }

  /** Creates a custom field; returns it, or null when it already existed (code 255). */
  private ListField createCustomField(VendorHttp http, String listPath, MappedField f) {
    String type = dataType(f.type());
    RequestBody body =
        Json.body(
            w -> {
              w.beginObject();
              w.name("FieldName").value(f.name());
              w.name("DataType").value(type);
              w.name("Options").beginArray().endArray();
              w.name("VisibleInPreferenceCenter").value(false);
              w.endObject();
            });
    // Repeating it is harmless: a second creation is refused with code 255 and the field is read
    // back.
    HttpResponse r =
        send(
            http, request(listPath + "/customfields.json").post(body), spec("create-custom-field"));
    if (r.isSuccessful()) {
      Object key = r.json();
      log.info("Campaign Monitor: created custom field {} ({})", key, type);
      return new ListField(bare(key instanceof String ? (String) key : f.name()), type);
    }
    if (CampaignMonitorErrors.number(CampaignMonitorErrors.parse(r))
        == CampaignMonitorErrors.FIELD_EXISTS) {
      return null;
    }
    throw CampaignMonitorErrors.destination(
        r, "Campaign Monitor refused to create the custom field '" + f.name() + "'");
  }

  /** Campaign Monitor's data type for a field type. */
  static String dataType(FieldType type) {
    switch (type) {
      case INTEGER:
      case NUMBER:
        return "Number";
      case DATE:
      case DATETIME:
        return "Date";
      default:
        return "Text";
    }
  }

  /** Whether values of this type can be written to a custom field of the list's type. */
  static boolean compatible(String listType, FieldType type) {
    String wanted = dataType(type);
    if (listType.equalsIgnoreCase(wanted) || listType.equalsIgnoreCase("Text")) {
      return true;
    }
    // Choice fields (options, countries, US states) take text values Campaign Monitor checks
    // itself.
    return type == FieldType.TEXT
        && !listType.equalsIgnoreCase("Number")
        && !listType.equalsIgnoreCase("Date");
  }

  private static String bare(String key) {
    if (key == null) {
      return null;
    }
    String k = key.trim();
    return k.startsWith("[") && k.endsWith("]") ? k.substring(1, k.length() - 1) : k;
  }

  // ---- requests ------------------------------------------------------------------------------

  /** A request to a path under the base URL (such as {@code lists/{id}.json}), without authorization. */
  Request.Builder request(String path) {
    return new Request.Builder()
        .url(baseUrl.newBuilder().addPathSegments(path).build())
        .header("Accept", "application/json");
  }

  /**
   * Sends a request with the connection's authorization. When Campaign Monitor answers that the OAuth
   * access token expired, the token is refreshed (once, for every thread that saw it expire) and the
   * request sent again.
   *
   * @throws AuthenticationException if the token expired and cannot be refreshed
   */
  HttpResponse send(VendorHttp http, Request.Builder request, CallSpec spec) {
    String used = authorization;
    HttpResponse r = http.execute(request.header("Authorization", used).build(), spec);
    if (!CampaignMonitorErrors.isExpiredToken(r)) {
      return r;
    }
    refresh(http, used);
    r = http.execute(request.header("Authorization", authorization).build(), spec);
    if (CampaignMonitorErrors.isExpiredToken(r)) {
      throw new AuthenticationException(
          401, "Campaign Monitor still reports the refreshed OAuth token as expired");
    }
    return r;
  }

  private void refresh(VendorHttp http, String expired) {
    synchronized (refreshLock) {
      if (!expired.equals(authorization)) {
        return; // another thread refreshed it
      }
      String token = refreshToken;
      if (token == null) {
        throw new AuthenticationException(
            401,
            "Campaign Monitor refused the OAuth access token as expired "
                + "(code 121) and the connection has no "
                + CampaignMonitorConnectorProvider.REFRESH_TOKEN);
      }
      RequestBody form =
          new FormBody.Builder()
              .add("grant_type", "refresh_token")
              .add("refresh_token", token)
              .build();
      HttpResponse r =
          http.execute(
              new Request.Builder().url(tokenUrl).post(form).build(),
              CallSpec.once("oauth-refresh").classifiedBy(CampaignMonitorErrors.CLASSIFIER));
      Map<String, Object> body = Json.object(r.json());
      String access = Json.string(body, "access_token");
      if (!r.isSuccessful() || access == null) {
        VendorError e = CampaignMonitorErrors.parse(r);
        throw new AuthenticationException(
            r.code(),
            "Campaign Monitor refused to refresh the OAuth token (HTTP "
                + r.code()
                + ": "
                + e.message()
                + ")");
      }
      String next = Json.string(body, "refresh_token");
      if (next != null) {
        refreshToken = next;
      }
      authorization = bearer(access);
      log.info("Campaign Monitor: OAuth access token refreshed");
    }
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }

  static CallSpec spec(String name) {
    return CallSpec.idempotent(name).classifiedBy(CampaignMonitorErrors.CLASSIFIER);
  }

  private static String nonNull(String a, String b) {
    return a != null ? a : b;
  }
}
