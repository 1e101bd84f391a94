/**
 * The SDK's sync-state store, {@link com.segmentexport.state.JdbcSyncStateStore}: what each vendor last
 * confirmed for each member of each destination list, in an SQLite file (the default) or a host's
 * PostgreSQL database. Hosts create one store and hand it to the exporter; the engine is its only user
 * (see {@link com.segmentexport.spi.SyncStateStore}).
 *
 * <h2>Nulls</h2>
 * Parameters and return values are never null; factories and methods check their arguments with
 * {@link java.util.Objects#requireNonNull} and say which one was null.
 */
package com.segmentexport.state;
