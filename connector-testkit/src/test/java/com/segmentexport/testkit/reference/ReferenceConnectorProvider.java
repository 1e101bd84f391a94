package com.segmentexport.testkit.reference;

import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorLimits;
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
import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.spi.Creation;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.DestinationPreview;
import com.segmentexport.spi.DestinationRequest;
import com.segmentexport.spi.ExportCancelledException;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.ResponseClassifier;
import com.segmentexport.spi.VendorHttp;
import com.segmentexport.spi.Verdict;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal connector for {@link ReferenceSimulator}, to run the contract against in the testkit. It
 * can be built with one {@link Flaw}, a defect a real connector could have, to prove that the contract
 * catches it ({@code ContractCatchesFlawsTest}).
 */
public final class ReferenceConnectorProvider implements ConnectorProvider {
  static final String ID = "reference";
  private static final Logger log = LoggerFactory.getLogger(ReferenceConnectorProvider.class);

  /** A defect the connector can be built with; {@link #NONE} is the correct connector. */
  enum Flaw {
    NONE,
    /** Leaves one profile out of one request, yet reports it exported. */
    DROPS_A_PROFILE,
    /** Never sends the custom field. */
    DROPS_THE_CUSTOM_FIELD,
    /** Declares batches twice the vendor's maximum. */
    OVERSIZED_BATCHES,
    /** Takes a 429 for a success. */
    IGNORES_THROTTLING,
    /** Treats a 401 as transient and repeats the request. */
    RETRIES_REFUSED_CREDENTIALS,
    /** Marks its upserts as unsafe to repeat, so dropped connections lose the batch. */
    NEVER_RETRIES_WRITES,
    /** Documents no per-export profile limit. */
    NO_PROFILE_LIMIT,
    /** Ignores the vendor's per-record failures. */
    SWALLOWS_VENDOR_REJECTIONS,
    /** Keeps repeating its write for seconds after the export was cancelled. */
    IGNORES_CANCELLATION,
    /**
     * Keeps every record it wrote; documents no profile limit, so that the large case streams all of
     * its 1,000,000 profiles through the connector (100,000 records could fit in the small heap).
     */
    BUFFERS_EVERY_PROFILE,
    /** Logs the API key. */
    LOGS_THE_API_KEY,
    /** Logs the addresses the vendor refused, unmasked. */
    LOGS_RAW_ADDRESSES,
    /** Stamps each contact with the time of the run, so a re-run changes every contact. */
    STAMPS_EACH_RUN,
    /** Declares its list create idempotent, so a create whose answer was lost is repeated. */
    RETRIES_A_NON_IDEMPOTENT_CREATE,
    /** Reports records sent but unconfirmed at a cancellation as rejected (delivery failed). */
    REPORTS_UNCONFIRMED_AS_REJECTED,
    /** Names a new account for every connector object, so rebuilt connections get budgets of their own. */
    KEYS_THE_BUDGET_PER_OBJECT,
    /**
     * Verifies with an OkHttp client of its own, which follows redirects (OkHttp's default) and so
     * forwards the {@code X-Api-Key} header to whatever host a 3xx names. (As a test connector it
     * trusts the loopback test servers' certificates.)
     */
    OWN_CLIENT_FOLLOWS_REDIRECTS,
    /**
     * Classifies a 429 as a plain failure to retry, not as the vendor's wait: the request backs off alone
     * while the requests queued behind it go out into the vendor's empty bucket.
     */
    TREATS_429_AS_A_PLAIN_RETRY,
    /** Creates the list in {@code preview} when it is missing, so a plan writes to the vendor. */
    PREVIEW_WRITES,
    /**
     * Keeps the SPI's default {@code preview}, which knows nothing: a plan can then neither say whether the
     * list exists nor find its sync state, and counts every profile as new.
     */
    PREVIEW_KNOWS_NOTHING,
    /**
     * Reports every batch exported at once and sends it later, in the background: the sync state then
     * holds members as confirmed that the vendor has not received, and a crash loses them for good.
     */
    CONFIRMS_BEFORE_THE_VENDOR_ANSWERS,
    /**
     * Ignores a record's previous address: a profile whose address changed is written as a new member, and
     * the member at the old address stays (a second contact for one profile).
     */
    IGNORES_PREVIOUS_EMAIL,
    /**
     * Removes a member who left the segment with a global unsubscribe ({@code POST /unsubscribe}) instead
     * of taking it off the one list: it leaves the list, but also every other list, and its consent changes.
     */
    REMOVES_BY_GLOBAL_UNSUBSCRIBE,
    /**
     * Mirrors by its own bookkeeping instead of the engine's: remembers (for the JVM) the addresses it wrote
     * to each list, and on a removal also takes off the list every member it never wrote — a marketer's
     * manual import among them.
     */
    REMOVES_MEMBERS_IT_DID_NOT_WRITE,
    /**
     * Syncs a list by replacing it: empties the list whenever a run opens it and lets the run's writes fill
     * it again, so that whoever the run does not send is gone — members who left, whatever the removal
     * limit, and members an incremental run leaves unchanged.
     */
    REPLACES_THE_LIST,
    /**
     * Remembers, for the JVM, what each list look-up found, a miss included, and trusts it: an export
     * that found no list a moment ago creates one even though another host has made it since.
     */
    TRUSTS_A_REMEMBERED_LIST_LOOK_UP
  }

