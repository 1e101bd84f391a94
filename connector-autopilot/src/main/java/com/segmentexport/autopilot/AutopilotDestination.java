package com.segmentexport.autopilot;

import com.segmentexport.api.RejectionReason;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.JsonBodyWriter;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.RecordSchema;
import com.segmentexport.spi.VendorHttp;
import com.squareup.moshi.JsonReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import okhttp3.RequestBody;
import okio.Buffer;

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
 */
final class AutopilotDestination implements Destination {
  /** Our code for a contact the upsert answer does not map to a contact id. */
  static final String NOT_MAPPED = "not_in_email_contact_map";

  private final AutopilotConnector connector;
  private final VendorHttp http;
  private final String listId;
  private final List<MappedField> fields;
  /** Each custom field's typed key ({@code string--Loyalty--Tier}), worked out once, not per contact. */
  private final String[] customKeys;
  private final ListMembership membership;
  private final GroupConfirmation<ListMembership.Upserted> confirmation;

  AutopilotDestination(AutopilotConnector connector, VendorHttp http, String listId, RecordSchema schema) {
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
    this.membership = new ListMembership(connector, http, listId);
    this.confirmation = new GroupConfirmation<>(Math.min(connector.maxConcurrentUpserts(), maxGroup), maxGroup,
        membership::confirm);
  }

  @Override
  public String id() {
    return listId;
  }

  @Override
  public BatchResult write(Batch batch) {
    // The members are read before the first upsert goes, none unanswered; then the upsert, and the
    // group's confirmation.
    return confirmation.submit(() -> body(batch), membership::readIfUnknown, body -> upsert(batch, body))
        .result().build();
  }

  /** Upserts a batch; returns its result so far and its contacts that were not members yet. */
  private ListMembership.Upserted upsert(Batch batch, RequestBody body) {
    HttpResponse r = http.execute(connector.request(connector.url("contacts")).post(body).build(),
        AutopilotConnector.spec("upsert", true)); // an upsert by e-mail: replays are harmless
    if (!r.isSuccessful()) {
      throw AutopilotErrors.destination(r, "Autopilot refused the upsert of " + batch.size() + " contacts");
    }
    Map<String, String> mapped = mappedContacts(r.body());
    ListMembership.Upserted upserted = new ListMembership.Upserted(BatchResult.builder(batch), new ArrayList<>());
    for (ExportRecord record : batch.records()) {
      String address = MemberSet.normalise(record.email());
      if (!mapped.containsKey(address)) {
        upserted.result().reject(record, RejectionReason.VENDOR_REJECTED, NOT_MAPPED,
            "Autopilot's upsert answer has no contact id for this address (absent from email_contact_map)");
        continue;
      }
      long key = MemberSet.key(mapped.get(address), address);
      if (!membership.isMember(key)) { // changed only while no upsert is unanswered
        upserted.joining().add(new ListMembership.Joining(record, key));
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
        if (!reader.nextName().equals("email_contact_map") || reader.peek() != JsonReader.Token.BEGIN_OBJECT) {
          reader.skipValue();
          continue;
        }
        mapped = new HashMap<>(2 * AutopilotConnectorProvider.MAX_BULK_CONTACTS); // a batch's answer, unresized
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
    return Json.body(batch.estimatedBytes(), w -> {
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
