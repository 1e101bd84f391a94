package com.segmentexport.campaignmonitor;

import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.VendorHttp;
import com.segmentexport.spi.JsonBodyWriter;
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
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches to one list: one synchronous {@code POST subscribers/{listid}/import.json} per batch.
 * A 2xx answer is the import result; a 400 with {@code Code} 210 carries it in {@code ResultData} (the
 * good rows were imported); any other refusal fails the batch and is not repeated.
 */
final class CampaignMonitorDestination implements Destination {
  private static final Logger log = LoggerFactory.getLogger(CampaignMonitorDestination.class);
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy/MM/dd", Locale.ROOT);
  private static final LocalDate FIRST_DATE = LocalDate.of(1900, 1, 1);
  private static final LocalDate LAST_DATE = LocalDate.of(2076, 6, 6);
  /** Campaign Monitor's longest custom field value. */
  static final int MAX_VALUE_LENGTH = 250;
  /** The vendor code given to a row Campaign Monitor merged with another row of the same address. */
  static final String DUPLICATE_IN_SUBMISSION = "DuplicateEmailsInSubmission";

  /**
   * The import's top-level options, from the export definition.
   *
   * @param consentToTrack sent as every subscriber's {@code ConsentToTrack}
   * @param resubscribe {@code Resubscribe}
   * @param triggerAutoresponders queue and restart subscription-based autoresponders
   */
  record ImportOptions(String consentToTrack, boolean resubscribe, boolean triggerAutoresponders) {
    static ImportOptions of(ExportDefinition definition) {
      String consent = definition.option(CampaignMonitorConnectorProvider.CONSENT_TO_TRACK).orElse("Unchanged").trim();
      return new ImportOptions(consent.substring(0, 1).toUpperCase(Locale.ROOT)
          + consent.substring(1).toLowerCase(Locale.ROOT),
          definition.flag(CampaignMonitorConnectorProvider.RESUBSCRIBE),
          definition.flag(CampaignMonitorConnectorProvider.TRIGGER_AUTORESPONDERS));
    }
  }

  private final CampaignMonitorConnector connector;
  private final VendorHttp http;
  private final String listId;
  private final Optional<MappedField> firstName;
  private final Optional<MappedField> lastName;
  private final List<CampaignMonitorConnector.FieldPlan> fields;
  private final ImportOptions options;

  CampaignMonitorDestination(CampaignMonitorConnector connector, VendorHttp http, String listId,
      Optional<MappedField> firstName, Optional<MappedField> lastName, List<CampaignMonitorConnector.FieldPlan> fields,
      ImportOptions options) {
    this.connector = connector;
    this.http = http;
    this.listId = listId;
    this.firstName = firstName;
    this.lastName = lastName;
    this.fields = fields;
    this.options = options;
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
    if (sent.isEmpty()) {
      return result.build();
    }
    RequestBody body = Json.body(batch.estimatedBytes(), w -> {
      w.beginObject();
      w.name("Subscribers").beginArray();
      for (ExportRecord r : sent) {
        writeSubscriber(w, r);
      }
      w.endArray();
      w.name("Resubscribe").value(options.resubscribe());
      // The official SDKs spell this member two ways (Java, PHP: AutoResponders; Ruby, Python:
      // Autoresponders) and all of them work, so the server accepts both; sending both with one value binds
      // whether it matches names case-insensitively (one member, same value) or knows each spelling.
      w.name("QueueSubscriptionBasedAutoResponders").value(options.triggerAutoresponders());
      w.name("QueueSubscriptionBasedAutoresponders").value(options.triggerAutoresponders());
      w.name("RestartSubscriptionBasedAutoresponders").value(options.triggerAutoresponders());
      w.endObject();
    });
    // An import is an upsert keyed by address: repeating it leaves the same subscribers.
    HttpResponse r = connector.send(http, connector.request("subscribers/" + listId + "/import.json").post(body),
        CampaignMonitorConnector.spec("import"));
    Map<String, Object> report = report(r, sent.size());
    outcome(batch, sent, report, result);
    log.debug("Campaign Monitor import: batch {} of segment '{}', {} subscribers, HTTP {}", batch.sequence(),
        batch.segment(), sent.size(), r.code());
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
    throw CampaignMonitorErrors.destination(r, "Campaign Monitor refused the import of " + size + " subscribers");
  }

  /** Turns an import result into per-record outcomes. */
  private void outcome(Batch batch, List<ExportRecord> sent, Map<String, Object> report, BatchResult.Builder result) {
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
      result.reject(record, reasonFor(code), code != null ? code : "unknown",
          message != null ? message : "Campaign Monitor did not import this subscriber");
    }
    List<Object> duplicates = Json.array(report.get("DuplicateEmailsInSubmission"));
    if (!duplicates.isEmpty()) {
      rejectMergedRows(sent, duplicates, result);
      result.count("campaignmonitor.duplicatesInSubmission", duplicates.size());
    }
    long created = Json.number(report, "TotalNewSubscribers", 0);
    long updated = Json.number(report, "TotalExistingSubscribers", 0);
    long imported = sent.stream().filter(r -> !result.isRejected(r)).count();
    if (unmatched > 0 || created + updated != imported) {
      log.warn("Campaign Monitor import result for batch {} of segment '{}': {} new + {} existing for {} rows "
          + "imported, {} failure(s) for addresses not in the batch", batch.sequence(), batch.segment(), created,
          updated, imported, unmatched);
    }
    result.addCreated(created).addUpdated(updated);
  }

  /**
   * Campaign Monitor imports an address given twice once, keeping one row's data (which one is
   * undocumented): the first row of each reported address counts as imported, the others are rejected.
   */
  private static void rejectMergedRows(List<ExportRecord> sent, List<Object> duplicates, BatchResult.Builder result) {
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
        result.reject(r, RejectionReason.VENDOR_REJECTED, DUPLICATE_IN_SUBMISSION, "Campaign Monitor merged this row "
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
      return "'Name' (the first and last name joined) has " + name.length() + " characters: Campaign Monitor "
          + "takes at most " + MAX_VALUE_LENGTH;
    }
    for (CampaignMonitorConnector.FieldPlan f : fields) {
      Object v = r.value(f.field());
      if (v == null) {
        continue;
      }
      if (v instanceof LocalDate || v instanceof Instant) {
        LocalDate d = date(v);
        if (d.isBefore(FIRST_DATE) || d.isAfter(LAST_DATE)) {
          return "'" + f.field().name() + "' is " + d + ": Campaign Monitor takes dates from 1900-01-01 to 2076-06-06";
        }
      } else if (text(v).length() > MAX_VALUE_LENGTH) {
        return "'" + f.field().name() + "' has " + text(v).length() + " characters: Campaign Monitor takes at most "
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

  /** First and last name joined with a space; null when both are absent. */
  private String name(ExportRecord r) {
    String first = firstName.map(r::text).map(String::trim).orElse("");
    String last = lastName.map(r::text).map(String::trim).orElse("");
    String joined = (first + " " + last).trim();
    return joined.isEmpty() ? null : joined;
  }

  private static LocalDate date(Object v) {
    return v instanceof Instant ? ((Instant) v).atZone(ZoneOffset.UTC).toLocalDate() : (LocalDate) v;
  }

  private static String text(Object v) {
    return v instanceof BigDecimal ? ((BigDecimal) v).toPlainString() : v.toString();
  }
}
