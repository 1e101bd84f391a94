package com.segmentexport.spi;

import com.segmentexport.api.DestinationKey;
import com.segmentexport.api.SyncState;
import com.segmentexport.api.SyncStateException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The memory of exports: for each destination list and each member the SDK sent to it, what the vendor
 * last confirmed. The engine asks it, before batching, which profiles are unchanged since the vendor's
 * last confirmation, and tells it, after each batch the vendor answered, what became of that batch's
 * members; connectors never use it. One store serves every export of a host (or of several hosts, when
 * the store is shared), so implementations must be thread-safe.
 *
 * <p>A store must stay <em>true</em>: it holds a member as confirmed only once the vendor confirmed it,
 * so that a crash at any moment costs at most a re-send (exports are upserts), never a lost profile.
 * The SDK's implementation is {@code com.segmentexport.state.JdbcSyncStateStore} (module
 * {@code connector-state}): an SQLite file by default, PostgreSQL when several hosts share state.
 *
 * <p>The state holds the members' e-mail addresses (to update a contact whose address changed, and to
 * remove members that left a segment): protect it as the segment data it came from.
 */
public interface SyncStateStore extends SyncState {
  /**
   * Opens the state of one destination, creating it when it is new.
   *
   * @param key the destination
   * @return its state, usable from several threads until the store is closed
   * @throws SyncStateException if the store cannot be read or written
   */
  DestinationState open(DestinationKey key);

  /**
   * Finds the state of a destination without creating it, for a plan, which writes nothing.
   *
   * @param key the destination
   * @return its state, if the store has one
   * @throws SyncStateException if the store cannot be read
   */
  default Optional<DestinationState> find(DestinationKey key) {
    return destinations().contains(key) ? Optional.of(open(key)) : Optional.empty();
  }

  /**
   * Forgets everything about a destination: its members, runs and pending work. The next export to it
   * sends every profile again.
   *
   * @param key the destination
   * @return how many members were forgotten
   * @throws SyncStateException if the store cannot be written
   */
  long forget(DestinationKey key);

  /**
   * Runs {@code action} while no other export using this store runs one under the same {@code claim},
   * in this process or another: the engine finds or creates a segment's list at the vendor under a
   * claim on the segment's name and account, so that hosts sharing a store (several hosts on one
   * PostgreSQL, Kafka Connect workers, two processes on one SQLite file) never both find no list and
   * both create one. The wait for a claim another export holds is bounded, and ends when the thread
   * is interrupted (the engine interrupts an export cancelled while it waits here); a claim is
   * released when the action ends, or when the process holding it dies.
   *
   * <p>The default runs the action at once, claiming nothing: right only for a store that a single
   * export uses at a time. A store that wraps another must pass the claim on.
   *
   * @param claim what is claimed: any text, compared exactly; no secret or personal data (an
   *     implementation may keep it, or a one-way hash of it)
   * @param action what to run holding the claim
   * @param <T> what the action returns
   * @return what the action returned
   * @throws SyncStateException if the claim cannot be taken (the store fails, or another export held
   *     it for longer than the store waits)
   * @throws ExportCancelledException if the thread is interrupted while it waits for the claim
   */
  default <T> T exclusively(String claim, Supplier<T> action) {
    return action.get();
  }

  /** Releases the store's connections. States opened from it can no longer be used. */
  @Override
  void close();
}
