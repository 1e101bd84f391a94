package com.segmentexport.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;

/**
 * The store's tables and every statement it runs on them, for one dialect and schema. The table layout
 * is documented on {@link JdbcSyncStateStore}; a change to it raises {@link #VERSION}.
 */
final class Schema {
  /** The schema version this code reads and writes. */
  static final int VERSION = 1;

  private final Dialect dialect;
  private final String schemaName;

  final String versionTable;
  final String destinationTable;
  final String memberTable;
  final String runTable;
  final String pendingTable;

  final String selectDestination;
  final String selectDestinationForWrite;
  final String selectDestinationForDelete;
  final String insertDestination;
  final String selectDestinations;
  final String deleteDestination;

  final String confirm;
  final String notConfirmed;
  final String memberColumns;
  final String countMembers;
  final String selectMembers;
  final String deleteMembers;
  final String deleteMember;

  final String runStarted;
  final String runFinished;
  final String deleteRuns;

  final String addPending;
  final String removePending;
  final String selectPending;
  final String deletePending;

  /** The lookup statements by power of two, built on first use. */
  private final String[] lookups = new String[16];

  /**
   * Names the tables.
   *
   * @param dialect the database
   * @param schemaName the schema that holds the tables, or null for the connection's default
   */
  Schema(Dialect dialect, String schemaName) {
    this.dialect = dialect;
    this.schemaName = schemaName;
    String prefix = (schemaName == null ? "" : schemaName + ".") + "segment_export_";
    versionTable = prefix + "schema_version";
    destinationTable = prefix + "destination";
    memberTable = prefix + "member";
    runTable = prefix + "run";
    pendingTable = prefix + "pending";

    String destinationWhere = " WHERE connector_id = ? AND account = ? AND destination_id = ?";
    selectDestination = "SELECT id FROM " + destinationTable + destinationWhere;
    selectDestinationForWrite = selectDestination + dialect.forShare();
    selectDestinationForDelete = selectDestination + dialect.forUpdate();
    insertDestination =
        "INSERT INTO "
            + destinationTable
            + " (connector_id, account, destination_id, created_at) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (connector_id, account, destination_id) DO NOTHING";
    selectDestinations =
        "SELECT connector_id, account, destination_id FROM " + destinationTable + " ORDER BY id";
    deleteDestination = "DELETE FROM " + destinationTable + " WHERE id = ?";

    // A confirmation replaces what the vendor holds; the vendor's id is kept when the answer gave
    // none.
    confirm =
        "INSERT INTO "
            + memberTable
            + " AS m"
            + " (destination, member_key, email, confirmed_hash, outcome, reason, vendor_id, updated_at)"
            + " VALUES (?, ?, ?, ?, 'CONFIRMED', NULL, ?, ?)"
            + " ON CONFLICT (destination, member_key) DO UPDATE SET email = excluded.email,"
            + " confirmed_hash = excluded.confirmed_hash, outcome = excluded.outcome, reason = NULL,"
            + " vendor_id = COALESCE(excluded.vendor_id, m.vendor_id), updated_at = excluded.updated_at";
    // A rejection or an unconfirmed send changes nothing the vendor confirmed: only the last
    // outcome, and
    // the address while none was ever confirmed.
    notConfirmed =
        "INSERT INTO "
            + memberTable
            + " AS m"
            + " (destination, member_key, email, confirmed_hash, outcome, reason, vendor_id, updated_at)"
            + " VALUES (?, ?, ?, NULL, ?, ?, ?, ?)"
            + " ON CONFLICT (destination, member_key) DO UPDATE SET outcome = excluded.outcome,"
            + " reason = excluded.reason, updated_at = excluded.updated_at,"
            + " email = CASE WHEN m.confirmed_hash IS NULL THEN excluded.email ELSE m.email END";
    memberColumns = "member_key, email, confirmed_hash, outcome, reason, vendor_id, updated_at";
    countMembers = "SELECT COUNT(*) FROM " + memberTable + " WHERE destination = ?";
    selectMembers = "SELECT " + memberColumns + " FROM " + memberTable + " WHERE destination = ?";
    deleteMembers = "DELETE FROM " + memberTable + " WHERE destination = ?";
    deleteMember = "DELETE FROM " + memberTable + " WHERE destination = ? AND member_key = ?";

    runStarted =
        "INSERT INTO "
            + runTable
            + " (destination, run_id, started_at) VALUES (?, ?, ?)"
            + " ON CONFLICT (destination, run_id) DO UPDATE SET started_at = excluded.started_at";
    runFinished =
        "INSERT INTO "
            + runTable
            + " (destination, run_id, finished_at, status) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (destination, run_id) DO UPDATE SET finished_at = excluded.finished_at,"
            + " status = excluded.status";
    deleteRuns = "DELETE FROM " + runTable + " WHERE destination = ?";

    addPending =
        "INSERT INTO "
            + pendingTable
            + " (destination, kind, vendor_ref, run_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (destination, kind, vendor_ref) DO UPDATE SET run_id = excluded.run_id,"
            + " payload = excluded.payload, created_at = excluded.created_at";
    removePending =
        "DELETE FROM " + pendingTable + " WHERE destination = ? AND kind = ? AND vendor_ref = ?";
    selectPending =
        "SELECT run_id, kind, vendor_ref, payload, created_at FROM "
            + pendingTable
            + " WHERE destination = ? ORDER BY created_at, id";
    deletePending = "DELETE FROM " + pendingTable + " WHERE destination = ?";
  }

