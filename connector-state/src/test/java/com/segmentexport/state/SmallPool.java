package com.segmentexport.state;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A host's connection pool, small on purpose: at most {@code size} connections lent at once; a borrower
 * waits (fairly) for one to come back, and fails with an {@link SQLException} after {@code timeout}, as
 * a real pool does. Physical connections are kept and lent again; one comes back with its transaction
 * rolled back and autocommit on. Counts what tests assert: connections lent now, borrowers that timed
 * out, and the threads that asked.
 */
final class SmallPool implements DataSource, AutoCloseable {
  private final DataSource database;
  private final Semaphore permits;
  private final Duration timeout;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private final AtomicInteger lent = new AtomicInteger();
  private final AtomicInteger timedOut = new AtomicInteger();
  private final Set<String> askedBy = ConcurrentHashMap.newKeySet();

  SmallPool(DataSource database, int size, Duration timeout) {
    this.database = database;
    this.permits = new Semaphore(size, true);
    this.timeout = timeout;
  }

  /** {@return connections lent and not given back} */
  int lent() {
    return lent.get();
  }

  /** {@return how many borrowers gave up waiting for a connection} */
  int timedOut() {
    return timedOut.get();
  }

  /** {@return the names of the threads that asked for a connection} */
  Set<String> askedBy() {
    return Collections.unmodifiableSet(askedBy);
  }

  @Override
  public Connection getConnection() throws SQLException {
    askedBy.add(Thread.currentThread().getName());
    try {
      if (!permits.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        timedOut.incrementAndGet();
        throw new SQLException("pool exhausted: no connection came back within " + timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted waiting for a connection", e);
    }
    Connection physical;
    try {
      synchronized (idle) {
        physical = idle.poll();
      }
      if (physical == null) {
        physical = database.getConnection();
      }
    } catch (SQLException | RuntimeException e) {
      permits.release();
      throw e;
    }
    lent.incrementAndGet();
    return lend(physical);
  }

  private Connection lend(Connection physical) {
    boolean[] returned = new boolean[1];
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "close":
                  if (!returned[0]) {
                    returned[0] = true;
                    giveBack(physical);
                  }
                  return null;
                case "isClosed":
                  return returned[0] || physical.isClosed();
                default:
                  if (returned[0]) {
                    throw new SQLException("connection used after it was given back");
                  }
                  try {
                    return method.invoke(physical, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
              }
            });
  }

  private void giveBack(Connection physical) {
    try {
      if (!physical.getAutoCommit()) {
        physical.rollback();
        physical.setAutoCommit(true);
      }
      synchronized (idle) {
        idle.push(physical);
      }
    } catch (SQLException e) {
      try {
        physical.close();
      } catch (SQLException ignored) {
        // discarded
      }
    } finally {
      lent.decrementAndGet();
      permits.release();
    }
  }

  @Override
  public void close() throws SQLException {
    synchronized (idle) {
      for (Connection c : idle) {
        c.close();
      }
      idle.clear();
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
