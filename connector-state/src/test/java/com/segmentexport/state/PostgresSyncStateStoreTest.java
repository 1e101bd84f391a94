package com.segmentexport.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.SyncStateException;
import com.segmentexport.spi.DestinationState;
import com.segmentexport.spi.ExportCancelledException;
import com.segmentexport.spi.SyncStateStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store's behaviour on a real PostgreSQL (one server for the class, one schema per database the
 * tests ask for).
 */
class PostgresSyncStateStoreTest extends SyncStateStoreBehaviourTest {
  private static EmbeddedPostgres postgres;
  private static DataSource dataSource;
  private static final AtomicInteger schemas = new AtomicInteger();

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.start();
    dataSource = postgres.getPostgresDatabase();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Override
  protected Database freshDatabase() {
    String schema = "state_" + schemas.incrementAndGet();
    return new Database() {
      @Override
      public SyncStateStore open() {
        return JdbcSyncStateStore.postgres(dataSource, schema);
      }

      @Override
      public Connection jdbc() throws SQLException {
        return dataSource.getConnection();
      }

      @Override
      public String table(String name) {
        return schema + ".segment_export_" + name;
      }

      @Override
      public String snapshot() throws SQLException {
        return inDatabase(dataSource, schema);
      }

      @Override
      public void createNamespace(Statement s) throws SQLException {
        s.executeUpdate("CREATE SCHEMA " + schema);
      }
    };
  }

  /**
   * {@return the schemas of a database, and the tables (columns, indexes, rows) of one of them}
   *
   * @param in the database
   * @param schema the schema whose tables are listed
   */
  private static String inDatabase(DataSource in, String schema) throws SQLException {
    StringBuilder out = new StringBuilder();
    try (Connection c = in.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT nspname FROM pg_namespace ORDER BY nspname")) {
      while (rs.next()) {
        out.append("schema ").append(rs.getString(1)).append('\n');
      }
      return out.append(tablesAndRows(c, schema)).toString();
    }
  }

  /**
   * {@return a new database of the server, whose tables a store on {@code storeSource} (a data source
   * to the same database) keeps in the default schema, {@code public}}
   *
   * @param name the database's name
   * @param storeSource how the store connects to it
   */
  private static Database inPublic(String name, DataSource storeSource) {
    DataSource owner = postgres.getDatabase("postgres", name);
    return new Database() {
      @Override
      public SyncStateStore open() {
        return JdbcSyncStateStore.postgres(storeSource);
      }

      @Override
      public Connection jdbc() throws SQLException {
        return owner.getConnection();
      }

      @Override
      public String table(String table) {
        return "segment_export_" + table;
      }

      @Override
      public String snapshot() throws SQLException {
        return inDatabase(owner, "public");
      }
    };
  }