  /**
   * {@return the statement that looks up to {@code size} members at once (cached for powers of two)}
   *
   * @param size how many {@code ?} the {@code IN} list has
   */
  String lookup(int size) {
    int bucket = Integer.numberOfTrailingZeros(size);
    if (size == 1 << bucket && bucket < lookups.length) {
      String sql = lookups[bucket];
      if (sql == null) {
        sql = lookupSql(size);
        lookups[bucket] = sql; // a benign race: every thread computes the same text
      }
      return sql;
    }
    return lookupSql(size);
  }

  private String lookupSql(int size) {
    StringBuilder sql = new StringBuilder(selectMembers.length() + 30 + 3 * size);
    sql.append(selectMembers).append(" AND member_key IN (?");
    for (int i = 1; i < size; i++) {
      sql.append(", ?");
    }
    return sql.append(')').toString();
  }

  /**
   * Reads the schema version the database records, changing nothing: the catalog first, then the
   * version table if there is one. Outside a transaction each statement sees the last commit.
   *
   * @param session the session
   * @return the highest version recorded, empty if the database has no version table or no row in it
   * @throws SQLException if the database fails
   */
  OptionalInt recordedVersion(Session session) throws SQLException {
    PreparedStatement exists = session.prepare(dialect.tableExists());
    exists.setString(1, versionTable);
    try (ResultSet rs = exists.executeQuery()) {
      if (!rs.next() || rs.getInt(1) == 0) {
        return OptionalInt.empty();
      }
    }
    try (ResultSet rs =
        session.prepare("SELECT MAX(version) FROM " + versionTable).executeQuery()) {
      if (rs.next()) {
        int version = rs.getInt(1);
        if (!rs.wasNull()) {
          return OptionalInt.of(version);
        }
      }
    }
    return OptionalInt.empty();
  }

  /**
   * Checks the version when the database has one, changing nothing; creates the tables, in the caller's
   * transaction, when it has none. The version is read before any statement that could change the
   * database (a database of another version is left exactly as it was).
   *
   * @param session the session, in a transaction
   * @return the version the database had, empty if it had none
   * @throws SQLException if the database fails
   */
  OptionalInt install(Session session) throws SQLException {
    dialect.beforeInstall(session);
    OptionalInt found = recordedVersion(session);
    if (found.isPresent()) {
      return found;
    }
    dialect.createSchema(session, schemaName);
    session
        .prepare(
            "CREATE TABLE IF NOT EXISTS "
                + versionTable
                + " (version INTEGER NOT NULL PRIMARY KEY, installed_at BIGINT NOT NULL)")
        .execute();
    for (String ddl : createTables()) {
      session.prepare(ddl).execute();
    }
    // A unique row: of two installers that got here at once, the second adds nothing.
    PreparedStatement version =
        session.prepare(
            "INSERT INTO "
                + versionTable
                + " (version, installed_at) VALUES (?, ?) ON CONFLICT (version) DO NOTHING");
    version.setInt(1, VERSION);
    version.setLong(2, Instant.now().toEpochMilli());
    version.executeUpdate();
    return found;
  }

  private List<String> createTables() {
    String key = dialect.keyText();
    return List.of(
        "CREATE TABLE IF NOT EXISTS "
            + destinationTable
            + " ("
            + "id "
            + dialect.autoId()
            + ", "
            + "connector_id "
            + key
            + " NOT NULL, "
            + "account "
            + key
            + " NOT NULL, "
            + "destination_id "
            + key
            + " NOT NULL, "
            + "created_at BIGINT NOT NULL, "
            + "UNIQUE (connector_id, account, destination_id))",
        "CREATE TABLE IF NOT EXISTS "
            + memberTable
            + " ("
            + "destination BIGINT NOT NULL, "
            + "member_key "
            + key
            + " NOT NULL, "
            + "email TEXT NOT NULL, "
            + "confirmed_hash BIGINT, "
            + "outcome TEXT NOT NULL CHECK (outcome IN ('CONFIRMED', 'REJECTED', 'UNCONFIRMED')), "
            + "reason TEXT, "
            + "vendor_id TEXT, "
            + "updated_at BIGINT NOT NULL, "
            + "PRIMARY KEY (destination, member_key))"
            + dialect.memberTableOptions(),
        "CREATE TABLE IF NOT EXISTS "
            + runTable
            + " ("
            + "destination BIGINT NOT NULL, "
            + "run_id "
            + key
            + " NOT NULL, "
            + "started_at BIGINT, "
            + "finished_at BIGINT, "
            + "status TEXT, "
            + "PRIMARY KEY (destination, run_id))",
        "CREATE TABLE IF NOT EXISTS "
            + pendingTable
            + " ("
            + "id "
            + dialect.autoId()
            + ", "
            + "destination BIGINT NOT NULL, "
            + "kind "
            + key
            + " NOT NULL, "
            + "vendor_ref "
            + key
            + " NOT NULL, "
            + "run_id TEXT NOT NULL, "
            + "payload TEXT NOT NULL, "
            + "created_at BIGINT NOT NULL, "
            + "UNIQUE (destination, kind, vendor_ref))");
  }
}
