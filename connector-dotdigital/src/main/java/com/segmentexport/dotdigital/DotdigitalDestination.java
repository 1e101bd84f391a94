package com.segmentexport.dotdigital;

import com.segmentexport.api.DestinationException;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.ExportCancelledException;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.JsonBodyWriter;
import com.segmentexport.spi.OutcomeUnknownException;
import com.segmentexport.spi.RateBudget;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.VendorHttp;
import java.io.IOException;
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
import java.util.concurrent.Semaphore;
import okhttp3.HttpUrl;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches to one address book: one v3 import per batch ({@code PUT /contacts/v3/import}), polled
 * with backoff until it ends, its report turned into per-record outcomes.
 *
 * <p>An import holds one of the export's import slots ({@code maxConcurrentBatches}) from the moment
 * it is sent until a poll finds it ended: the engine holds only requests to that number, and an import
 * is active between them. The engine hands out one batch more than that: its body is serialised while
 * the slots are busy and is sent as soon as one frees, so a slot does not stay idle while a body is
 * written or a report is read.
 */
final class DotdigitalDestination implements Destination {
  /**
   * Import status polls are in dotdigital's Unlimited tier: they are not paced by the account's import
   * budget, and a 429 on imports does not hold them (nor theirs the imports).
   */
  static final RateBudget STATUS_POLLS = RateBudget.unmetered("dotdigital-import-status");
  private static final Logger log = LoggerFactory.getLogger(DotdigitalDestination.class);

  /**
   * The first wait before polling an import, while no import of this connection has finished yet; each
   * further wait is twice the last. Status polls are in dotdigital's unlimited rate tier.
   */
  static final Duration FIRST_POLL = Duration.ofMillis(50);
  /**
   * The first wait before submitting an import again while the account has its 25 imports active; each
   * further wait is twice the last. A resubmission carries the whole batch, so it starts slower than a poll.
   */
  static final Duration ACTIVE_IMPORTS_WAIT = Duration.ofMillis(200);
  /** The shortest wait between polls once the typical import time is known. */
  static final Duration MIN_POLL = Duration.ofMillis(2);
  /** Polls a hundredth of the typical import time apart before the interval starts doubling. */
  static final int CLOSE_POLLS = 10;
  /** The longest wait between two polls; also bounds how long a cancelled export waits for a poll. */
  static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(5);

  /** Most characters in a text data field's value (dotdigital's support article). */
  static final int MAX_TEXT_LENGTH = 255;

  private final DotdigitalConnector connector;
  private final VendorHttp http;
  private final HttpUrl endpoint;
  private final long bookId;
  private final List<DotdigitalConnector.DataFieldPlan> fields;
  private final Duration importTimeout;
  private final Semaphore importSlots;

  DotdigitalDestination(DotdigitalConnector connector, VendorHttp http, HttpUrl endpoint, long bookId,
      List<DotdigitalConnector.DataFieldPlan> fields, Duration importTimeout, int importSlots) {
    this.connector = connector;
    this.http = http;
    this.endpoint = endpoint;
    this.bookId = bookId;
    this.fields = fields;
    this.importTimeout = importTimeout;
    this.importSlots = new Semaphore(importSlots);
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
    try {
      importSlots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExportCancelledException("interrupted while waiting for an import slot", false);
    }
    Submitted submitted;
    ImportReport report;
    try {
      submitted = submit(batch, body);
      report = await(submitted.importId(), batch, System.nanoTime());
    } finally {
      importSlots.release();
    }
    BatchResult.Builder result = outcome(batch, report);
    if (submitted.slotWaits() > 0) {
      result.count("dotdigital.importSlotWaits", submitted.slotWaits());
    }
    return result.build();
  }

  // ---- submit --------------------------------------------------------------------------------

