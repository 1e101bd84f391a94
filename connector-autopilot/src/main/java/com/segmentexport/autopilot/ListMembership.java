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
import java.util.ArrayList;
import java.util.Collection;
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
 * What the exports of this JVM know of one Autopilot list's members, and how upserted contacts are
 * confirmed to have joined it. One instance per account and list ({@link ListMembers}), shared by every
 * run that writes to the list, with the {@link GroupConfirmation} their upserts go through.
 *
 * <p>Whether Autopilot adds existing contacts to the list through {@code _autopilot_list} is not
 * documented, so the list's members are known (read 100 a page before the first upsert, kept as 8-byte
 * hashes), and after a group of upserts its {@code total_contacts} is read: when it grew by the number of
 * upserted contacts that were not members yet, every one of them joined. Members and upserted contacts
 * are compared by the contact id of the member pages and of the upsert answer's {@code
 * email_contact_map}, so that an address differing in case from a member's is what Autopilot made of it
 * (the same contact or another). When the count falls short, the cheapest way finds the missing ones:
 * reading the members listed after the last one read (those that joined since, where Autopilot lists
 * members in the order they joined; kept only when they add up to the count, else the whole list is read
 * again), a call per 100, when that takes fewer calls than the joining contacts; else checking each
 * ({@code GET /v1/list/{id}/contact/{email}}, left out when none of the group joined). The missing are
 * added one by one ({@code POST /v1/list/{id}/contact/{email}}), the only list add Autopilot has.
 *
 * <p><b>Across runs.</b> A later run does not read the list again: before its first upsert, when no
 * other run's upsert is awaiting confirmation, it catches up by reading the pages after the last member
 * known, kept when with the members known they add up to the list's count (the whole list is read again
 * otherwise: members removed by anyone, a list not in join order). The known members are <i>beliefs</i>
 * checked by counts: a contact believed a member is not expected to join, so a removal that no count
 * caught could leave it off. Hence the set is <b>verified</b> only by a read that adds up to the count
 * or by a group whose count matched; when a count is not explained (someone else changed the list,
 * this SDK removed members), the set is unverified, no count alone confirms a group until a read has
 * verified it again, and a group's contacts taken as members are checked against that read (and added
 * when missing) whenever its count did not match.
 *
 * <p>Guarded by the {@link GroupConfirmation}'s lock: {@link #prepare} and {@link #confirm} run under it
 * while no upsert of the JVM is unanswered, so {@link #isMember} may be read by an upsert's worker
 * without it. A set is dropped ({@link ListMembers}' memory cap) only while the list is idle.
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

  private final String listId;
  private final ListMembers account;

  /** The upserts into this list of every run of the JVM, confirmed group by group. */
  final GroupConfirmation<Upserted> confirmation = new GroupConfirmation<>();

  /** The members known, or null when unknown (never read, or dropped). */
  private volatile MemberSet knownMembers;

  /** How many members {@link #knownMembers} holds, as {@link ListMembers} accounts for them. */
  private volatile long kept;

  /** When the list was last used, in {@link ListMembers#tick()}s: which set to drop first. */
  private volatile long lastUse;

  private long expectedMembers = -1;

  /** Whether the known members and the expected count were confirmed by the list's count (see above). */
  private boolean verified;

  /**
   * The id of the last member of the last members read, after which later joiners are listed; null
   * (with {@link #tailKnown}) when that read found no member: later joiners are the whole list.
   */
  private String tailBookmark;

  /** Whether the members that joined since the last read can be read after {@link #tailBookmark}. */
  private boolean tailKnown;

  /** The list's count at the last members read. */
  private long membersAtTail;

  ListMembership(String listId, ListMembers account) {
    this.listId = listId;
    this.account = account;
  }

  /** The connector and the calls (rate budget, retries, cancellation) of the run that reads. */
  record Caller(AutopilotConnector connector, VendorHttp http) {}

  /** An upserted contact: its record and its {@linkplain MemberSet#key key}. */
  record Joining(ExportRecord record, long key) {}

  /**
   * An upserted batch awaiting confirmation: its result so far, its contacts that were not members, and
   * those taken as members (checked again when a count does not match).
   */
  record Upserted(BatchResult.Builder result, List<Joining> joining, List<Joining> members) {
    Upserted(BatchResult.Builder result, List<Joining> joining) {
      this(result, joining, new ArrayList<>());
    }
  }

  /**
   * Before an upsert goes: reads the members if they are not known; before a run's first upsert, when
   * {@code quiet}, catches up with the members that joined since the last read (see the class doc).
   * When not quiet, other runs' groups are being confirmed and their counts check the set.
   *
   * @param quiet no upsert is unanswered or awaiting confirmation
   * @param runsFirst this is the run's first upsert into the list
   */
  void prepare(Caller caller, boolean quiet, boolean runsFirst) {
    lastUse = account.tick();
    if (knownMembers == null) {
      readMembers(caller);
    } else if (runsFirst && quiet) {
      long tail = tailKnown ? readTail(caller) : -1;
      if (tail < 0) {
        readMembers(caller);
      }
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
  void confirm(List<Upserted> batches, Caller caller) {
    lastUse = account.tick();
    Set<Long> distinct = new HashSet<>();
    boolean believed = false;
    for (Upserted batch : batches) {
      batch.joining().forEach(j -> distinct.add(j.key()));
      believed |= !batch.members().isEmpty();
    }
    long members = memberCount(caller);
    if (verified && members - expectedMembers == distinct.size()) {
      setKnown(knownMembers.with(distinct));
      expectedMembers = members;
      return;
    }
    // Some did not join (or the list changed otherwise): find out which, at the lowest cost of
    // reading the members added since the last read (the pages after its last member, when that
    // read accounts for every member), re-reading the whole list (a call per 100 members) or
    // asking for each joining contact. Contacts taken as members on an unverified set are checked
    // by a read.
    long fullPages = Math.max(1, (members + PAGE - 1) / PAGE);
    long tailPages =
        !tailKnown
            ? Long.MAX_VALUE
            : Math.max(1, (Math.max(0, members - membersAtTail) + PAGE - 1) / PAGE);
    boolean reread = (!verified && believed) || Math.min(tailPages, fullPages) < distinct.size();
    if (reread) {
      reread(caller, batches.get(0), tailPages < fullPages);
    }
    // None joined through the upsert: a check per contact would find each missing, so add at once
    // (adding a member again changes nothing).
    boolean addAtOnce = !reread && members - expectedMembers <= 0;
    long added = 0;
    long joined = 0;
    Set<Long> confirmed = new HashSet<>();
    for (Upserted batch : batches) {
      long addedHere = 0;
      long checkedHere = 0;
      for (Joining joining : batch.joining()) {
        if (confirmed.contains(joining.key())) {
          continue; // the same contact twice in the group (two addresses Autopilot takes as one)
        }
        checkedHere++;
        if (reread) {
          if (knownMembers.containsKey(joining.key())) {
            continue;
          }
        } else if (!addAtOnce) {
          HttpResponse check =
              caller
                  .http()
                  .execute(
                      caller.connector().request(memberUrl(caller, joining.record())).get().build(),
                      AutopilotConnector.spec("is-member", true));
          if (check.isSuccessful()) {
            confirmed.add(joining.key());
            joined++;
            continue;
          }
        }
        if (add(caller, batch, joining)) {
          addedHere++;
          confirmed.add(joining.key());
        }
      }
      batch.result().count(MEMBERSHIP_CHECKS, checkedHere).count(LIST_ADDS, addedHere);
      added += addedHere;
    }
    if (reread) {
      // The read set the count; adds by an earlier duplicate change nothing more.
      expectedMembers += added + addMissingMembers(batches, caller, confirmed);
    } else {
      // The count is explained when it grew by the contacts the checks found joined, and nothing
      // else changed the list; otherwise the set is a belief no count confirms until it is read.
      boolean explained = verified && members - expectedMembers == joined;
      expectedMembers = members + added;
      if (!explained) {
        verified = false;
        if (believed) { // contacts of this group taken as members: read the list and check them
          reread(caller, batches.get(0), tailPages < fullPages);
          expectedMembers += addMissingMembers(batches, caller, confirmed);
        }
      }
    }
    log.debug(
        "autopilot list {}: {} joining contact(s) of {} batch(es) not confirmed by the count; {}, {} added",
        listId,
        distinct.size(),
        batches.size(),
        reread ? "the members read again" : addAtOnce ? "none checked" : "each checked",
        added);
    setKnown(knownMembers.with(confirmed));
  }

  /** Reads the members again (the tail first when {@code tailFirst}), counted on {@code batch}. */
  private void reread(Caller caller, Upserted batch, boolean tailFirst) {
    long pages = 0;
    boolean known = false;
    if (tailFirst) {
      long tail = readTail(caller);
      known = tail >= 0;
      pages += known ? tail : -1 - tail;
    }
    if (!known) {
      pages += readMembers(caller);
    }
    batch.result().count(MEMBER_PAGES, pages);
  }

  /**
   * After a read: adds the group's contacts taken as members that the read does not list. Returns how
   * many were added.
   */
  private long addMissingMembers(List<Upserted> batches, Caller caller, Set<Long> confirmed) {
    long added = 0;
    for (Upserted batch : batches) {
      long addedHere = 0;
      for (Joining member : batch.members()) {
        if (confirmed.contains(member.key()) || knownMembers.containsKey(member.key())) {
          continue;
        }
        if (add(caller, batch, member)) {
          addedHere++;
          confirmed.add(member.key());
        }
      }
      if (addedHere > 0) {
        batch.result().count(LIST_ADDS, addedHere);
        added += addedHere;
      }
    }
    return added;
  }

  /** {@code POST /v1/list/{id}/contact/{email}}; a refusal rejects the record. Whether it was added. */
  private boolean add(Caller caller, Upserted batch, Joining contact) {
    HttpResponse add =
        caller
            .http()
            .execute(
                caller
                    .connector()
                    .request(memberUrl(caller, contact.record()))
                    .post(RequestBody.create(new byte[0], Json.MEDIA_TYPE))
                    .build(),
                AutopilotConnector.spec(
                    "add-to-list", true)); // adding a member again changes nothing
    if (add.isSuccessful()) {
      return true;
    }
    VendorError e = AutopilotErrors.parse(add);
    batch.result().reject(contact.record(), RejectionReason.VENDOR_REJECTED, e.code(), e.message());
    return false;
  }

  /**
   * After this SDK took contacts off the list: forgets them (by their keys) and leaves the set
   * unverified, so that the next count is not trusted until a read adds up.
   */
  void removed(Collection<Long> keys) {
    confirmation.locked(
        () -> {
          if (knownMembers != null) {
            setKnown(knownMembers.without(keys));
            verified = false;
          }
        });
  }

  /**
   * The member pages a run's first upsert reads, for a list of {@code total} members: those after the
   * last member known, or the whole list when none is known. An estimate, read without the lock.
   */
  long pagesBeforeFirstUpsert(long total) {
    long pages = knownMembers == null || !tailKnown ? total : Math.max(0, total - membersAtTail);
    return Math.max(1, (pages + PAGE - 1) / PAGE);
  }

  /** Members kept in memory for the list. */
  long kept() {
    return kept;
  }

  /** When the list was last used, in {@link ListMembers#tick()}s. */
  long lastUse() {
    return lastUse;
  }

  /** Drops the known members if the list is idle (no upsert under way): its next run reads it whole. */
  boolean dropIfIdle() {
    return confirmation.ifIdle(
        () -> {
          account.resized(-kept);
          kept = 0;
          knownMembers = null;
          verified = false;
          expectedMembers = -1;
          tailBookmark = null;
          tailKnown = false;
        });
  }

  private void setKnown(MemberSet members) {
    long delta = members.size() - kept;
    knownMembers = members;
    kept = members.size();
    account.resized(delta);
    account.evictFor(this);
  }

  private long memberCount(Caller caller) {
    return totalContacts(membersPage(caller, null, false));
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
   * Pages through the list's members (bookmarks, 100 a page) into {@link #knownMembers}, which are then
   * verified; returns the pages read.
   */
  private long readMembers(Caller caller) {
    MemberSet set = new MemberSet();
    Paged paged = page(caller, null, set);
    setKnown(set.sorted());
    expectedMembers = paged.total();
    verified = true;
    tailBookmark = paged.lastId();
    tailKnown = paged.lastId() != null || set.size() == 0;
    membersAtTail = paged.total();
    return paged.pages();
  }

  /**
   * Reads the members after the last one of the last read, where Autopilot lists members in the order
   * they joined. Returns the pages read when, with the members known, they account for the list's
   * {@code total_contacts} (then known and verified); otherwise {@code -1 - pages}, and the caller reads
   * the whole list. A bookmark Autopilot refuses (its member left the list) does not add up either.
   */
  private long readTail(Caller caller) {
    MemberSet tail = new MemberSet();
    Paged paged = page(caller, tailBookmark, tail);
    if (paged == null) {
      return -1 - 1;
    }
    MemberSet merged = knownMembers.with(tail.keys());
    if (merged.size() != paged.total()) {
      return -1 - paged.pages();
    }
    setKnown(merged);
    expectedMembers = paged.total();
    verified = true;
    if (paged.lastId() != null) {
      tailBookmark = paged.lastId();
    }
    membersAtTail = paged.total();
    return paged.pages();
  }

  /** What paging read: the first page's {@code total_contacts}, the last member's id, the pages. */
  private record Paged(long total, String lastId, long pages) {}

  /**
   * Pages through the members after {@code bookmark} (null: from the first) into {@code set}; null when
   * Autopilot refused the bookmark's first page with a 4xx.
   */
  private Paged page(Caller caller, String bookmark, MemberSet set) {
    long total = -1;
    long pages = 0;
    String lastId = null;
    boolean tolerant = bookmark != null;
    do {
      byte[] body = membersPage(caller, bookmark, tolerant);
      if (body == null) {
        return null;
      }
      tolerant = false;
      Map<String, Object> page = Json.object(Json.parseLenient(body));
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

  /**
   * One page of the list's members, as the answer's bytes; null when {@code tolerant} and Autopilot
   * answered a 4xx (a bookmark it no longer knows).
   */
  private byte[] membersPage(Caller caller, String bookmark, boolean tolerant) {
    HttpUrl url = caller.connector().url("list/" + listId + "/contacts");
    if (bookmark != null) {
      url = url.newBuilder().addPathSegment(bookmark).build();
    }
    HttpResponse r =
        caller
            .http()
            .execute(
                caller.connector().request(url).get().build(),
                AutopilotConnector.spec("list-members", true));
    if (tolerant && r.code() >= 400 && r.code() < 500 && r.code() != 401 && r.code() != 429) {
      return null;
    }
    if (!r.isSuccessful()) {
      throw AutopilotErrors.destination(r, "Autopilot's list " + listId + " could not be read");
    }
    return r.body();
  }

  private HttpUrl memberUrl(Caller caller, ExportRecord record) {
    return caller
        .connector()
        .url("list/" + listId + "/contact")
        .newBuilder()
        .addEncodedPathSegment(URLEncoder.encode(record.email(), StandardCharsets.UTF_8))
        .build();
  }
}
