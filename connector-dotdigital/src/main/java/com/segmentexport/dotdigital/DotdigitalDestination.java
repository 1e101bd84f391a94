package com.segmentexport.dotdigital;

import com.segmentexport.api.DestinationException;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.JsonBodyWriter;
import com.segmentexport.spi.VendorHttp;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches to one address book: one v3 import per batch ({@code PUT /contacts/v3/import}), polled
 * until it ends, its report turned into per-record outcomes.
 *
 * <p>An import holds one of the destination's {@link ImportSlots} from the moment it is sent until the
 * {@link ImportPoller} finds it ended.
 */
final class DotdigitalDestination implements Destination {
  private static final Logger log = LoggerFactory.getLogger(DotdigitalDestination.class);

  /**
   * The first wait before submitting an import again while the account has its 25 imports active; each
   * further wait is twice the last. A resubmission carries the whole batch, so it starts slower than a poll.
   */
  static final Duration ACTIVE_IMPORTS_WAIT = Duration.ofMillis(200);
  /** Most characters in a text data field's value (dotdigital's support article). */
  static final int MAX_TEXT_LENGTH = 255;

  private final DotdigitalConnector connector;
  private final VendorHttp http;
  private final HttpUrl endpoint;
  private final long bookId;
  private final List<DotdigitalConnector.DataFieldPlan> fields;
  private final Duration importTimeout;
  private final ImportSlots importSlots;
  private final ImportPoller poller;

  DotdigitalDestination(DotdigitalConnector connector, VendorHttp http, HttpUrl endpoint, long bookId,
      List<DotdigitalConnector.DataFieldPlan> fields, Duration importTimeout, int importSlots) {
    this.connector = connector;
    this.http = http;
    this.endpoint = endpoint;
    this.bookId = bookId;
    this.fields = fields;
    this.importTimeout = importTimeout;
    this.importSlots = new ImportSlots(importSlots);
    this.poller = new ImportPoller(connector, http, endpoint, importTimeout);
  }

  @Override
  public String id() {
    return Long.toString(bookId);
  }

  @Override
  public BatchResult write(Batch batch) {
    // A text value over 255 characters can fail a whole import: such profiles are rejected here, and
    // the others sent.
    BatchResult.Builder refused = BatchResult.builder(batch);
    List<ExportRecord> rest = new ArrayList<>(batch.size());
    for (ExportRecord r : batch.records()) {
      String problem = valueProblem(r);
      if (problem == null) {
        rest.add(r);
      } else {
        refused.reject(r, RejectionReason.INVALID_VALUE, null, problem);
      }
    }
    if (rest.size() == batch.size()) {
      return send(batch);
    }
    if (!rest.isEmpty()) {
      long bytes = batch.estimatedBytes() * rest.size() / batch.size() + 1;
      refused.merge(send(new Batch(batch.segment(), batch.sequence(), batch.schema(), rest, bytes)));
    }
    return refused.build();
  }

  /** Why dotdigital would not take a record's values (a text over 255 characters), or null. */
  private String valueProblem(ExportRecord r) {
    for (DotdigitalConnector.DataFieldPlan f : fields) {
      Object v = r.value(f.field());
      if (v != null && f.type().equals("String") && text(v).length() > MAX_TEXT_LENGTH) {
        return "data field '" + f.name() + "' would hold " + text(v).length() + " characters: dotdigital takes at "
            + "most " + MAX_TEXT_LENGTH + " in a text field";
      }
    }
    return null;
  }

  /** Imports a batch whose values dotdigital takes. */
  private BatchResult send(Batch batch) {
    RequestBody body = body(batch);
    Imported imported = importSlots.holding(() -> {
      Submitted submitted = submit(batch, body);
      return new Imported(submitted, poller.pollToEnd(submitted.importId(), System.nanoTime(), batch));
    });
    BatchResult.Builder result = outcome(batch, imported.report());
    if (imported.submitted().slotWaits() > 0) {
      result.count("dotdigital.importSlotWaits", imported.submitted().slotWaits());
    }
    return result.build();
  }

  // ---- submit --------------------------------------------------------------------------------

  /** An accepted import and how often it waited for an import slot. */
  private record Submitted(String importId, int slotWaits) {}

  /** A submitted import and its Finished report. */
  private record Imported(Submitted submitted, ImportReport report) {}