  /** An accepted import and how often it waited for an import slot. */
  private record Submitted(String importId, int slotWaits) {}

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
        sleep(delay, false);
        delay = Math.min(delay * 2, MAX_POLL_INTERVAL.toNanos());
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
  private void writeContact(JsonBodyWriter w, ExportRecord r) throws IOException {
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
  static void writeValue(JsonBodyWriter w, String type, Object v) throws IOException {
    if (type.equals("String")) {
      w.value(text(v));
    } else if (v instanceof LocalDate || v instanceof Instant) {
      w.value(v.toString());
    } else {
      Json.writeValue(w, v);
    }
  }

  private static long clamp(long v, long min, long max) {
    return Math.max(min, Math.min(max, v));
  }

  private static String text(Object v) {
    return v instanceof BigDecimal ? ((BigDecimal) v).toPlainString() : v.toString();
  }

  // ---- poll ----------------------------------------------------------------------------------

  /** Polls until the import ends; returns the Finished report or throws for a failed import. */
  private ImportReport await(String importId, Batch batch, long submittedAt) {
    HttpUrl url = DotdigitalConnector.url(endpoint, "contacts/v3/import").newBuilder()
        .addPathSegment(importId).build();
    long deadline = System.nanoTime() + importTimeout.toNanos();
    // Adaptive polling: once imports have been seen to finish, the first poll goes out just before the
    // typical import time (at 97% of it) and the next ones follow closely, a hundredth of it apart (at
    // least MIN_POLL), ten times, then twice as far apart each time; until then, back off from
    // FIRST_POLL. An import slot is idle from the moment its import finishes until a poll sees it, so
    // the close polls are what keeps the account's import capacity busy. Status polls are in the
    // vendor's "Unlimited" rate tier. An import is known only to have finished between the last poll
    // that found it unfinished and the one that found it finished (each taken as it was sent, when the
    // answer's time would add the poll's own round trip), so the midpoint is what feeds the
    // typical time: feeding the time of discovery would make the estimate chase its own polling delay.
    PollSchedule schedule = new PollSchedule(connector.typicalImportNanos());
    long lastUnfinished = submittedAt;
    while (true) {
      sleep(schedule.next(), true);
      HttpResponse r;
      long polledAt = System.nanoTime();
      try {
        r = http.execute(connector.get(url), DotdigitalConnector.spec("import-status").inBudget(STATUS_POLLS));
      } catch (ExportCancelledException e) {
        // The import itself was sent: its records' fate is unknown, not "not attempted".
        throw new ExportCancelledException(e.getMessage(), true);
      } catch (DestinationException e) {
        throw new OutcomeUnknownException(e.httpStatus(), "dotdigital import " + importId + " was submitted but its "
            + "status could not be read (" + e.getMessage() + "); its outcome is unknown", e);
      }
      if (!r.isSuccessful()) {
        VendorError e = DotdigitalErrors.parse(r);
        throw new OutcomeUnknownException(r.code(), "dotdigital import " + importId + " was submitted but its status "
            + "could not be read (HTTP " + r.code() + " " + e.code() + ": " + e.message() + "); its outcome is unknown",
            null);
      }
      ImportReport report = ImportReport.read(r.body());
      String status = report.status();
      if ("Finished".equalsIgnoreCase(status)) {
        connector.recordImportTime((lastUnfinished + polledAt) / 2 - submittedAt);
        return report;
      }
      if (status == null || "NotFinished".equalsIgnoreCase(status)) {
        lastUnfinished = polledAt;
        if (System.nanoTime() - deadline > 0) {
          // Accepted by dotdigital and possibly still running: its contacts may yet be added.
          throw new OutcomeUnknownException(0, "dotdigital import " + importId + " did not finish within "
              + importTimeout.toSeconds() + " s; its outcome is unknown", null);
        }
        continue;
      }
      log.warn("dotdigital import {} (batch {} of segment '{}') ended with status {}", importId, batch.sequence(),
          batch.segment(), safe(status));
      throw new DestinationException(r.code(), safe(status), describe(status),
          "dotdigital import " + importId + " ended with status " + safe(status) + ": " + describe(status));
    }
  }

  /**
   * The waits before each status poll of one import: with a typical import time known, the first just
   * before it (at 97%), then {@value #CLOSE_POLLS} a hundredth of it apart (at least {@link #MIN_POLL}),
   * then twice as far apart each time; without, from {@link #FIRST_POLL}, twice as long each time; never
   * more than {@link #MAX_POLL_INTERVAL}.
   */
  static final class PollSchedule {
    private final long max = MAX_POLL_INTERVAL.toNanos();
    private long delay;
    private long step;
    private int closePolls;

    /** A schedule for an account whose imports typically take this long (0: not known yet). */
    PollSchedule(long typicalNanos) {
      delay = typicalNanos > 0 ? clamp(typicalNanos - typicalNanos * 3 / 100, MIN_POLL.toNanos(), max)
          : FIRST_POLL.toNanos();
      step = typicalNanos > 0 ? clamp(typicalNanos / 100, MIN_POLL.toNanos(), max) : 0;
    }

    /** The wait before the next poll, in nanoseconds. */
    long next() {
      long d = delay;
      if (step > 0) {
        delay = step;
        if (++closePolls >= CLOSE_POLLS) {
          step = Math.min(step * 2, max);
        }
      } else {
        delay = Math.min(delay * 2, max);
      }
      return d;
    }

    /**
     * The polls this schedule sends for an import that takes {@code importNanos} (the first that comes
     * after it finds it finished; round trips left out).
     */
    static int polls(long typicalNanos, long importNanos) {
      PollSchedule schedule = new PollSchedule(typicalNanos);
      long waited = 0;
      int polls = 0;
      do {
        waited += schedule.next();
        polls++;
      } while (waited < importNanos);
      return polls;
    }
  }

  private static String describe(String status) {
    switch (status) {
      case "RejectedByWatchdog":
        return "dotdigital's watchdog rejected the import (its data-quality checks refused the contacts)";
      case "Failed":
        return "the import failed at dotdigital";
      case "ExceedsAllowedContactLimit":
        return "the import would exceed the account's contact limit";
      default:
        return "the import ended without finishing (" + safe(status) + ")";
    }
  }

  private static String safe(String status) {
    return status.matches("[A-Za-z]{1,40}") ? status : "unrecognised";
  }

  /** Waits, waking at once if the export stops ({@code sent}: whether an import was accepted). */
  private void sleep(long nanos, boolean sent) {
    http.pause(java.time.Duration.ofNanos(nanos), sent);
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