  /** What {@link Flaw#TRUSTS_A_REMEMBERED_LIST_LOOK_UP} remembers: each list look-up's answer. */
  private static final Map<String, Optional<String>> LOOK_UPS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** What {@link Flaw#REMOVES_MEMBERS_IT_DID_NOT_WRITE} remembers: the addresses written, per list. */
  private static final Map<String, java.util.Set<String>> WRITTEN =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final Flaw flaw;

  /** The correct connector (the one {@link java.util.ServiceLoader} finds). */
  public ReferenceConnectorProvider() {
    this(Flaw.NONE);
  }

  ReferenceConnectorProvider(Flaw flaw) {
    this.flaw = flaw;
  }

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
    return List.of(
        SettingDescriptor.secret("apiKey", "API key"),
        StandardSettings.baseUrl("https://api.reference.invalid"),
        StandardSettings.requestsPerSecond(10, "the vendor's limit"));
  }

  @Override
  public List<DestinationField> destinationFields() {
    return List.of(
        new DestinationField(StandardFields.EMAIL, "E-mail", FieldType.TEXT, true),
        DestinationField.text(StandardFields.FIRST_NAME),
        DestinationField.text(StandardFields.LAST_NAME));
  }

  @Override
  public boolean supportsCustomFields() {
    return true;
  }

  @Override
  public boolean supportsRemoval() {
    return true;
  }

  @Override
  public ConnectorLimits limits() {
    int maxBatch =
        flaw == Flaw.OVERSIZED_BATCHES
            ? 2 * ReferenceSimulator.MAX_BATCH
            : ReferenceSimulator.MAX_BATCH;
    OptionalLong maxProfiles =
        flaw == Flaw.NO_PROFILE_LIMIT || flaw == Flaw.BUFFERS_EVERY_PROFILE
            ? OptionalLong.empty()
            : OptionalLong.of(100_000);
    return new ConnectorLimits(maxBatch, 512 * 1024, 4, 10, maxProfiles);
  }

  @Override
  public Connector create(ConnectorContext context) {
    return new ReferenceConnector(context.connection(), this, flaw);
  }

  private static final class ReferenceConnector implements Connector {
    private final ConnectorLimits limits;
    private final HttpUrl base;
    private final String key;
    private final Flaw flaw;
    private final CallSpec read;
    private final CallSpec write;
    private final AtomicBoolean dropped = new AtomicBoolean();
    private final List<ExportRecord> everyRecord = new ArrayList<>();

