package com.segmentexport.spi;

import com.segmentexport.api.DestinationKey;
import com.segmentexport.api.SyncStateException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The state of one destination list in a {@link SyncStateStore}: its members as the vendor last
 * confirmed them, its runs, and the work a run left pending at the vendor. Thread-safe: batch workers
 * record outcomes while the reader looks members up.
 *
 * <p>Every method throws {@link SyncStateException} when the store cannot be read or written, and
 * {@link IllegalStateException} once the store is closed. Times come back as the store keeps them, to the
 * millisecond at least. A state opened before its destination was {@linkplain SyncStateStore#forget
 * forgotten} starts the destination afresh at its next {@link #record}.
 */
public interface DestinationState {
  /** {@return the destination} */
  DestinationKey key();

  /**
   * Looks members up, in one round trip for the whole group.
   *
   * @param memberKeys the members' keys (see {@link MemberState#memberKey()}), each once
   * @return the state of each known member by its key; unknown members are absent
   */
  Map<String, MemberState> lookup(Collection<String> memberKeys);

  /**
   * Records what the vendor did with the members of one batch, all or nothing (one transaction).
   * Called only after the vendor's answer, never before. A confirmation sets a member's
   * {@linkplain MemberState#confirmedHash() confirmed hash}, address and vendor id; a rejection or an
   * unconfirmed outcome changes only its {@linkplain MemberState#outcome() last outcome} and reason
   * (the vendor still holds what it confirmed before).
   *
   * @param outcomes one outcome per member, each member once
   * @throws IllegalArgumentException if a member appears twice (nothing is written)
   */
  void record(List<MemberOutcome> outcomes);

  /**
   * Forgets members, all or nothing (one transaction): a mirroring run calls it once the vendor confirmed
   * it removed them from the list. Unknown keys are ignored.
   *
   * @param memberKeys the members' keys
   */
  void forgetMembers(Collection<String> memberKeys);

  /**
   * Visits every member, in no particular order, without holding them all in memory. The visit may hold
   * one of the store's connections throughout: a visitor that writes to the store needs a store (a
   * connection pool) with a connection to spare.
   *
   * @param visitor receives each member
   */
  void forEachMember(Consumer<MemberState> visitor);

  /** {@return how many members the destination has} */
  long memberCount();

  /**
   * Records that a run started on this destination.
   *
   * @param runId the run's id
   * @param startedAt when it started
   */
  void runStarted(String runId, Instant startedAt);

  /**
   * Records how a run ended.
   *
   * @param runId the run's id
   * @param finishedAt when it ended
   * @param status how it ended, e.g. {@code SUCCEEDED}
   */
  void runFinished(String runId, Instant finishedAt, String status);

  /**
   * Remembers work a run left at the vendor (a dotdigital import not yet polled to its end), before the
   * run waits for it, so that a crashed run's successor can finish it.
   *
   * @param work the work
   */
  void addPending(PendingWork work);

  /**
   * Forgets pending work once its outcome is recorded.
   *
   * @param kind the work's kind
   * @param vendorRef the vendor's reference of it
   */
  void removePending(String kind, String vendorRef);

  /** {@return the work left pending at the vendor, oldest first} */
  List<PendingWork> pending();
}
