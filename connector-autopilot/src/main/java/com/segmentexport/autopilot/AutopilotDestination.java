package com.segmentexport.autopilot;

import com.segmentexport.api.DestinationException;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.spi.AddressChanges;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.JsonBodyWriter;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.OutcomeUnknownException;
import com.segmentexport.spi.RecordSchema;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.VendorHttp;
import com.squareup.moshi.JsonReader;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import okhttp3.RequestBody;
import okio.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches to one list: one {@code POST /v1/contacts} per batch with {@code _autopilot_list} on
 * every contact, then a membership check shared by a group of batches.
 *
 * <p>Whether the upserted contacts joined the list is confirmed by {@link ListMembership} (the list's
 * member count, with a fallback that finds and adds the missing ones), once for a group of batches:
 * {@link GroupConfirmation} lets up to {@code maxConcurrentUpserts} upserts go at once and has the
 * worker whose answer completes a group confirm it for all, so that no result counts a contact before
 * its membership is confirmed. With {@code maxConcurrentBatches} 1 every group is one batch: an upsert
 * and a count read per batch.
 *
 * <p>A record whose profile Autopilot knows under a {@linkplain ExportRecord#previousEmail() previous
 * address} first has its contact's address changed ({@link AutopilotAddressChange}, applied by {@link
 * AddressChanges}), so that the upsert updates the same contact rather than adding a second one. A contact
 * keeps its id, so {@link ListMembership} still knows it as a member.
 *
 * <p>{@link #remove(Batch)} takes contacts off this list only, one {@code DELETE
 * /v1/list/{list_id}/contact/{contact_id_or_email}} per contact (v1 has no bulk removal), each paced by the
 * connection's rate like every call. The upsert answer's contact ids are reported to the engine
 * ({@link BatchResult.Builder#vendorId}) so that a later removal names the contact by id.
 */
final class AutopilotDestination implements Destination {
  /** Our code for a contact the upsert answer does not map to a contact id. */
  static final String NOT_MAPPED = "not_in_email_contact_map";

  /** Counter: contacts a removal found already off the list ({@code not_modified}) or unknown (404): removed. */
  static final String REMOVAL_NOT_ON_LIST = "removal.notOnList";

  /** Autopilot's message for an unknown contact, on a 404. */
  private static final String CONTACT_NOT_FOUND = "Contact could not be found";

  private static final Logger log = LoggerFactory.getLogger(AutopilotDestination.class);

  private final AutopilotConnector connector;
  private final VendorHttp http;
  private final String listId;
  private final List<MappedField> fields;

  /** Each custom field's typed key ({@code string--Loyalty--Tier}), worked out once, not per contact. */
  private final String[] customKeys;

  /** The list's membership, shared with every run of the JVM writing to the list. */
  private final ListMembership membership;

  /** This run's part in the list's group confirmation: its limits, and its calls for confirming. */
  private final GroupConfirmation.Worker<ListMembership.Upserted> worker;

  private final AddressChanges addressChanges;

  /** Whether this run's first upsert went; guarded by the list's group confirmation lock. */
  private boolean started;

  AutopilotDestination(
      AutopilotConnector connector,
      VendorHttp http,
      String listId,
      RecordSchema schema,
      ListMembership membership) {
    this.connector = connector;
    this.http = http;
    this.listId = listId;
    this.fields = schema.fields().stream().filter(f -> f.index() != 0).collect(Collectors.toList());
    this.customKeys = new String[schema.fields().size()];
    for (MappedField f : fields) {
      if (f.custom()) {
        customKeys[f.index()] = AutopilotConnectorProvider.customKey(f.name(), f.type());
      }
    }
    int maxGroup = connector.limits().maxConcurrentBatches();
    this.membership = membership;
    this.addressChanges =
        new AddressChanges(
            new AutopilotAddressChange(connector, http),
            "Autopilot",
            "list " + listId,
            "contact",
            "upserted");
    ListMembership.Caller caller = new ListMembership.Caller(connector, http);
    this.worker =
        new GroupConfirmation.Worker<>(
            this,
            Math.min(connector.maxConcurrentUpserts(), maxGroup),
            maxGroup,
            group -> membership.confirm(group, caller));
  }

  @Override
  public String id() {
    return listId;
  }

  @Override
  public BatchResult write(Batch batch) {
    BatchResult.Builder result = BatchResult.builder(batch);
    List<ExportRecord> rest = addressChanges.apply(batch, batch.records(), result);
    if (rest.size() == batch.size()) {
      return result.merge(upsertAndConfirm(batch)).build();
    }
    if (!rest.isEmpty()) {
      long bytes = batch.estimatedBytes() * rest.size() / batch.size() + 1;
      result.merge(upsertAndConfirm(batch.withRecords(rest, bytes)));
    }
    return result.build();
  }

  /**
   * Removes the batch's contacts from this list, and from this list only: one {@code DELETE
   * /v1/list/{list_id}/contact/{contact_id_or_email}} per contact, by its contact id when the sync state
   * knows it, else by its address. Never an unsubscribe ({@code POST /v1/contact/{id}/unsubscribe}, an
   * upsert with {@code unsubscribed}) nor a contact deletion ({@code DELETE /v1/contact/{id}}). A contact
   * not on the list (200 {@code not_modified}) or unknown to Autopilot (404 "Contact could not be found.")
   * is off the list: removed. Any other refusal rejects that contact alone; a list Autopilot no longer
   * knows fails the batch. Each call is idempotent (a repeat leaves the contact off the list) and goes
   * through {@link VendorHttp}, so Autopilot's 5 requests a second apply to each.
   */
  @Override
  public BatchResult remove(Batch batch) {
    BatchResult.Builder result = BatchResult.builder(batch);
    long notOnList = 0;
    List<Long> gone = new ArrayList<>();
    try {
      for (ExportRecord r : batch.records()) {
        r.vendorId().ifPresent(id -> gone.add(MemberSet.key(id, "")));
        notOnList += removeOne(r, result, batch.size()) ? 1 : 0;
      }
    } finally {
      // Off the list (or maybe): no longer taken as members, and the count no longer trusted.
      membership.removed(gone);
    }
    if (notOnList > 0) {
      result.count(REMOVAL_NOT_ON_LIST, notOnList);
    }
    return result.build();
  }

  /** Removes one contact; whether Autopilot said it was not on the list. */
  private boolean removeOne(ExportRecord r, BatchResult.Builder result, int batchSize) {
    HttpUrl url =
        connector
            .url("list/" + listId + "/contact")
            .newBuilder()
            .addEncodedPathSegment(
                URLEncoder.encode(r.vendorId().orElse(r.email()), StandardCharsets.UTF_8))
            .build();
    HttpResponse answer;
    try {
      answer =
          http.execute(
              connector.request(url).delete().build(),
              AutopilotConnector.spec("remove-from-list", true));
    } catch (OutcomeUnknownException e) {
      result.unconfirmed(
          r,
          "whether Autopilot took this contact off the list is unknown (" + e.getMessage() + ")");
      return false;
    } catch (DestinationException e) {
      result.reject(r, e);
      return false;
    }
    if (answer.isSuccessful()) {
      return Boolean.TRUE.equals(Json.object(answer.json()).get("not_modified"));
    }
    VendorError e = AutopilotErrors.parse(answer);
    if (answer.code() == 404 && e.message().startsWith(CONTACT_NOT_FOUND)) {
      return true; // no such contact: not on the list
    } else if (answer.code() == 404) {
      throw AutopilotErrors.destination(
          answer,
          "Autopilot no longer knows list "
              + listId
              + "; "
              + batchSize
              + " contacts could not be removed from it");
    }
    result.reject(r, RejectionReason.VENDOR_REJECTED, e.code(), e.message());
    return false;
  }

  private BatchResult upsertAndConfirm(Batch batch) {
    // The members are known (read, or caught up with) before the run's first upsert goes; then the
    // upsert, and the group's confirmation.
    ListMembership.Caller caller = new ListMembership.Caller(connector, http);
    return membership
        .confirmation
        .submit(
            worker,
            () -> body(batch),
            quiet -> {
              membership.prepare(caller, quiet, !started);
              started = true;
            },
            body -> upsert(batch, body))
        .result()
        .build();
  }

  /** Upserts a batch; returns its result so far and its contacts that were not members yet. */
  private ListMembership.Upserted upsert(Batch batch, RequestBody body) {
    HttpResponse r =
        http.execute(
            connector.request(connector.url("contacts")).post(body).build(),
            AutopilotConnector.spec("upsert", true)); // an upsert by e-mail: replays are harmless
    if (!r.isSuccessful()) {
      throw AutopilotErrors.destination(
          r, "Autopilot refused the upsert of " + batch.size() + " contacts");
    }
    Map<String, String> mapped = mappedContacts(r.body());
    ListMembership.Upserted upserted =
        new ListMembership.Upserted(BatchResult.builder(batch), new ArrayList<>());
    for (ExportRecord record : batch.records()) {
      String address = MemberSet.normalise(record.email());
      if (!mapped.containsKey(address)) {
        upserted
            .result()
            .reject(
                record,
                RejectionReason.VENDOR_REJECTED,
                NOT_MAPPED,
                "Autopilot's upsert answer has no contact id for this address (absent from email_contact_map)");
        continue;
      }
      if (mapped.get(address) != null) {
        upserted.result().vendorId(record, mapped.get(address)); // for removals by id
      }
      long key = MemberSet.key(mapped.get(address), address);
      // Read while this upsert is unanswered: no confirmation changes the set meanwhile.
      if (!membership.isMember(key)) {
        upserted.joining().add(new ListMembership.Joining(record, key));
      } else {
        upserted.members().add(new ListMembership.Joining(record, key));
      }
    }
    return upserted;
  }

  /**
   * The addresses of an upsert answer's {@code email_contact_map}, trimmed and lower-cased; none when the
   * answer is not a JSON object with such a map.
   */
  static Set<String> mappedAddresses(byte[] json) {
    return mappedContacts(json).keySet();
  }

  /**
   * An upsert answer's {@code email_contact_map}: each address, trimmed and lower-cased, to the contact
   * id Autopilot upserted (null when the value is not a string); empty when the answer is not a JSON
   * object with such a map. Read as a stream: a worker reads its answer before its upsert's turn is free.
   */
  static Map<String, String> mappedContacts(byte[] json) {
    if (json.length == 0) {
      return Map.of();
    }
    try (JsonReader reader = JsonReader.of(new Buffer().write(json))) {
      reader.setLenient(true);
      if (reader.peek() != JsonReader.Token.BEGIN_OBJECT) {
        return Map.of();
      }
      Map<String, String> mapped = Map.of();
      reader.beginObject();
      while (reader.hasNext()) {
        if (!reader.nextName().equals("email_contact_map")
            || reader.peek() != JsonReader.Token.BEGIN_OBJECT) {
          reader.skipValue();
          continue;
        }
        mapped =
            new HashMap<>(
                2 * AutopilotConnectorProvider.MAX_BULK_CONTACTS); // a batch's answer, unresized
        reader.beginObject();
        while (reader.hasNext()) {
          String address = MemberSet.normalise(reader.nextName());
          if (reader.peek() == JsonReader.Token.STRING) {
            mapped.put(address, reader.nextString());
          } else {
            reader.skipValue();
            mapped.put(address, null);
          }
        }
        reader.endObject();
      }
      reader.endObject();
      return mapped;
    } catch (IOException | RuntimeException e) {
      return Map.of(); // not JSON: nothing is mapped, as for an answer without the map
    }
  }

  private RequestBody body(Batch batch) {
    return Json.body(
        batch.estimatedBytes(),
        w -> {
          w.beginObject().name("contacts").beginArray();
          for (ExportRecord r : batch.records()) {
            writeContact(w, r);
          }
          w.endArray().endObject();
        });
  }

  /** One contact: standard fields, typed custom keys, the list; never a null, never an unsubscribe flag. */
  private void writeContact(JsonBodyWriter w, ExportRecord r) {
    w.beginObject().name("Email").value(r.email());
    boolean custom = false;
    for (MappedField f : fields) {
      if (!f.custom() && present(r.value(f))) {
        w.name(f.name());
        Json.writeValue(w, r.value(f));
      }
    }
    for (MappedField f : fields) {
      if (f.custom() && present(r.value(f))) {
        if (!custom) {
          w.name("custom").beginObject();
          custom = true;
        }
        w.name(customKeys[f.index()]);
        Json.writeValue(w, r.value(f));
      }
    }
    if (custom) {
      w.endObject();
    }
    w.name("_autopilot_list").value(listId).endObject();
  }

  private static boolean present(Object v) {
    return v != null && !(v instanceof String && ((String) v).isEmpty());
  }
}