    ReferenceConnector(Connection connection, ReferenceConnectorProvider provider, Flaw flaw) {
      this.limits = StandardSettings.applyTo(provider.limits(), connection);
      this.base = HttpUrl.get(connection.setting(StandardSettings.BASE_URL).orElseThrow());
      this.key = connection.secret("apiKey").orElseThrow().reveal();
      this.flaw = flaw;
      CallSpec read = CallSpec.idempotent("list-lists");
      CallSpec write =
          flaw == Flaw.NEVER_RETRIES_WRITES
              ? CallSpec.once("add-members")
              : CallSpec.idempotent("add-members");
      if (flaw == Flaw.RETRIES_REFUSED_CREDENTIALS) {
        read =
            read.classifiedBy(
                ResponseClassifier.DEFAULT.or(r -> r.code() == 401 ? Verdict.retry("401") : null));
        write = write.classifiedBy(read.classifier());
      } else if (flaw == Flaw.TREATS_429_AS_A_PLAIN_RETRY) {
        write =
            write.classifiedBy(
                ResponseClassifier.DEFAULT.or(r -> r.code() == 429 ? Verdict.retry("429") : null));
      } else if (flaw == Flaw.IGNORES_THROTTLING) {
        write =
            write.classifiedBy(
                ResponseClassifier.DEFAULT.or(r -> r.code() == 429 ? Verdict.accept() : null));
      }
      this.read = read;
      this.write = write;
      if (flaw == Flaw.LOGS_THE_API_KEY) {
        log.info("reference connector using key {}", key);
      }
    }

    @Override
    public ConnectorLimits limits() {
      return limits;
    }

    @Override
    public String accountEndpoint() {
      return flaw == Flaw.KEYS_THE_BUDGET_PER_OBJECT
          ? java.util.UUID.randomUUID().toString()
          : base.toString();
    }

    private Request.Builder request(String path) {
      return new Request.Builder().url(base.resolve(path)).header("X-Api-Key", key);
    }

    @Override
    public void verify(VendorHttp http) {
      if (flaw == Flaw.OWN_CLIENT_FOLLOWS_REDIRECTS) {
        verifyWithOwnClient();
        return;
      }
      http.execute(request("lists").get().build(), read);
    }

    /** The flaw: a call past the engine, on a client that follows redirects. */
    private void verifyWithOwnClient() {
      HandshakeCertificates trust =
          new HandshakeCertificates.Builder()
              .addPlatformTrustedCertificates()
              .addInsecureHost("127.0.0.1")
              .addInsecureHost("localhost")
              .build();
      OkHttpClient own =
          new OkHttpClient.Builder()
              .sslSocketFactory(trust.sslSocketFactory(), trust.trustManager())
              .build();
      try (Response r = own.newCall(request("lists").get().build()).execute()) {
        if (!r.isSuccessful()) {
          throw new DestinationException(r.code(), null, null, "verify failed: HTTP " + r.code());
        }
      } catch (IOException e) {
        throw new DestinationException("verify failed", e);
      }
    }

    private String findList(VendorHttp http, String name) {
      if (flaw == Flaw.TRUSTS_A_REMEMBERED_LIST_LOOK_UP) {
        return LOOK_UPS
            .computeIfAbsent(base + name, k -> Optional.ofNullable(lookUp(http, name)))
            .orElse(null);
      }
      return lookUp(http, name);
    }

    private String lookUp(VendorHttp http, String name) {
      HttpResponse r = http.execute(request("lists").get().build(), read);
      for (Object o : Json.array(Json.object(r.json()).get("lists"))) {
        Map<String, Object> list = Json.object(o);
        if (name.equals(list.get("name"))) {
          return Json.string(list, "id");
        }
      }
      return null;
    }

    /** Finds the list by name ({@code GET /lists}); the vendor takes any field, so none is to create. */
    @Override
    public DestinationPreview preview(DestinationRequest request) {
      if (flaw == Flaw.PREVIEW_KNOWS_NOTHING) {
        return Connector.super.preview(request);
      }
      String found = findList(request.http(), request.segment());
      if (found == null && flaw == Flaw.PREVIEW_WRITES) {
        found = createList(request.http(), request.segment());
      }
      return found == null
          ? DestinationPreview.missing(List.of())
          : DestinationPreview.existing(found, List.of());
    }

