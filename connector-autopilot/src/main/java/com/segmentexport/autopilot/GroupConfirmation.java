package com.segmentexport.autopilot;

import com.segmentexport.spi.ExportCancelledException;
import com.segmentexport.spi.OutcomeUnknownException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Group confirmation, like a database's group commit: the workers writing batches to one list send
 * their upserts concurrently, and one confirmation (a read of the list's member count, and its fallback)
 * covers every upsert answered since the last.
 *
 * <p>One instance serves every export of the JVM that writes to the list (see {@link ListMembers}): two
 * runs on one list (two sink tasks on one segment) form groups together, so that a count read never
 * sees an upsert of this JVM it does not account for. Each answered send joins the current group, and a
 * confirmation belongs to known sends because it runs only while none is unanswered. Up to a worker's
 * {@code maxInFlight} sends are unanswered at once (so that an answer slower than the rate's spacing
 * does not slow the export), and none goes while a confirmation runs. The worker whose answer leaves
 * none unanswered, while no other worker is about to send or the group holds its {@code maxGroup}
 * items, confirms the whole group with its own {@link Confirmer} (its run's calls), holding the lock.
 * The other workers of the group wait outside the lock and then return their own item, so no result
 * counts a contact before its membership is confirmed. A failure of the confirmation reaches every
 * worker of the group; a cancellation of the confirming run reaches the other runs' workers as an
 * {@link OutcomeUnknownException} (their batches unconfirmed, not cancelled). With {@code maxGroup} 1
 * every group is one item: a send and a confirmation each.
 *
 * <p>Thread-safe. The confirmer, and the {@code beforeSend} step of {@link #submit}, run holding the
 * lock: state they change may be read by a send without a lock.
 *
 * @param <T> what an answered send leaves to confirm
 */
final class GroupConfirmation<T> {
  /** Confirms a group, holding the lock while no send is unanswered. */
  @FunctionalInterface
  interface Confirmer<T> {
    /**
     * Confirms the items of one group; what it throws reaches every worker of the group.
     *
     * @param group the group's items, in the order their sends were answered
     */
    void confirm(List<T> group);
  }

  /** What runs holding the lock just before a send goes. */
  @FunctionalInterface
  interface BeforeSend {
    /**
     * @param quiet whether no send is unanswered and no answered one awaits its confirmation: what the
     *     list's count says now belongs to confirmed sends only
     */
    void run(boolean quiet);
  }

  /**
   * A worker's run (the identity its group's failures are judged by), its limits and its confirmer.
   *
   * @param run the run the worker belongs to (its destination)
   * @param maxInFlight most sends unanswered at once, at most {@code maxGroup}
   * @param maxGroup most items one confirmation covers
   * @param confirmer confirms a group this worker closes, with its run's calls
   */
  record Worker<T>(Object run, int maxInFlight, int maxGroup, Confirmer<T> confirmer) {}

  /** Workers that entered {@link #submit} and have not finished their send; counted outside the lock. */
  private final AtomicInteger sending = new AtomicInteger();

  /** Guards the fields below; held for confirmations and {@code beforeSend}, never for a send. */
  private final ReentrantLock lock = new ReentrantLock();

  /** Signalled when a send may go: one was answered, or a group closed. */
  private final Condition turn = lock.newCondition();

  /** Sends that went and are not yet recorded in a group. A confirmation waits until there are none. */
  private int unanswered;

  private Group<T> current = new Group<>();

  /**
   * Runs {@code action} holding the lock if it is free and the list is idle: no worker about to send,
   * none unanswered, no group open. Never waits.
   *
   * @return whether it ran
   */
  boolean ifIdle(Runnable action) {
    if (!lock.tryLock()) {
      return false;
    }
    try {
      if (sending.get() > 0 || unanswered > 0 || !current.items.isEmpty()) {
        return false;
      }
      action.run();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code action} holding the lock (waiting for a confirmation under way to end). */
  void locked(Runnable action) {
    lock.lock();
    try {
      action.run();
    } finally {
      lock.unlock();
    }
  }

  /**
   * One worker's part: {@code prepare} outside the lock (counted as about to send, so that a group
   * waits for it), then, when a send may go, {@code beforeSend} holding the lock, then {@code send}
   * outside it; then waits for the confirmation of the group the answer joined.
   *
   * @param worker the worker's run, limits and confirmer
   * @param prepare makes what is sent (a request body), before the worker waits for its turn
   * @param beforeSend runs holding the lock, no send unanswered, just before this one goes
   * @param send sends and reads the answer; what it returns joins the current group
   * @param <P> what is sent
   * @return what {@code send} returned, once its group is confirmed
   * @throws ExportCancelledException if interrupted while waiting for a turn or for the confirmation
   */
  <P> T submit(Worker<T> worker, Supplier<P> prepare, BeforeSend beforeSend, Function<P, T> send) {
    sending.incrementAndGet();
    boolean sent = false;
    try {
      // Made before waiting for a turn: what is sent is ready when a send may go.
      P prepared = prepare.get();
      lock.lock();
      try {
        awaitTurn(worker);
        beforeSend.run(unanswered == 0 && current.items.isEmpty());
        unanswered++;
      } finally {
        lock.unlock();
      }
      sent = true;
      T answered;
      try {
        answered = send.apply(prepared); // outside the lock: up to maxInFlight at once
      } catch (RuntimeException | Error e) {
        answered(null, worker);
        throw e;
      }
      answered(answered, worker).await(worker.run());
      return answered;
    } finally {
      if (!sent) { // failed before its send went (preparing, beforeSend, an interrupt)
        lock.lock();
        try {
          sending.decrementAndGet();
          closeIfDue(worker); // a group may be waiting for this worker's send
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /**
   * Waits, holding the lock, until a send may go: fewer than {@code maxInFlight} are unanswered, and
   * the current group has room for it beside those that are.
   */
  private void awaitTurn(Worker<T> worker) {
    while (unanswered >= worker.maxInFlight()
        || current.items.size() + unanswered >= worker.maxGroup()) {
      try {
        turn.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ExportCancelledException(
            "interrupted while waiting to upsert into Autopilot's list", false);
      }
    }
  }

  /** Records an answered send (null: it failed) in the current group, and closes the group if it is due. */
  private Group<T> answered(T item, Worker<T> worker) {
    lock.lock();
    try {
      unanswered--;
      sending.decrementAndGet();
      Group<T> group = current;
      if (item != null) {
        group.items.add(item);
      }
      closeIfDue(worker);
      turn.signal(); // this send's turn is free
      return group;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Confirms and completes the current group if no other worker is about to send into it or it is
   * full. Holds the lock. Never throws: the group's outcome, failure included, goes to its workers.
   */
  private void closeIfDue(Worker<T> worker) {
    Group<T> group = current;
    if (group.items.isEmpty()
        || unanswered > 0
        || (sending.get() > 0 && group.items.size() < worker.maxGroup())) {
      return;
    }
    current = new Group<>();
    turn.signalAll(); // a new group: workers waiting for room in the last one may go
    group.closedBy = worker.run();
    try {
      worker.confirmer().confirm(group.items);
      group.done.complete(null);
    } catch (Throwable t) { // an Error too: the group's waiting workers must not wait forever
      group.done.completeExceptionally(t);
    }
  }

  /** Answered sends confirmed together; completed by the worker that closes it. */
  private static final class Group<T> {
    final List<T> items = new ArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();

    /** The run of the worker that confirmed the group; set holding the lock, before {@link #done}. */
    Object closedBy;

    /**
     * Waits (outside the lock) for the group's confirmation; throws what the confirmation threw, a
     * cancellation of another run as an {@link OutcomeUnknownException}.
     */
    void await(Object run) {
      try {
        done.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ExportCancelledException(
            "interrupted while Autopilot's list membership was confirmed", true);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof ExportCancelledException && closedBy != run) {
          // Another export writing to this list was cancelled while it confirmed the group: this
          // run goes on, its batch unconfirmed (sent, its membership not checked).
          throw new OutcomeUnknownException(
              0,
              "the list membership of this batch was not confirmed: the export confirming it"
                  + " for every export writing to the list was cancelled",
              cause);
        }
        if (cause instanceof ExportCancelledException) {
          throw new ExportCancelledException(cause.getMessage(), true); // the send was applied
        }
        if (cause instanceof RuntimeException) {
          throw (RuntimeException) cause;
        }
        if (cause instanceof Error) {
          throw (Error) cause;
        }
        throw new IllegalStateException(cause);
      }
    }
  }
}
