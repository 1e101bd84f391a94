package com.segmentexport.state;

import static java.util.Objects.requireNonNull;

import com.segmentexport.api.DestinationKey;
import com.segmentexport.api.SyncStateException;
import com.segmentexport.spi.DestinationState;
import com.segmentexport.spi.SyncStateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The SDK's {@link SyncStateStore}: one JDBC implementation, on an SQLite file (the embedded default) or
 * on a host's PostgreSQL database (when several hosts or Kafka Connect workers share state).
 *
 * <pre>{@code
 * try (SyncStateStore state = JdbcSyncStateStore.sqlite(Path.of("state/segment-export.db"))) {
 *   // hand it to the exporter; it outlives every export that uses it
 * }
 * SyncStateStore shared = JdbcSyncStateStore.postgres(hostPool);           // the host's pooled DataSource
 * SyncStateStore inSchema = JdbcSyncStateStore.postgres(hostPool, "exports"); // tables in schema "exports"
 * }</pre>
 *
 * <h2>SQLite</h2>
 * {@link #sqlite(Path)} creates the file and its directories when they do not exist, and keeps two
 * connections to it: one for writes (one transaction at a time, as SQLite allows) and one for lookups,
 * which in WAL mode go on while a batch is being recorded. The file is in WAL journal mode with
 * {@code synchronous=NORMAL}: a commit is not synced to the disk, only the checkpoints are. That keeps
 * the store true: after a crash of the process every commit is still there (the operating system holds
 * the log), and after a power loss the last commits may be lost, which only means that their members are
 * sent again; the store never holds a member as confirmed that the vendor did not confirm. Checkpoints
 * (copying the log into the file, the step that waits for the disk) run in a background daemon thread,
 * so that recording a batch does not. Any SQLite tool may read the file while an export runs; a tool that
 * writes to it (or holds a write transaction open) makes the export wait up to the busy timeout (5
 * seconds unless {@link #sqlite(Path, Duration)} says otherwise) and then fail.
 *
 * <h2>PostgreSQL</h2>
 * {@link #postgres(DataSource)} takes a connection from the host's data source for each operation and
 * gives it back at its end: the host's pool sizes them. The host brings the driver
 * ({@code org.postgresql:postgresql}); PostgreSQL 10 or newer. The store never closes the data source.
 *
 * <h2>Schema</h2>
 * The store creates its tables the first time it opens a database (in one transaction, safely when two
 * processes do it at once) and records the schema's version in {@code segment_export_schema_version}. A
 * database of a newer version than {@value #SCHEMA_VERSION}, the one this SDK writes, is refused, and left
 * exactly as it was: the version is read before anything is written (on SQLite, before the file is put in
 * WAL mode), and no table, row or schema is created in it.
 * Times are milliseconds since 1970-01-01T00:00Z (so the instants a store returns are truncated to the
 * millisecond); {@code destination} columns hold {@code segment_export_destination.id}.
 * <ul>
 *   <li>{@code segment_export_destination(id, connector_id, account, destination_id, created_at)}: one
 *       row per {@link DestinationKey}, unique on its three parts.
 *   <li>{@code segment_export_member(destination, member_key, email, confirmed_hash, outcome, reason,
 *       vendor_id, updated_at)}, keyed by {@code (destination, member_key)}: {@code confirmed_hash} is
 *       null while the vendor never confirmed the member; {@code outcome} is {@code CONFIRMED},
 *       {@code REJECTED} or {@code UNCONFIRMED}.
 *   <li>{@code segment_export_run(destination, run_id, started_at, finished_at, status)}.
 *   <li>{@code segment_export_pending(id, destination, kind, vendor_ref, run_id, payload, created_at)},
 *       unique on {@code (destination, kind, vendor_ref)}.
 * </ul>
 *
 * <h2>Errors</h2>
 * Every failure of the database is a {@link SyncStateException} whose message names the operation and
 * the database (the file, or the JDBC URL without its parameters), never an address or a password; its
 * cause is the driver's exception. A locked file, a file that is not an SQLite database, and a newer
 * schema each have their own message, saying what to do.
 *
 * <p>Thread-safe. Nulls are rejected. {@link #close()} closes the store's own connections.
 */
public final class JdbcSyncStateStore implements SyncStateStore {
  /** The version of the tables this SDK creates, reads and writes. */
  public static final int SCHEMA_VERSION = Schema.VERSION;

  /** How long SQLite waits for a lock another connection holds, unless told otherwise. */
  public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);

  private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private final Connections connections;
  private final Claims claims;
  private final Schema schema;
  private final Failures failures;
  private final ConcurrentMap<DestinationKey, DestinationRef> destinations =
      new ConcurrentHashMap<>();
  private volatile boolean closed;

  private JdbcSyncStateStore(
      Connections connections, Claims claims, Schema schema, Failures failures) {
    this.connections = connections;
    this.claims = claims;
    this.schema = schema;
    this.failures = failures;
    OptionalInt found;
    try {
      found = connections.write(schema::install);
    } catch (SQLException e) {
      connections.close();
      throw failures.atOpen(e);
    } catch (RuntimeException e) {
      connections.close();
      throw e;
    }
    try {
      checkVersion(found, failures);
    } catch (SyncStateException e) {
      connections.close();
      throw e;
    }
  }

  /**
   * Refuses a database of another schema version than this SDK's.
   *
   * @param found the version the database records, empty if none (a new database)
   * @param failures the database, for the message
   * @throws SyncStateException if the database has another version
   */
  private static void checkVersion(OptionalInt found, Failures failures) {
    if (found.isPresent() && found.getAsInt() != Schema.VERSION) {
      throw new SyncStateException(
          "Could not open the sync state: "
              + failures.subject()
              + " has schema version "
              + found.getAsInt()
              + ", and this SDK reads and writes version "
              + Schema.VERSION
              + ". "
              + (found.getAsInt() > Schema.VERSION
                  ? "A newer version of the SDK wrote it: use that version or a later one, or"
                  : "No version of the SDK can upgrade it:")
              + " move it aside to start a new state (every profile is then sent again). Nothing was sent.",
          null);
    }
  }

  /**
   * Opens (or creates) a state file, waiting up to {@link #DEFAULT_BUSY_TIMEOUT} for a lock.
   *
   * @param file the SQLite file; it and its directories are created when missing
   * @return the store
   * @throws SyncStateException if the file cannot be created, is locked, is not an SQLite database, or
   *     has a newer schema
   */
  public static JdbcSyncStateStore sqlite(Path file) {
    return sqlite(file, DEFAULT_BUSY_TIMEOUT);
  }

  /**
   * Opens (or creates) a state file.
   *
   * @param file the SQLite file; it and its directories are created when missing
   * @param busyTimeout how long an operation waits for a lock another connection holds on the file
   *     before it fails
   * @return the store
   * @throws SyncStateException if the file cannot be created, is locked, is not an SQLite database, or
   *     has a newer schema
   */
  public static JdbcSyncStateStore sqlite(Path file, Duration busyTimeout) {
    requireNonNull(file, "file == null");
    requireNonNull(busyTimeout, "busyTimeout == null");
    if (busyTimeout.isNegative() || busyTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("busyTimeout out of range: " + busyTimeout);
    }
    Path absolute = file.toAbsolutePath().normalize();
    Failures failures = new Failures(Dialect.SQLITE, absolute.toString(), busyTimeout);
    try {
      Path parent = absolute.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new SyncStateException(
          "Could not open the sync state: cannot create the directory of the state file "
              + absolute
              + " ("
              + e
              + "). Nothing was sent.",
          e);
    }
    Schema schema = new Schema(Dialect.SQLITE, null);
    Connections connections;
    try {
      // The version is read before the file is put in WAL mode: a file of another version is left
      // exactly as it was, journal mode included.
      connections =
          new SqliteConnections(
              absolute,
              busyTimeout,
              session -> {
                checkVersion(schema.recordedVersion(session), failures);
                return null;
              });
    } catch (SQLException e) {
      throw failures.atOpen(e);
    }
    return new JdbcSyncStateStore(
        connections, Claims.file(absolute, failures.subject()), schema, failures);
  }

  /**
   * Opens (or creates) the state in a PostgreSQL database, in the connection's default schema.
   *
   * @param dataSource the host's data source (a pool, ideally), with a user that may create tables
   * @return the store
   * @throws SyncStateException if the database cannot be reached or has a newer schema
   */
  public static JdbcSyncStateStore postgres(DataSource dataSource) {
    return openPostgres(dataSource, null);
  }

  /**
   * Opens (or creates) the state in a schema of a PostgreSQL database; the schema is created when missing.
   *
   * @param dataSource the host's data source (a pool, ideally), with a user that may create tables
   * @param schemaName the schema that holds the tables: lower-case letters, digits and {@code _}, not
   *     starting with a digit
   * @return the store
   * @throws IllegalArgumentException if the schema name is not such a name
   * @throws SyncStateException if the database cannot be reached or has a newer schema
   */
  public static JdbcSyncStateStore postgres(DataSource dataSource, String schemaName) {
    requireNonNull(schemaName, "schemaName == null");
    return openPostgres(dataSource, schemaName);
  }

  private static JdbcSyncStateStore openPostgres(DataSource dataSource, String schemaName) {
    requireNonNull(dataSource, "dataSource == null");
    if (schemaName != null && !SCHEMA_NAME.matcher(schemaName).matches()) {
      throw new IllegalArgumentException("not a plain lower-case schema name: " + schemaName);
    }
    String url;
    try (Connection connection = dataSource.getConnection()) {
      url = withoutSecrets(connection.getMetaData().getURL());
    } catch (SQLException e) {
      throw new Failures(Dialect.POSTGRES, "(the given DataSource)", null).atOpen(e);
    }
    String database = url + (schemaName == null ? "" : " (schema " + schemaName + ")");
    Failures failures = new Failures(Dialect.POSTGRES, database, null);
    return new JdbcSyncStateStore(
        new PooledConnections(dataSource),
        Claims.postgres(dataSource, failures.subject()),
        new Schema(Dialect.POSTGRES, schemaName),
        failures);
  }

  /**
   * {@return a JDBC URL without its parameters and without user information, which may hold a password}
   *
   * @param url the URL, or null
   */
  static String withoutSecrets(String url) {
    if (url == null) {
      return "(unknown URL)";
    }
    int parameters = indexOfAny(url, '?', ';');
    String base = parameters < 0 ? url : url.substring(0, parameters);
    return base.replaceFirst("//[^/]*@", "//");
  }

  private static int indexOfAny(String s, char a, char b) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == a || s.charAt(i) == b) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public DestinationState open(DestinationKey key) {
    requireNonNull(key, "key == null");
    checkOpen();
    DestinationRef ref = destinations.computeIfAbsent(key, DestinationRef::new);
    ref.id =
        write("open the state of " + ref.label, session -> resolveForWrite(session, key, true));
    return new JdbcDestinationState(this, ref);
  }

  @Override
  public long forget(DestinationKey key) {
    requireNonNull(key, "key == null");
    checkOpen();
    DestinationRef ref = destinations.computeIfAbsent(key, DestinationRef::new);
    long forgotten =
        write(
            "forget " + ref.label,
            session -> {
              // In PostgreSQL this waits for the writes holding the destination's row in share
              // mode.
              long id = select(session, schema.selectDestinationForDelete, key);
              if (id == 0) {
                return 0L;
              }
              long deleted = 0;
              for (String sql :
                  List.of(
                      schema.deleteDestination,
                      schema.deleteMembers,
                      schema.deleteRuns,
                      schema.deletePending)) {
                PreparedStatement delete = session.prepare(sql);
                delete.setLong(1, id);
                int rows = delete.executeUpdate();
                if (sql.equals(schema.deleteMembers)) {
                  deleted = rows;
                }
              }
              return deleted;
            });
    ref.id = 0;
    return forgotten;
  }

  @Override
  public List<DestinationKey> destinations() {
    checkOpen();
    return read(
        "list the destinations",
        session -> {
          List<DestinationKey> keys = new ArrayList<>();
          try (ResultSet rs = session.prepare(schema.selectDestinations).executeQuery()) {
            while (rs.next()) {
              keys.add(new DestinationKey(rs.getString(1), rs.getString(2), rs.getString(3)));
            }
          }
          return List.copyOf(keys);
        });
  }

  /** Closes the store's connections (for PostgreSQL, only marks the store closed); closing twice is allowed. */
  @Override
  public void close() {
    closed = true;
    connections.close();
    claims.close();
  }

  /**
   * Runs the action holding a claim that every export using this database respects, in any process:
   * on PostgreSQL a transaction-level advisory lock (on a connection of the host's pool, held for the
   * action), on SQLite a lock on a byte of the file {@code <state file>.claims} beside the state file.
   * Either ends with the process that holds it. A claim another export holds is waited for, up to five
   * minutes; on PostgreSQL the wait takes a connection of the pool for each attempt only (every 50 ms),
   * so waiters leave the pool to other work.
   */
  @Override
  public <T> T exclusively(String claim, Supplier<T> action) {
    requireNonNull(claim, "claim == null");
    requireNonNull(action, "action == null");
    checkOpen();
    return claims.exclusively(claim, action);
  }

  @Override
  public String toString() {
    return "JdbcSyncStateStore{" + failures.subject() + "}";
  }

  Schema schema() {
    return schema;
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException(
          "the sync-state store on " + failures.subject() + " is closed");
    }
  }

  <T> T read(String operation, Connections.Work<T> work) {
    try {
      return connections.read(work);
    } catch (SQLException e) {
      throw failures.of(operation, e);
    }
  }

  <T> T write(String operation, Connections.Work<T> work) {
    try {
      return connections.write(work);
    } catch (SQLException e) {
      throw failures.of(operation, e);
    }
  }

  void stream(String operation, Connections.Work<Void> work) {
    try {
      connections.stream(work);
    } catch (SQLException e) {
      throw failures.of(operation, e);
    }
  }

  /**
   * Finds a destination's id in a write transaction, taking its row in share mode where the dialect
   * can (so that a concurrent forget waits), and creates it when asked.
   *
   * @param session the write transaction's session
   * @param key the destination
   * @param create whether to create a missing destination
   * @return its id, or 0 if it does not exist and was not created
   * @throws SQLException if the database fails
   */
  long resolveForWrite(Session session, DestinationKey key, boolean create) throws SQLException {
    long id = select(session, schema.selectDestinationForWrite, key);
    if (id != 0 || !create) {
      return id;
    }
    PreparedStatement insert = session.prepare(schema.insertDestination);
    insert.setString(1, key.connectorId());
    insert.setString(2, key.account());
    insert.setString(3, key.destinationId());
    insert.setLong(4, Instant.now().toEpochMilli());
    insert.executeUpdate(); // does nothing when another process created it since the select
    id = select(session, schema.selectDestinationForWrite, key);
    if (id == 0) {
      throw new SQLException("the destination row was not created", "55000");
    }
    return id;
  }

  /**
   * Finds a destination's id for a read.
   *
   * @param session the session
   * @param key the destination
   * @return its id, or 0 if it does not exist
   * @throws SQLException if the database fails
   */
  long resolveForRead(Session session, DestinationKey key) throws SQLException {
    return select(session, schema.selectDestination, key);
  }

  private static long select(Session session, String sql, DestinationKey key) throws SQLException {
    PreparedStatement select = session.prepare(sql);
    select.setString(1, key.connectorId());
    select.setString(2, key.account());
    select.setString(3, key.destinationId());
    try (ResultSet rs = select.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /**
   * A destination's row id, shared by every state opened on it from this store: 0 when unknown (never
   * resolved, or forgotten). Ids are never reused, so a stale one reads nothing rather than another
   * destination's members; every write resolves the id afresh.
   */
  static final class DestinationRef {
    final DestinationKey key;

    /** How messages name the destination: connector and list, without the account's fingerprint. */
    final String label;

    volatile long id;

    DestinationRef(DestinationKey key) {
      this.key = key;
      this.label = "destination " + key.connectorId() + "/" + key.destinationId();
    }
  }
}
