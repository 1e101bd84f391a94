package com.segmentexport.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * One connection and the statements prepared on it, each prepared once per session: SQLite's two
 * long-lived sessions reuse their statements for the life of the store; a PostgreSQL session lasts one
 * operation (the driver keeps its server-side statements per physical connection). Not thread-safe: a
 * session is used by one thread at a time, under its {@link Connections}' rules.
 */
final class Session implements AutoCloseable {
  private final Connection connection;
  private final Map<String, PreparedStatement> statements = new HashMap<>();

  Session(Connection connection) {
    this.connection = connection;
  }

  /** {@return the connection} */
  Connection connection() {
    return connection;
  }

  /**
   * Returns the statement for this SQL, prepared on first use.
   *
   * @param sql the statement
   * @return the prepared statement, with its parameters as the last use left them
   * @throws SQLException if the database cannot prepare it
   */
  PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement statement = statements.get(sql);
    if (statement == null) {
      statement = connection.prepareStatement(sql);
      statements.put(sql, statement);
    }
    return statement;
  }

  /** Closes the prepared statements, after a failure left one of them with a half-built batch. */
  void closeStatements() {
    for (PreparedStatement statement : statements.values()) {
      try {
        statement.close();
      } catch (SQLException ignored) {
        // closing after a failure: the failure is what the caller reports
      }
    }
    statements.clear();
  }

  /** Closes the statements and the connection (a pooled one goes back to its pool). */
  @Override
  public void close() {
    closeStatements();
    try {
      connection.close();
    } catch (SQLException ignored) {
      // nothing left to do with it
    }
  }
}
