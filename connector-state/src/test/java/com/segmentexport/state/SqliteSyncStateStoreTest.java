package com.segmentexport.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.SyncStateException;
import com.segmentexport.spi.DestinationState;
import com.segmentexport.spi.MemberOutcome;
import com.segmentexport.spi.SyncStateStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's behaviour on SQLite files, and what only a file can do: be locked, corrupt, or read by hand. */
class SqliteSyncStateStoreTest extends SyncStateStoreBehaviourTest {
  private static final Duration SHORT_BUSY_TIMEOUT = Duration.ofMillis(300);

  @TempDir Path directory;
  private final AtomicInteger files = new AtomicInteger();

  @Override
  protected Database freshDatabase() {
    return file(
        directory.resolve("state-" + files.incrementAndGet()).resolve("segment-export.db"),
        JdbcSyncStateStore.DEFAULT_BUSY_TIMEOUT);
  }

  @Test
  void aClaimAnotherProcessHoldsOnTheFileIsWaitedFor() throws Exception {
    Path file = directory.resolve("shared").resolve("segment-export.db");
    String claim = "autopilot\nacct-7\nlist\nNewsletter";
    JdbcSyncStateStore.sqlite(file).close();
    Process holder = holdInAnotherProcess(file, claim);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (SyncStateStore store = JdbcSyncStateStore.sqlite(file)) {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      Future<String> firstLine = pool.submit(out::readLine);
      assertThat(firstLine.get(60, TimeUnit.SECONDS)).isEqualTo("HELD");
      // Another claim is free; the held one is not, until the other process lets it go.
      assertThat(
              pool.submit(() -> store.exclusively(claimInAnotherBucket(claim), () -> "other"))
                  .get(30, TimeUnit.SECONDS))
          .isEqualTo("other");
      AtomicLong letGoAt = new AtomicLong(Long.MAX_VALUE);
      Future<Long> waiting = pool.submit(() -> store.exclusively(claim, System::nanoTime));
      Thread.sleep(500);
      assertThat(waiting).as("ran under a claim another process holds").isNotDone();
      // The other process lets the claim go once its input ends, not before.
      letGoAt.set(System.nanoTime());
      holder.getOutputStream().close();
      assertThat(waiting.get(30, TimeUnit.SECONDS) - letGoAt.get())
          .as("ran only after the other process let the claim go")
          .isPositive();
      assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(holder.exitValue()).isZero();
    } finally {
      holder.destroyForcibly();
      pool.shutdownNow();
    }
  }

