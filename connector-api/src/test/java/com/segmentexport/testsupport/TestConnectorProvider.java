package com.segmentexport.testsupport;

import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.DestinationField;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.SettingDescriptor;
import com.segmentexport.api.StandardFields;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.CallSpec;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.ConnectorContext;
import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.DestinationPreview;
import com.segmentexport.spi.DestinationRequest;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.VendorHttp;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * A small connector for {@link FakeVendor}, written the way a real one is: it builds requests with its
 * auth header, sends every one through the engine's {@link VendorHttp}, writes batches with
 * {@link Json#body}, and maps the vendor's per-record answers to a {@link BatchResult}.
 */
public final class TestConnectorProvider implements ConnectorProvider {
  /** The connector id. */
  public static final String ID = "testvendor";

  /** The name of the upsert call (in events and logs). */
  public static final String UPSERT = "upsertMembers";

  private final ConnectorLimits limits;
  private final boolean customFields;
  private final boolean removal;
  private final int removalCallsPerMember;
  private final boolean idempotentWrites;
  private final java.util.function.Predicate<String> unattributed;
  private final boolean openCallsVendor;
  private final java.util.function.Consumer<DestinationRequest> beforeOpen;
  private final SettingDescriptor.Kind baseUrlKind;
  private final java.util.concurrent.atomic.AtomicInteger writing =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger maxWriting =
      new java.util.concurrent.atomic.AtomicInteger();

  private TestConnectorProvider(Builder b) {
    this.limits = b.limits;
    this.customFields = b.customFields;
    this.idempotentWrites = b.idempotentWrites;
    this.unattributed = b.unattributed;
    this.openCallsVendor = b.openCallsVendor;
    this.beforeOpen = b.beforeOpen;
    this.removal = b.removal;
    this.removalCallsPerMember = b.removalCallsPerMember;
    this.baseUrlKind = b.baseUrlKind;
  }

  /** Starts a provider with generous limits (100 records, 64 KiB, 2 in flight, 1000 requests/s). */
  public static Builder builder() {
    return new Builder();
  }

  /** The most {@code Destination.write} calls that ran at once, across this provider's connectors. */
  public int maxConcurrentWriteCalls() {
    return maxWriting.get();
  }

  /** A provider with the default knobs. */
  public static TestConnectorProvider standard() {
    return builder().build();
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String displayName() {
    return "Test Vendor";
  }

  @Override
  public List<SettingDescriptor> settings() {
    return List.of(
        SettingDescriptor.connection("baseUrl", baseUrlKind)
            .description("API base URL")
            .required()
            .build(),
        SettingDescriptor.secret("apiKey", "API key"),
        SettingDescriptor.connection("region", SettingDescriptor.Kind.CHOICE)
            .description("Data center")
            .allowedValues("eu", "us")
            .defaultValue("eu")
            .build(),
        SettingDescriptor.export("listPrefix", SettingDescriptor.Kind.TEXT)
            .description("Prefix of list names")
            .maxLength(20)
            .build(),
        SettingDescriptor.export("doubleOptIn", SettingDescriptor.Kind.BOOLEAN)
            .description("Ask for confirmation")
            .defaultValue(false)
            .build());
  }

  @Override
  public List<DestinationField> destinationFields() {
    return List.of(
        new DestinationField(StandardFields.EMAIL, "E-mail", FieldType.TEXT, true),
        DestinationField.text(StandardFields.FIRST_NAME),
        DestinationField.text(StandardFields.LAST_NAME),
        new DestinationField("Birthday", "Birthday", FieldType.DATE, false),
        new DestinationField("Score", "Score", FieldType.NUMBER, false));
  }

  @Override
  public boolean supportsCustomFields() {
    return customFields;
  }

  @Override
  public boolean supportsRemoval() {
    return removal;
  }

  @Override
  public ConnectorLimits limits() {
    return limits;
  }

  @Override
  public Connector create(ConnectorContext context) {
    return new TestConnector(context.connection());
  }

  private final class TestConnector implements Connector {
    private final Connection connection;
    private final HttpUrl base;

    TestConnector(Connection connection) {
      this.connection = connection;
      this.base = HttpUrl.get(connection.setting("baseUrl").orElseThrow());
    }

    private Request.Builder request(String... segments) {
      HttpUrl.Builder url = base.newBuilder();
      for (String s : segments) {
        url.addPathSegment(s);
      }
      return new Request.Builder()
          .url(url.build())
          .header("Authorization", "Bearer " + connection.secret("apiKey").orElseThrow().reveal());
    }

    @Override
    public ConnectorLimits limits() {
      return limits;
    }

    @Override
    public int estimatedRemovalCalls(Batch batch) {
      return removalCallsPerMember == 0 ? 1 : removalCallsPerMember * batch.size();
    }

    @Override
    public void verify(VendorHttp http) {
      HttpResponse r = http.execute(request("me").get().build(), CallSpec.idempotent("verify"));
      if (!r.isSuccessful()) {
        throw refused("verify", r);
      }
    }

    @Override
    public Destination open(DestinationRequest request) {
      beforeOpen.accept(request);
      String name = request.definition().option("listPrefix").orElse("") + request.segment();
      String id;
      if (openCallsVendor) {
        HttpResponse r =
            request
                .http()
                .execute(
                    request("lists", name).put(Json.body(w -> w.beginObject().endObject())).build(),
                    CallSpec.idempotent("ensureList"));
        if (!r.isSuccessful()) {
          throw refused("ensureList", r);
        }
        id = Json.string(Json.object(r.json()), "id");
      } else {
        id = "list-" + name;
      }
      return new TestDestination(request, id);
    }

    /** Looks the list up by name with a GET; without calls to the vendor, its id is known offline. */
    @Override
    public DestinationPreview preview(DestinationRequest request) {
      String name = request.definition().option("listPrefix").orElse("") + request.segment();
      if (!openCallsVendor) {
        return DestinationPreview.existing("list-" + name, List.of());
      }
      HttpResponse r =
          request
              .http()
              .execute(request("lists", name).get().build(), CallSpec.idempotent("findList"));
      if (r.code() == 404) {
        return DestinationPreview.missing(List.of());
      }
      if (!r.isSuccessful()) {
        throw refused("findList", r);
      }
      return DestinationPreview.existing(Json.string(Json.object(r.json()), "id"), List.of());
    }

    private final class TestDestination implements Destination {
      private final DestinationRequest request;
      private final String id;

      TestDestination(DestinationRequest request, String id) {
        this.request = request;
        this.id = id;
      }

      @Override
      public String id() {
        return id;
      }

      @Override
      public BatchResult write(Batch batch) {
        maxWriting.accumulateAndGet(writing.incrementAndGet(), Math::max);
        try {
          return send(batch);
        } finally {
          writing.decrementAndGet();
        }
      }

      /** Removes the batch's members from the list: {@code POST /api/lists/{id}/members/remove}. */
      @Override
      public BatchResult remove(Batch batch) {
        Request http =
            request("lists", id, "members", "remove")
                .post(
                    Json.body(
                        w -> {
                          w.beginObject().name("members").beginArray();
                          for (ExportRecord r : batch.records()) {
                            w.beginObject().name("email").value(r.email()).endObject();
                          }
                          w.endArray().endObject();
                        }))
                .build();
        HttpResponse r = request.http().execute(http, CallSpec.idempotent("removeMembers"));
        if (!r.isSuccessful()) {
          throw refused("removeMembers", r);
        }
        return BatchResult.allExported(batch);
      }

      private BatchResult send(Batch batch) {
        List<MappedField> fields = batch.schema().fields();
        Request http =
            request("lists", id, "members")
                .post(
                    Json.body(
                        w -> {
                          w.beginObject();
                          w.name("members").beginArray();
                          for (ExportRecord r : batch.records()) {
                            w.beginObject();
                            w.name("email").value(r.email());
                            w.name("fields").beginObject();
                            for (MappedField f : fields.subList(1, fields.size())) {
                              Object v = r.value(f);
                              if (v != null) {
                                w.name(f.name());
                                Json.writeValue(w, v);
                              }
                            }
                            w.endObject();
                            w.endObject();
                          }
                          w.endArray();
                          w.endObject();
                        }))
                .build();
        CallSpec spec = idempotentWrites ? CallSpec.idempotent(UPSERT) : CallSpec.once(UPSERT);
        HttpResponse response = request.http().execute(http, spec);
        if (!response.isSuccessful()) {
          throw refused(UPSERT, response);
        }
        Map<String, Object> body = Json.object(response.json());
        BatchResult.Builder result = BatchResult.builder(batch);
        for (ExportRecord r : batch.records()) {
          if (unattributed.test(r.email())) {
            result.unconfirmed(
                r, "the vendor reported a failure it did not attribute to any record");
          }
        }
        for (Object o : Json.array(body.get("results"))) {
          Map<String, Object> item = Json.object(o);
          ExportRecord r = batch.byEmail(Json.string(item, "email"));
          if (r != null && "rejected".equals(Json.string(item, "status"))) {
            result.reject(
                r,
                RejectionReason.VENDOR_REJECTED,
                Json.string(item, "code"),
                Json.string(item, "message"));
          }
        }
        if (body.containsKey("created")) {
          result.addCreated(Json.number(body, "created", 0));
        }
        if (body.containsKey("updated")) {
          result.addUpdated(Json.number(body, "updated", 0));
        }
        result.count("requests", 1);
        return result.build();
      }
    }
  }

  private static DestinationException refused(String call, HttpResponse r) {
    Map<String, Object> error = Json.object(r.json());
    return new DestinationException(
        r.code(),
        Json.string(error, "code"),
        Json.string(error, "message"),
        "Test Vendor refused '" + call + "': HTTP " + r.code());
  }

  /** Configures a {@link TestConnectorProvider}. */
  public static final class Builder {
    private ConnectorLimits limits =
        new ConnectorLimits(100, 64 * 1024, 2, 1000, OptionalLong.empty());
    private boolean customFields = true;
    private boolean removal = true;
    private int removalCallsPerMember;

    /**
     * The calls per member the connector estimates a removal costs; 0 (the default) keeps the SPI's one
     * call per batch.
     */
    public Builder removalCallsPerMember(int n) {
      this.removalCallsPerMember = n;
      return this;
    }

    /** Whether the connector can remove members from its list (it can by default). */
    public Builder removal(boolean b) {
      this.removal = b;
      return this;
    }

    private boolean idempotentWrites = true;
    private java.util.function.Predicate<String> unattributed = email -> false;
    private boolean openCallsVendor = true;
    private java.util.function.Consumer<DestinationRequest> beforeOpen = r -> {};
    private SettingDescriptor.Kind baseUrlKind = SettingDescriptor.Kind.URL;

    /** The limits the connector reports. */
    public Builder limits(ConnectorLimits l) {
      this.limits = l;
      return this;
    }

    /** Sets batch size, byte limit, concurrency and request rate. */
    public Builder limits(int records, long bytes, int concurrency, double requestsPerSecond) {
      return limits(
          new ConnectorLimits(
              records, bytes, concurrency, requestsPerSecond, OptionalLong.empty()));
    }

    /** Whether custom fields may be mapped (true by default). */
    public Builder customFields(boolean b) {
      this.customFields = b;
      return this;
    }

    /**
     * Addresses whose outcome the connector reports as unconfirmed (as a connector does when the vendor
     * reports a failure without naming the record).
     */
    public Builder unattributed(java.util.function.Predicate<String> emails) {
      this.unattributed = emails;
      return this;
    }

    /** Whether upserts are sent as idempotent calls (true by default) or as {@link CallSpec#once}. */
    public Builder idempotentWrites(boolean b) {
      this.idempotentWrites = b;
      return this;
    }

    /**
     * What opening a destination does first (nothing by default), such as looking the list up in the
     * request's account directory.
     */
    public Builder beforeOpen(java.util.function.Consumer<DestinationRequest> hook) {
      this.beforeOpen = hook;
      return this;
    }

    /** Whether opening a destination calls the vendor (true by default). */
    public Builder openCallsVendor(boolean b) {
      this.openCallsVendor = b;
      return this;
    }

    /** The kind of the baseUrl setting (URL by default; TEXT to bypass the setting's own check). */
    public Builder baseUrlKind(SettingDescriptor.Kind k) {
      this.baseUrlKind = k;
      return this;
    }

    /** Builds the provider. */
    public TestConnectorProvider build() {
      return new TestConnectorProvider(this);
    }
  }
}