    @Override
    public Destination open(DestinationRequest request) {
      VendorHttp http = request.http();
      String found = findList(http, request.segment());
      String listId =
          found != null
              ? found
              : Creation.createOrAdopt(
                  "the list",
                  () -> Optional.ofNullable(findList(http, request.segment())),
                  () -> createList(http, request.segment()));
      if (flaw == Flaw.REPLACES_THE_LIST) {
        HttpResponse cleared =
            http.execute(
                request("lists/" + listId + "/members").delete().build(),
                CallSpec.idempotent("clear-list"));
        if (!cleared.isSuccessful()) {
          throw new DestinationException(cleared.code(), null, null, "could not clear the list");
        }
      }
      java.util.Set<String> written =
          WRITTEN.computeIfAbsent(
              base + listId, k -> java.util.concurrent.ConcurrentHashMap.newKeySet());
      return new Destination() {
        @Override
        public String id() {
          return listId;
        }

        /** Takes the batch's members off this list only ({@code POST /lists/{id}/members/remove}). */
        @Override
        public BatchResult remove(Batch batch) {
          if (flaw == Flaw.REMOVES_BY_GLOBAL_UNSUBSCRIBE) {
            for (ExportRecord r : batch.records()) {
              http.execute(
                  request("unsubscribe")
                      .post(
                          Json.body(
                              w -> {
                                w.beginObject().name("email").value(r.email()).endObject();
                              }))
                      .build(),
                  CallSpec.idempotent("unsubscribe"));
            }
            return BatchResult.allExported(batch);
          }
          List<String> emails = new ArrayList<>();
          batch.records().forEach(r -> emails.add(r.email()));
          if (flaw == Flaw.REMOVES_MEMBERS_IT_DID_NOT_WRITE) {
            HttpResponse list =
                http.execute(
                    request("lists/" + listId + "/members").get().build(),
                    CallSpec.idempotent("list-members"));
            for (Object o : Json.array(Json.object(list.json()).get("members"))) {
              String member = String.valueOf(o);
              if (!written.contains(member.toLowerCase(java.util.Locale.ROOT))
                  && !emails.contains(member)) {
                emails.add(member);
              }
            }
          }
          for (int from = 0; from < emails.size(); from += ReferenceSimulator.MAX_BATCH) {
            List<String> part =
                emails.subList(from, Math.min(emails.size(), from + ReferenceSimulator.MAX_BATCH));
            HttpResponse r =
                http.execute(
                    request("lists/" + listId + "/members/remove")
                        .post(
                            Json.body(
                                w -> {
                                  w.beginObject().name("members").beginArray();
                                  for (String e : part) {
                                    w.beginObject().name("email").value(e).endObject();
                                  }
                                  w.endArray().endObject();
                                }))
                        .build(),
                    CallSpec.idempotent("remove-members"));
            if (!r.isSuccessful()) {
              throw new DestinationException(
                  r.code(),
                  Json.string(Json.object(r.json()), "error"),
                  null,
                  "the vendor refused the removal");
            }
          }
          return BatchResult.allExported(batch);
        }

        @Override
        public BatchResult write(Batch batch) {
          if (flaw == Flaw.REMOVES_MEMBERS_IT_DID_NOT_WRITE) {
            batch.records().forEach(r -> written.add(r.email().toLowerCase(java.util.Locale.ROOT)));
          }
          if (flaw == Flaw.BUFFERS_EVERY_PROFILE) {
            synchronized (everyRecord) {
              everyRecord.addAll(batch.records());
            }
          }
          long changed =
              flaw == Flaw.IGNORES_PREVIOUS_EMAIL ? 0 : changeAddresses(http, listId, batch);
          boolean dropOne =
              flaw == Flaw.DROPS_A_PROFILE
                  && batch.size() > 1
                  && dropped.compareAndSet(false, true);
          Request post =
              request("lists/" + listId + "/members")
                  .post(
                      Json.body(
                          w -> {
                            w.beginObject().name("members").beginArray();
                            for (ExportRecord record :
                                batch.records().subList(dropOne ? 1 : 0, batch.size())) {
                              w.beginObject()
                                  .name("email")
                                  .value(record.email())
                                  .name("fields")
                                  .beginObject();
                              for (MappedField f : batch.schema().fields()) {
                                Object v = record.value(f);
                                if (f.index() > 0
                                    && v != null
                                    && !(flaw == Flaw.DROPS_THE_CUSTOM_FIELD
                                        && f.name().equals("tier"))) {
                                  w.name(f.name());
                                  Json.writeValue(w, v);
                                }
                              }
                              if (flaw == Flaw.STAMPS_EACH_RUN) {
                                w.name("exportedAt").value(System.nanoTime());
                              }
                              w.endObject().endObject();
                            }
                            w.endArray().endObject();
                          }))
                  .build();
          if (flaw == Flaw.CONFIRMS_BEFORE_THE_VENDOR_ANSWERS) {
            Thread later =
                new Thread(
                    () -> {
                      try {
                        Thread.sleep(2_000);
                        http.execute(post, write);
                      } catch (InterruptedException | RuntimeException e) {
                        // Fire and forget: what became of it is never known.
                      }
                    });
            later.setDaemon(true);
            later.start();
            return BatchResult.allExported(batch);
          }
          HttpResponse r;
          try {
            r =
                flaw == Flaw.IGNORES_CANCELLATION
                    ? executeIgnoringCancellation(http, post)
                    : http.execute(post, write);
          } catch (ExportCancelledException e) {
            if (flaw != Flaw.REPORTS_UNCONFIRMED_AS_REJECTED || !e.sent()) {
              throw e;
            }
            BatchResult.Builder failed = BatchResult.builder(batch);
            batch
                .records()
                .forEach(
                    rec ->
                        failed.reject(rec, RejectionReason.DELIVERY_FAILED, null, "not confirmed"));
            return failed.build();
          }
          if (flaw == Flaw.IGNORES_THROTTLING && r.code() == 429) {
            return BatchResult.builder(batch).build();
          }
          if (!r.isSuccessful()) {
            throw new DestinationException(
                r.code(),
                Json.string(Json.object(r.json()), "error"),
                null,
                "the vendor refused the batch");
          }
          BatchResult.Builder result = BatchResult.builder(batch);
          if (changed > 0) {
            result.count("addressChange.changed", changed);
          }
          for (Object o : Json.array(Json.object(r.json()).get("failed"))) {
            Map<String, Object> f = Json.object(o);
            ExportRecord record = batch.byEmail(Json.string(f, "email"));
            if (flaw == Flaw.LOGS_RAW_ADDRESSES) {
              log.warn("the vendor refused {}", Json.string(f, "email"));
            }
            if (record != null && flaw != Flaw.SWALLOWS_VENDOR_REJECTIONS) {
              result.reject(
                  record,
                  RejectionReason.VENDOR_REJECTED,
                  Json.string(f, "code"),
                  Json.string(f, "message"));
            }
          }
          return result.build();
        }
      };
    }

