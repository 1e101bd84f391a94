package com.segmentexport.iterable;

import com.segmentexport.api.DestinationException;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.spi.AccountDirectory;
import com.segmentexport.spi.AddressChanges;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.JsonBodyWriter;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.RecordSchema;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.VendorHttp;
import com.segmentexport.spi.Verdict;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches to one static list with {@code POST /api/lists/subscribe}, which upserts each user
 * (e-mail as identifier, mapped fields as {@code dataFields}) and adds them to the list. Per-record
 * outcomes come from {@code failedUpdates.*} and the older top-level {@code invalidEmails}. Values
 * whose type clashes with the project's field type (read with {@code GET /api/users/getFields}, one
 * read shared by the exports of the JVM on the account while it is at most {@link
 * AccountDirectory#FRESHNESS} old, and learnt from {@code RequestFieldsTypesMismatched} answers' {@code params.validationErrors}) are
 * rejected per record and the rest sent together; a batch refused whole without naming a record of
 * it, or too large, is split until only the offending profiles are rejected.
 *
 * <p>A record whose profile Iterable knows under a {@linkplain ExportRecord#previousEmail() previous
 * address} first has its user's address changed ({@link IterableAddressChange}, email-based projects,
 * applied by {@link AddressChanges}), so that the subscribe updates the same user rather than adding a
 * second one.
 *
 * <p>{@link #remove(Batch)} takes users off this list only, with {@code POST /api/lists/unsubscribe} and
 * {@code channelUnsubscribe: false}.
 */
final class IterableDestination implements Destination {
  private static final Logger log = LoggerFactory.getLogger(IterableDestination.class);

  /** Iterable's accepted date-time format. */
  static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss xxx").withZone(ZoneOffset.UTC);

  /**
   * The first wait before subscribing again to a list Iterable does not yet accept ({@code
   * invalidListId}); each next wait doubles. Iterable does not say how long a new list takes to become
   * usable: a short first wait costs at most one more request, where a long one is paid by every
   * export to a new list, however quickly the list became usable.
   */
  static final Duration FRESH_LIST_FIRST_WAIT = Duration.ofMillis(25);

  /** How long a just-created list's {@code invalidListId} is waited out in all before a batch fails. */
  static final Duration FRESH_LIST_PATIENCE = Duration.ofMillis(7750);

  /**
   * The waits between a fresh list's refused subscribes: from {@link #FRESH_LIST_FIRST_WAIT}, doubling,
   * the last one cut so that they add up to {@link #FRESH_LIST_PATIENCE} (25, 50, 100, ... 3,200 and
   * 1,375 ms).
   */
  static final List<Duration> FRESH_LIST_WAITS = freshListWaits();

  /** How many subscribes a batch to a just-created list is sent at most: one more than the waits. */
  static final int FRESH_LIST_ATTEMPTS = FRESH_LIST_WAITS.size() + 1;

  /** The per-record failure keys of {@code failedUpdates}, for e-mail identified users. */
  private static final List<String> FAILURE_KEYS =
      List.of(
          "invalidEmails",
          "invalidDataEmails",
          "notFoundEmails",
          "forgottenEmails",
          "conflictEmails");

  /** Counter: users a removal named as not found: already off the list (or unknown), so counted removed. */
  static final String REMOVAL_NOT_ON_LIST = "removal.notOnList";

  private record Field(MappedField field, String name) {}

  private final IterableConnector connector;
  private final VendorHttp http;
  private final long listId;
  private final List<Field> fields;
  private final boolean updateExistingUsersOnly;
  private final AddressChanges addressChanges;

  /** Text Iterable takes as a date: {@code yyyy-MM-dd}, optionally {@code HH:mm:ss +00:00}. */
  private static final java.util.regex.Pattern ITERABLE_DATE =
      java.util.regex.Pattern.compile(
          "\\d{4}-\\d{2}-\\d{2}( \\d{2}:\\d{2}:\\d{2} [+-]\\d{2}:\\d{2})?");

  /** The field types whose values this code can tell apart. */
  private static final java.util.Set<String> KNOWN_TYPES =
      java.util.Set.of("string", "keyword", "long", "double", "boolean", "date");

  /** The mapped fields' types in the project: null until read (on the first batch). */
  private volatile Map<String, String> fieldTypes;

  /**
   * Whether the list is new (this export created it, or Iterable says it was created moments ago) and
   * not yet known to be usable: invalidListId is then waited out.
   */
  private volatile boolean fresh;

  /** Tells the account's directory that Iterable no longer knows the list (so it is read again). */
  private final Runnable listGone;

  /** The account directory's catalog holding the project's field types under one name. */
  private final AccountDirectory.Catalog<Map<String, String>> projectFields;

  IterableDestination(
      IterableConnector connector,
      VendorHttp http,
      long listId,
      boolean isNew,
      RecordSchema schema,
      boolean updateExistingUsersOnly,
      Runnable listGone,
      AccountDirectory.Catalog<Map<String, String>> projectFields) {
    this.connector = connector;
    this.listGone = listGone;
    this.projectFields = projectFields;
    this.http = http;
    this.listId = listId;
    this.fresh = isNew;
    this.updateExistingUsersOnly = updateExistingUsersOnly;
    this.addressChanges =
        new AddressChanges(
            new IterableAddressChange(connector, http),
            "Iterable",
            "list " + listId,
            "user",
            "subscribed");
    List<Field> f = new ArrayList<>();
    for (MappedField m : schema.fields()) {
      if (m.index() != 0) {
        f.add(new Field(m, IterableConnectorProvider.dataFieldName(m.name(), m.custom())));
      }
    }
    this.fields = List.copyOf(f);
  }

  @Override
  public String id() {
    return Long.toString(listId);
  }

  @Override
  public BatchResult write(Batch batch) {
    Map<String, String> types = projectFieldTypes();
    BatchResult.Builder result = BatchResult.builder(batch);
    List<ExportRecord> rest =
        types.isEmpty() ? batch.records() : withoutClashes(batch, types, result, "the project's");
    rest = addressChanges.apply(batch, rest, result);
    if (rest.size() == batch.size()) {
      return result.merge(send(batch)).build();
    }
    if (!rest.isEmpty()) {
      result.merge(send(subBatch(batch, rest)));
    }
    return result.build();
  }

  /**
   * Removes the batch's users from this list, and from this list only, with {@code POST /api/lists/unsubscribe}
   * and {@code channelUnsubscribe: false} (true would be a channel, essentially global, unsubscribe). No
   * {@code campaignId}: the removal is not a campaign's unsubscribe. A user Iterable names in {@code
   * failedUpdates.notFoundEmails} is not on the list (or not in the project): it counts as removed, as
   * RudderStack reads it; a non-member Iterable counts a success is removed too. Any other per-record
   * failure rejects that record; failures Iterable counts but does not name leave the unnamed records
   * unconfirmed. Repeating the request leaves the same users off the list, so it is idempotent.
   */
  @Override
  public BatchResult remove(Batch batch) {
    if (batch.size() == 0) {
      return BatchResult.allExported(batch);
    }
    HttpResponse r =
        http.execute(
            connector.request("api/lists/unsubscribe").post(removalBody(batch)).build(),
            IterableConnector.idempotent("list-unsubscribe"));
    if (r.isSuccessful()) {
      return removalOutcome(batch, r);
    }
    VendorError e = IterableErrors.parse(r);
    if ((r.code() == 413 || e.code().equals("BatchTooLarge")) && batch.size() > 1) {
      log.debug(
          "Iterable: splitting removal batch {} of segment '{}' ({} users): {}",
          batch.sequence(),
          batch.segment(),
          batch.size(),
          e.code());
      BatchResult.Builder result = BatchResult.builder(batch);
      for (Batch half : batch.halves()) {
        result.merge(remove(half));
      }
      return result.count("iterable.splits", 1).build();
    }
    throw IterableErrors.destination(
        r, "Iterable refused to remove " + batch.size() + " users from list " + listId);
  }

  private RequestBody removalBody(Batch batch) {
    return Json.body(
        64L * batch.size() + 128,
        w -> {
          w.beginObject();
          w.name("listId").value(listId);
          w.name("subscribers").beginArray();
          for (ExportRecord r : batch.records()) {
            w.beginObject().name("email").value(r.email()).endObject();
          }
          w.endArray();
          w.name("channelUnsubscribe").value(false);
          w.endObject();
        });
  }

  /** Turns a 200 answer to {@code lists/unsubscribe} into per-record outcomes. */
  private BatchResult removalOutcome(Batch batch, HttpResponse r) {
    Map<String, Object> body = Json.object(r.json());
    BatchResult.Builder result = BatchResult.builder(batch);
    Map<String, Object> failed = Json.object(body.get("failedUpdates"));
    long notFound = 0;
    long unmatched = 0;
    for (Object o : Json.array(failed.get("notFoundEmails"))) {
      if (o instanceof String && batch.byEmail((String) o) != null) {
        notFound++; // off the list already (or no such user): removed
      } else {
        unmatched++;
      }
    }
    for (String key : FAILURE_KEYS) {
      if (!key.equals("notFoundEmails")) {
        unmatched += rejectRemoval(batch, result, key, failed.get(key));
      }
    }
    unmatched += rejectRemoval(batch, result, "invalidEmails", body.get("invalidEmails"));
    if (notFound > 0) {
      result.count(REMOVAL_NOT_ON_LIST, notFound);
    }
    long named = notFound + result.build().rejections().size();
    long failCount = Json.number(body, "failCount", 0);
    if (unmatched > 0 || failCount > named) {
      log.warn(
          "Iterable's answer to removal batch {} of segment '{}': failCount {}, {} user(s) named, {} "
              + "identifier(s) not in the batch",
          batch.sequence(),
          batch.segment(),
          failCount,
          named,
          unmatched);
    }
    if (failCount > named) {
      String why =
          "Iterable reported "
              + failCount
              + " failure(s) in this removal but named only "
              + named
              + "; whether this user left the list is unknown";
      for (ExportRecord record : batch.records()) {
        if (!result.isRejected(record) && !notFound(failed, record)) {
          result.unconfirmed(record, why);
        }
      }
    }
    return result.build();
  }

  private static boolean notFound(Map<String, Object> failed, ExportRecord record) {
    for (Object o : Json.array(failed.get("notFoundEmails"))) {
      if (o instanceof String && ((String) o).trim().equalsIgnoreCase(record.email())) {
        return true;
      }
    }
    return false;
  }

  private static long rejectRemoval(
      Batch batch, BatchResult.Builder result, String key, Object emails) {
    long unmatched = 0;
    for (Object o : Json.array(emails)) {
      ExportRecord record = o instanceof String ? batch.byEmail((String) o) : null;
      if (record == null) {
        unmatched++;
      } else {
        result.reject(record, reasonFor(key), key, removalMessageFor(key));
      }
    }
    return unmatched;
  }

  private static String removalMessageFor(String key) {
    switch (key) {
      case "invalidEmails":
        return "Iterable considers the e-mail address invalid; the user was not removed from the list";
      case "forgottenEmails":
        return "the user was forgotten at their request (GDPR); Iterable did not confirm the removal";
      case "conflictEmails":
        return "the e-mail address conflicts with another Iterable user's identity; the user was not removed";
      default:
        return "Iterable refused to remove this user from the list";
    }
  }

  /** Sends a batch whose values fit the project's known field types. */
  private BatchResult send(Batch batch) {
    RequestBody body = body(batch);
    try {
      if (body.contentLength() > IterableConnectorProvider.MAX_BODY_BYTES && batch.size() > 1) {
        return split(batch, "the request would exceed 4 MB");
      }
    } catch (IOException e) {
      throw new DestinationException("could not size the subscribe request", e);
    }
    Subscribed subscribed = subscribe(body);
    HttpResponse r = subscribed.response();
    if (r.isSuccessful()) {
      fresh = false;
      return outcome(batch, r);
    }
    VendorError e = IterableErrors.parse(r);
    boolean tooLarge = r.code() == 413 || e.code().equals("BatchTooLarge");
    if (e.code().equals(IterableErrors.TYPES_MISMATCHED)) {
      // The answer names the offending fields and their types: reject the records whose value for
      // one of
      // them has another type and send the rest together. Only when it names none of the batch's
      // records
      // is the batch split to find them.
      Map<String, String> expected = IterableErrors.expectedTypes(r);
      BatchResult.Builder refused = BatchResult.builder(batch);
      List<ExportRecord> rest = withoutClashes(batch, expected, refused, "Iterable's");
      if (rest.size() < batch.size()) {
        remember(expected);
        if (!rest.isEmpty()) {
          refused.merge(send(subBatch(batch, rest)));
        }
        return refused.count("iterable.typeClashResends", rest.isEmpty() ? 0 : 1).build();
      }
    }
    if (e.code().equals(IterableErrors.TYPES_MISMATCHED) || tooLarge) {
      if (batch.size() > 1) {
        return split(batch, e.code());
      }
      if (!tooLarge) {
        return BatchResult.builder(batch)
            .reject(batch.records().get(0), RejectionReason.INVALID_VALUE, e.code(), e.message())
            .build();
      }
    }
    if (IterableErrors.invalidListId(e)) {
      listGone.run(); // deleted at Iterable since it was looked up: the next export reads the lists
    }
    if (subscribed.waited() != null && IterableErrors.invalidListId(e)) {
      // The message every profile of the batch is rejected with says why, beside Iterable's own.
      String why =
          "list "
              + listId
              + " was just created and Iterable still refused it after "
              + FRESH_LIST_ATTEMPTS
              + " attempts over "
              + subscribed.waited().toMillis()
              + " ms of waiting; a new "
              + "list can take longer to become usable: export again later";
      throw new DestinationException(
          r.code(),
          e.code(),
          e.message() + " (" + why + ")",
          "Iterable refused to subscribe "
              + batch.size()
              + " users: "
              + why
              + " (HTTP "
              + r.code()
              + " "
              + e.code()
              + ": "
              + e.message()
              + ")");
    }
    throw IterableErrors.destination(
        r, "Iterable refused to subscribe " + batch.size() + " users to list " + listId);
  }

  /**
   * A subscribe's final answer, and how long a just-created list's refusals were waited out before it
   * (null when none was: the list was not fresh, or the answer is not such a refusal).
   */
  private record Subscribed(HttpResponse response, Duration waited) {}

  /** Subscribes, waiting out {@code invalidListId} while the list is fresh. */
  private Subscribed subscribe(RequestBody body) {
    // Read once, before the first send: another batch's success while this one is refused does not
    // make the refusal final (Iterable's servers learn of a new list at different times).
    boolean sentToFreshList = fresh;
    Duration waited = Duration.ZERO;
    for (int attempt = 1; ; attempt++) {
      // Subscribe is an upsert keyed by e-mail: repeating it leaves the same users and members.
      HttpResponse r =
          http.execute(
              connector.request("api/lists/subscribe").post(body).build(),
              IterableConnector.idempotent("subscribe"));
      if (r.code() != 400
          || !sentToFreshList
          || !IterableErrors.invalidListId(IterableErrors.parse(r))) {
        return new Subscribed(r, null);
      }
      if (attempt >= FRESH_LIST_ATTEMPTS) {
        return new Subscribed(r, waited);
      }
      Duration wait = FRESH_LIST_WAITS.get(attempt - 1);
      log.debug(
          "Iterable list {} is not usable yet (invalidListId); retrying in {} ms",
          listId,
          wait.toMillis());
      http.pause(wait, false);
      waited = waited.plus(wait);
    }
  }

  /** {@link #FRESH_LIST_WAITS}: doubling from the first wait, the last cut to the patience's end. */
  static List<Duration> freshListWaits() {
    List<Duration> waits = new ArrayList<>();
    Duration total = Duration.ZERO;
    for (Duration w = FRESH_LIST_FIRST_WAIT;
        total.compareTo(FRESH_LIST_PATIENCE) < 0;
        w = w.multipliedBy(2)) {
      Duration next =
          w.compareTo(FRESH_LIST_PATIENCE.minus(total)) < 0 ? w : FRESH_LIST_PATIENCE.minus(total);
      waits.add(next);
      total = total.plus(next);
    }
    return List.copyOf(waits);
  }

  /** Writes both halves and merges their outcomes. */
  private BatchResult split(Batch batch, String why) {
    log.debug(
        "Iterable: splitting batch {} of segment '{}' ({} users): {}",
        batch.sequence(),
        batch.segment(),
        batch.size(),
        why);
    BatchResult.Builder result = BatchResult.builder(batch);
    for (Batch half : batch.halves()) {
      result.merge(send(half));
    }
    return result.count("iterable.splits", 1).build();
  }

  /** The directory's catalog of the project's field types, all under this one name. */
  static final String PROJECT_FIELDS = "iterable.project-field-types";

  /**
   * The mapped fields' types in the project (from {@code GET /api/users/getFields}, on the first batch),
   * with those learnt from type clashes since; empty if Iterable did not answer with them (the clashes
   * are then found by the subscribe answers alone).
   *
   * <p>The read is the account's, through its {@link AccountDirectory}: the exports of a JVM starting
   * together share one, and take one at most {@link AccountDirectory#FRESHNESS} old. An older read can
   * only miss a field created since, or a type Iterable fixed since: Iterable never changes a field's
   * type once set, and a clash the read did not foresee is found from the subscribe answer, as without
   * any read.
   */
  private Map<String, String> projectFieldTypes() {
    Map<String, String> known = fieldTypes;
    if (known != null) {
      return known;
    }
    synchronized (this) {
      if (fieldTypes == null && fields.isEmpty()) {
        fieldTypes = Map.of(); // nothing but the e-mail: no data field to check
      } else if (fieldTypes == null) {
        Map<String, String> all =
            projectFields
                .find(PROJECT_FIELDS, () -> Map.of(PROJECT_FIELDS, readProjectFieldTypes()))
                .orElse(Map.of());
        Map<String, String> types = new HashMap<>();
        for (Field f : fields) {
          String type = all.get(f.name());
          if (type != null) {
            types.put(f.name(), type);
          }
        }
        fieldTypes = Map.copyOf(types);
      }
      return fieldTypes;
    }
  }

  /**
   * Every field type of the project ({@code GET /api/users/getFields}); empty if Iterable did not answer
   * with them. Optional: a key without the right to read fields (401/403) or a failing read leaves the
   * clashes to the subscribe answers rather than failing the export.
   */
  private Map<String, String> readProjectFieldTypes() {
    try {
      HttpResponse r =
          http.execute(
              connector.request("api/users/getFields").get().build(),
              IterableConnector.idempotent("get-fields")
                  .classifiedBy(
                      IterableErrors.CLASSIFIER.or(
                          a -> a.code() == 401 || a.code() == 403 ? Verdict.accept() : null)));
      if (r.isSuccessful()) {
        return fieldTypesOf(Json.object(r.json()).get("fields"));
      }
      log.debug(
          "Iterable list {}: the project's field types could not be read (HTTP {}); type clashes are "
              + "found from subscribe answers",
          listId,
          r.code());
    } catch (DestinationException e) {
      log.debug(
          "Iterable list {}: the project's field types could not be read ({}); type clashes are found "
              + "from subscribe answers",
          listId,
          e.getMessage());
    }
    return Map.of();
  }

  /** Adds types learnt from a clash to those known (a new map: readers take it without the lock). */
  private synchronized void remember(Map<String, String> types) {
    Map<String, String> merged = new HashMap<>(fieldTypes == null ? Map.of() : fieldTypes);
    merged.putAll(types);
    fieldTypes = Map.copyOf(merged);
  }

  /** Every field's type from a {@code fields} object (fields whose type is not text left out). */
  private static Map<String, String> fieldTypesOf(Object fieldsObject) {
    Map<String, String> types = new HashMap<>();
    Json.object(fieldsObject)
        .forEach(
            (name, type) -> {
              if (type instanceof String) {
                types.put(name, (String) type);
              }
            });
    return Map.copyOf(types);
  }

  /**
   * Rejects each record of the batch holding a value whose type clashes with the field's type in
   * {@code types}, and returns the others.
   *
   * @param whose whose types they are, for the message ("the project's", "Iterable's")
   */
  private List<ExportRecord> withoutClashes(
      Batch batch, Map<String, String> types, BatchResult.Builder result, String whose) {
    List<ExportRecord> rest = new ArrayList<>(batch.size());
    for (ExportRecord record : batch.records()) {
      String clash = null;
      for (Field f : fields) {
        String expected = types.get(f.name());
        Object v = expected == null ? null : record.value(f.field());
        if (v == null || (v instanceof String && ((String) v).isEmpty())) {
          continue;
        }
        String incoming = typeOf(v);
        if (!compatible(expected, incoming)) {
          clash =
              "data field '"
                  + f.name()
                  + "' has the type "
                  + expected
                  + " in "
                  + whose
                  + " project; this "
                  + "profile's value is a "
                  + incoming;
          break;
        }
      }
      if (clash == null) {
        rest.add(record);
      } else {
        result.reject(
            record, RejectionReason.INVALID_VALUE, IterableErrors.TYPES_MISMATCHED, clash);
      }
    }
    return rest;
  }

  /** The Iterable type of a value as it is sent: long, double, boolean, date or string. */
  static String typeOf(Object v) {
    if (v instanceof Boolean) {
      return "boolean";
    }
    if (v instanceof BigDecimal) {
      BigDecimal d = (BigDecimal) v;
      return d.signum() == 0 || d.stripTrailingZeros().scale() <= 0 ? "long" : "double";
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return "long";
    }
    if (v instanceof Number) {
      double d = ((Number) v).doubleValue();
      return d == Math.rint(d) ? "long" : "double";
    }
    if (v instanceof Instant || v instanceof LocalDate) {
      return "date";
    }
    if (v instanceof String && ITERABLE_DATE.matcher((String) v).matches()) {
      return "date";
    }
    return "string";
  }

  /**
   * Whether Iterable takes a value of type {@code incoming} into a field of type {@code expected}: the
   * same type, a whole number into a decimal field, a date-like text into a text field; a type this
   * code does not know ({@code object}, {@code geo_location}, ...) is left to Iterable.
   */
  static boolean compatible(String expected, String incoming) {
    String e = expected.toLowerCase(java.util.Locale.ROOT);
    if (!KNOWN_TYPES.contains(e)) {
      return true;
    }
    return e.equals(incoming)
        || (e.equals("double") && incoming.equals("long"))
        || ((e.equals("string") || e.equals("keyword"))
            && (incoming.equals("string") || incoming.equals("date")));
  }

  private static Batch subBatch(Batch batch, List<ExportRecord> records) {
    long bytes = batch.estimatedBytes() * records.size() / Math.max(1, batch.size()) + 1;
    return batch.withRecords(records, bytes);
  }

  private RequestBody body(Batch batch) {
    return Json.body(
        batch.estimatedBytes(),
        w -> {
          w.beginObject();
          w.name("listId").value(listId);
          w.name("subscribers").beginArray();
          for (ExportRecord r : batch.records()) {
            writeSubscriber(w, r);
          }
          w.endArray();
          w.name("updateExistingUsersOnly").value(updateExistingUsersOnly);
          w.endObject();
        });
  }

  private void writeSubscriber(JsonBodyWriter w, ExportRecord r) {
    w.beginObject();
    w.name("email").value(r.email());
    boolean open = false;
    for (Field f : fields) {
      Object v = r.value(f.field());
      if (v == null || (v instanceof String && ((String) v).isEmpty())) {
        continue;
      }
      if (!open) {
        w.name("dataFields").beginObject();
        open = true;
      }
      w.name(f.name());
      writeValue(w, v);
    }
    if (open) {
      w.endObject();
    }
    w.endObject();
  }

  /** Writes a value: instants in Iterable's date format, dates as {@code yyyy-MM-dd}, the rest as JSON. */
  static void writeValue(JsonBodyWriter w, Object v) {
    if (v instanceof Instant) {
      w.value(DATE_TIME.format((Instant) v));
    } else if (v instanceof BigDecimal) {
      w.value((BigDecimal) v);
    } else {
      Json.writeValue(w, v);
    }
  }

  /** Turns a 200 answer into per-record outcomes; e-mails are matched case-insensitively. */
  private BatchResult outcome(Batch batch, HttpResponse r) {
    Map<String, Object> body = Json.object(r.json());
    BatchResult.Builder result = BatchResult.builder(batch);
    Map<String, Object> failed = Json.object(body.get("failedUpdates"));
    long unmatched = 0;
    for (String key : FAILURE_KEYS) {
      unmatched += reject(batch, result, key, failed.get(key));
    }
    // The older generation of the answer: top-level lists, deprecated in favour of failedUpdates.
    unmatched += reject(batch, result, "invalidEmails", body.get("invalidEmails"));
    long failCount = Json.number(body, "failCount", 0);
    long rejected = result.build().rejections().size();
    if (unmatched > 0 || failCount > rejected) {
      log.warn(
          "Iterable's answer for batch {} of segment '{}': failCount {}, {} rejection(s) matched, {} "
              + "identifier(s) not in the batch",
          batch.sequence(),
          batch.segment(),
          failCount,
          rejected,
          unmatched);
    }
    if (failCount > rejected) {
      // Iterable failed records it did not name (the older answer lists only invalid e-mails and
      // user
      // ids): which of the others were subscribed is unknown, so none of them counts as exported.
      String why =
          "Iterable reported "
              + failCount
              + " failure(s) in this request but named only "
              + rejected
              + "; whether this record was subscribed is unknown";
      for (ExportRecord record : batch.records()) {
        if (!result.isRejected(record)) {
          result.unconfirmed(record, why);
        }
      }
    }
    return result.build();
  }

  private static long reject(Batch batch, BatchResult.Builder result, String key, Object emails) {
    long unmatched = 0;
    for (Object o : Json.array(emails)) {
      ExportRecord record = o instanceof String ? batch.byEmail((String) o) : null;
      if (record == null) {
        unmatched++;
      } else {
        result.reject(record, reasonFor(key), key, messageFor(key));
      }
    }
    return unmatched;
  }

  /** Our reason for a {@code failedUpdates} key. */
  static RejectionReason reasonFor(String key) {
    switch (key) {
      case "invalidEmails":
        return RejectionReason.INVALID_EMAIL;
      case "invalidDataEmails":
        return RejectionReason.INVALID_VALUE;
      default:
        return RejectionReason.VENDOR_REJECTED;
    }
  }

  private static String messageFor(String key) {
    switch (key) {
      case "invalidEmails":
        return "Iterable considers the e-mail address invalid";
      case "invalidDataEmails":
        return "Iterable refused a value in the user's dataFields";
      case "notFoundEmails":
        return "the user does not exist in Iterable (updateExistingUsersOnly)";
      case "forgottenEmails":
        return "the user was forgotten at their request (GDPR); Iterable does not recreate them";
      case "conflictEmails":
        return "the e-mail address conflicts with another Iterable user's identity";
      default:
        return "Iterable refused this user";
    }
  }
}
