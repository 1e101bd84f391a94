package com.segmentexport.state;

import com.segmentexport.api.SyncStateException;
import com.segmentexport.spi.ExportCancelledException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * A store's claims ({@link JdbcSyncStateStore#exclusively}): one export at a time under one claim,
 * across every process that uses the same database. A claim is reduced to one of {@value #BUCKETS}
 * buckets by a one-way hash (two claims that share a bucket wait for each other, which costs only
 * time); nothing of its text is kept or sent.
 *
 * <ul>
 *   <li>In this JVM, each bucket is a lock, so that one thread at a time asks the database or the file.
 *   <li>PostgreSQL: a transaction-level advisory lock ({@code pg_try_advisory_xact_lock}) on a
 *       connection of the host's pool held for the action: released by the commit, or by the database
 *       when the process holding it dies. A waiter borrows a connection for each attempt only, and
 *       holds none between attempts.
 *   <li>SQLite: a lock on one byte of a file beside the state file ({@code <state file>.claims}), which
 *       the operating system releases when the process dies. Java holds file locks for the whole JVM,
 *       so every store on one file in a JVM shares one channel and one set of bucket locks.
 * </ul>
 *
 * <p>Taking a claim another process holds is retried every {@value #POLL_MILLIS} ms for at most
 * {@link #WAIT}. The wait (for another process, or for another thread of this JVM) ends when the
 * thread is interrupted, with an {@link ExportCancelledException}: the engine interrupts an export
 * cancelled while it waits.
 */
abstract class Claims implements AutoCloseable {
  /** How many buckets claims fall into: also the bytes of an SQLite claims file that can be locked. */
  static final int BUCKETS = 4096;

  /** How long a claim another export holds is waited for before the export fails. */
  static final Duration WAIT = Duration.ofMinutes(5);

  static final long POLL_MILLIS = 50;

  /** The first key of the two-key advisory locks: this SDK's, apart from the host's own locks. */
  static final int ADVISORY_NAMESPACE = 0x5E6E_0C1A;

  private final String subject;

  private Claims(String subject) {
    this.subject = subject;
  }

  /** Claims in a PostgreSQL database, through the host's data source. */
  static Claims postgres(DataSource dataSource, String subject) {
    return new Postgres(dataSource, subject);
  }

  /** Claims beside an SQLite state file. */
  static Claims file(Path stateFile, String subject) {
    return new FileClaims(
        stateFile.resolveSibling(stateFile.getFileName() + ".claims").toAbsolutePath(), subject);
  }

  /**
   * Runs the action holding the claim.
   *
   * @throws SyncStateException if the claim cannot be taken within {@link #WAIT}, or the database or
   *     file fails
   */
  abstract <T> T exclusively(String claim, Supplier<T> action);

  @Override
  public abstract void close();

  /** {@return the claim's bucket: a one-way hash of its text} */
  static int bucket(String claim) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(claim.getBytes(StandardCharsets.UTF_8));
      int h = ((d[0] & 0xff) << 24) | ((d[1] & 0xff) << 16) | ((d[2] & 0xff) << 8) | (d[3] & 0xff);
      return Math.floorMod(h, BUCKETS);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every Java platform has SHA-256", e);
    }
  }

  static long deadline() {
    return System.nanoTime() + WAIT.toNanos();
  }

  /**
   * Takes a lock of this JVM, waiting until the deadline.
   *
   * @throws ExportCancelledException if the thread is interrupted (the engine interrupts an export
   *     cancelled while it waits), its interrupt flag set again
   */
  void lock(ReentrantLock lock, long deadline) {
    try {
      if (lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      throw cancelled();
    }
    throw timedOut();
  }

  /**
   * Waits between two attempts at a claim another process holds; false once past the deadline.
   *
   * @throws ExportCancelledException if the thread is interrupted, its interrupt flag set again
   */
  static boolean pause(long deadline) {
    if (System.nanoTime() - deadline > 0) {
      return false;
    }
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      throw cancelled();
    }
    return true;
  }

  /** The export waiting for a claim was cancelled (its thread interrupted): nothing was sent. */
  private static ExportCancelledException cancelled() {
    Thread.currentThread().interrupt();
    return new ExportCancelledException(
        "interrupted while another export held the claim on a segment's list", false);
  }

  SyncStateException timedOut() {
    return new SyncStateException(
        "Could not claim a segment's list in the sync state on "
            + subject
            + ": another export sharing the state (another host or worker) has been finding or"
            + " creating the same segment's list for "
            + WAIT.toMinutes()
            + " minutes. Nothing was sent to this segment's list.",
        null);
  }

  SyncStateException failed(Exception e) {
    return new SyncStateException(
        "Could not claim a segment's list in the sync state on "
            + subject
            + " ("
            + e.getClass().getName()
            + (e.getMessage() == null ? "" : ": " + e.getMessage())
            + "). Nothing was sent to this segment's list.",
        e);
  }

  private static final class Postgres extends Claims {
    private final DataSource dataSource;
    private final ReentrantLock[] buckets = new ReentrantLock[BUCKETS];

    Postgres(DataSource dataSource, String subject) {
      super(subject);
      this.dataSource = dataSource;
      for (int i = 0; i < BUCKETS; i++) {
        buckets[i] = new ReentrantLock();
      }
    }

    @Override
    <T> T exclusively(String claim, Supplier<T> action) {
      int bucket = bucket(claim);
      long deadline = deadline();
      ReentrantLock local = buckets[bucket];
      lock(local, deadline);
      try {
        while (true) {
          // Each attempt borrows a connection of the host's pool and gives it back when another
          // holds the claim: a waiter holds none while it pauses, so waiters (one per store and
          // claim in this JVM) cannot use up the pool and block other state work, the holder's
          // writes included.
          try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
              if (taken(connection, bucket)) {
                return action.get();
              }
            } finally {
              // Ending the transaction releases the lock; the pool gets its connection back as it
              // was.
              try {
                connection.rollback();
                connection.setAutoCommit(true);
              } catch (SQLException ignored) {
                // The pool resets or discards a broken connection; its lock ends with its session.
              }
            }
          } catch (SQLException e) {
            if (Thread.currentThread().isInterrupted()) {
              // A pool that stops waiting for a connection when the thread is interrupted (the
              // engine interrupts an export stopped while it waits) says so with an SQLException.
              throw cancelled();
            }
            throw failed(e);
          }
          if (!pause(deadline)) {
            throw timedOut();
          }
        }
      } finally {
        local.unlock();
      }
    }

    /** Tries the bucket's advisory lock in the connection's transaction, without waiting. */
    private static boolean taken(Connection connection, int bucket) throws SQLException {
      try (PreparedStatement take =
          connection.prepareStatement("SELECT pg_try_advisory_xact_lock(?, ?)")) {
        take.setInt(1, ADVISORY_NAMESPACE);
        take.setInt(2, bucket);
        try (ResultSet rs = take.executeQuery()) {
          return rs.next() && rs.getBoolean(1);
        }
      }
    }

    @Override
    public void close() {}
  }

  private static final class FileClaims extends Claims {
    /** The open claims files of this JVM, by path: file locks belong to the whole JVM. */
    private static final Map<Path, Shared> OPEN = new HashMap<>();

    /** One claims file's channel and bucket locks, shared by the stores on it in this JVM. */
    private static final class Shared {
      final FileChannel channel;
      final ReentrantLock[] buckets = new ReentrantLock[BUCKETS];
      int users;

      Shared(FileChannel channel) {
        this.channel = channel;
        for (int i = 0; i < BUCKETS; i++) {
          buckets[i] = new ReentrantLock();
        }
      }
    }

    private final Path path;
    private Shared shared;

    /** The key of {@link #shared} in {@link #OPEN}. */
    private Path sharedAs;

    FileClaims(Path path, String subject) {
      super(subject);
      this.path = path;
    }

    /**
     * Opens the claims file on first use (a store never asked for a claim makes no file). Stores name
     * it by its directory's real path: one file named through a symbolic link and through its target
     * is one file, with one channel (a second channel's lock on the same byte would throw, and closing
     * it could release the first channel's locks).
     */
    private Shared shared() throws IOException {
      synchronized (OPEN) {
        if (shared == null) {
          Path file = path.getParent().toRealPath().resolve(path.getFileName());
          Shared s = OPEN.get(file);
          if (s == null) {
            s =
                new Shared(
                    FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE));
            OPEN.put(file, s);
          }
          s.users++;
          shared = s;
          sharedAs = file;
        }
        return shared;
      }
    }

    @Override
    <T> T exclusively(String claim, Supplier<T> action) {
      int bucket = bucket(claim);
      long deadline = deadline();
      Shared s;
      try {
        s = shared();
      } catch (IOException e) {
        throw failed(e);
      }
      ReentrantLock local = s.buckets[bucket];
      lock(local, deadline);
      try {
        FileLock lock;
        try {
          while ((lock = s.channel.tryLock(bucket, 1, false)) == null) {
            if (!pause(deadline)) {
              throw timedOut();
            }
          }
        } catch (IOException e) {
          throw failed(e);
        }
        try {
          return action.get();
        } finally {
          try {
            lock.release();
          } catch (IOException ignored) {
            // The channel is gone: so is its lock.
          }
        }
      } finally {
        local.unlock();
      }
    }

    @Override
    public void close() {
      synchronized (OPEN) {
        if (shared != null && --shared.users == 0) {
          OPEN.remove(sharedAs);
          try {
            shared.channel.close();
          } catch (IOException ignored) {
            // Closing releases its locks all the same.
          }
        }
        shared = null;
      }
    }
  }
}