  /** The batch's import request body. */
  private RequestBody body(Batch batch) {
    return Json.body(batch.estimatedBytes(), w -> {
      w.beginObject();
      w.name("mergeOption").value("overwrite");
      w.name("contacts").beginArray();
      for (ExportRecord r : batch.records()) {
        writeContact(w, r);
      }
      w.endArray();
      w.endObject();
    });
  }

  /**
   * Submits the batch as one import. While the account has its 25 imports active ({@code 429
   * contacts:tooManyActiveImports}) it waits, with the polling backoff, for a slot, for at most the
   * import timeout.
   */
  private Submitted submit(Batch batch, RequestBody body) {
    HttpUrl url = DotdigitalConnector.url(endpoint, "contacts/v3/import");
    long deadline = System.nanoTime() + importTimeout.toNanos();
    long delay = ACTIVE_IMPORTS_WAIT.toNanos();
    int slotWaits = 0;
    while (true) {
      // An import is an upsert keyed by e-mail: submitting it twice leaves the same contacts and members.
      HttpResponse r = http.execute(connector.request(url).put(body).build(), DotdigitalConnector.spec("import"));
      if (r.code() == 429 && DotdigitalErrors.TOO_MANY_ACTIVE_IMPORTS.equals(DotdigitalErrors.parse(r).code())) {
        if (System.nanoTime() - deadline > 0) {
          throw DotdigitalErrors.destination(r, "dotdigital still had its 25 imports active after "
              + importTimeout.toSeconds() + " s");
        }
        if (slotWaits++ == 0) {
          log.info("dotdigital has 25 imports active: batch {} of segment '{}' waits for one to finish",
              batch.sequence(), batch.segment());
        }
        http.pause(Duration.ofNanos(delay), false); // wakes at once if the export stops: nothing was sent
        delay = Math.min(delay * 2, ImportPoller.MAX_POLL_INTERVAL.toNanos());
        continue;
      }
      if (!r.isSuccessful()) {
        throw DotdigitalErrors.destination(r, "dotdigital refused the import of " + batch.size() + " contacts");
      }
      String importId = Json.string(Json.object(r.json()), "importId");
      if (importId == null || importId.isBlank()) {
        throw new DestinationException(r.code(), null, null, "dotdigital accepted an import but sent no importId");
      }
      log.debug("dotdigital import {} submitted: batch {} of segment '{}', {} contacts", importId, batch.sequence(),
          batch.segment(), batch.size());
      return new Submitted(importId, slotWaits);
    }
  }

  /** Writes one contact: never a null value (null clears data), never an e-mail status (no resubscribing). */
  private void writeContact(JsonBodyWriter w, ExportRecord r) {
    w.beginObject();
    w.name("matchIdentifier").value("email");
    w.name("identifiers").beginObject().name("email").value(r.email()).endObject();
    boolean open = false;
    for (DotdigitalConnector.DataFieldPlan f : fields) {
      Object v = r.value(f.field());
      if (v == null || (v instanceof String && ((String) v).isEmpty())) {
        continue;
      }
      if (!open) {
        w.name("dataFields").beginObject();
        open = true;
      }
      w.name(f.name());
      writeValue(w, f.type(), v);
    }
    if (open) {
      w.endObject();
    }
    w.name("lists").beginArray().value(bookId).endArray();
    w.endObject();
  }

  /** Writes a value as the account's data field type expects it. */
  static void writeValue(JsonBodyWriter w, String type, Object v) {
    if (type.equals("String")) {
      w.value(text(v));
    } else if (v instanceof LocalDate || v instanceof Instant) {
      w.value(v.toString());
    } else {
      Json.writeValue(w, v);
    }
  }

  private static String text(Object v) {
    return v instanceof BigDecimal ? ((BigDecimal) v).toPlainString() : v.toString();
  }

  // ---- report --------------------------------------------------------------------------------

