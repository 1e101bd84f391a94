package com.segmentexport.state;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Connections from a host's {@link DataSource}, one per operation and given back at its end: the host's
 * pool decides how many there are. The store never closes the data source.
 */
final class PooledConnections extends Connections {
  /** Rows the driver fetches at a time in a long read: what bounds its memory. */
  static final int FETCH_SIZE = 1_000;

  private final DataSource dataSource;
  private volatile boolean closed;

  PooledConnections(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  <T> T read(Work<T> work) throws SQLException {
    checkOpen();
    try (Session session = new Session(dataSource.getConnection())) {
      return work.run(session);
    }
  }

  @Override
  <T> T write(Work<T> work) throws SQLException {
    checkOpen();
    try (Session session = new Session(dataSource.getConnection())) {
      return inTransaction(session, work);
    }
  }

  @Override
  void stream(Work<Void> work) throws SQLException {
    checkOpen();
    try (Session session = new Session(dataSource.getConnection())) {
      // PostgreSQL's driver reads a result set with a cursor, FETCH_SIZE rows at a time, only
      // inside a
      // transaction: with autocommit on it reads every row into memory first.
      inTransaction(session, work);
    }
  }

  private static <T> T inTransaction(Session session, Work<T> work) throws SQLException {
    Connection connection = session.connection();
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      T result = work.run(session);
      connection.commit();
      return result;
    } catch (SQLException | RuntimeException | Error e) {
      try {
        connection.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      try {
        connection.setAutoCommit(autoCommit);
      } catch (SQLException ignored) {
        // the pool resets or discards the connection
      }
    }
  }

  @Override
  public void close() {
    closed = true;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the sync-state store is closed");
    }
  }
}
