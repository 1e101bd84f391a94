package com.segmentexport.state;

import java.sql.SQLException;

/**
 * Where a {@link JdbcSyncStateStore} gets its connections, and how it runs reads, transactions and long
 * reads on them: {@link SqliteConnections} (two long-lived connections to one file) or
 * {@link PooledConnections} (a host's {@code DataSource}). Thread-safe.
 */
abstract class Connections implements AutoCloseable {
  /**
   * Work done on one session.
   *
   * @param <T> what it returns
   */
  @FunctionalInterface
  interface Work<T> {
    /**
     * Does the work.
     *
     * @param session the session to use, for this call only
     * @return the result
     * @throws SQLException if the database fails
     */
    T run(Session session) throws SQLException;
  }

  /**
   * Runs a short read. It may see a different committed state for each statement.
   *
   * @param work the read
   * @param <T> what it returns
   * @return what the work returned
   * @throws SQLException if the database fails
   */
  abstract <T> T read(Work<T> work) throws SQLException;

  /**
   * Runs work in one transaction, committed when it returns, rolled back when it throws.
   *
   * @param work the work
   * @param <T> what it returns
   * @return what the work returned
   * @throws SQLException if the database fails
   */
  abstract <T> T write(Work<T> work) throws SQLException;

  /**
   * Runs a long read that streams its rows, on a session of its own so that it blocks neither reads nor
   * writes (the work may call back into the store).
   *
   * @param work the read
   * @throws SQLException if the database fails
   */
  abstract void stream(Work<Void> work) throws SQLException;

  /** Closes what the store opened; never the host's {@code DataSource}. */
  @Override
  public abstract void close();
}
