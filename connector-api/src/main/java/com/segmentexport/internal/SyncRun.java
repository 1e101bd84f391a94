package com.segmentexport.internal;

import static java.util.Objects.requireNonNull;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.DestinationKey;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.RemovalLimit;
import com.segmentexport.api.SyncMode;
import com.segmentexport.api.SyncState;
import com.segmentexport.spi.DestinationState;
import com.segmentexport.spi.SyncStateStore;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A run's use of a {@link SyncStateStore}: which store, which account, and whether unchanged members are
 * skipped ({@link com.segmentexport.api.SyncMode#INCREMENTAL} without a full refresh) or every member is
 * sent and the state rewritten from the vendor's answers.
 */
final class SyncRun {
  /** Makes each run's {@code SyncRun} for one exporter: the connector and account are the exporter's. */
  static final class Factory {
    private final String connectorId;
    private final String account;
    private final Clock clock;

    Factory(String connectorId, String account, Clock clock) {
      this.connectorId = requireNonNull(connectorId, "connectorId == null");
      this.account = requireNonNull(account, "account == null");
      this.clock = requireNonNull(clock, "clock == null");
    }

    /** The key of one of this exporter's destinations. */
    DestinationKey key(String destinationId) {
      return new DestinationKey(connectorId, account, destinationId);
    }

    /**
     * The run's use of the sync state: none without one, unless the definition asks for a mode that needs
     * one.
     *
     * @return the run's use of the state, or null when it has none
     * @throws ConfigurationException if the mode needs a sync state and none is given, or the state is
     *     not a {@link SyncStateStore}
     */
    SyncRun forRun(ExportDefinition definition, ExportOptions options, String runId) {
      Optional<SyncState> given = options.syncState();
      SyncMode mode =
          definition
              .syncMode()
              .orElse(given.isPresent() ? SyncMode.INCREMENTAL : SyncMode.ADD_AND_UPDATE);
      if (given.isEmpty()) {
        if (mode != SyncMode.ADD_AND_UPDATE) {
          throw new ConfigurationException(
              "Export '"
                  + definition.name()
                  + "' is "
                  + mode
                  + ", which needs a sync "
                  + "state: run it with ExportOptions.withSyncState(JdbcSyncStateStore.sqlite(path)) (module "
                  + "connector-state), or set SyncMode.ADD_AND_UPDATE to send every profile");
        }
        return null;
      }
      if (!(given.get() instanceof SyncStateStore)) {
        throw new ConfigurationException(
            "The sync state "
                + given.get().getClass().getName()
                + " does not "
                + "implement "
                + SyncStateStore.class.getName());
      }
      boolean skipUnchanged = mode != SyncMode.ADD_AND_UPDATE && !options.fullRefresh();
      return new SyncRun(
          (SyncStateStore) given.get(),
          connectorId,
          account,
          runId,
          skipUnchanged,
          mode == SyncMode.MIRROR ? options.removalLimit() : null,
          clock);
    }
  }

  private final SyncStateStore store;
  private final String connectorId;
  private final String account;
  private final String runId;
  private final boolean skipUnchanged;

  /** The removal limit of a mirroring run; null when the run does not mirror. */
  private final RemovalLimit removalLimit;

  private final Clock clock;

  SyncRun(
      SyncStateStore store,
      String connectorId,
      String account,
      String runId,
      boolean skipUnchanged,
      RemovalLimit removalLimit,
      Clock clock) {
    this.removalLimit = removalLimit;
    this.store = requireNonNull(store, "store == null");
    this.connectorId = requireNonNull(connectorId, "connectorId == null");
    this.account = requireNonNull(account, "account == null");
    this.runId = requireNonNull(runId, "runId == null");
    this.skipUnchanged = skipUnchanged;
    this.clock = requireNonNull(clock, "clock == null");
  }

  /** Opens a segment's destination in the store and records that this run started on it. */
  SegmentSync open(String destinationId, com.segmentexport.spi.RecordSchema schema) {
    SegmentSync sync =
        new SegmentSync(
            store.open(new DestinationKey(connectorId, account, destinationId)),
            schema,
            skipUnchanged,
            clock,
            runId);
    sync.state().runStarted(runId, clock.instant());
    return sync;
  }

  /**
   * Finds or creates a segment's list at the vendor under the store's claim on the segment's name in
   * this account, so that no other export sharing the store (another host, another worker) finds no
   * list and creates one at the same time: the second looks only once the first has made it.
   */
  <T> T claimingList(String segment, Supplier<T> open) {
    return store.exclusively(connectorId + "\n" + account + "\nlist\n" + segment, open);
  }

  /** Finds a segment's destination in the store without creating it (a plan writes nothing). */
  Optional<DestinationState> find(String destinationId) {
    return store.find(new DestinationKey(connectorId, account, destinationId));
  }

  /** The removal limit of a mirroring run, or null when the run does not mirror. */
  RemovalLimit removalLimit() {
    return removalLimit;
  }

  boolean skipsUnchanged() {
    return skipUnchanged;
  }

  String runId() {
    return runId;
  }
}
