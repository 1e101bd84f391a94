package com.segmentexport.state;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.JDBC;
import org.sqlite.SQLiteErrorCode;

/**
 * Two connections to one SQLite file, each used under its own lock: one for every write transaction
 * (SQLite has one writer at a time anyway) and one for short reads, which in WAL mode go on beside a
 * write and see the last commit. Long reads ({@link #stream}) get a connection of their own.
 *
 * <p>Checkpoints (copying the log back into the database file, the only step that syncs to the disk
 * under {@code synchronous=NORMAL}) run on a third connection in a background thread, every
 * {@value #COMMITS_PER_CHECKPOINT} commits, so that a batch's commit never waits for the disk; SQLite's
 * own checkpoint in the committing thread stays as a backstop, at a log of {@value #BACKSTOP_PAGES}
 * pages, should the background one fall behind.
 */
final class SqliteConnections extends Connections {
  /** SQLite's page cache per connection, in KiB (a negative {@code cache_size}); native memory, not heap. */
  static final int CACHE_KIB = 32 * 1024;

  /** Memory-mapped reads, in bytes: pages are read without a system call each. */
  static final long MMAP_BYTES = 256L * 1024 * 1024;

  /** Commits between two background checkpoints. */
  static final int COMMITS_PER_CHECKPOINT = 8;

  /** The log's size, in pages, at which the committing thread checkpoints (SQLite's default is 1,000). */
  static final int BACKSTOP_PAGES = 10_000;

  /** The size, in bytes, the log is cut back to after a checkpoint. */
  static final long LOG_SIZE_LIMIT = 16L * 1024 * 1024;

  private final String url;
  private final Duration busyTimeout;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ReentrantLock readLock = new ReentrantLock();
  private Session writer; // guarded by writeLock
  private Session reader; // guarded by readLock
  private boolean closed; // guarded by both locks
  private int commitsSinceCheckpoint; // guarded by writeLock
  private final AtomicBoolean checkpointing = new AtomicBoolean();
  private ExecutorService checkpointer; // created on first use, guarded by writeLock
  private Connection checkpointConnection; // used only by the checkpointer's thread

  /**
   * Opens the two connections; the first one created makes the file and, once {@code check} passed,
   * turns on WAL mode.
   *
   * @param file the database file; its directory exists
   * @param busyTimeout how long to wait for a lock another connection holds
   * @param check reads the file before anything changes it (no transaction is open), and throws to
   *     leave it as it is; its exception is thrown here, the connection closed
   * @throws SQLException if the file cannot be opened, is locked, or is not a database
   */
  /** How long to wait before trying a busy new file again. */
  private static final long BUSY_RETRY_MILLIS = 20;

  SqliteConnections(Path file, Duration busyTimeout, Work<Void> check) throws SQLException {
    this.url = JDBC.PREFIX + file;
    this.busyTimeout = busyTimeout;
    // Two stores opening a new file at once may find it busy without SQLite's busy handler waiting
    // (a read that must become a write, the switch to WAL): that is retried until the busy timeout.
    long deadline = System.nanoTime() + busyTimeout.toNanos();
    Connection write;
    while (true) {
      try {
        write = open();
        checkAndTurnOnWal(write, check);
        break;
      } catch (SQLException e) {
        int code = e.getErrorCode() & 0xFF;
        boolean busy =
            code == SQLiteErrorCode.SQLITE_BUSY.code || code == SQLiteErrorCode.SQLITE_LOCKED.code;
        if (!busy || System.nanoTime() - deadline > 0) {
          throw e;
        }
      }
      try {
        Thread.sleep(BUSY_RETRY_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted while the state file was busy", e);
      }
    }
    this.writer = new Session(write);
    try {
      Connection read = open();
      try (Statement s = read.createStatement()) {
        s.execute("PRAGMA query_only = ON");
      }
      this.reader = new Session(read);
    } catch (SQLException e) {
      writer.close();
      throw e;
    }
  }

  /**
   * Reads the file with {@code check} before anything changes it, then turns on WAL mode; closes
   * {@code write} if either fails.
   */
  private static void checkAndTurnOnWal(Connection write, Work<Void> check) throws SQLException {
    Session checking = new Session(write);
    try {
      check.run(checking);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(write);
      throw e;
    } finally {
      checking.closeStatements(); // none may be open when the journal mode changes
    }
    try (Statement s = write.createStatement()) {
      // WAL: readers go on beside the writer, and a commit is one append to the log. NORMAL syncs
      // the log
      // only at checkpoints: a commit survives a crash of the process (the OS holds the log), and a
      // power
      // loss may take back the last commits, which then means those members are sent again, never
      // that
      // the state claims a confirmation the vendor did not give.
      s.execute("PRAGMA journal_mode = WAL");
      s.execute("PRAGMA synchronous = NORMAL");
      s.execute("PRAGMA wal_autocheckpoint = " + BACKSTOP_PAGES);
      // Once checkpointed, a log that grew larger than this is cut back, so the file beside the
      // database
      // does not keep the size of the longest burst.
      s.execute("PRAGMA journal_size_limit = " + LOG_SIZE_LIMIT);
    } catch (SQLException e) {
      closeQuietly(write);
      throw e;
    }
  }

  private Connection open() throws SQLException {
    Connection connection = JDBC.createConnection(url, new Properties());
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA busy_timeout = " + busyTimeout.toMillis());
      s.execute("PRAGMA cache_size = -" + CACHE_KIB);
      s.execute("PRAGMA mmap_size = " + MMAP_BYTES);
      s.execute("PRAGMA temp_store = MEMORY");
      // The first read fails here, not later, on a file that is not a database.
      s.execute("PRAGMA schema_version");
    } catch (SQLException e) {
      closeQuietly(connection);
      throw e;
    }
    return connection;
  }