  /**
   * Turns a Finished report into per-record outcomes: {@code created} and {@code updated} contacts are
   * exported (a failure listed for one of them concerns an associated data set, not the contact);
   * {@code failures} reject their records, as {@code UNSUBSCRIBED} or {@code SUPPRESSED} for contacts the
   * account holds suppressed. Records the report does not mention are suppressed contacts where
   * {@code summary.globallySuppressed} accounts for them, else rejected as not reported.
   */
  private BatchResult.Builder outcome(Batch batch, ImportReport report) {
    BatchResult.Builder result = BatchResult.builder(batch);
    Set<ExportRecord> confirmed = Collections.newSetFromMap(new IdentityHashMap<>());
    long created = confirm(batch, report.created(), confirmed);
    long updated = confirm(batch, report.updated(), confirmed);
    long suppressedListed = 0;
    long dataSetFailures = 0;
    long unmatched = 0;
    for (Map<String, Object> failure : report.failureObjects()) {
      String email = Json.string(Json.object(failure.get("identifiers")), "email");
      ExportRecord record = email == null ? null : batch.byEmail(email);
      if (record == null) {
        unmatched++;
        continue;
      }
      if (confirmed.contains(record)) {
        dataSetFailures++;
        continue;
      }
      List<Object> details = Json.array(failure.get("failures"));
      Map<String, Object> first = details.isEmpty() ? Map.of() : Json.object(details.get(0));
      String code = Json.string(first, "failureCode");
      String description = Json.string(first, "description");
      RejectionReason reason = reasonFor(code);
      if (reason != RejectionReason.VENDOR_REJECTED && !result.isRejected(record)) {
        suppressedListed++;
      }
      result.reject(record, reason, code != null ? code : "unknown",
          description != null ? DotdigitalErrors.mask(description) : defaultMessage(reason));
    }
    long suppressedUnlisted = Math.max(0, report.globallySuppressed() - suppressedListed);
    List<ExportRecord> unmentioned = new ArrayList<>();
    for (ExportRecord r : batch.records()) {
      if (!confirmed.contains(r) && !result.isRejected(r)) {
        unmentioned.add(r);
      }
    }
    long notReported = 0;
    if (!unmentioned.isEmpty() && unmentioned.size() == suppressedUnlisted) {
      // The report counts exactly as many suppressed contacts as it leaves unmentioned: these are they.
      for (ExportRecord r : unmentioned) {
        result.reject(r, RejectionReason.SUPPRESSED, "globallySuppressed",
            "the import counted this contact as suppressed at account level (unsubscribed, bounced or complained); "
                + "it was not updated nor added to the address book");
      }
    } else {
      // The report does not say what became of these (it may count some suppressed without naming them):
      // neither exported nor rejected, but unconfirmed.
      String why = "dotdigital's import report does not mention this contact" + (suppressedUnlisted > 0
          ? " (it counted " + suppressedUnlisted + " suppressed contact(s) without naming them)" : "")
          + "; whether it was imported is unknown";
      for (ExportRecord r : unmentioned) {
        result.unconfirmed(r, why);
        notReported++;
      }
    }
    if (dataSetFailures > 0) {
      result.count("dotdigital.dataSetFailures", dataSetFailures);
    }
    if (unmatched + notReported > 0) {
      log.warn("dotdigital import report for batch {} of segment '{}': {} failure(s) for contacts not in the batch, "
          + "{} contact(s) not reported", batch.sequence(), batch.segment(), unmatched, notReported);
    }
    result.count("dotdigital.imports", 1);
    return result.addCreated(created).addUpdated(updated);
  }

  private static long confirm(Batch batch, List<String> emails, Set<ExportRecord> confirmed) {
    long n = 0;
    for (String email : emails) {
      ExportRecord record = email == null ? null : batch.byEmail(email);
      if (record != null && confirmed.add(record)) {
        n++;
      }
    }
    return n;
  }

  /** Our reason for a failure code: unsubscribed and suppressed contacts are told apart from other refusals. */
  static RejectionReason reasonFor(String failureCode) {
    String c = failureCode == null ? "" : failureCode.toLowerCase(Locale.ROOT);
    if (c.contains("unsubscribe")) {
      return RejectionReason.UNSUBSCRIBED;
    }
    if (c.contains("suppress") || c.contains("bounce") || c.contains("complain") || c.contains("blocked")) {
      return RejectionReason.SUPPRESSED;
    }
    return RejectionReason.VENDOR_REJECTED;
  }

  private static String defaultMessage(RejectionReason reason) {
    switch (reason) {
      case UNSUBSCRIBED:
        return "the contact unsubscribed; the export does not resubscribe contacts";
      case SUPPRESSED:
        return "the contact is suppressed at account level; the export leaves it untouched";
      default:
        return "dotdigital refused this contact";
    }
  }
}
