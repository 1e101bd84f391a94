package com.segmentexport.state;

import com.segmentexport.api.SyncStateException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.regex.Pattern;
import org.sqlite.SQLiteErrorCode;

/**
 * Turns the driver's {@link SQLException}s into {@link SyncStateException}s whose message says which
 * operation failed on which database, and what to do, without an address or a credential: the driver's
 * own text is cut to its first line (PostgreSQL's details quote row values), stripped of anything that
 * looks like an address, and never includes a batch's statement text.
 */
final class Failures {
  /** Anything shaped like an e-mail address, in a driver's message. */
  private static final Pattern ADDRESS = Pattern.compile("[^\\s@\"'(),=<>]+@[^\\s@\"'(),=<>]+");

  private final Dialect dialect;
  private final String database;
  private final Duration busyTimeout;

  /**
   * Describes one store's database.
   *
   * @param dialect the database
   * @param database the file, or the sanitised URL and schema, as messages name it
   * @param busyTimeout how long SQLite waits for a lock (null for PostgreSQL)
   */
  Failures(Dialect dialect, String database, Duration busyTimeout) {
    this.dialect = dialect;
    this.database = database;
    this.busyTimeout = busyTimeout;
  }

  /** {@return the database as messages name it: "the state file /x/y.db"} */
  String subject() {
    return dialect == Dialect.SQLITE
        ? "the state file " + database
        : "the " + dialect.displayName() + " database " + database;
  }

  /**
   * Describes a failure.
   *
   * @param operation what was being done, as a verb phrase: "look members up", "record 100 outcomes"
   * @param e the driver's exception
   * @return the exception to throw
   */
  SyncStateException of(String operation, SQLException e) {
    return new SyncStateException("Could not " + operation + ": " + explain(e), e);
  }

  /**
   * Describes a failure to open the store, which happens before anything is sent.
   *
   * @param e the driver's exception
   * @return the exception to throw
   */
  SyncStateException atOpen(SQLException e) {
    return new SyncStateException(
        "Could not open the sync state: " + explain(e) + " Nothing was sent.", e);
  }

  private String explain(SQLException e) {
    if (dialect == Dialect.SQLITE) {
      int code = e.getErrorCode() & 0xFF; // the primary result code of an extended one
      if (code == SQLiteErrorCode.SQLITE_BUSY.code || code == SQLiteErrorCode.SQLITE_LOCKED.code) {
        return subject()
            + " is locked by another process (or another store on the same"
            + " file), and stayed locked for "
            + busyTimeout.toMillis()
            + " ms. Let the other export finish,"
            + " or give each export that runs at the same time its own state file.";
      }
      if (code == SQLiteErrorCode.SQLITE_NOTADB.code
          || code == SQLiteErrorCode.SQLITE_CORRUPT.code) {
        return subject()
            + " is not an SQLite database, or is damaged ("
            + SQLiteErrorCode.getErrorCode(code).name()
            + "). Restore it from a backup, or move it aside to"
            + " start a new state (every profile is then sent again).";
      }
      if (code == SQLiteErrorCode.SQLITE_CANTOPEN.code) {
        return subject()
            + " cannot be opened (SQLITE_CANTOPEN): check that it is a file"
            + " and that its directory is writable.";
      }
      return subject() + " failed (" + firstLine(e) + ").";
    }
    SQLException reported =
        e instanceof BatchUpdateException && e.getNextException() != null
            ? e.getNextException() // the batch exception's own message quotes the statement with
            // its values
            : e;
    return subject()
        + " failed (SQLState "
        + reported.getSQLState()
        + ": "
        + firstLine(reported)
        + ").";
  }

  private static String firstLine(SQLException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int end = message.indexOf('\n');
    String line = (end < 0 ? message : message.substring(0, end)).strip();
    return ADDRESS.matcher(line).replaceAll("<address>");
  }
}
