package com.segmentexport.internal;

import static java.util.Objects.requireNonNull;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectionRemovedException;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportPlan;
import com.segmentexport.api.RetryPolicy;
import com.segmentexport.api.Role;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.api.SyncState;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.ExportCancelledException;
import com.segmentexport.spi.SyncStateStore;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.OkHttpClient;

/** The engine's {@link SegmentExporter}: one connector, one connection, one role. */
public final class DefaultSegmentExporter implements SegmentExporter {
  private final Connection connection;
  private final Role role;
  private final Connector connector;
  private final OkHttpClient client;
  private final AccountBudgets budgets;
  private final SyncRun.Factory sync;
  private final EngineThreads threads;
  private final ExportRunners runners;
  private final Set<ExportRun> running = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /** For {@link com.segmentexport.api.Connectors}: checks access, then binds the connector. */
  public DefaultSegmentExporter(
      Connection connection,
      Role role,
      Connector connector,
      OkHttpClient client,
      RateLimiters limiters,
      EngineThreads threads,
      ExportRunners runners) {
    this.connection = requireNonNull(connection, "connection == null");
    this.role = requireNonNull(role, "role == null");
    this.connector = requireNonNull(connector, "connector == null");
    this.client = requireNonNull(client, "client == null");
    this.threads = requireNonNull(threads, "threads == null");
    this.runners = requireNonNull(runners, "runners == null");
    String account = RateLimiters.accountKey(connection, connector);
    this.budgets =
        AccountBudgets.of(
            limiters,
            account,
            limiters.forAccount(account, connector.limits().requestsPerSecond()));
    this.sync =
        new SyncRun.Factory(
            connection.connectorId(),
            RateLimiters.stateAccount(connection, connector),
            Clock.systemUTC());
  }

  /**
   * For {@link com.segmentexport.api.Connection#remove()} (through {@link
   * com.segmentexport.api.Connectors}): the exports on the connection that wait for another export
   * (its creation of a list, its claim on a list) stop waiting now and end as a removal ends them.
   *
   * @param removed the connection, already removed
   */
  public static void connectionRemoved(Connection removed) {
    RunControl.connectionRemoved(requireNonNull(removed, "removed == null"));
  }

  @Override
  public Connection connection() {
    return connection;
  }

  @Override
  public void verify() {
    checkUsable();
    RunControl control = new RunControl(connection);
    try {
      connector.verify(
          new DefaultVendorHttp(
              client,
              budgets,
              control,
              RetryPolicy.DEFAULT.withMaxAttempts(3),
              new RunStats(3),
              ExportListener.NONE));
    } catch (ExportCancelledException e) {
      throw new ConnectionRemovedException(
          "Connection '" + connection.displayName() + "' was removed");
    }
  }

  @Override
  public ExportHandle start(
      ExportDefinition definition, SegmentSource source, ExportOptions options) {
    requireNonNull(definition, "definition == null");
    requireNonNull(source, "source == null");
    requireNonNull(options, "options == null");
    checkUsable();
    checkOwn(definition);
    ExportRun run =
        new ExportRun(connector, definition, source, options, client, budgets, sync, threads);
    run.preflight();
    running.add(run);
    run.completion().whenComplete((r, e) -> running.remove(run));
    run.start(runners);
    return run;
  }

  @Override
  public ExportPlan plan(ExportDefinition definition, SegmentSource source, ExportOptions options) {
    requireNonNull(definition, "definition == null");
    requireNonNull(source, "source == null");
    requireNonNull(options, "options == null");
    checkUsable();
    checkOwn(definition);
    return new ExportPlanner(connector, definition, source, options, client, budgets, sync).plan();
  }

  @Override
  public long forgetState(SyncState state, String destinationId) {
    requireNonNull(state, "state == null");
    requireNonNull(destinationId, "destinationId == null");
    if (destinationId.isBlank()) {
      throw new IllegalArgumentException("destinationId is blank");
    }
    checkUsable();
    if (!(state instanceof SyncStateStore)) {
      throw new ConfigurationException(
          "The sync state "
              + state.getClass().getName()
              + " does not implement "
              + SyncStateStore.class.getName());
    }
    return ((SyncStateStore) state).forget(sync.key(destinationId));
  }

  private void checkOwn(ExportDefinition definition) {
    if (!definition.connection().id().equals(connection.id())) {
      throw new ConfigurationException(
          "The export definition '"
              + definition.name()
              + "' is for connection "
              + definition.connection().id()
              + ", not for this exporter's connection "
              + connection.id());
    }
  }

  private void checkUsable() {
    if (closed) {
      throw new ExportException(
          "This exporter for connection '"
              + connection.displayName()
              + "' is closed; get a new one from Connectors.exporter(...)");
    }
    if (connection.isRemoved()) {
      throw new ConnectionRemovedException(
          "Connection '" + connection.displayName() + "' was removed; it can run no more exports");
    }
    connection.checkAccess(role);
  }

  @Override
  public void close() {
    closed = true;
    for (ExportRun run : running) {
      run.cancel();
    }
    connector.close();
  }
}
