package com.segmentexport.dotdigital;

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
import com.segmentexport.spi.OutcomeUnknownException;
import com.segmentexport.spi.VendorError;
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
import java.util.Optional;
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
 *
 * <p>A record whose profile dotdigital knows under a {@linkplain ExportRecord#previousEmail() previous
 * address} first has its contact's address changed ({@link DotdigitalAddressChange}, applied by {@link
 * AddressChanges}), so that the import updates the same contact rather than adding a second one.
 *
 * <p>Each import's report gives the created and updated contacts' {@code contactId}s, reported to the
 * engine ({@link BatchResult.Builder#vendorId}) so that {@link #remove(Batch)} removes them from this
 * address book by id, in bulk ({@code POST /v2/address-books/{id}/contacts/delete}).
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

  /** The kind of work a removal from the address book is, as the sync state remembers it. */
  static final String REMOVAL = "removal";

  /**
   * Most contact ids in one removal request: dotdigital documents no cap; 1,000 is its page size for
   * address-book reads and what its simulator enforces. A refusal halves the request.
   */
  static final int MAX_REMOVAL_IDS = 1000;

  /** Counter: records whose address no dotdigital contact has: in no address book, so removed. */
  static final String REMOVAL_NOT_ON_LIST = "removal.notOnList";

  /** The kind of work an import is, as the sync state remembers it. */
  static final String IMPORT = "import";

  private final DotdigitalConnector connector;
  private final VendorHttp http;
  private final HttpUrl endpoint;
  private final long bookId;
  private final List<DotdigitalConnector.DataFieldPlan> fields;
  private final Duration importTimeout;
  private final ImportSlots importSlots;
  private final ImportPoller poller;
  private final AddressChanges addressChanges;

  DotdigitalDestination(
      DotdigitalConnector connector,
      VendorHttp http,
      HttpUrl endpoint,
      long bookId,
      List<DotdigitalConnector.DataFieldPlan> fields,
      Duration importTimeout,
      int importSlots) {
    this.connector = connector;
    this.http = http;
    this.endpoint = endpoint;
    this.bookId = bookId;
    this.fields = fields;
    this.importTimeout = importTimeout;
    this.importSlots = new ImportSlots(importSlots);
    this.poller = new ImportPoller(connector, http, endpoint, importTimeout);
    this.addressChanges =
        new AddressChanges(
            new DotdigitalAddressChange(connector, http),
            "dotdigital",
            "address book " + bookId,
            "contact",
            "imported");
  }

  @Override
  public String id() {
    return Long.toString(bookId);
  }

  @Override
  public BatchResult write(Batch batch) {
    // A text value over 255 characters can fail a whole import: such profiles are rejected here,
    // and
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
    rest = addressChanges.apply(batch, rest, refused);
    if (rest.size() == batch.size()) {
      return refused.merge(send(batch)).build();
    }
    if (!rest.isEmpty()) {
      long bytes = batch.estimatedBytes() * rest.size() / batch.size() + 1;
      refused.merge(send(batch.withRecords(rest, bytes)));
    }
    return refused.build();
  }

  /** Why dotdigital would not take a record's values (a text over 255 characters), or null. */
  private String valueProblem(ExportRecord r) {
    for (DotdigitalConnector.DataFieldPlan f : fields) {
      Object v = r.value(f.field());
      if (v != null && f.type().equals("String") && text(v).length() > MAX_TEXT_LENGTH) {
        return "data field '"
            + f.name()
            + "' would hold "
            + text(v).length()
            + " characters: dotdigital takes at "
            + "most "
            + MAX_TEXT_LENGTH
            + " in a text field";
      }
    }
    return null;
  }

  /** Imports a batch whose values dotdigital takes. */
  private BatchResult send(Batch batch) {
    RequestBody body = body(batch);
    Imported imported =
        importSlots.holding(
            () -> {
              Submitted submitted = submit(batch, body);
              // Remembered (with a sync state) before the wait: if this process dies while
              // dotdigital imports, the
              // next run finishes the import through resume(...) instead of losing what it did.
              batch.startedAtVendor(IMPORT, submitted.importId());
              return new Imported(
                  submitted, poller.pollToEnd(submitted.importId(), System.nanoTime(), batch));
            });
    BatchResult.Builder result = outcome(batch, imported.report());
    if (imported.submitted().slotWaits() > 0) {
      result.count("dotdigital.importSlotWaits", imported.submitted().slotWaits());
    }
    return result.build();
  }

  /**
   * Finishes an import a crashed run left pending: polls it to its end and reports each contact as the
   * run would have. Empty for an import dotdigital no longer knows (its contacts are then sent again).
   */
  @Override
  public Optional<BatchResult> resume(String kind, String vendorRef, Batch batch) {
    if (REMOVAL.equals(kind)) {
      return resumeRemoval(vendorRef, batch);
    }
    if (!IMPORT.equals(kind)) {
      return Optional.empty();
    }
    ImportReport report;
    try {
      report = poller.pollToEnd(vendorRef, System.nanoTime(), batch);
    } catch (OutcomeUnknownException e) {
      if (e.httpStatus() == 404) {
        log.info(
            "dotdigital no longer knows import {}: its {} contacts are sent again",
            vendorRef,
            batch.size());
        return Optional.empty();
      }
      throw e; // Left pending: the next run asks again (this one sends the contacts again all the
      // same).
    } catch (DestinationException e) {
      // The import ended otherwise than Finished: none of its contacts was imported.
      BatchResult.Builder failed = BatchResult.builder(batch);
      for (ExportRecord r : batch.records()) {
        failed.reject(r, RejectionReason.BATCH_FAILED, e.vendorCode().orElse(null), e.getMessage());
      }
      return Optional.of(failed.build());
    }
    return Optional.of(outcome(batch, report).build());
  }

  // ---- removal -------------------------------------------------------------------------------

  /**
   * Removes the batch's contacts from this address book, and from it only: {@code POST
   * /v2/address-books/{id}/contacts/delete} with their contact ids (a bare JSON array), at most {@value
   * #MAX_REMOVAL_IDS} a request, answered 202 with a deletion job polled at {@code GET
   * /v2/contacts/deletion/{id}} until {@code Completed}. Never an unsubscribe (from the book or the
   * account) nor a deletion of the contact: the contact keeps its status, data fields and other books.
   *
   * <p>A record without a {@linkplain ExportRecord#vendorId() contact id} (or with one that is not an
   * int32) has its contact looked up by address first ({@code GET /contacts/v3/email/{email}}); no such
   * contact (404) means it is in no address book: removed. dotdigital reports nothing per contact (an id
   * not in the book changes nothing), so every contact of a Completed job counts as removed; a job that
   * ends {@code Failed} rejects its contacts; one whose end cannot be seen leaves them unconfirmed. The
   * request is idempotent: a repeat leaves the same contacts out of the book.
   */
  @Override
  public BatchResult remove(Batch batch) {
    BatchResult.Builder result = BatchResult.builder(batch);
    List<ExportRecord> byId = new ArrayList<>(batch.size());
    List<Long> ids = new ArrayList<>(batch.size());
    long notContacts = 0;
    for (ExportRecord r : batch.records()) {
      long id = contactId(r.vendorId().orElse(null));
      if (id < 0) {
        try {
          id = lookUpContactId(r.email());
        } catch (OutcomeUnknownException e) {
          result.unconfirmed(
              r,
              "dotdigital's contact could not be looked up to remove it (" + e.getMessage() + ")");
          continue;
        } catch (DestinationException e) {
          result.reject(r, e);
          continue;
        }
        if (id == 0) {
          notContacts++; // no contact has the address: it is in no address book
          continue;
        }
      }
      byId.add(r);
      ids.add(id);
    }
    for (int from = 0; from < byId.size(); from += MAX_REMOVAL_IDS) {
      int to = Math.min(byId.size(), from + MAX_REMOVAL_IDS);
      Batch part = batch.withRecords(byId.subList(from, to), 16L * (to - from) + 1);
      result.merge(removeIds(part, ids.subList(from, to)));
    }
    if (notContacts > 0) {
      result.count(REMOVAL_NOT_ON_LIST, notContacts);
    }
    return result.build();
  }

  /** A contact id from the sync state, or -1 when absent or not an int32 dotdigital would take. */
  static long contactId(String vendorId) {
    if (vendorId == null) {
      return -1;
    }
    try {
      long id = Long.parseLong(vendorId.trim());
      return id >= 1 && id <= Integer.MAX_VALUE ? id : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The {@code contactId} of the contact with this address, or 0 when dotdigital has none (404). */
  private long lookUpContactId(String email) {
    HttpResponse r =
        http.execute(
            connector.get(
                endpoint
                    .newBuilder()
                    .addPathSegments("contacts/v3/email")
                    .addPathSegment(email)
                    .build()),
            DotdigitalConnector.spec("get-contact"));
    if (r.code() == 404) {
      return 0;
    }
    long id = r.isSuccessful() ? Json.number(Json.object(r.json()), "contactId", -1) : -1;
    if (id < 1) {
      throw DotdigitalErrors.destination(
          r, "dotdigital's contact could not be looked up for a removal");
    }
    return id;
  }

  /**
   * Sends one bulk removal and polls its job to its end. A request refused as invalid is halved until the
   * contact it concerns is found (dotdigital's cap on ids is not documented, and an id it refuses is named
   * by no answer); an unknown address book fails the batch.
   */
  private BatchResult removeIds(Batch part, List<Long> ids) {
    RequestBody body =
        Json.body(
            16L * ids.size() + 2,
            w -> {
              w.beginArray();
              for (long id : ids) {
                w.value(id);
              }
              w.endArray();
            });
    HttpUrl url =
        DotdigitalConnector.url(endpoint, "v2/address-books/" + bookId + "/contacts/delete");
    HttpResponse r =
        http.execute(
            connector.request(url).post(body).build(),
            DotdigitalConnector.spec(
                "remove-from-address-book")); // a repeat leaves the same contacts out
    if (!r.isSuccessful()) {
      VendorError e = DotdigitalErrors.parse(r);
      if (r.code() == 400 && "ERROR_PARAMETER_INVALID".equals(e.code())) {
        if (part.size() > 1) {
          BatchResult.Builder halves = BatchResult.builder(part);
          int mid = ids.size() / 2;
          halves.merge(
              removeIds(
                  part.withRecords(part.records().subList(0, mid), 16L * mid + 1),
                  ids.subList(0, mid)));
          halves.merge(
              removeIds(
                  part.withRecords(
                      part.records().subList(mid, ids.size()), 16L * (ids.size() - mid) + 1),
                  ids.subList(mid, ids.size())));
          return halves.count("dotdigital.removalSplits", 1).build();
        }
        return BatchResult.builder(part)
            .reject(part.records().get(0), RejectionReason.VENDOR_REJECTED, e.code(), e.message())
            .build();
      }
      throw DotdigitalErrors.destination(
          r,
          "dotdigital refused to remove " + part.size() + " contacts from address book " + bookId);
    }
    String jobId = Json.string(Json.object(r.json()), "id");
    if (jobId == null || jobId.isBlank()) {
      throw new DestinationException(
          r.code(), null, null, "dotdigital accepted a removal but sent no id");
    }
    part.startedAtVendor(REMOVAL, jobId);
    return removalOutcome(part, jobId);
  }

  /** Polls a removal job to its end and reports its contacts: removed once it is Completed. */
  private BatchResult removalOutcome(Batch part, String jobId) {
    BatchResult.Builder result = BatchResult.builder(part);
    String status;
    try {
      status = pollRemoval(jobId);
    } catch (OutcomeUnknownException e) {
      for (ExportRecord r : part.records()) {
        result.unconfirmed(r, e.getMessage());
      }
      return result.build();
    }
    if (!"Completed".equalsIgnoreCase(status)) {
      log.warn(
          "dotdigital removal {} (batch {} of segment '{}') ended with status {}",
          jobId,
          part.sequence(),
          part.segment(),
          status.matches("[A-Za-z]{1,40}") ? status : "unrecognised");
      for (ExportRecord r : part.records()) {
        result.reject(
            r,
            RejectionReason.VENDOR_REJECTED,
            status,
            "dotdigital's removal from the address book ended "
                + "with status "
                + status
                + "; the contact may still be in it");
      }
    }
    return result.count("dotdigital.removals", 1).build();
  }

  /**
   * Polls {@code GET /v2/contacts/deletion/{id}} until the job is no longer {@code Started}, backing off
   * from {@link ImportPoller#FIRST_POLL} to {@link ImportPoller#MAX_POLL_INTERVAL}, for at most the import
   * timeout.
   *
   * @return the job's final status ({@code Completed}, {@code Failed}, ...)
   * @throws OutcomeUnknownException if its status cannot be read or it does not end in time
   */
  private String pollRemoval(String jobId) {
    HttpUrl url =
        DotdigitalConnector.url(endpoint, "v2/contacts/deletion")
            .newBuilder()
            .addPathSegment(jobId)
            .build();
    long deadline = System.nanoTime() + importTimeout.toNanos();
    long delay = ImportPoller.FIRST_POLL.toNanos();
    while (true) {
      http.pause(Duration.ofNanos(delay), true);
      delay = Math.min(delay * 2, ImportPoller.MAX_POLL_INTERVAL.toNanos());
      HttpResponse r;
      try {
        r = http.execute(connector.get(url), DotdigitalConnector.spec("removal-status"));
      } catch (DestinationException e) {
        throw new OutcomeUnknownException(
            e.httpStatus(),
            "dotdigital removal "
                + jobId
                + " was accepted but its "
                + "status could not be read ("
                + e.getMessage()
                + "); whether the contact left the address book is unknown",
            e);
      }
      if (!r.isSuccessful()) {
        throw new OutcomeUnknownException(
            r.code(),
            "dotdigital removal "
                + jobId
                + " was accepted but its status could "
                + "not be read (HTTP "
                + r.code()
                + "); whether the contact left the address book is unknown",
            null);
      }
      String status = Json.string(Json.object(r.json()), "status");
      if (status != null && !status.isBlank() && !"Started".equalsIgnoreCase(status)) {
        return status;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new OutcomeUnknownException(
            0,
            "dotdigital removal "
                + jobId
                + " did not complete within "
                + importTimeout.toSeconds()
                + " s; whether the contact left the address book is unknown",
            null);
      }
    }
  }

  /** Finishes a removal job a crashed run left pending; empty when dotdigital no longer knows it. */
  private Optional<BatchResult> resumeRemoval(String jobId, Batch batch) {
    try {
      pollRemoval(jobId);
    } catch (OutcomeUnknownException e) {
      if (e.httpStatus() == 404) {
        return Optional.empty(); // the removal is sent again: it is idempotent
      }
      throw e;
    }
    return Optional.of(removalOutcome(batch, jobId));
  }

  // ---- submit --------------------------------------------------------------------------------

  /** An accepted import and how often it waited for an import slot. */
  private record Submitted(String importId, int slotWaits) {}

  /** A submitted import and its Finished report. */
  private record Imported(Submitted submitted, ImportReport report) {}

  /** The batch's import request body. */
  private RequestBody body(Batch batch) {
    return Json.body(
        batch.estimatedBytes(),
        w -> {
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
      // An import is an upsert keyed by e-mail: submitting it twice leaves the same contacts and
      // members.
      HttpResponse r =
          http.execute(
              connector.request(url).put(body).build(), DotdigitalConnector.spec("import"));
      if (r.code() == 429
          && DotdigitalErrors.TOO_MANY_ACTIVE_IMPORTS.equals(DotdigitalErrors.parse(r).code())) {
        if (System.nanoTime() - deadline > 0) {
          throw DotdigitalErrors.destination(
              r,
              "dotdigital still had its 25 imports active after "
                  + importTimeout.toSeconds()
                  + " s");
        }
        if (slotWaits++ == 0) {
          log.info(
              "dotdigital has 25 imports active: batch {} of segment '{}' waits for one to finish",
              batch.sequence(),
              batch.segment());
        }
        http.pause(
            Duration.ofNanos(delay), false); // wakes at once if the export stops: nothing was sent
        delay = Math.min(delay * 2, ImportPoller.MAX_POLL_INTERVAL.toNanos());
        continue;
      }
      if (!r.isSuccessful()) {
        throw DotdigitalErrors.destination(
            r, "dotdigital refused the import of " + batch.size() + " contacts");
      }
      String importId = Json.string(Json.object(r.json()), "importId");
      if (importId == null || importId.isBlank()) {
        throw new DestinationException(
            r.code(), null, null, "dotdigital accepted an import but sent no importId");
      }
      log.debug(
          "dotdigital import {} submitted: batch {} of segment '{}', {} contacts",
          importId,
          batch.sequence(),
          batch.segment(),
          batch.size());
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
    for (ExportRecord r : confirmed) {
      String id = report.contactId(r.email());
      if (id != null) {
        result.vendorId(r, id); // for removals by contact id
      }
    }
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
      result.reject(
          record,
          reason,
          code != null ? code : "unknown",
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
      // The report counts exactly as many suppressed contacts as it leaves unmentioned: these are
      // they.
      for (ExportRecord r : unmentioned) {
        result.reject(
            r,
            RejectionReason.SUPPRESSED,
            "globallySuppressed",
            "the import counted this contact as suppressed at account level (unsubscribed, bounced or complained); "
                + "it was not updated nor added to the address book");
      }
    } else {
      // The report does not say what became of these (it may count some suppressed without naming
      // them):
      // neither exported nor rejected, but unconfirmed.
      String why =
          "dotdigital's import report does not mention this contact"
              + (suppressedUnlisted > 0
                  ? " (it counted "
                      + suppressedUnlisted
                      + " suppressed contact(s) without naming them)"
                  : "")
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
      log.warn(
          "dotdigital import report for batch {} of segment '{}': {} failure(s) for contacts not in the batch, "
              + "{} contact(s) not reported",
          batch.sequence(),
          batch.segment(),
          unmatched,
          notReported);
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
    if (c.contains("suppress")
        || c.contains("bounce")
        || c.contains("complain")
        || c.contains("blocked")) {
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