  @Override
  <T> T read(Work<T> work) throws SQLException {
    readLock.lock();
    try {
      checkOpen();
      try {
        return work.run(reader);
      } catch (SQLException | RuntimeException | Error e) {
        reader.closeStatements();
        throw e;
      }
    } finally {
      readLock.unlock();
    }
  }

  @Override
  <T> T write(Work<T> work) throws SQLException {
    writeLock.lock();
    try {
      checkOpen();
      // IMMEDIATE takes the write lock now (waiting up to the busy timeout), so that a transaction
      // never
      // has to upgrade a read to a write halfway, which SQLite may refuse without waiting.
      writer.prepare("BEGIN IMMEDIATE").execute();
      try {
        T result = work.run(writer);
        writer.prepare("COMMIT").execute();
        if (++commitsSinceCheckpoint >= COMMITS_PER_CHECKPOINT
            && checkpointing.compareAndSet(false, true)) {
          commitsSinceCheckpoint = 0;
          startCheckpoint();
        }
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        rollback();
        throw e;
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** Starts a checkpoint in the background thread; called under the write lock. */
  private void startCheckpoint() {
    if (checkpointer == null) {
      checkpointer =
          Executors.newSingleThreadExecutor(
              task -> {
                Thread thread = new Thread(task, "segment-export-state-checkpoint");
                thread.setDaemon(true);
                return thread;
              });
    }
    checkpointer.execute(
        () -> {
          try {
            if (checkpointConnection == null) {
              checkpointConnection = open();
            }
            try (Statement s = checkpointConnection.createStatement()) {
              // PASSIVE: copies what it can without waiting for the writer or the readers.
              s.execute("PRAGMA wal_checkpoint(PASSIVE)");
            }
          } catch (SQLException e) {
            // Nothing is lost: the log keeps every commit, and the next checkpoint (or the
            // backstop) copies it.
          } finally {
            checkpointing.set(false);
          }
        });
  }

  private void rollback() {
    writer.closeStatements();
    try (Statement s = writer.connection().createStatement()) {
      s.execute("ROLLBACK");
    } catch (SQLException ignored) {
      // SQLite may have rolled back on its own (e.g. on SQLITE_FULL): nothing is left to undo
    }
  }

  @Override
  void stream(Work<Void> work) throws SQLException {
    checkOpenUnlocked();
    try (Session session = new Session(open())) {
      try (Statement s = session.connection().createStatement()) {
        s.execute("PRAGMA query_only = ON");
      }
      work.run(session);
    }
  }

  @Override
  public void close() {
    writeLock.lock();
    readLock.lock();
    try {
      if (!closed) {
        closed = true;
        stopCheckpointer();
        reader.close();
        writer.close();
      }
    } finally {
      readLock.unlock();
      writeLock.unlock();
    }
  }

  private void stopCheckpointer() {
    if (checkpointer == null) {
      return;
    }
    checkpointer.shutdown();
    try {
      checkpointer.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (checkpointConnection != null) {
      closeQuietly(
          checkpointConnection); // the last connection to close checkpoints and removes the log
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the sync-state store is closed");
    }
  }

  private void checkOpenUnlocked() {
    readLock.lock();
    try {
      checkOpen();
    } finally {
      readLock.unlock();
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // the failure that led here is what the caller reports
    }
  }
}
