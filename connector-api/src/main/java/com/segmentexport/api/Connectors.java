package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import com.segmentexport.internal.DefaultSegmentExporter;
import com.segmentexport.internal.EngineThreads;
import com.segmentexport.internal.ExportRunners;
import com.segmentexport.internal.HttpClients;
import com.segmentexport.internal.RateLimiters;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.ConnectorContext;
import com.segmentexport.spi.ConnectorProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.Executor;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point: the connectors on the class path, and exporters for connections.
 *
 * <pre>{@code
 * Connectors connectors = Connectors.load();          // ServiceLoader discovery
 * connectors.providers().forEach(p -> System.out.println(p.id() + ": " + p.displayName()));
 * try (SegmentExporter exporter = connectors.exporter(connection, Role.CONTRIBUTOR)) {
 *   exporter.verify();
 * }
 * }</pre>
 *
 * <p>One instance should be shared by the whole application: it holds the HTTP connection pool. Rate
 * budgets belong to vendor accounts, not to this object or to a {@link Connection}: every export in the
 * JVM that sends to one account (same connector, same API endpoint, same credentials) shares that
 * account's budget, whichever {@code Connectors} instance or rebuilt connection it runs on.
 *
 * <p>Hosts see each connector as a {@link ConnectorDescriptor}. This class is where the host API meets
 * the SPI and the engine: it loads {@link ConnectorProvider}s and builds the engine's exporters, so it
 * is one of the few host-API classes allowed to use those packages (ModuleBoundaryTest lists them).
 */
public final class Connectors {
  private static final Logger log = LoggerFactory.getLogger(Connectors.class);
  private static volatile Connectors defaultInstance;

  private final Map<String, ConnectorProvider> providers;
  private final OkHttpClient client;
  private final EngineThreads threads;
  private final ExportRunners runners;

  private Connectors(
      Map<String, ConnectorProvider> providers,
      OkHttpClient client,
      EngineThreads threads,
      ExportRunners runners) {
    this.providers = Collections.unmodifiableMap(providers);
    this.client = client;
    this.threads = threads;
    this.runners = runners;
  }

  /**
   * Discovers the providers on the class path with this class's class loader.
   *
   * @return the connectors found
   */
  public static Connectors load() {
    return load(Connectors.class.getClassLoader());
  }