  /** {@return the name of a new, empty database on the server} */
  private static String createDatabase() throws SQLException {
    String name = "newer_" + schemas.incrementAndGet();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("CREATE DATABASE " + name);
    }
    return name;
  }

  @Test
  void aNewerDatabaseInTheDefaultSchemaIsRefusedAndLeftAsItWas() throws Exception {
    for (boolean unknownParts : new boolean[] {false, true}) {
      String name = createDatabase();
      Database newer = inPublic(name, postgres.getDatabase("postgres", name));
      writeNewerSchema(newer, unknownParts);
      String before = newer.snapshot();
      assertThat(before).contains("segment_export_schema_version");

      assertThatThrownBy(() -> open(newer))
          .isInstanceOf(SyncStateException.class)
          .hasMessageContaining("has schema version " + (JdbcSyncStateStore.SCHEMA_VERSION + 1))
          .hasMessageContaining("Nothing was sent");

      assertThat(newer.snapshot()).as("the database after the refusal").isEqualTo(before);
    }
  }

  @Test
  void aRoleThatMayNotCreateTablesIsToldTheDatabaseIsNewer() throws Exception {
    String name = createDatabase();
    String role = "no_create_" + schemas.incrementAndGet();
    Database newer = inPublic(name, postgres.getDatabase(role, name));
    writeNewerSchema(newer, false);
    try (Connection c = newer.jdbc();
        Statement s = c.createStatement()) {
      // A host's run-time role: it reads and writes rows, and creates nothing.
      s.executeUpdate("CREATE ROLE " + role + " LOGIN");
      s.executeUpdate("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
      s.executeUpdate("GRANT USAGE ON SCHEMA public TO " + role);
      s.executeUpdate(
          "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role);
    }
    String before = newer.snapshot();

    assertThatThrownBy(() -> open(newer))
        .isInstanceOf(SyncStateException.class)
        .hasMessageContaining("has schema version " + (JdbcSyncStateStore.SCHEMA_VERSION + 1))
        .hasMessageContaining("A newer version of the SDK wrote it")
        .hasMessageNotContaining("permission denied");

    assertThat(newer.snapshot()).as("the database after the refusal").isEqualTo(before);
  }

  @Test
  void theDefaultSchemaWorksToo() {
    try (SyncStateStore inPublic = JdbcSyncStateStore.postgres(dataSource)) {
      inPublic.open(LIST_A).record(List.of(confirmed("ann@example.com", 1L, null, T0)));
      assertThat(inPublic.open(LIST_A).memberCount()).isEqualTo(1);
      assertThat(inPublic.toString())
          .contains("jdbc:postgresql://")
          .doesNotContain("?")
          .doesNotContain("password");
      assertThat(inPublic.forget(LIST_A)).isEqualTo(1);
    }
  }

  @Test
  void aSchemaNameMustBePlain() {
    assertThatThrownBy(() -> JdbcSyncStateStore.postgres(dataSource, "x; DROP TABLE y"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JdbcSyncStateStore.postgres(dataSource, "Exports"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anUnreachableDatabaseFailsClearly() {
    org.postgresql.ds.PGSimpleDataSource nowhere = new org.postgresql.ds.PGSimpleDataSource();
    nowhere.setServerNames(new String[] {"127.0.0.1"});
    nowhere.setPortNumbers(new int[] {1});
    nowhere.setPassword("s3cret");
    nowhere.setConnectTimeout(2);
    assertThatThrownBy(() -> JdbcSyncStateStore.postgres(nowhere))
        .isInstanceOf(SyncStateException.class)
        .hasMessageContaining("Could not open the sync state")
        .hasMessageContaining("PostgreSQL")
        .hasMessageContaining("Nothing was sent")
        .hasMessageNotContaining("s3cret");
  }

  /**
   * Exports waiting for a claim another holds (through stores sharing the host's pool, such as the
   * Kafka sink's tasks) hold no connection while they wait: more waiters than the pool has connections
   * leave it to other work, the holder's own writes included, and each runs in turn once the holder
   * lets go.
   */
  @Test
  void waitersForAClaimLeaveThePoolToOtherWork() throws Exception {
    int poolSize = 2;
    int waiters = poolSize + 2;
    String schema = "claims_" + schemas.incrementAndGet();
    String claim = "iterable|acct-1f3a|list:Shared";
    ExecutorService threads =
        Executors.newFixedThreadPool(
            waiters + 1,
            r -> {
              Thread t = new Thread(r, "claim-test-" + threadIds.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    List<SyncStateStore> stores = new ArrayList<>();
    try (SmallPool pool = new SmallPool(dataSource, poolSize, Duration.ofSeconds(20))) {
      SyncStateStore holderStore = JdbcSyncStateStore.postgres(pool, schema);
      stores.add(holderStore);
      for (int i = 0; i < waiters; i++) {
        stores.add(JdbcSyncStateStore.postgres(pool, schema));
      }
      CountDownLatch holding = new CountDownLatch(1);
      CountDownLatch waitersAsked = new CountDownLatch(1);
      Future<Long> holder =
          threads.submit(
              () ->
                  holderStore.exclusively(
                      claim,
                      () -> {
                        holding.countDown();
                        await(waitersAsked);
                        // The holder's own write, while every waiter waits for its claim.
                        DestinationState state = holderStore.open(LIST_A);
                        state.record(List.of(confirmed("ann@example.com", 1L, null, T0)));
                        return state.memberCount();
                      }));
      await(holding);
      Set<String> waiterThreads = ConcurrentHashMap.newKeySet();
      List<Future<Long>> waiting = new ArrayList<>();
      for (SyncStateStore store : stores.subList(1, stores.size())) {
        waiting.add(
            threads.submit(
                () -> {
                  waiterThreads.add(Thread.currentThread().getName());
                  return store.exclusively(claim, () -> store.open(LIST_A).memberCount());
                }));
      }
      // Every waiter has asked the pool for a connection, to try the claim the holder holds.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (waiterThreads.size() < waiters || !pool.askedBy().containsAll(waiterThreads)) {
        assertThat(System.nanoTime() - deadline).as("waiters asking for the claim").isNegative();
        Thread.sleep(10);
      }
      assertThat(holder.isDone()).isFalse();
      waitersAsked.countDown();

      assertThat(holder.get(60, TimeUnit.SECONDS)).as("the holder's write").isEqualTo(1L);
      for (Future<Long> w : waiting) {
        assertThat(w.get(60, TimeUnit.SECONDS)).as("what a waiter saw once it ran").isEqualTo(1L);
      }
      assertThat(pool.timedOut()).as("borrowers that found the pool used up").isZero();
      assertThat(pool.lent()).as("connections not given back").isZero();
    } finally {
      stop(threads);
      stores.forEach(SyncStateStore::close);
    }
  }

  /**
   * A waiter interrupted (its export stopped) while the host's pool has no connection for its next
   * attempt ends as cancelled, like one interrupted between attempts, not as a failed sync state.
   */
  @Test
  void aWaiterInterruptedWhileThePoolHasNoConnectionEndsCancelled() throws Exception {
    String schema = "claims_" + schemas.incrementAndGet();
    String claim = "iterable|acct-1f3a|list:Busy";
    List<SyncStateStore> stores = new ArrayList<>();
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Throwable> ended = new AtomicReference<>();
    AtomicBoolean ran = new AtomicBoolean();
    AtomicBoolean interruptKept = new AtomicBoolean();
    try (SmallPool pool = new SmallPool(dataSource, 1, Duration.ofSeconds(60))) {
      SyncStateStore holderStore = JdbcSyncStateStore.postgres(pool, schema);
      stores.add(holderStore);
      SyncStateStore waiterStore = JdbcSyncStateStore.postgres(pool, schema);
      stores.add(waiterStore);
      Thread holder =
          new Thread(
              () ->
                  holderStore.exclusively(
                      claim,
                      () -> {
                        holding.countDown();
                        await(release);
                        return null;
                      }),
              "claim-test-holder-" + threadIds.incrementAndGet());
      holder.start();
      await(holding); // its claim's connection is the pool's only one
      String name = "claim-test-waiter-" + threadIds.incrementAndGet();
      Thread waiter =
          new Thread(
              () -> {
                try {
                  waiterStore.exclusively(claim, () -> ran.getAndSet(true));
                } catch (RuntimeException e) {
                  ended.set(e);
                }
                interruptKept.set(Thread.currentThread().isInterrupted());
              },
              name);
      waiter.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!pool.askedBy().contains(name)) {
        assertThat(System.nanoTime() - deadline).as("the waiter asking the pool").isNegative();
        Thread.sleep(10);
      }
      Thread.sleep(100); // into the pool's wait for a connection
      waiter.interrupt();
      waiter.join(TimeUnit.SECONDS.toMillis(30));
      release.countDown();
      holder.join(TimeUnit.SECONDS.toMillis(30));

      assertThat(waiter.isAlive()).isFalse();
      assertThat(ended.get()).isInstanceOf(ExportCancelledException.class);
      assertThat(interruptKept).isTrue();
      assertThat(ran).as("the waiter's action ran").isFalse();
      assertThat(pool.lent()).as("connections not given back").isZero();
    } finally {
      release.countDown();
      stores.forEach(SyncStateStore::close);
    }
  }

  private static final AtomicInteger threadIds = new AtomicInteger();

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void stop(ExecutorService threads) throws InterruptedException {
    threads.shutdownNow();
    threads.awaitTermination(30, TimeUnit.SECONDS);
  }
}
