package com.segmentexport.campaignmonitor;

import com.segmentexport.api.DestinationException;
import com.segmentexport.api.ExportDefinition;
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
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.VendorHttp;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches to one list: one synchronous {@code POST subscribers/{listid}/import.json} per batch.
 * A 2xx answer is the import result; a 400 with {@code Code} 210 carries it in {@code ResultData} (the
 * good rows were imported); any other refusal fails the batch and is not repeated.
 *
 * <p>A record whose profile the list holds under a {@linkplain ExportRecord#previousEmail() previous
 * address} first has its subscriber's address changed ({@link CampaignMonitorAddressChange}, applied by
 * {@link AddressChanges}), so that the import updates the same subscriber record rather than adding a
 * second one.
 *
 * <p>A row the import refuses as deleted from the list (code 205) is re-added, with {@code Resubscribe}
 * for it alone, when Campaign Monitor reports its state as {@code Deleted} ({@link #readdDeleted}); never
 * one that unsubscribed, bounced or is suppressed. {@link #remove(Batch)} deletes Active subscribers from
 * this list only ({@code DELETE subscribers/{listid}.json?email=}).
 */
final class CampaignMonitorDestination implements Destination {
  private static final Logger log = LoggerFactory.getLogger(CampaignMonitorDestination.class);
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy/MM/dd", Locale.ROOT);
  private static final LocalDate FIRST_DATE = LocalDate.of(1900, 1, 1);
  private static final LocalDate LAST_DATE = LocalDate.of(2076, 6, 6);

  /** Campaign Monitor's longest custom field value. */
  static final int MAX_VALUE_LENGTH = 250;

  /** The vendor code given to a row Campaign Monitor merged with another row of the same address. */
  static final String DUPLICATE_IN_SUBMISSION = "DuplicateEmailsInSubmission";

  /** The per-row code of an address Deleted from the list, refused while {@code Resubscribe} is false. */
  static final String DELETED_CODE = "205";

  /** A subscriber's state once deleted from a list. */
  static final String DELETED = "Deleted";

  /** Code 203: Subscriber Not In List. */
  static final int NOT_IN_LIST = 203;

  /** Counter: subscribers deleted from the list earlier and re-added by a write ({@code Resubscribe} for them alone). */
  static final String DELETED_READDED = "campaignmonitor.deletedReadded";

  /** Counter: removals of addresses not on the list, or already Deleted: removed. */
  static final String REMOVAL_NOT_ON_LIST = "removal.notOnList";

  /** Counter: removals of Unsubscribed or Bounced subscribers, left as they are (off the mailings already). */
  static final String REMOVAL_INACTIVE_LEFT = "removal.inactiveLeft";

  /**
   * The import's top-level options, from the export definition.
   *
   * @param consentToTrack sent as every subscriber's {@code ConsentToTrack}
   * @param resubscribe {@code Resubscribe}
   * @param triggerAutoresponders queue and restart subscription-based autoresponders
   */
  record ImportOptions(String consentToTrack, boolean resubscribe, boolean triggerAutoresponders) {
    static ImportOptions of(ExportDefinition definition) {
      String consent =
          definition
              .option(CampaignMonitorConnectorProvider.CONSENT_TO_TRACK)
              .orElse("Unchanged")
              .trim();
      return new ImportOptions(
          consent.substring(0, 1).toUpperCase(Locale.ROOT)
              + consent.substring(1).toLowerCase(Locale.ROOT),
          definition.flag(CampaignMonitorConnectorProvider.RESUBSCRIBE),
          definition.flag(CampaignMonitorConnectorProvider.TRIGGER_AUTORESPONDERS));
    }
  }

  private final CampaignMonitorConnector connector;
  private final VendorHttp http;
  private final String listId;
  private final MappedField firstNameField; // null when not mapped
  private final MappedField lastNameField; // null when not mapped
  private final List<CampaignMonitorConnector.FieldPlan> fields;
  private final ImportOptions options;
  private final AddressChanges addressChanges;

  CampaignMonitorDestination(
      CampaignMonitorConnector connector,
      VendorHttp http,
      String listId,
      Optional<MappedField> firstName,
      Optional<MappedField> lastName,
      List<CampaignMonitorConnector.FieldPlan> fields,
      ImportOptions options) {
    this.connector = connector;
    this.http = http;
    this.listId = listId;
    this.firstNameField = firstName.orElse(null);
    this.lastNameField = lastName.orElse(null);
    this.fields = fields;
    this.options = options;
    this.addressChanges =
        new AddressChanges(
            new CampaignMonitorAddressChange(connector, http, listId),
            "Campaign Monitor",
            "list " + listId,
            "subscriber",
            "imported");
  }

  @Override
  public String id() {
    return listId;
  }

  @Override
  public BatchResult write(Batch batch) {
    BatchResult.Builder result = BatchResult.builder(batch);
    List<ExportRecord> sent = new ArrayList<>(batch.size());
    for (ExportRecord r : batch.records()) {
      String problem = valueProblem(r);
      if (problem != null) {
        result.reject(r, RejectionReason.INVALID_VALUE, null, problem);
      } else {
        sent.add(r);
      }
    }
    sent = addressChanges.apply(batch, sent, result);
    if (sent.isEmpty()) {
      return result.build();
    }
    List<ExportRecord> deleted = importRows(batch, sent, options.resubscribe(), result);
    if (!deleted.isEmpty()) {
      readdDeleted(batch, deleted, result);
    }
    return result.build();
  }

  /**
   * Imports rows with this {@code Resubscribe}; returns the rows Campaign Monitor refused with code 205
   * (Deleted on this list) while {@code resubscribe} is false, not yet rejected: {@link #readdDeleted}
   * decides about them.
   */
  private List<ExportRecord> importRows(
      Batch batch, List<ExportRecord> rows, boolean resubscribe, BatchResult.Builder result) {
    long estimated =
        rows.size() == batch.size()
            ? batch.estimatedBytes()
            : batch.estimatedBytes() * rows.size() / Math.max(1, batch.size()) + 1;
    RequestBody body =
        Json.body(
            estimated,
            w -> {
              w.beginObject();
              w.name("Subscribers").beginArray();
              for (ExportRecord r : rows) {
                writeSubscriber(w, r);
              }
              w.endArray();
              w.name("Resubscribe").value(resubscribe);
              // The official SDKs spell this member two ways (Java, PHP: AutoResponders; Ruby,
              // Python:
              // Autoresponders) and all of them work, so the server accepts both; sending both with
              // one value binds
              // whether it matches names case-insensitively (one member, same value) or knows each
              // spelling.
              w.name("QueueSubscriptionBasedAutoResponders").value(options.triggerAutoresponders());
              w.name("QueueSubscriptionBasedAutoresponders").value(options.triggerAutoresponders());
              w.name("RestartSubscriptionBasedAutoresponders")
                  .value(options.triggerAutoresponders());
              w.endObject();
            });
    // An import is an upsert keyed by address: repeating it leaves the same subscribers.
    HttpResponse r =
        connector.send(
            http,
            connector.request("subscribers/" + listId + "/import.json").post(body),
            CampaignMonitorConnector.spec("import"));
    Map<String, Object> report = report(r, rows.size());
    List<ExportRecord> deleted = outcome(batch, rows, report, result, !resubscribe);
    log.debug(
        "Campaign Monitor import: batch {} of segment '{}', {} subscribers, HTTP {}",
        batch.sequence(),
        batch.segment(),
        rows.size(),
        r.code());
    return deleted;
  }

  /**
   * Re-adds the rows the import refused with code 205 ("Email Address exists in deleted list") whose
   * subscriber Campaign Monitor reports in state {@code Deleted} on this list now: a removal (this SDK's
   * mirror mode deletes, never unsubscribes) is not a consent event, so a profile back in the segment
   * goes back on the list, with {@code Resubscribe} true for those rows alone. Each row's state is read
   * first ({@code GET subscribers/{listid}.json?email=}); a row in any other state (Unsubscribed, Bounced,
   * Unconfirmed...) is rejected with its state, never resubscribed; a row whose state cannot be read keeps
   * the import's refusal.
   */
  private void readdDeleted(Batch batch, List<ExportRecord> refused, BatchResult.Builder result) {
    List<ExportRecord> readd = new ArrayList<>(refused.size());
    for (ExportRecord r : refused) {
      String state;
      try {
        state = subscriberState(r.email());
      } catch (DestinationException e) {
        result.reject(
            r,
            reasonFor(DELETED_CODE),
            DELETED_CODE,
            "Campaign Monitor holds this address as deleted "
                + "from the list, and its state could not be read to re-add it ("
                + e.getMessage()
                + ")");
        continue;
      }
      if (DELETED.equals(state)) {
        readd.add(r);
      } else {
        result.reject(
            r,
            reasonForState(state),
            DELETED_CODE,
            "Campaign Monitor refused the address as deleted from "
                + "the list, but its state is now "
                + (state == null ? "absent" : state)
                + ": not re-added");
      }
    }
    if (readd.isEmpty()) {
      return;
    }
    log.debug(
        "Campaign Monitor list {}: re-adding {} subscriber(s) of batch {} of segment '{}' deleted from the "
            + "list, with Resubscribe for them alone",
        listId,
        readd.size(),
        batch.sequence(),
        batch.segment());
    importRows(batch, readd, true, result);
    result.count(DELETED_READDED, readd.stream().filter(r -> !result.isRejected(r)).count());
  }

  /** Our reason for a subscriber's state that keeps it off the list. */
  private static RejectionReason reasonForState(String state) {
    if ("Unsubscribed".equals(state)) {
      return RejectionReason.UNSUBSCRIBED;
    }
    if ("Bounced".equals(state)) {
      return RejectionReason.SUPPRESSED;
    }
    return RejectionReason.VENDOR_REJECTED;
  }

  /**
   * The state of the list's subscriber at this address ({@code Active}, {@code Unconfirmed},
   * {@code Unsubscribed}, {@code Bounced}, {@code Deleted}), or null when the address is not on the list
   * (code 203).
   */
  private String subscriberState(String email) {
    HttpResponse r =
        connector.send(
            http, subscriber(email).get(), CampaignMonitorConnector.spec("get-subscriber"));
    if (r.isSuccessful()) {
      String state = Json.string(Json.object(r.json()), "State");
      return state == null ? "" : state;
    }
    if (r.code() == 400
        && CampaignMonitorErrors.number(CampaignMonitorErrors.parse(r)) == NOT_IN_LIST) {
      return null;
    }
    throw CampaignMonitorErrors.destination(
        r, "Campaign Monitor's subscriber could not be read on list " + listId);
  }

  /** A request for {@code subscribers/{listid}.json?email=}. */
  private Request.Builder subscriber(String email) {
    Request base = connector.request("subscribers/" + listId + ".json").build();
    return base.newBuilder().url(base.url().newBuilder().addQueryParameter("email", email).build());
  }

  /**
   * Removes the batch's subscribers from this list, and from this list only: {@code DELETE
   * subscribers/{listid}.json?email=} (state {@code Deleted}: not suppressed, consent unchanged), one call
   * per address (Campaign Monitor has no bulk delete). Never {@code unsubscribe.json} (a consent event that
   * may spread to the client's other lists and its suppression list).
   *
   * <p>Only an {@code Active} subscriber is deleted: its state is read first, because a deleted subscriber
   * is re-added by a later write ({@link #readdDeleted}), and deleting one who unsubscribed or bounced would
   * then resubscribe them; and deleting an {@code Unconfirmed} one would skip its confirmation. So an
   * address not on the list (203) or already {@code Deleted} counts as removed; an {@code Unsubscribed} or
   * {@code Bounced} subscriber is left as it is and counts as removed (it no longer gets the list's
   * mailings); an {@code Unconfirmed} one is rejected. Both calls are idempotent.
   */
  @Override
  public BatchResult remove(Batch batch) {
    BatchResult.Builder result = BatchResult.builder(batch);
    long notOnList = 0;
    long inactive = 0;
    for (ExportRecord r : batch.records()) {
      try {
        String state = subscriberState(r.email());
        if (state == null || DELETED.equals(state)) {
          notOnList++;
          continue;
        }
        if (state.equals("Unsubscribed") || state.equals("Bounced")) {
          inactive++; // off the list's mailings already; deleting it could later resubscribe it
          continue;
        }
        if (!state.equals("Active")) {
          result.reject(
              r,
              RejectionReason.VENDOR_REJECTED,
              state,
              "the subscriber is "
                  + state
                  + " on the list, not "
                  + "Active: not deleted (a later write would re-add it without its confirmation)");
          continue;
        }
        HttpResponse d =
            connector.send(
                http,
                subscriber(r.email()).delete(),
                CampaignMonitorConnector.spec(
                    "delete-subscriber")); // a repeat finds it Deleted: no change
        if (d.isSuccessful()) {
          continue;
        }
        VendorError e = CampaignMonitorErrors.parse(d);
        if (d.code() == 400 && CampaignMonitorErrors.number(e) == NOT_IN_LIST) {
          notOnList++;
        } else {
          result.reject(r, RejectionReason.VENDOR_REJECTED, e.code(), e.message());
        }
      } catch (OutcomeUnknownException e) {
        result.unconfirmed(
            r,
            "whether Campaign Monitor deleted this subscriber from the list is unknown ("
                + e.getMessage()
                + ")");
      } catch (DestinationException e) {
        int status = e.httpStatus();
        if (status == 401 || status == 404) {
          throw e; // the list itself is refused (101 Invalid ListID): the whole batch
        }
        result.reject(r, e);
      }
    }
    if (notOnList > 0) {
      result.count(REMOVAL_NOT_ON_LIST, notOnList);
    }
    if (inactive > 0) {
      result.count(REMOVAL_INACTIVE_LEFT, inactive);
    }
    return result.build();
  }

  /** The import result of a response, or the batch's failure. */
  private static Map<String, Object> report(HttpResponse r, int size) {
    if (r.isSuccessful()) {
      return Json.object(r.json());
    }
    Map<String, Object> envelope = Json.object(r.json());
    if (r.code() == 400 && envelope.get("ResultData") instanceof Map) {
      return Json.object(envelope.get("ResultData"));
    }
    throw CampaignMonitorErrors.destination(
        r, "Campaign Monitor refused the import of " + size + " subscribers");
  }

  /**
   * Turns an import result into per-record outcomes. With {@code holdDeleted}, rows refused with code 205
   * are not rejected but returned, for {@link #readdDeleted}.
   */
  private List<ExportRecord> outcome(
      Batch batch,
      List<ExportRecord> sent,
      Map<String, Object> report,
      BatchResult.Builder result,
      boolean holdDeleted) {
    List<ExportRecord> deleted = new ArrayList<>();
    long unmatched = 0;
    for (Object o : Json.array(report.get("FailureDetails"))) {
      Map<String, Object> failure = Json.object(o);
      String email = Json.string(failure, "EmailAddress");
      ExportRecord record = email == null ? null : batch.byEmail(email);
      if (record == null) {
        unmatched++;
        continue;
      }
      String code = Json.string(failure, "Code");
      String message = Json.string(failure, "Message");
      if (holdDeleted
          && DELETED_CODE.equals(code)
          && !result.isRejected(record)
          && !deleted.contains(record)) {
        deleted.add(record);
        continue;
      }
      result.reject(
          record,
          reasonFor(code),
          code != null ? code : "unknown",
          message != null ? message : "Campaign Monitor did not import this subscriber");
    }
    List<Object> duplicates = Json.array(report.get("DuplicateEmailsInSubmission"));
    if (!duplicates.isEmpty()) {
      rejectMergedRows(sent, duplicates, result);
      result.count("campaignmonitor.duplicatesInSubmission", duplicates.size());
    }
    long created = Json.number(report, "TotalNewSubscribers", 0);
    long updated = Json.number(report, "TotalExistingSubscribers", 0);
    long imported =
        sent.stream().filter(r -> !result.isRejected(r) && !deleted.contains(r)).count();
    if (unmatched > 0 || created + updated != imported) {
      log.warn(
          "Campaign Monitor import result for batch {} of segment '{}': {} new + {} existing for {} rows "
              + "imported, {} failure(s) for addresses not in the batch",
          batch.sequence(),
          batch.segment(),
          created,
          updated,
          imported,
          unmatched);
    }
    result.addCreated(created).addUpdated(updated);
    return deleted;
  }

  /**
   * Campaign Monitor imports an address given twice once, keeping one row's data (which one is
   * undocumented): the first row of each reported address counts as imported, the others are rejected.
   */
  private static void rejectMergedRows(
      List<ExportRecord> sent, List<Object> duplicates, BatchResult.Builder result) {
    Map<String, Boolean> reported = new HashMap<>();
    for (Object d : duplicates) {
      if (d != null) {
        reported.put(d.toString().trim().toLowerCase(Locale.ROOT), Boolean.FALSE);
      }
    }
    for (ExportRecord r : sent) {
      String key = r.email().trim().toLowerCase(Locale.ROOT);
      Boolean seen = reported.get(key);
      if (seen == null) {
        continue;
      }
      if (seen) {
        result.reject(
            r,
            RejectionReason.VENDOR_REJECTED,
            DUPLICATE_IN_SUBMISSION,
            "Campaign Monitor merged this row "
                + "with an earlier row of the same address in the import; its data may not have been kept");
      } else {
        reported.put(key, Boolean.TRUE);
      }
    }
  }

  /** Our reason for a per-row code: inactive addresses are told apart from other refusals. */
  static RejectionReason reasonFor(String code) {
    switch (code == null ? "" : code) {
      case "1":
        return RejectionReason.INVALID_EMAIL;
      case "204":
      case "207":
        return RejectionReason.SUPPRESSED;
      case "206":
        return RejectionReason.UNSUBSCRIBED;
      default:
        return RejectionReason.VENDOR_REJECTED;
    }
  }

  // ---- rows ----------------------------------------------------------------------------------

  /**
   * Why a record's values cannot be imported (a value or the joined Name over 250 characters, a date out
   * of range), or null.
   */
  private String valueProblem(ExportRecord r) {
    String name = name(r);
    if (name != null && name.length() > MAX_VALUE_LENGTH) {
      return "'Name' (the first and last name joined) has "
          + name.length()
          + " characters: Campaign Monitor "
          + "takes at most "
          + MAX_VALUE_LENGTH;
    }
    for (CampaignMonitorConnector.FieldPlan f : fields) {
      Object v = r.value(f.field());
      if (v == null) {
        continue;
      }
      if (v instanceof LocalDate || v instanceof Instant) {
        LocalDate d = date(v);
        if (d.isBefore(FIRST_DATE) || d.isAfter(LAST_DATE)) {
          return "'"
              + f.field().name()
              + "' is "
              + d
              + ": Campaign Monitor takes dates from 1900-01-01 to 2076-06-06";
        }
      } else if (text(v).length() > MAX_VALUE_LENGTH) {
        return "'"
            + f.field().name()
            + "' has "
            + text(v).length()
            + " characters: Campaign Monitor takes at most "
            + MAX_VALUE_LENGTH;
      }
    }
    return null;
  }

  /** Writes one subscriber: no empty value (which would leave the field as it is anyway), never a null. */
  private void writeSubscriber(JsonBodyWriter w, ExportRecord r) {
    w.beginObject();
    w.name("EmailAddress").value(r.email());
    String name = name(r);
    if (name != null) {
      w.name("Name").value(name);
    }
    w.name("ConsentToTrack").value(options.consentToTrack());
    w.name("CustomFields").beginArray();
    for (CampaignMonitorConnector.FieldPlan f : fields) {
      Object v = r.value(f.field());
      if (v == null || (v instanceof String && ((String) v).isEmpty())) {
        continue;
      }
      w.beginObject().name("Key").value(f.key()).name("Value");
      w.value(v instanceof LocalDate || v instanceof Instant ? DATE.format(date(v)) : text(v));
      w.endObject();
    }
    w.endArray();
    w.endObject();
  }

  /**
   * First and last name, each trimmed, joined with a space; null when both are absent or blank. Made
   * twice for every subscriber (checked, then written), so without optionals or lambdas.
   */
  private String name(ExportRecord r) {
    String first = trimmedText(firstNameField, r);
    String last = trimmedText(lastNameField, r);
    if (first.isEmpty()) {
      return last.isEmpty() ? null : last;
    }
    return last.isEmpty() ? first : first + " " + last;
  }

  /** The field's value as trimmed text; empty when the field is not mapped or has no value. */
  private static String trimmedText(MappedField field, ExportRecord r) {
    if (field == null) {
      return "";
    }
    String text = r.text(field);
    return text == null ? "" : text.trim();
  }

  private static LocalDate date(Object v) {
    return v instanceof Instant
        ? ((Instant) v).atZone(ZoneOffset.UTC).toLocalDate()
        : (LocalDate) v;
  }

  private static String text(Object v) {
    return v instanceof BigDecimal ? ((BigDecimal) v).toPlainString() : v.toString();
  }
}
