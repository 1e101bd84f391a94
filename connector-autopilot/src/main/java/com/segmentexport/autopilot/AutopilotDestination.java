package com.segmentexport.autopilot;

import com.segmentexport.api.RejectionReason;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.ExportCancelledException;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.JsonBodyWriter;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.RecordSchema;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.VendorHttp;
import com.squareup.moshi.JsonReader;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import okhttp3.RequestBody;
import okio.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches to one list: one {@code POST /v1/contacts} per batch with {@code _autopilot_list} on
 * every contact, then a membership check shared by a group of batches. Whether Autopilot adds
 * existing contacts to the list through {@code _autopilot_list} is not documented, so before the first
 * batch the list's members are read (100 a page), and after a group of upserts its
 * {@code total_contacts}: when it grew by the number of upserted contacts that were not members yet,
 * every one of them joined. Members and upserted contacts are compared by the contact id of the member
 * pages and of the upsert answer's {@code email_contact_map}, so that an address differing in case from
 * a member's is what Autopilot made of it (the same contact or another). When the count falls short,
 * the cheapest way finds the missing ones: reading the members listed after the last one read (those
 * that joined since, where Autopilot lists members in the order they joined; kept only when they add up
 * to the count, else the whole list is read again), a call per 100, when that takes fewer calls than
 * the joining contacts; else checking each ({@code GET /v1/list/{id}/contact/{email}}, left out when
 * none of the group joined). The missing are added one by one
 * ({@code POST /v1/list/{id}/contact/{email}}), the only list add Autopilot has.
 *
 * <p>Group confirmation, like a database's group commit: each answered upsert joins the current group,
 * and a count read belongs to known upserts because it goes only while none is unanswered. Up to
 * {@code maxConcurrentUpserts} upserts are unanswered at once (so that an answer slower than the rate's
 * spacing does not slow the export), and none goes while a count read does. The worker whose answer
 * leaves none unanswered, while no other worker is about to upsert or the group holds
 * {@code maxConcurrentBatches} batches, reads the count once for the whole group (and runs the fallback
 * over the whole group's joining contacts, each failure on its own batch), holding the lock. The
 * other workers of the group wait outside the lock and then return their own batch's result, so no
 * result counts a contact before its membership is confirmed. A failure of the count read or the
 * fallback reaches every batch of the group. With {@code maxConcurrentBatches} 1 every group is one
 * batch: an upsert and a count read per batch.
 */
final class AutopilotDestination implements Destination {
  private static final Logger log = LoggerFactory.getLogger(AutopilotDestination.class);
  /**
   * Counter: joining contacts the list's count did not confirm, checked in a re-read of the members or
   * one by one.
   */
  static final String MEMBERSHIP_CHECKS = "autopilot.membershipChecks";
  /** Counter: contacts the list did not receive through {@code _autopilot_list}, added one by one. */
  static final String LIST_ADDS = "autopilot.listAdds";
  /** Counter: member pages re-read because the list's count did not confirm a group. */
  static final String MEMBER_PAGES = "autopilot.memberPagesReread";
  /** Members in one page of {@code GET /v1/list/{id}/contacts}. */
  static final int PAGE = 100;
  /** Our code for a contact the upsert answer does not map to a contact id. */
  static final String NOT_MAPPED = "not_in_email_contact_map";

  private final AutopilotConnector connector;
  private final VendorHttp http;
  private final String listId;
  private final List<MappedField> fields;
  /** Each custom field's typed key ({@code string--Loyalty--Tier}), worked out once, not per contact. */
  private final String[] customKeys;
  private final int maxGroup;
  private final int maxUpserts;
  /** Workers that entered {@link #write} and have not finished their upsert; counted outside the lock. */
  private final AtomicInteger upserting = new AtomicInteger();
  /** Guards the fields below; held for member reads, count reads and their fallback, never for an upsert. */
  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when an upsert may go: one was answered, or a group closed. */
  private final Condition turn = lock.newCondition();
  /** Upserts sent and not yet recorded in a group. A count read waits until there are none. */
  private int unanswered;
  private long expectedMembers = -1;
  private MemberSet knownMembers;
  /** The id of the last member of the last members read, after which later joiners are listed; or null. */
  private String tailBookmark;
  /** The list's count at the last members read. */
  private long membersAtTail;
  private Group current = new Group();

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
    this.maxGroup = connector.limits().maxConcurrentBatches();
    this.maxUpserts = Math.min(connector.maxConcurrentUpserts(), maxGroup);
  }

  @Override
  public String id() {
    return listId;
  }

  @Override
  public BatchResult write(Batch batch) {
    upserting.incrementAndGet();
    boolean sent = false;
    try {
      // Written before waiting for a turn: the body is ready when an upsert may go.
      RequestBody body = body(batch);
      lock.lock();
      try {
        awaitTurn();
        if (knownMembers == null) {
          readMembers(); // no upsert is unanswered before the members are known
        }
        unanswered++;
      } finally {
        lock.unlock();
      }
      sent = true;
      Upserted upserted;
      try {
        upserted = upsert(batch, body); // outside the lock: up to maxUpserts at once
      } catch (RuntimeException | Error e) {
        finish(null);
        throw e;
      }
      return finish(upserted).await(upserted);
    } finally {
      if (!sent) { // failed before its upsert went (the body, the members read, an interrupt)
        lock.lock();
        try {
          upserting.decrementAndGet();
          closeIfDue(); // a group may be waiting for this worker's upsert
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /**
   * Waits, holding the lock, until an upsert may go: fewer than {@code maxUpserts} are unanswered, and
   * the current group has room for it beside those that are.
   */
  private void awaitTurn() {
    while (unanswered >= maxUpserts || current.batches.size() + unanswered >= maxGroup) {
      try {
        turn.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ExportCancelledException("interrupted while waiting to upsert into Autopilot's list", false);
      }
    }
  }

  /**
   * Records an answered upsert (null: it failed) in the current group, and closes the group if it is
   * due; returns the group.
   */
  private Group finish(Upserted upserted) {
    lock.lock();
    try {
      unanswered--;
      upserting.decrementAndGet();
      Group group = current;
      if (upserted != null) {
        group.batches.add(upserted);
      }
      closeIfDue();
      turn.signal(); // this upsert's turn is free
      return group;
    } finally {
      lock.unlock();
    }
  }

  /** Upserts a batch; returns its result so far and its contacts that were not members yet. */
  private Upserted upsert(Batch batch, RequestBody body) {
    HttpResponse r = http.execute(connector.request(connector.url("contacts")).post(body).build(),
        AutopilotConnector.spec("upsert", true)); // an upsert by e-mail: replays are harmless
    if (!r.isSuccessful()) {
      throw AutopilotErrors.destination(r, "Autopilot refused the upsert of " + batch.size() + " contacts");
    }
    Map<String, String> mapped = mappedContacts(r.body());
    Upserted upserted = new Upserted(BatchResult.builder(batch), new ArrayList<>());
    for (ExportRecord record : batch.records()) {
      String address = MemberSet.normalise(record.email());
      if (!mapped.containsKey(address)) {
        upserted.result().reject(record, RejectionReason.VENDOR_REJECTED, NOT_MAPPED,
            "Autopilot's upsert answer has no contact id for this address (absent from email_contact_map)");
        continue;
      }
      long key = MemberSet.key(mapped.get(address), address);
      if (!knownMembers.containsKey(key)) { // changed only while no upsert is unanswered
        upserted.joining().add(new Joining(record, key));
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

  /**
   * Confirms and completes the current group if no other worker is about to upsert into it or it is
   * full. Holds the lock. Never throws: the group's outcome, failure included, goes to its batches.
   */
  private void closeIfDue() {
    Group group = current;
    if (group.batches.isEmpty() || unanswered > 0
        || (upserting.get() > 0 && group.batches.size() < maxGroup)) {
      return;
    }
    current = new Group();
    turn.signalAll(); // a new group: workers waiting for room in the last one may go
    try {
      confirmMembership(group.batches);
      group.done.complete(null);
    } catch (Throwable t) { // an Error too: the group's waiting workers must not wait forever
      group.done.completeExceptionally(t);
    }
  }

  private void confirmMembership(List<Upserted> batches) {
    Set<Long> distinct = new HashSet<>();
    for (Upserted batch : batches) {
      batch.joining().forEach(j -> distinct.add(j.key()));
    }
    long members = memberCount();
    if (members - expectedMembers == distinct.size()) {
      knownMembers = knownMembers.with(distinct);
      expectedMembers = members;
      return;
    }
    // Some did not join (or the list changed otherwise): find out which, at the lowest cost of reading
    // the members added since the last read (the pages after its last member, when that read accounts for
    // every member), re-reading the whole list (a call per 100 members) or asking for each joining contact.
    long fullPages = Math.max(1, (members + PAGE - 1) / PAGE);
    long tailPages = tailBookmark == null ? Long.MAX_VALUE
        : Math.max(1, (Math.max(0, members - membersAtTail) + PAGE - 1) / PAGE);
    boolean reread = Math.min(tailPages, fullPages) < distinct.size();
    if (reread) {
      long pages = 0;
      boolean known = false;
      if (tailPages < fullPages) {
        long tail = readTail();
        known = tail >= 0;
        pages += known ? tail : -1 - tail;
      }
      if (!known) {
        pages += readMembers();
      }
      batches.get(0).result().count(MEMBER_PAGES, pages);
    }
    // None joined through the upsert: a check per contact would find each missing, so add at once (adding
    // a member again changes nothing).
    boolean addAtOnce = !reread && members - expectedMembers <= 0;
    long added = 0;
    Set<Long> confirmed = new HashSet<>();
    for (Upserted batch : batches) {
      long addedHere = 0;
      long checkedHere = 0;
      for (Joining joining : batch.joining()) {
        if (confirmed.contains(joining.key())) {
          continue; // the same contact twice in the group (two addresses Autopilot takes as one)
        }
        ExportRecord record = joining.record();
        HttpUrl url = memberUrl(record);
        checkedHere++;
        if (reread) {
          if (knownMembers.containsKey(joining.key())) {
            continue;
          }
        } else if (!addAtOnce) {
          HttpResponse check = http.execute(connector.request(url).get().build(),
              AutopilotConnector.spec("is-member", true));
          if (check.isSuccessful()) {
            confirmed.add(joining.key());
            continue;
          }
        }
        HttpResponse add = http.execute(connector.request(url).post(RequestBody.create(new byte[0], Json.MEDIA_TYPE))
            .build(), AutopilotConnector.spec("add-to-list", true)); // adding a member again changes nothing
        if (add.isSuccessful()) {
          addedHere++;
          confirmed.add(joining.key());
        } else {
          VendorError e = AutopilotErrors.parse(add);
          batch.result().reject(record, RejectionReason.VENDOR_REJECTED, e.code(), e.message());
        }
      }
      batch.result().count(MEMBERSHIP_CHECKS, checkedHere).count(LIST_ADDS, addedHere);
      added += addedHere;
    }
    log.debug("autopilot list {}: {} joining contact(s) of {} batch(es) not confirmed by the count; {}, {} added",
        listId, distinct.size(), batches.size(), reread ? "the members read again"
            : addAtOnce ? "none checked" : "each checked", added);
    if (reread) {
      expectedMembers += added; // the re-read set it; adds by an earlier duplicate change nothing more
    } else {
      expectedMembers = members + added;
    }
    knownMembers = knownMembers.with(confirmed);
  }

  /** An upserted contact that was not a member: its record and its {@linkplain MemberSet#key key}. */
  private record Joining(ExportRecord record, long key) {}

  /** An upserted batch awaiting confirmation: its result so far, and its contacts that were not members. */
  private record Upserted(BatchResult.Builder result, List<Joining> joining) {}

  /** Upserted batches confirmed by one count read; completed by the worker that closes it. */
  private static final class Group {
    final List<Upserted> batches = new ArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();

    /** Waits (outside the destination's lock) for the group's confirmation; returns this batch's result. */
    BatchResult await(Upserted upserted) {
      try {
        done.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ExportCancelledException("interrupted while Autopilot's list membership was confirmed", true);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof ExportCancelledException) {
          throw new ExportCancelledException(cause.getMessage(), true); // the upsert was applied
        }
        if (cause instanceof RuntimeException) {
          throw (RuntimeException) cause;
        }
        if (cause instanceof Error) {
          throw (Error) cause;
        }
        throw new IllegalStateException(cause);
      }
      return upserted.result().build();
    }
  }

  private long memberCount() {
    return totalContacts(membersPage(null));
  }

  /**
   * The {@code total_contacts} of a members page, or 0 when the answer has none (so that every joining
   * contact is checked one by one). Read as a stream: once per group, under the list's lock, and the
   * page's 100 contacts are skipped rather than built into maps.
   */
  static long totalContacts(byte[] json) {
    if (json.length == 0) {
      return 0;
    }
    try (JsonReader reader = JsonReader.of(new Buffer().write(json))) {
      reader.setLenient(true);
      if (reader.peek() != JsonReader.Token.BEGIN_OBJECT) {
        return 0;
      }
      reader.beginObject();
      while (reader.hasNext()) {
        if (!reader.nextName().equals("total_contacts")) {
          reader.skipValue();
        } else if (reader.peek() == JsonReader.Token.NUMBER || reader.peek() == JsonReader.Token.STRING) {
          return (long) Double.parseDouble(reader.nextString());
        } else {
          return 0;
        }
      }
      return 0;
    } catch (IOException | RuntimeException e) {
      return 0; // not JSON (NumberFormatException included): no count, as for a page without one
    }
  }

  /**
   * Pages through the list's members (bookmarks, 100 a page) into {@link #knownMembers}; returns the
   * pages read.
   */
  private long readMembers() {
    MemberSet set = new MemberSet();
    Paged paged = page(null, set);
    knownMembers = set.sorted();
    expectedMembers = paged.total();
    tailBookmark = paged.lastId();
    membersAtTail = paged.total();
    return paged.pages();
  }

  /**
   * Reads the members after the last one of the last read, where Autopilot lists members in the order
   * they joined. Returns the pages read when, with the members known, they account for the list's
   * {@code total_contacts} (then known); otherwise {@code -1 - pages}, and the caller reads the whole list.
   */
  private long readTail() {
    MemberSet tail = new MemberSet();
    Paged paged = page(tailBookmark, tail);
    MemberSet merged = knownMembers.with(tail.keys());
    if (merged.size() != paged.total()) {
      return -1 - paged.pages();
    }
    knownMembers = merged;
    expectedMembers = paged.total();
    if (paged.lastId() != null) {
      tailBookmark = paged.lastId();
    }
    membersAtTail = paged.total();
    return paged.pages();
  }

  /** What paging read: the first page's {@code total_contacts}, the last member's id, the pages. */
  private record Paged(long total, String lastId, long pages) {}

  /** Pages through the members after {@code bookmark} (null: from the first) into {@code set}. */
  private Paged page(String bookmark, MemberSet set) {
    long total = -1;
    long pages = 0;
    String lastId = null;
    do {
      Map<String, Object> page = Json.object(Json.parseLenient(membersPage(bookmark)));
      pages++;
      if (total < 0) {
        total = Json.number(page, "total_contacts", 0);
      }
      List<Object> contacts = Json.array(page.get("contacts"));
      for (Object c : contacts) {
        Map<String, Object> contact = Json.object(c);
        String id = Json.string(contact, "contact_id");
        String email = Json.string(contact, "Email");
        if (id != null || email != null) {
          set.add(MemberSet.key(id, email == null ? "" : MemberSet.normalise(email)));
        }
        lastId = id; // null when the last member has no id: no tail read then
      }
      String next = Json.string(page, "bookmark");
      bookmark = contacts.isEmpty() || next == null || next.equals(bookmark) ? null : next;
    } while (bookmark != null);
    return new Paged(total, lastId, pages);
  }

  /** One page of the list's members, as the answer's bytes. */
  private byte[] membersPage(String bookmark) {
    HttpUrl url = connector.url("list/" + listId + "/contacts");
    if (bookmark != null) {
      url = url.newBuilder().addPathSegment(bookmark).build();
    }
    HttpResponse r = http.execute(connector.request(url).get().build(), AutopilotConnector.spec("list-members", true));
    if (!r.isSuccessful()) {
      throw AutopilotErrors.destination(r, "Autopilot's list " + listId + " could not be read");
    }
    return r.body();
  }

  /**
   * Members as 64-bit hashes in a sorted array, 8 bytes a member however long the list. A member is
   * known by its contact id, which the upsert answer also gives: whether Autopilot takes
   * {@code Ana@example.org} and {@code ana@example.org} as one contact or two, the id says which
   * contact an upsert reached. Only a member page without {@code contact_id} falls back to the address,
   * trimmed and lower-cased.
   */
  static final class MemberSet {
    private long[] hashes = new long[16];
    private int size;

    void add(long key) {
      if (size == hashes.length) {
        hashes = Arrays.copyOf(hashes, size * 2);
      }
      hashes[size++] = key;
    }

    MemberSet sorted() {
      Arrays.sort(hashes, 0, size);
      return this;
    }

    /** How many members. */
    int size() {
      return size;
    }

    /** The members' keys, sorted or not. */
    List<Long> keys() {
      List<Long> keys = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        keys.add(hashes[i]);
      }
      return keys;
    }

    /** Whether the contact of this {@linkplain #key key} is a member. */
    boolean containsKey(long key) {
      return Arrays.binarySearch(hashes, 0, size, key) >= 0;
    }

    /** A set of these members and those keys (a merge: one pass, once a group). */
    MemberSet with(Collection<Long> keys) {
      if (keys.isEmpty()) {
        return this;
      }
      long[] added = keys.stream().mapToLong(Long::longValue).sorted().toArray();
      MemberSet merged = new MemberSet();
      merged.hashes = new long[Math.max(16, size + added.length)];
      int i = 0;
      int j = 0;
      while (i < size || j < added.length) {
        long next = j == added.length || (i < size && hashes[i] <= added[j]) ? hashes[i++] : added[j++];
        if (merged.size == 0 || merged.hashes[merged.size - 1] != next) {
          merged.hashes[merged.size++] = next;
        }
      }
      return merged;
    }

    /** An address as members and answers are compared: trimmed and lower-cased. */
    static String normalise(String email) {
      return email.trim().toLowerCase(Locale.ROOT);
    }

    /**
     * A contact's key: its contact id's hash, or without an id its normalised address's (each
     * prefixed, so that no id and address share a key).
     */
    static long key(String contactId, String normalisedAddress) {
      return contactId != null ? hash("id:" + contactId) : hash("email:" + normalisedAddress);
    }

    /** FNV-1a. */
    private static long hash(String s) {
      long h = 0xcbf29ce484222325L;
      for (int i = 0; i < s.length(); i++) {
        h = (h ^ s.charAt(i)) * 0x100000001b3L;
      }
      return h;
    }
  }

  private HttpUrl memberUrl(ExportRecord record) {
    return connector.url("list/" + listId + "/contact").newBuilder()
        .addEncodedPathSegment(URLEncoder.encode(record.email(), StandardCharsets.UTF_8)).build();
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
  private void writeContact(JsonBodyWriter w, ExportRecord r) throws IOException {
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