  @Test
  void storesNamingOneFileThroughALinkedDirectoryShareItsClaims() throws Exception {
    // Two stores of one JVM on one state file, named through different directories (a symbolic
    // link,
    // such as /tmp and /private/tmp): the claim one holds is waited for by the other, not an error.
    Path real = Files.createDirectories(directory.resolve("real"));
    Path link = Files.createSymbolicLink(directory.resolve("link"), real);
    String claim = "iterable\nacct-5\nlist\nVIP";
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (SyncStateStore one = JdbcSyncStateStore.sqlite(real.resolve("segment-export.db"));
        SyncStateStore two = JdbcSyncStateStore.sqlite(link.resolve("segment-export.db"))) {
      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      java.util.concurrent.atomic.AtomicBoolean holding =
          new java.util.concurrent.atomic.AtomicBoolean();
      Future<String> first =
          pool.submit(
              () ->
                  one.exclusively(
                      claim,
                      () -> {
                        holding.set(true);
                        held.countDown();
                        awaitQuietly(release);
                        holding.set(false);
                        return "first";
                      }));
      assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
      java.util.concurrent.atomic.AtomicBoolean overlapped =
          new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicReference<Thread> waiter =
          new java.util.concurrent.atomic.AtomicReference<>();
      Future<String> second =
          pool.submit(
              () -> {
                waiter.set(Thread.currentThread());
                return two.exclusively(
                    claim,
                    () -> {
                      overlapped.set(holding.get());
                      return "second";
                    });
              });
      // Until it waits for the claim (or fails).
      while (!second.isDone()
          && (waiter.get() == null || waiter.get().getState() != Thread.State.TIMED_WAITING)) {
        Thread.onSpinWait();
      }
      release.countDown();
      assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("first");
      assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo("second");
      assertThat(overlapped).isFalse();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aWaitForAClaimAnotherStoreOfThisJvmHoldsEndsWhenTheWaiterIsInterrupted() throws Exception {
    // The engine interrupts an export cancelled while it waits for a claim: the wait ends as a
    // cancellation, not after the holder let go (or after minutes).
    Path file = directory.resolve("interrupted").resolve("segment-export.db");
    String claim = "iterable\nacct-9\nlist\nHeld";
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (SyncStateStore one = JdbcSyncStateStore.sqlite(file);
        SyncStateStore two = JdbcSyncStateStore.sqlite(file)) {
      Future<String> first =
          pool.submit(
              () ->
                  one.exclusively(
                      claim,
                      () -> {
                        held.countDown();
                        awaitQuietly(release);
                        return "first";
                      }));
      assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
      assertInterruptedWaitIsCancelled(pool, two, claim);
      release.countDown();
      assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("first");
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void aWaitForAClaimAnotherProcessHoldsEndsWhenTheWaiterIsInterrupted() throws Exception {
    Path file = directory.resolve("interrupted-process").resolve("segment-export.db");
    String claim = "autopilot\nacct-9\nlist\nHeld";
    JdbcSyncStateStore.sqlite(file).close();
    Process holder = holdInAnotherProcess(file, claim);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (SyncStateStore store = JdbcSyncStateStore.sqlite(file)) {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertThat(pool.submit(out::readLine).get(60, TimeUnit.SECONDS)).isEqualTo("HELD");
      assertInterruptedWaitIsCancelled(pool, store, claim);
      holder.getOutputStream().close();
      assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      holder.destroyForcibly();
      pool.shutdownNow();
    }
  }

  /** Waits for the held claim on a thread of the pool, interrupts it: a cancellation, at once. */
  private static void assertInterruptedWaitIsCancelled(
      ExecutorService pool, SyncStateStore store, String claim) throws Exception {
    java.util.concurrent.atomic.AtomicReference<Thread> waiter =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicBoolean flagKept =
        new java.util.concurrent.atomic.AtomicBoolean();
    Future<Throwable> second =
        pool.submit(
            () -> {
              waiter.set(Thread.currentThread());
              try {
                store.exclusively(claim, () -> ran.getAndSet(true));
                return null;
              } catch (RuntimeException e) {
                flagKept.set(Thread.interrupted());
                return e;
              }
            });
    // Until it waits for the claim.
    while (!second.isDone()
        && (waiter.get() == null
            || (waiter.get().getState() != Thread.State.TIMED_WAITING
                && waiter.get().getState() != Thread.State.WAITING))) {
      Thread.onSpinWait();
    }
    assertThat(second).as("ran under a claim another holds").isNotDone();
    waiter.get().interrupt();
    assertThat(second.get(1, TimeUnit.SECONDS))
        .as("what the interrupted wait ended with")
        .isInstanceOf(com.segmentexport.spi.ExportCancelledException.class);
    assertThat(flagKept).as("the interrupt flag set again").isTrue();
    assertThat(ran).as("the action ran").isFalse();
  }

  static Database file(Path file, Duration busyTimeout) {
    return file(file, busyTimeout, "WAL");
  }

  /**
   * A state file.
   *
   * @param journalMode the journal mode {@link Database#createNamespace} gives a file made behind the
   *     store's back: WAL, as every version of the SDK makes it, or another
   */
  static Database file(Path file, Duration busyTimeout, String journalMode) {
    return new Database() {
      @Override
      public SyncStateStore open() {
        return JdbcSyncStateStore.sqlite(file, busyTimeout);
      }

      @Override
      public String table(String name) {
        return "segment_export_" + name;
      }

      @Override
      public void createNamespace(Statement s) throws SQLException {
        s.execute("PRAGMA journal_mode = " + journalMode);
      }

      @Override
      public Connection jdbc() throws SQLException {
        try {
          Files.createDirectories(file.getParent());
        } catch (java.io.IOException e) {
          throw new SQLException(e);
        }
        return DriverManager.getConnection("jdbc:sqlite:" + file);
      }

      @Override
      public String snapshot() throws Exception {
        StringBuilder out = new StringBuilder();
        for (String suffix : List.of("", "-wal", "-journal")) {
          Path f = Path.of(file + suffix);
          out.append(f.getFileName())
              .append(
                  Files.exists(f)
                      ? " sha-256 "
                          + HexFormat.of()
                              .formatHex(
                                  MessageDigest.getInstance("SHA-256")
                                      .digest(Files.readAllBytes(f)))
                      : " absent")
              .append('\n');
        }
        try (Connection c = jdbc()) {
          return out.append(tablesAndRows(c, null)).toString();
        }
      }
    };
  }

  @Test
  void aNewerFileInAnotherJournalModeIsRefusedAndLeftAsItWas() throws Exception {
    Database newer =
        file(
            directory.resolve("rollback-journal.db"),
            JdbcSyncStateStore.DEFAULT_BUSY_TIMEOUT,
            "DELETE");
    writeNewerSchema(newer, true);
    String before = newer.snapshot();

    assertThatThrownBy(() -> open(newer))
        .isInstanceOf(SyncStateException.class)
        .hasMessageContaining("has schema version " + (JdbcSyncStateStore.SCHEMA_VERSION + 1));

    assertThat(newer.snapshot()).as("the file after the refusal").isEqualTo(before);
  }

  @Test
  void createsTheFileAndItsDirectoriesInWalMode() throws SQLException {
    Path file = directory.resolve("a/b/c/state.db");
    open(file(file, JdbcSyncStateStore.DEFAULT_BUSY_TIMEOUT));
    assertThat(file).isRegularFile();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("wal");
    }
  }

  @Test
  void afterManyCommitsAndCloseEverythingIsInTheOneFile() throws SQLException {
    Path file = directory.resolve("checkpointed.db");
    SyncStateStore many = open(file(file, JdbcSyncStateStore.DEFAULT_BUSY_TIMEOUT));
    DestinationState state = many.open(LIST_A);
    for (int batch = 0; batch < 5 * SqliteConnections.COMMITS_PER_CHECKPOINT; batch++) {
      List<MemberOutcome> outcomes = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        outcomes.add(confirmed("b" + batch + "m" + i + "@example.com", batch, null, T0));
      }
      state.record(outcomes);
    }
    many.close();

    assertThat(directory.resolve("checkpointed.db-wal"))
        .as("the log, checkpointed and removed")
        .doesNotExist();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM segment_export_member")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(500L * SqliteConnections.COMMITS_PER_CHECKPOINT);
    }
  }

  @Test
  void theFileHoldsTheDocumentedTablesForAnyoneWithJdbc() throws SQLException {
    DestinationState state = store.open(LIST_A);
    state.record(List.of(confirmed("ann@example.com", 7L, "contact-7", T0)));
    store.close();

    try (Connection c = database.jdbc();
        Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'segment_export_%' ORDER BY name")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertThat(tables)
          .containsExactly(
              "segment_export_destination",
              "segment_export_member",
              "segment_export_pending",
              "segment_export_run",
              "segment_export_schema_version");
      assertThat(columns(s, "segment_export_member"))
          .containsExactly(
              "destination",
              "member_key",
              "email",
              "confirmed_hash",
              "outcome",
              "reason",
              "vendor_id",
              "updated_at");
      assertThat(columns(s, "segment_export_destination"))
          .containsExactly("id", "connector_id", "account", "destination_id", "created_at");
      assertThat(columns(s, "segment_export_run"))
          .containsExactly("destination", "run_id", "started_at", "finished_at", "status");
      assertThat(columns(s, "segment_export_pending"))
          .containsExactly(
              "id", "destination", "kind", "vendor_ref", "run_id", "payload", "created_at");
      try (ResultSet rs =
          s.executeQuery(
              "SELECT d.connector_id, d.account, d.destination_id, m.member_key, m.email,"
                  + " m.confirmed_hash, m.outcome, m.reason, m.vendor_id, m.updated_at FROM segment_export_member m"
                  + " JOIN segment_export_destination d ON d.id = m.destination")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(LIST_A.connectorId());
        assertThat(rs.getString(2)).isEqualTo(LIST_A.account());
        assertThat(rs.getString(3)).isEqualTo(LIST_A.destinationId());
        assertThat(rs.getString(4)).isEqualTo("email:ann@example.com");
        assertThat(rs.getString(5)).isEqualTo("ann@example.com");
        assertThat(rs.getLong(6)).isEqualTo(7L);
        assertThat(rs.getString(7)).isEqualTo("CONFIRMED");
        assertThat(rs.getString(8)).isNull();
        assertThat(rs.getString(9)).isEqualTo("contact-7");
        assertThat(rs.getLong(10)).isEqualTo(T0.toEpochMilli());
        assertThat(rs.next()).isFalse();
      }
      try (ResultSet rs = s.executeQuery("SELECT version FROM segment_export_schema_version")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(JdbcSyncStateStore.SCHEMA_VERSION);
      }
    }
  }

  private static List<String> columns(Statement s, String table) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
      while (rs.next()) {
        columns.add(rs.getString("name"));
      }
    }
    return columns;
  }

  @Test
  void aFileThatIsNotADatabaseIsRefusedAndLeftAsItWas() throws Exception {
    Path file = directory.resolve("garbage.db");
    byte[] garbage = new byte[8192];
    new Random(23).nextBytes(garbage);
    Files.write(file, garbage);

    assertThatThrownBy(() -> JdbcSyncStateStore.sqlite(file))
        .isInstanceOf(SyncStateException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("is not an SQLite database, or is damaged")
        .hasMessageContaining("Nothing was sent")
        .hasMessageContaining("move it aside");
    assertThat(Files.readAllBytes(file)).as("the file is untouched").isEqualTo(garbage);
    assertThat(directory.resolve("garbage.db-wal")).doesNotExist();
  }

  @Test
  void aTextFileIsRefusedToo() throws Exception {
    Path file = directory.resolve("notes.db");
    Files.writeString(file, "this is not a database, but someone's notes\n".repeat(100));
    assertThatThrownBy(() -> JdbcSyncStateStore.sqlite(file))
        .isInstanceOf(SyncStateException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("not an SQLite database");
  }

  @Test
  void aLockedFileFailsClearlyAfterTheBusyTimeoutInsteadOfHanging() throws SQLException {
    Path file = directory.resolve("locked.db");
    JdbcSyncStateStore.sqlite(file).close();
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = other.createStatement()) {
      s.execute("BEGIN EXCLUSIVE");
      long started = System.nanoTime();
      assertThatThrownBy(() -> JdbcSyncStateStore.sqlite(file, SHORT_BUSY_TIMEOUT))
          .isInstanceOf(SyncStateException.class)
          .hasMessageContaining("the state file " + file + " is locked by another process")
          .hasMessageContaining("300 ms")
          .hasMessageContaining("Nothing was sent");
      Duration waited = Duration.ofNanos(System.nanoTime() - started);
      assertThat(waited)
          .isGreaterThanOrEqualTo(SHORT_BUSY_TIMEOUT)
          .isLessThan(Duration.ofSeconds(10));
      s.execute("ROLLBACK");
    }
  }

  @Test
  void whileAnotherProcessHoldsTheLockLookupsGoOnAndRecordsFailWithoutAnAddress()
      throws SQLException {
    Path file = directory.resolve("shared.db");
    SyncStateStore shared = open(file(file, SHORT_BUSY_TIMEOUT));
    DestinationState state = shared.open(LIST_A);
    state.record(List.of(confirmed("ann@example.com", 1L, null, T0)));

    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = other.createStatement()) {
      s.execute("BEGIN EXCLUSIVE");
      s.execute("DELETE FROM segment_export_member"); // uncommitted: nobody sees it
      MemberOutcome bob = confirmed("bob@example.com", 2L, null, T1);
      assertThatThrownBy(() -> state.record(List.of(bob)))
          .isInstanceOf(SyncStateException.class)
          .hasMessageContaining("record the outcomes of 1 member of destination iterable/list-1")
          .hasMessageContaining("is locked by another process")
          .hasMessageNotContaining("bob@")
          .hasMessageNotContaining("Nothing was sent");
      assertThat(lookupOne(state, "ann@example.com"))
          .as("WAL: reads go on beside a writer")
          .isNotNull();
      s.execute("ROLLBACK");
    }
    state.record(List.of(confirmed("bob@example.com", 2L, null, T1)));
    assertThat(state.memberCount()).isEqualTo(2);
  }

  @Test
  void aPathThatIsADirectoryIsRefusedClearly() throws Exception {
    Path dir = Files.createDirectories(directory.resolve("a-directory.db"));
    assertThatThrownBy(() -> JdbcSyncStateStore.sqlite(dir))
        .isInstanceOf(SyncStateException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("Nothing was sent");
  }

  @Test
  void urlsLoseTheirParametersAndUserInformation() {
    assertThat(
            JdbcSyncStateStore.withoutSecrets(
                "jdbc:postgresql://db.example:5432/exports?user=app&password=s3cret"))
        .isEqualTo("jdbc:postgresql://db.example:5432/exports");
    assertThat(JdbcSyncStateStore.withoutSecrets("jdbc:postgresql://app:s3cret@db.example/exports"))
        .isEqualTo("jdbc:postgresql://db.example/exports");
    assertThat(JdbcSyncStateStore.withoutSecrets("jdbc:sqlserver://db;password=s3cret"))
        .isEqualTo("jdbc:sqlserver://db");
    assertThat(JdbcSyncStateStore.withoutSecrets(null)).isEqualTo("(unknown URL)");
  }

  /** Starts {@link HoldClaim} in another JVM on {@code file}'s claims; it prints HELD once it holds. */
  private static Process holdInAnotherProcess(Path file, String claim) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            HoldClaim.class.getName(),
            file.toString(),
            claim)
        .redirectErrorStream(true)
        .start();
  }
}