  /**
   * Discovers the providers visible to a class loader. A provider that cannot be instantiated is
   * logged and skipped; two providers with the same id are an error.
   *
   * @param loader the class loader to discover providers with
   * @return the connectors found
   * @throws IllegalStateException if two providers share an id
   */
  public static Connectors load(ClassLoader loader) {
    List<ConnectorProvider> found = new ArrayList<>();
    Iterator<ConnectorProvider> it = ServiceLoader.load(ConnectorProvider.class, loader).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError e) {
        log.warn("Skipping a connector provider that could not be loaded: {}", e.getMessage());
      }
    }
    return of(found);
  }

  /**
   * Uses exactly these providers (no discovery).
   *
   * @param providers the connector providers
   * @return the connectors
   */
  public static Connectors of(List<? extends ConnectorProvider> providers) {
    requireNonNull(providers, "providers == null");
    Map<String, ConnectorProvider> byId = new LinkedHashMap<>();
    for (ConnectorProvider p : providers) {
      requireNonNull(p, "provider == null");
      ConnectorProvider previous = byId.putIfAbsent(p.id(), p);
      if (previous != null) {
        throw new IllegalStateException(
            "Two connector providers have the id '"
                + p.id()
                + "': "
                + previous.getClass().getName()
                + " and "
                + p.getClass().getName());
      }
    }
    return new Connectors(
        byId, HttpClients.newClient(), EngineThreads.shared(), ExportRunners.unbounded());
  }

  /**
   * Uses exactly these providers (no discovery).
   *
   * @param providers the connector providers
   * @return the connectors
   */
  public static Connectors of(ConnectorProvider... providers) {
    return of(List.of(requireNonNull(providers, "providers == null")));
  }

  /**
   * Tells the engine that a connection was removed, for {@link Connection#remove()}: its exports that
   * wait for another export stop now.
   *
   * @param removed the connection, already removed
   */
  static void connectionRemoved(Connection removed) {
    DefaultSegmentExporter.connectionRemoved(removed);
  }

  /** The instance {@link Connection#builder(String)} resolves ids with: {@link #load()}, made once. */
  static Connectors defaultInstance() {
    Connectors c = defaultInstance;
    if (c == null) {
      synchronized (Connectors.class) {
        c = defaultInstance;
        if (c == null) {
          c = load();
          defaultInstance = c;
        }
      }
    }
    return c;
  }

  /**
   * A copy that sends requests with a host's own client (for its proxy, pool or dispatcher). The SDK
   * still applies its rules: timeouts, HTTPS only, no silent OkHttp retries.
   *
   * @param hostClient the host's client
   * @return a copy that sends requests with a host's own client (for its proxy, pool or dispatcher)
   */
  public Connectors withHttpClient(OkHttpClient hostClient) {
    requireNonNull(hostClient, "hostClient == null");
    return new Connectors(
        new LinkedHashMap<>(providers),
        HttpClients.configure(hostClient.newBuilder()).build(),
        threads,
        runners);
  }

  /**
   * A copy whose exports write their batches on a pool of threads of its own, at most {@code threads}
   * at once. By default every {@code Connectors} of the JVM shares one pool of {@value
   * EngineThreads#DEFAULT_PARALLELISM} threads, so that the threads of a JVM stay bounded however many
   * exports run: each running export has one thread of its own besides (the one that reads its {@link
   * SegmentSource}, which may block; none for a source that {@linkplain SegmentSource#isNonBlocking()
   * never blocks}), and the pool hands its threads out fairly between exports. The pool has a fifth
   * more threads for setting up the segments of exports that have no thread of their own.
   * Per-export limits still hold within the pool: a connector's {@code maxConcurrentBatches} and its
   * account's rate budget. Threads are made when needed and end when idle.
   *
   * @param threads the most batches written at once, by all exports of the copy together
   * @return a copy whose exports write their batches on a pool of threads of its own
   * @throws IllegalArgumentException if {@code threads} is less than 1
   */
  public Connectors withEngineThreads(int threads) {
    return new Connectors(
        new LinkedHashMap<>(providers), client, EngineThreads.ownThreads(threads), runners);
  }

  /**
   * A copy whose exports write their batches on the host's executor (a Kafka Connect worker's, an
   * application server's), at most {@code parallelism} at once, handed out fairly between exports; and
   * with them the exports whose sources never block ({@link SegmentSource#isNonBlocking()}): their
   * reading, in steps, and the set-up of their segments, at most {@code parallelism / 5} set-ups (at
   * least one) at once besides. The tasks block on vendor calls and rate-limit waits: give an executor
   * that may run {@code parallelism + parallelism / 5} of them at once (not a small fork-join pool). A
   * task the executor rejects runs on the thread that submitted it.
   *
   * @param executor runs the exports' batch writes
   * @param parallelism the most batches written at once, by all exports of the copy together
   * @return a copy whose exports write their batches on the host's executor
   * @throws IllegalArgumentException if {@code parallelism} is less than 1
   */
  public Connectors withExecutor(Executor executor, int parallelism) {
    return new Connectors(
        new LinkedHashMap<>(providers),
        client,
        EngineThreads.using(executor, parallelism),
        runners);
  }

  /**
   * A copy of which at most {@code exports} exports run at once; exports started beyond that wait, in
   * the order started and holding no thread, until one ends ({@link SegmentExporter#start} still checks
   * and returns at once; the listener hears the export start when it runs). By default every export
   * started runs at once, each on a thread of its own that reads its segments; a limit bounds those
   * threads too, for a host that starts hundreds of exports and whose sources do not depend on each
   * other (an export waiting for a slot cannot feed another's source).
   *
   * @param exports the most exports of the copy running at once
   * @return a copy of which at most {@code exports} exports run at once
   * @throws IllegalArgumentException if {@code exports} is less than 1
   */
  public Connectors withMaxRunningExports(int exports) {
    return new Connectors(
        new LinkedHashMap<>(providers), client, threads, ExportRunners.atMost(exports));
  }

  /** {@return the connectors, in discovery order} */
  public List<ConnectorDescriptor> providers() {
    return List.copyOf(providers.values());
  }

  /**
   * {@return the provider with this id, if present}
   *
   * @param id the connector's id, such as {@code iterable}
   */
  public Optional<ConnectorDescriptor> find(String id) {
    return Optional.ofNullable(providers.get(requireNonNull(id, "id == null")));
  }

  /**
   * {@return the provider with this id}
   *
   * @param id the connector's id, such as {@code iterable}
   * @throws ConfigurationException naming the available ids when there is none
   */
  public ConnectorDescriptor provider(String id) {
    return connectorProvider(id);
  }

  private ConnectorProvider connectorProvider(String id) {
    ConnectorProvider p = providers.get(requireNonNull(id, "id == null"));
    if (p == null) {
      throw new ConfigurationException(
          "No connector with id '"
              + id
              + "' on the class path (available: "
              + (providers.isEmpty()
                  ? "none; add a connector module such as connector-iterable"
                  : String.join(", ", providers.keySet()))
              + ")");
    }
    return p;
  }

  /**
   * An exporter acting for an administrator: the host application itself, with every right. The same as
   * {@link #administratorExporter(Connection)}; a host acting for one of its users passes the user's
   * role to {@link #exporter(Connection, Role)} instead.
   *
   * @param connection the connection to export on
   * @return an exporter acting as {@link Role#ADMINISTRATOR}
   * @throws ConnectionRemovedException if the connection was removed
   */
  public SegmentExporter exporter(Connection connection) {
    return exporter(connection, Role.ADMINISTRATOR);
  }

  /**
   * An exporter acting for an administrator: the host application itself, with every right, whoever
   * the connection is shared with. A host acting for one of its users passes the user's role to
   * {@link #exporter(Connection, Role)} instead, so that the connection's {@link ConnectionAccess} is
   * checked.
   *
   * @param connection the connection to export on
   * @return an exporter acting as {@link Role#ADMINISTRATOR}
   * @throws ConnectionRemovedException if the connection was removed
   */
  public SegmentExporter administratorExporter(Connection connection) {
    return exporter(connection, Role.ADMINISTRATOR);
  }

  /**
   * {@return an exporter acting for a caller with this role}
   *
   * @param connection the connection
   * @param role the role the caller acts as
   * @throws AccessDeniedException if the connection's {@link ConnectionAccess} does not allow the role
   * @throws ConnectionRemovedException if the connection was removed
   */
  public SegmentExporter exporter(Connection connection, Role role) {
    requireNonNull(connection, "connection == null");
    requireNonNull(role, "role == null");
    connection.checkAccess(role);
    if (connection.isRemoved()) {
      throw new ConnectionRemovedException(
          "Connection '" + connection.displayName() + "' was removed; it can run no more exports");
    }
    ConnectorProvider provider = connectorProvider(connection.connectorId());
    Connector connector = provider.create(new ConnectorContext(connection));
    return new DefaultSegmentExporter(
        connection, role, connector, client, RateLimiters.shared(), threads, runners);
  }
}
