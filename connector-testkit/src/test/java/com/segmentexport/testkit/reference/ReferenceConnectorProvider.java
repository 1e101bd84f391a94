package com.segmentexport.testkit.reference;

import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.ConnectorProvider;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.DestinationField;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.SettingDescriptor;
import com.segmentexport.api.StandardFields;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.CallSpec;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.ConnectorContext;
import com.segmentexport.spi.Destination;
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

/** A minimal connector for {@link ReferenceSimulator}, to run the contract against in the testkit. */
public final class ReferenceConnectorProvider implements ConnectorProvider {
  static final String ID = "reference";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String displayName() {
    return "Reference vendor";
  }

  @Override
  public List<SettingDescriptor> settings() {
    return List.of(SettingDescriptor.secret("apiKey", "API key"),
        StandardSettings.baseUrl("https://api.reference.invalid"),
        StandardSettings.requestsPerSecond(10, "the vendor's limit"));
  }

  @Override
  public List<DestinationField> destinationFields() {
    return List.of(new DestinationField(StandardFields.EMAIL, "E-mail", FieldType.TEXT, true),
        DestinationField.text(StandardFields.FIRST_NAME), DestinationField.text(StandardFields.LAST_NAME));
  }

  @Override
  public boolean supportsCustomFields() {
    return true;
  }

  @Override
  public ConnectorLimits limits() {
    return new ConnectorLimits(ReferenceSimulator.MAX_BATCH, 512 * 1024, 4, 10, OptionalLong.of(100_000));
  }

  @Override
  public Connector create(ConnectorContext context) {
    return new ReferenceConnector(context.connection(), this);
  }

  private static final class ReferenceConnector implements Connector {
    private final Connection connection;
    private final ConnectorLimits limits;
    private final HttpUrl base;
    private final String key;

    ReferenceConnector(Connection connection, ReferenceConnectorProvider provider) {
      this.connection = connection;
      this.limits = StandardSettings.applyTo(provider.limits(), connection);
      this.base = HttpUrl.get(connection.setting(StandardSettings.BASE_URL).orElseThrow());
      this.key = connection.secret("apiKey").orElseThrow().reveal();
    }

    @Override
    public ConnectorLimits limits() {
      return limits;
    }

    private Request.Builder request(String path) {
      return new Request.Builder().url(base.resolve(path)).header("X-Api-Key", key);
    }

    @Override
    public void verify(VendorHttp http) {
      http.execute(request("lists").get().build(), CallSpec.idempotent("list-lists"));
    }

    private String findList(VendorHttp http, String name) {
      HttpResponse r = http.execute(request("lists").get().build(), CallSpec.idempotent("list-lists"));
      for (Object o : Json.array(Json.object(r.json()).get("lists"))) {
        Map<String, Object> list = Json.object(o);
        if (name.equals(list.get("name"))) {
          return Json.string(list, "id");
        }
      }
      return null;
    }

    @Override
    public Destination open(DestinationRequest request) {
      VendorHttp http = request.http();
      String id = findList(http, request.segment());
      if (id == null) {
        HttpResponse created = http.execute(request("lists").post(Json.body(w -> {
          w.beginObject().name("name").value(request.segment()).endObject();
        })).build(), CallSpec.once("create-list"));
        if (created.code() == 409) {
          id = findList(http, request.segment());
        } else if (created.isSuccessful()) {
          id = Json.string(Json.object(created.json()), "id");
        }
        if (id == null) {
          throw new DestinationException(created.code(), null, null, "could not create the list");
        }
      }
      String listId = id;
      return new Destination() {
        @Override
        public String id() {
          return listId;
        }

        @Override
        public BatchResult write(Batch batch) {
          HttpResponse r = http.execute(request("lists/" + listId + "/members").post(Json.body(w -> {
            w.beginObject().name("members").beginArray();
            for (ExportRecord record : batch.records()) {
              w.beginObject().name("email").value(record.email()).name("fields").beginObject();
              for (MappedField f : batch.schema().fields()) {
                Object v = record.value(f);
                if (f.index() > 0 && v != null) {
                  w.name(f.name());
                  Json.writeValue(w, v);
                }
              }
              w.endObject().endObject();
            }
            w.endArray().endObject();
          })).build(), CallSpec.idempotent("add-members"));
          if (!r.isSuccessful()) {
            throw new DestinationException(r.code(), Json.string(Json.object(r.json()), "error"), null,
                "the vendor refused the batch");
          }
          BatchResult.Builder result = BatchResult.builder(batch);
          for (Object o : Json.array(Json.object(r.json()).get("failed"))) {
            Map<String, Object> f = Json.object(o);
            ExportRecord record = batch.byEmail(Json.string(f, "email"));
            if (record != null) {
              result.reject(record, RejectionReason.VENDOR_REJECTED, Json.string(f, "code"), Json.string(f, "message"));
            }
          }
          return result.build();
        }
      };
    }
  }
}
