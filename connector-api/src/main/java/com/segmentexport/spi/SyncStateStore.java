package com.segmentexport.spi;

import com.segmentexport.api.DestinationKey;
import com.segmentexport.api.SyncState;
import com.segmentexport.api.SyncStateException;
import java.util.Optional;

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

  /** Releases the store's connections. States opened from it can no longer be used. */
  @Override
  void close();
}
