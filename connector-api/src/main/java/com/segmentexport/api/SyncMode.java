package com.segmentexport.api;

/**
 * How an export changes its destination. Set on the {@link ExportDefinition}; when it sets none, a run
 * with a {@linkplain ExportOptions#syncState() sync state} is {@link #INCREMENTAL} and a run without one
 * is {@link #ADD_AND_UPDATE}.
 */
public enum SyncMode {
  /**
   * Add new profiles and update existing ones, sending every profile of the segment; never remove
   * anyone. With a sync state, the run also records what the vendor confirmed, for later incremental
   * runs.
   */
  ADD_AND_UPDATE,

  /**
   * Send only what changed since the vendor's last confirmation: new profiles, profiles whose mapped
   * fields changed, and profiles the vendor rejected or did not confirm last time. The others are counted
   * as {@linkplain SegmentResult#unchanged() unchanged}. Never removes anyone. Needs a
   * {@linkplain ExportOptions#withSyncState(SyncState) sync state}.
   */
  INCREMENTAL,

  /**
   * {@link #INCREMENTAL}, and then, once the segment was read whole and every batch was answered, removes
   * from the list the members this SDK put there (the sync state knows them) that are no longer in the
   * segment: from that list only, never an unsubscribe, a deletion or a consent change. Members someone
   * else put on the list are never removed. A {@link RemovalLimit} holds every removal back when there
   * are too many (a truncated source must not empty a list), and a run that failed or was cancelled
   * removes nobody. Needs a sync state and a connector that {@linkplain
   * ConnectorDescriptor#supportsRemoval() supports removal}.
   */
  MIRROR
}
