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
  INCREMENTAL
}
