package com.segmentexport.api;

import java.util.List;

/**
 * A memory of what each vendor last confirmed, which makes exports incremental: given to a run through
 * {@link ExportOptions#withSyncState(SyncState)}, it lets the run send only the profiles that are new,
 * changed, or were not confirmed last time, and it records each batch once the vendor has confirmed it.
 *
 * <p>Get one from the {@code connector-state} module: {@code JdbcSyncStateStore.sqlite(path)} (one file
 * on disk) or {@code JdbcSyncStateStore.postgres(dataSource)} (shared by several hosts). One store serves
 * every export of a host; close it when the host shuts down. Implementations implement
 * {@link com.segmentexport.spi.SyncStateStore}.
 */
public interface SyncState extends AutoCloseable {
  /**
   * {@return every destination the state knows, in no particular order} (forget one with {@link
   * SegmentExporter#forgetState})
   *
   * @throws SyncStateException if the state cannot be read
   */
  List<DestinationKey> destinations();

  /** Releases the store's connections. */
  @Override
  void close();
}
