package com.segmentexport.autopilot;

import com.segmentexport.api.RejectionReason;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.VendorHttp;
import com.squareup.moshi.JsonReader;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.RequestBody;
import okio.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an export knows of one Autopilot list's members, and how upserted contacts are confirmed to have
 * joined it. Whether Autopilot adds existing contacts to the list through {@code _autopilot_list} is not
 * documented, so before the first upsert the list's members are read (100 a page), and after a group of
 * upserts its {@code total_contacts}: when it grew by the number of upserted contacts that were not
 * members yet, every one of them joined. Members and upserted contacts are compared by the contact id of
 * the member pages and of the upsert answer's {@code email_contact_map}, so that an address differing in
 * case from a member's is what Autopilot made of it (the same contact or another). When the count falls
 * short, the cheapest way finds the missing ones: reading the members listed after the last one read
 * (those that joined since, where Autopilot lists members in the order they joined; kept only when they
 * add up to the count, else the whole list is read again), a call per 100, when that takes fewer calls
 * than the joining contacts; else checking each ({@code GET /v1/list/{id}/contact/{email}}, left out
 * when none of the group joined). The missing are added one by one
 * ({@code POST /v1/list/{id}/contact/{email}}), the only list add Autopilot has.
 *
 * <p>Not thread-safe: {@link #readIfUnknown()} and {@link #confirm} run under a
 * {@link GroupConfirmation}'s lock while no upsert is unanswered, so {@link #isMember} may be read by
 * an upsert's worker without one.
 */
final class ListMembership {
  private static final Logger log = LoggerFactory.getLogger(ListMembership.class);

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

  private final AutopilotConnector connector;
  private final VendorHttp http;
  private final String listId;
  private long expectedMembers = -1;
  private MemberSet knownMembers;

  /** The id of the last member of the last members read, after which later joiners are listed; or null. */
  private String tailBookmark;

  /** The list's count at the last members read. */
  private long membersAtTail;

  ListMembership(AutopilotConnector connector, VendorHttp http, String listId) {
    this.connector = connector;
    this.http = http;
    this.listId = listId;
  }

  /** An upserted contact that was not a member: its record and its {@linkplain MemberSet#key key}. */
  record Joining(ExportRecord record, long key) {}

  /** An upserted batch awaiting confirmation: its result so far, and its contacts that were not members. */
  record Upserted(BatchResult.Builder result, List<Joining> joining) {}

  /** Reads the list's members if they are not known yet (before the first upsert). */
  void readIfUnknown() {
    if (knownMembers == null) {
      readMembers();
    }
  }

  /** Whether the contact of this {@linkplain MemberSet#key key} is a known member. */
  boolean isMember(long key) {
    return knownMembers.containsKey(key);
  }

  /**
   * Confirms that a group's joining contacts joined the list: by its member count, else by the cheapest
   * fallback (see the class doc), adding those that did not join. Rejections and counters go to each
   * contact's own batch.
   *
   * @param batches the group's upserted batches
   */
  void confirm(List<Upserted> batches) {
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
    // Some did not join (or the list changed otherwise): find out which, at the lowest cost of
    // reading
    // the members added since the last read (the pages after its last member, when that read
    // accounts for
    // every member), re-reading the whole list (a call per 100 members) or asking for each joining
    // contact.
    long fullPages = Math.max(1, (members + PAGE - 1) / PAGE);
    long tailPages =
        tailBookmark == null
            ? Long.MAX_VALUE
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
    // None joined through the upsert: a check per contact would find each missing, so add at once
    // (adding
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
          HttpResponse check =
              http.execute(
                  connector.request(url).get().build(), AutopilotConnector.spec("is-member", true));
          if (check.isSuccessful()) {
            confirmed.add(joining.key());
            continue;
          }
        }
        HttpResponse add =
            http.execute(
                connector
                    .request(url)
                    .post(RequestBody.create(new byte[0], Json.MEDIA_TYPE))
                    .build(),
                AutopilotConnector.spec(
                    "add-to-list", true)); // adding a member again changes nothing
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
    log.debug(
        "autopilot list {}: {} joining contact(s) of {} batch(es) not confirmed by the count; {}, {} added",
        listId,
        distinct.size(),
        batches.size(),
        reread ? "the members read again" : addAtOnce ? "none checked" : "each checked",
        added);
    if (reread) {
      expectedMembers +=
          added; // the re-read set it; adds by an earlier duplicate change nothing more
    } else {
      expectedMembers = members + added;
    }
    knownMembers = knownMembers.with(confirmed);
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
        } else if (reader.peek() == JsonReader.Token.NUMBER
            || reader.peek() == JsonReader.Token.STRING) {
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
    HttpResponse r =
        http.execute(
            connector.request(url).get().build(), AutopilotConnector.spec("list-members", true));
    if (!r.isSuccessful()) {
      throw AutopilotErrors.destination(r, "Autopilot's list " + listId + " could not be read");
    }
    return r.body();
  }

  private HttpUrl memberUrl(ExportRecord record) {
    return connector
        .url("list/" + listId + "/contact")
        .newBuilder()
        .addEncodedPathSegment(URLEncoder.encode(record.email(), StandardCharsets.UTF_8))
        .build();
  }
}
