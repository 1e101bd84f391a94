package com.segmentexport.autopilot;

import com.segmentexport.spi.AccountDirectory;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * What the exports of this JVM know of an Autopilot account's lists' members: one {@link
 * ListMembership} per list, kept in the account's {@link AccountDirectory} (per account, per JVM), so
 * that a later run into a list (an export, a Kafka Connect sink window) catches up with the members
 * that joined since instead of reading the whole list again, and concurrent runs into one list confirm
 * their upserts together.
 *
 * <p>Memory is bounded: at most {@link #MAX_KEPT_MEMBERS} members (8 bytes each, 32 MB) are kept for
 * the account. Beyond, the member sets of the least recently used lists that are idle (no upsert under
 * way) are dropped, and their next run reads them whole. A list being written keeps its set whatever its
 * size (a run needs it, as it always did), so the bound is exceeded only by the lists being written. A
 * list's own entry (a few fields and its {@link GroupConfirmation}, without members) is kept for the
 * JVM's life: one per list this JVM has written to.
 *
 * <p>Thread-safe.
 */
final class ListMembers {
  /** The directory's kind for the account's instance. */
  static final String KIND = "autopilot.list-members";

  /** Most members kept across the account's lists, besides the lists being written: 32 MB. */
  static final long MAX_KEPT_MEMBERS = 4_000_000;

  private final long maxKept;
  private final ConcurrentMap<String, ListMembership> lists = new ConcurrentHashMap<>();
  private final AtomicLong kept = new AtomicLong();
  private final AtomicLong clock = new AtomicLong();

  ListMembers(long maxKept) {
    this.maxKept = maxKept;
  }

  /** The account's instance, made on first use. */
  static ListMembers of(AccountDirectory directory) {
    return directory.shared(KIND, ListMembers.class, () -> new ListMembers(MAX_KEPT_MEMBERS));
  }

  /** The list's membership, made on first use. */
  ListMembership list(String listId) {
    return lists.computeIfAbsent(listId, id -> new ListMembership(id, this));
  }

  /** A use of a list, for dropping the least recently used sets first. */
  long tick() {
    return clock.incrementAndGet();
  }

  /** Members kept across the account's lists. */
  long kept() {
    return kept.get();
  }

  /** Accounts for a change of a list's kept members. */
  void resized(long delta) {
    kept.addAndGet(delta);
  }

  /**
   * Over the cap, drops the sets of the least recently used idle lists other than {@code using} (whose
   * lock the caller holds; other lists' locks are only tried, never waited for).
   */
  void evictFor(ListMembership using) {
    if (kept.get() <= maxKept) {
      return;
    }
    List<ListMembership> candidates =
        lists.values().stream()
            .filter(l -> l != using && l.kept() > 0)
            .sorted(Comparator.comparingLong(ListMembership::lastUse))
            .collect(Collectors.toList());
    for (ListMembership list : candidates) {
      if (kept.get() <= maxKept) {
        return;
      }
      list.dropIfIdle();
    }
  }
}