    /**
     * Gives the members of the batch's moved profiles their new address, one by one, before the write;
     * returns how many changed. A member unknown at the old address (404) or a new address taken (409) is
     * left to the write, which adds or updates the member at the new address.
     */
    private long changeAddresses(VendorHttp http, String listId, Batch batch) {
      long changed = 0;
      for (ExportRecord record : batch.records()) {
        if (record.previousEmail().isEmpty()) {
          continue;
        }
        HttpResponse r =
            http.execute(
                request("lists/" + listId + "/members/change")
                    .post(
                        Json.body(
                            w -> {
                              w.beginObject()
                                  .name("email")
                                  .value(record.previousEmail().get())
                                  .name("newEmail")
                                  .value(record.email())
                                  .endObject();
                            }))
                    .build(),
                CallSpec.once("change-address"));
        if (r.isSuccessful()) {
          changed++;
        } else if (r.code() != 404 && r.code() != 409) {
          throw new DestinationException(
              r.code(),
              Json.string(Json.object(r.json()), "error"),
              null,
              "the vendor refused an address change");
        }
      }
      return changed;
    }

    private String createList(VendorHttp http, String name) {
      CallSpec create =
          flaw == Flaw.RETRIES_A_NON_IDEMPOTENT_CREATE
              ? CallSpec.idempotent("create-list")
              : CallSpec.once("create-list");
      HttpResponse created =
          http.execute(
              request("lists")
                  .post(
                      Json.body(
                          w -> {
                            w.beginObject().name("name").value(name).endObject();
                          }))
                  .build(),
              create);
      String id = created.isSuccessful() ? Json.string(Json.object(created.json()), "id") : null;
      if (id == null) {
        throw new DestinationException(created.code(), null, null, "could not create the list");
      }
      return id;
    }

    /** The flaw: on cancellation, keeps trying for six seconds before giving up. */
    private HttpResponse executeIgnoringCancellation(VendorHttp http, Request post) {
      for (int attempt = 0; ; attempt++) {
        try {
          return http.execute(post, write);
        } catch (ExportCancelledException e) {
          if (attempt == 60) {
            throw e;
          }
          try {
            Thread.sleep(100);
          } catch (InterruptedException ignored) {
            // the flaw: interrupts are ignored too
          }
        }
      }
    }
  }
}
