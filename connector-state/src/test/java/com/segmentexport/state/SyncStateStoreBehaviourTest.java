package com.segmentexport.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.DestinationKey;
import com.segmentexport.api.SyncStateException;
import com.segmentexport.spi.DestinationState;
import com.segmentexport.spi.MemberOutcome;
import com.segmentexport.spi.MemberOutcome.Kind;
import com.segmentexport.spi.MemberState;
import com.segmentexport.spi.PendingWork;
import com.segmentexport.spi.SyncStateStore;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JdbcSyncStateStore} does, whatever its database: subclasses supply fresh databases
 * ({@link SqliteSyncStateStoreTest}, {@link PostgresSyncStateStoreTest}).
 */
abstract class SyncStateStoreBehaviourTest {
  static final DestinationKey LIST_A = new DestinationKey("iterable", "acct-1f3a", "list-1");
  static final DestinationKey LIST_B = new DestinationKey("iterable", "acct-1f3a", "list-2");
  static final DestinationKey OTHER_ACCOUNT = new DestinationKey("dotdigital", "acct-99", "list-1");
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00.123Z");
  static final Instant T1 = T0.plusSeconds(60);
  static final Instant T2 = T0.plusSeconds(120);

  /** A database the test may open stores on. */
  interface Database {
    /** {@return a new store on this database} */
    SyncStateStore open();

    /** {@return a plain JDBC connection to it, for checks behind the store's back} */
    Connection jdbc() throws SQLException;

    /** {@return a table's name as SQL on {@link #jdbc()} must write it} */
    String table(String name);

    /**
     * {@return everything the database holds where the store keeps its tables, as text to compare: each
     * table with its columns and indexes, each row, and, for a file, its bytes}
     */
    String snapshot() throws Exception;

    /**
     * Creates, behind the store's back, the namespace its tables go in where that is not the
     * connection's default (a PostgreSQL schema).
     */
    default void createNamespace(Statement s) throws SQLException {}
  }

  /** {@return a new, empty database} */
  protected abstract Database freshDatabase();

  private final List<SyncStateStore> opened = new CopyOnWriteArrayList<>();
  Database database;
  SyncStateStore store;

  @BeforeEach
  void openStore() {
    database = freshDatabase();
    store = open(database);
  }

  @AfterEach
  void closeStores() {
    opened.forEach(SyncStateStore::close);
  }

  SyncStateStore open(Database db) {
    SyncStateStore s = db.open();
    opened.add(s);
    return s;
  }

  static MemberOutcome confirmed(String email, long hash, String vendorId, Instant at) {
    return new MemberOutcome(
        "email:" + email,
        email,
        hash,
        Kind.CONFIRMED,
        Optional.empty(),
        Optional.ofNullable(vendorId),
        at);
  }

  static MemberOutcome notConfirmed(Kind kind, String email, long hash, String reason, Instant at) {
    return new MemberOutcome(
        "email:" + email, email, hash, kind, Optional.of(reason), Optional.empty(), at);
  }

  static MemberState lookupOne(DestinationState state, String email) {
    return state.lookup(List.of("email:" + email)).get("email:" + email);
  }

  @Test
  void aConfirmedMemberComesBackAsRecorded() {
    DestinationState state = store.open(LIST_A);
    state.record(List.of(confirmed("ann@example.com", -42L, "contact-7", T0)));

    MemberState ann = lookupOne(state, "ann@example.com");
    assertThat(ann)
        .isEqualTo(
            new MemberState(
                "email:ann@example.com",
                "ann@example.com",
                OptionalLong.of(-42L),
                Kind.CONFIRMED,
                Optional.empty(),
                Optional.of("contact-7"),
                T0));
    assertThat(ann.isUnchanged(-42L)).isTrue();
    assertThat(ann.isUnchanged(41L)).isFalse();
    assertThat(state.key()).isEqualTo(LIST_A);
    assertThat(state.memberCount()).isEqualTo(1);
  }

  @Test
  void lookupReturnsExactlyTheKnownMembersOfAGroupOfAnySize() {
    DestinationState state = store.open(LIST_A);
    List<MemberOutcome> batch = new ArrayList<>();
    for (int i = 0; i < 2_000; i += 2) { // the even ones are known
      batch.add(confirmed("m" + i + "@example.com", i, null, T0));
    }
    state.record(batch);

    // Largest first, each group elsewhere: a statement reused for a smaller group must not ask for
    // the
    // previous group's keys.
    int round = 0;
    for (int size : new int[] {1_500, 513, 512, 511, 129, 128, 127, 100, 3, 2, 1}) {
      int from = (round++ * 97) % 500;
      List<String> keys =
          IntStream.range(from, from + size).mapToObj(i -> "email:m" + i + "@example.com").toList();
      Map<String, MemberState> found = state.lookup(keys);
      Set<String> expected =
          IntStream.range(from, from + size)
              .filter(i -> i % 2 == 0)
              .mapToObj(i -> "email:m" + i + "@example.com")
              .collect(Collectors.toSet());
      assertThat(found.keySet()).as("a group of %d", size).isEqualTo(expected);
      found.forEach((key, member) -> assertThat(member.memberKey()).isEqualTo(key));
      found
          .values()
          .forEach(
              m ->
                  assertThat(m.confirmedHash().getAsLong())
                      .isEqualTo(Long.parseLong(m.email().substring(1, m.email().indexOf('@')))));
    }
    assertThat(state.lookup(List.of())).isEmpty();
    assertThat(state.lookup(List.of("email:nobody@example.com"))).isEmpty();
  }

  @Test
  void aConfirmationReplacesHashAddressAndVendorIdAndClearsTheReason() {
    DestinationState state = store.open(LIST_A);
    state.record(List.of(confirmed("ann@example.com", 1L, "contact-7", T0)));
    state.record(
        List.of(notConfirmed(Kind.REJECTED, "ann@example.com", 2L, "INVALID_FIELD 400", T1)));
    state.record(
        List.of(
            new MemberOutcome(
                "email:ann@example.com",
                "ann@new.example.com",
                3L,
                Kind.CONFIRMED,
                Optional.empty(),
                Optional.of("contact-8"),
                T2)));

    assertThat(lookupOne(state, "ann@example.com"))
        .isEqualTo(
            new MemberState(
                "email:ann@example.com",
                "ann@new.example.com",
                OptionalLong.of(3L),
                Kind.CONFIRMED,
                Optional.empty(),
                Optional.of("contact-8"),
                T2));
  }

  @Test
  void aConfirmationWithoutAVendorIdKeepsTheOneTheVendorGaveBefore() {
    DestinationState state = store.open(LIST_A);
    state.record(List.of(confirmed("ann@example.com", 1L, "contact-7", T0)));
    state.record(List.of(confirmed("ann@example.com", 2L, null, T1)));
    assertThat(lookupOne(state, "ann@example.com").vendorId()).contains("contact-7");
    state.record(List.of(confirmed("ann@example.com", 3L, "", T2)));
    assertThat(lookupOne(state, "ann@example.com").vendorId()).contains("contact-7");
    assertThat(lookupOne(state, "ann@example.com").confirmedHash()).hasValue(3L);
  }

  @Test
  void aRejectionOrAnUnconfirmedSendKeepsWhatTheVendorConfirmed() {
    DestinationState state = store.open(LIST_A);
    state.record(List.of(confirmed("ann@example.com", 1L, "contact-7", T0)));
    state.record(
        List.of(
            new MemberOutcome(
                "email:ann@example.com",
                "ann@other.example.com",
                2L,
                Kind.REJECTED,
                Optional.of("INVALID_FIELD 400"),
                Optional.of("contact-9"),
                T1)));

    MemberState rejected = lookupOne(state, "ann@example.com");
    assertThat(rejected)
        .isEqualTo(
            new MemberState(
                "email:ann@example.com",
                "ann@example.com",
                OptionalLong.of(1L),
                Kind.REJECTED,
                Optional.of("INVALID_FIELD 400"),
                Optional.of("contact-7"),
                T1));
    assertThat(rejected.isUnchanged(1L)).as("a rejected member is sent again").isFalse();

    state.record(List.of(notConfirmed(Kind.UNCONFIRMED, "ann@example.com", 3L, "TIMEOUT", T2)));
    assertThat(lookupOne(state, "ann@example.com"))
        .isEqualTo(
            new MemberState(
                "email:ann@example.com",
                "ann@example.com",
                OptionalLong.of(1L),
                Kind.UNCONFIRMED,
                Optional.of("TIMEOUT"),
                Optional.of("contact-7"),
                T2));
  }

  @Test
  void aNeverConfirmedMemberIsKeptWithoutAHashAndWithTheAddressLastSent() {
    DestinationState state = store.open(LIST_A);
    state.record(List.of(notConfirmed(Kind.UNCONFIRMED, "bob@example.com", 5L, "TIMEOUT", T0)));
    assertThat(lookupOne(state, "bob@example.com"))
        .isEqualTo(
            new MemberState(
                "email:bob@example.com",
                "bob@example.com",
                OptionalLong.empty(),
                Kind.UNCONFIRMED,
                Optional.of("TIMEOUT"),
                Optional.empty(),
                T0));

    state.record(
        List.of(
            new MemberOutcome(
                "email:bob@example.com",
                "bob@new.example.com",
                6L,
                Kind.REJECTED,
                Optional.of("INVALID_EMAIL 400"),
                Optional.empty(),
                T1)));
    MemberState bob = lookupOne(state, "bob@example.com");
    assertThat(bob.email()).isEqualTo("bob@new.example.com");
    assertThat(bob.confirmedHash()).isEmpty();
    assertThat(bob.isUnchanged(6L)).isFalse();
  }

  @Test
  void oneRecordMixesOutcomesAndRefusesAMemberTwice() {
    DestinationState state = store.open(LIST_A);
    state.record(
        List.of(
            confirmed("a@example.com", 1L, null, T0),
            notConfirmed(Kind.REJECTED, "b@example.com", 2L, "INVALID_EMAIL", T0),
            confirmed("c@example.com", 3L, null, T0),
            notConfirmed(Kind.UNCONFIRMED, "d@example.com", 4L, "TIMEOUT", T0)));
    Map<String, MemberState> found =
        state.lookup(
            List.of(
                "email:a@example.com",
                "email:b@example.com",
                "email:c@example.com",
                "email:d@example.com"));
    assertThat(found.values())
        .extracting(MemberState::outcome)
        .containsExactlyInAnyOrder(Kind.CONFIRMED, Kind.REJECTED, Kind.CONFIRMED, Kind.UNCONFIRMED);

    assertThatThrownBy(
            () ->
                state.record(
                    List.of(
                        confirmed("e@example.com", 1L, null, T1),
                        confirmed("f@example.com", 1L, null, T1),
                        confirmed("e@example.com", 2L, null, T1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("twice")
        .hasMessageNotContaining("@");
    assertThat(state.lookup(List.of("email:e@example.com", "email:f@example.com"))).isEmpty();
    assertThat(state.memberCount()).isEqualTo(4);
  }

  @Test
  void destinationsAreSeparateAndListed() {
    DestinationState a = store.open(LIST_A);
    DestinationState b = store.open(LIST_B);
    store.open(OTHER_ACCOUNT);
    a.record(List.of(confirmed("ann@example.com", 1L, null, T0)));
    b.record(
        List.of(
            confirmed("ann@example.com", 2L, null, T0),
            confirmed("bob@example.com", 3L, null, T0)));

    assertThat(lookupOne(a, "ann@example.com").confirmedHash()).hasValue(1L);
    assertThat(lookupOne(b, "ann@example.com").confirmedHash()).hasValue(2L);
    assertThat(lookupOne(a, "bob@example.com")).isNull();
    assertThat(a.memberCount()).isEqualTo(1);
    assertThat(b.memberCount()).isEqualTo(2);
    assertThat(store.destinations()).containsExactlyInAnyOrder(LIST_A, LIST_B, OTHER_ACCOUNT);
    assertThat(store.open(LIST_A).memberCount()).as("opening again keeps the members").isEqualTo(1);
    assertThat(store.destinations()).hasSize(3);
  }

  @Test
  void forgetRemovesMembersRunsAndPendingWorkOfOneDestinationOnly() throws SQLException {
    DestinationState a = store.open(LIST_A);
    DestinationState b = store.open(LIST_B);
    a.record(
        List.of(
            confirmed("ann@example.com", 1L, null, T0),
            confirmed("bob@example.com", 2L, null, T0)));
    a.runStarted("run-1", T0);
    a.addPending(new PendingWork("run-1", "import", "imp-1", "{}", T0));
    b.record(List.of(confirmed("ann@example.com", 1L, null, T0)));
    b.runStarted("run-2", T0);
    b.addPending(new PendingWork("run-2", "import", "imp-2", "{}", T0));

    assertThat(store.forget(LIST_A)).isEqualTo(2);

    assertThat(store.destinations()).containsExactly(LIST_B);
    assertThat(a.lookup(List.of("email:ann@example.com", "email:bob@example.com"))).isEmpty();
    assertThat(a.memberCount()).isZero();
    assertThat(a.pending()).isEmpty();
    assertThat(count("run")).isEqualTo(1);
    assertThat(count("pending")).isEqualTo(1);
    assertThat(b.memberCount()).isEqualTo(1);
    assertThat(b.pending()).hasSize(1);
    assertThat(store.forget(LIST_A)).as("forgetting twice").isZero();
    assertThat(store.forget(new DestinationKey("x", "y", "z")))
        .as("an unknown destination")
        .isZero();

    // A state opened before the forget records into a new, empty destination.
    a.record(List.of(confirmed("cat@example.com", 3L, null, T1)));
    assertThat(a.memberCount()).isEqualTo(1);
    assertThat(lookupOne(a, "cat@example.com").confirmedHash()).hasValue(3L);
    assertThat(lookupOne(a, "ann@example.com")).isNull();
    assertThat(store.destinations()).containsExactlyInAnyOrder(LIST_A, LIST_B);
  }

  @Test
  void runsAreRecordedInTheRunTable() throws SQLException {
    DestinationState state = store.open(LIST_A);
    state.runStarted("run-1", T0);
    state.runStarted("run-2", T1);
    state.runFinished("run-1", T2, "SUCCEEDED");

    try (Connection c = database.jdbc();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT run_id, started_at, finished_at, status FROM "
                    + database.table("run")
                    + " ORDER BY run_id")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("run-1");
      assertThat(rs.getLong(2)).isEqualTo(T0.toEpochMilli());
      assertThat(rs.getLong(3)).isEqualTo(T2.toEpochMilli());
      assertThat(rs.getString(4)).isEqualTo("SUCCEEDED");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("run-2");
      assertThat(rs.getLong(2)).isEqualTo(T1.toEpochMilli());
      rs.getLong(3);
      assertThat(rs.wasNull()).as("not finished").isTrue();
      assertThat(rs.getString(4)).isNull();
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void pendingWorkComesBackOldestFirstAndCanBeReplacedAndRemoved() {
    DestinationState state = store.open(LIST_A);
    PendingWork late = new PendingWork("run-1", "import", "imp-3", "[\"m3\"]", T2);
    PendingWork early = new PendingWork("run-1", "import", "imp-1", "[\"m1\"]", T0);
    PendingWork sameTimeFirst = new PendingWork("run-1", "import", "imp-2b", "[\"m2b\"]", T1);
    PendingWork sameTimeSecond = new PendingWork("run-1", "import", "imp-2a", "[\"m2a\"]", T1);
    state.addPending(late);
    state.addPending(early);
    state.addPending(sameTimeFirst);
    state.addPending(sameTimeSecond);
    assertThat(state.pending()).containsExactly(early, sameTimeFirst, sameTimeSecond, late);

    state.removePending("import", "imp-1");
    state.removePending("import", "no-such-import");
    state.removePending("export", "imp-3"); // another kind: not this work
    PendingWork replaced = new PendingWork("run-2", "import", "imp-3", "[\"m3\",\"m4\"]", T0);
    state.addPending(replaced);
    assertThat(state.pending()).containsExactly(replaced, sameTimeFirst, sameTimeSecond);
    assertThat(store.open(LIST_B).pending()).isEmpty();
  }

  @Test
  void forEachMemberVisitsEveryMemberOnceAndMayCallBackIntoTheStore() {
    DestinationState state = store.open(LIST_A);
    int members = 50_000;
    for (int from = 0; from < members; from += 1_000) {
      List<MemberOutcome> batch = new ArrayList<>(1_000);
      for (int i = from; i < from + 1_000; i++) {
        batch.add(confirmed("m" + i + "@example.com", i, null, T0));
      }
      state.record(batch);
    }
    store.open(LIST_B).record(List.of(confirmed("elsewhere@example.com", 1L, null, T0)));
    assertThat(state.memberCount()).isEqualTo(members);

    DestinationState b = store.open(LIST_B);
    Set<String> seen = new HashSet<>();
    AtomicLong hashSum = new AtomicLong();
    state.forEachMember(
        m -> {
          assertThat(seen.add(m.memberKey())).as("visited once: %s", m.memberKey()).isTrue();
          hashSum.addAndGet(m.confirmedHash().getAsLong());
          if (seen.size() % 10_000 == 0) { // the visitor looks up and records while the visit runs
            assertThat(state.lookup(List.of(m.memberKey()))).containsKey(m.memberKey());
            b.record(List.of(confirmed("during" + seen.size() + "@example.com", 1L, null, T1)));
          }
        });
    assertThat(seen).hasSize(members).contains("email:m0@example.com", "email:m49999@example.com");
    assertThat(hashSum.get()).isEqualTo((long) members * (members - 1) / 2);
    assertThat(b.memberCount()).isEqualTo(6);
    store
        .open(new DestinationKey("x", "y", "z"))
        .forEachMember(
            m -> {
              throw new AssertionError("an empty destination has no members");
            });
  }

  @Test
  void concurrentRecordsIntoTwoDestinationsLoseNoUpdateWhileLookupsRun() throws Exception {
    int threads = 4;
    int membersPerThread = 400;
    int rounds = 8;
    int batch = 100;
    DestinationState[] states = {store.open(LIST_A), store.open(LIST_B)};
    CyclicBarrier start = new CyclicBarrier(threads + 1);
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        DestinationState state = states[t % 2];
        writers.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int round = 1; round <= rounds; round++) {
                    for (int from = 0; from < membersPerThread; from += batch) {
                      List<MemberOutcome> outcomes = new ArrayList<>();
                      for (int i = from; i < from + batch; i++) {
                        outcomes.add(
                            confirmed(
                                "t" + thread + "m" + i + "@example.com", round, "v" + round, T0));
                      }
                      state.record(outcomes);
                    }
                  }
                  return null;
                }));
      }
      Map<String, Long> lastSeen = new ConcurrentHashMap<>();
      AtomicLong lookups = new AtomicLong();
      Future<?> reader =
          pool.submit(
              () -> {
                start.await();
                int group = 0;
                while (writing.get() || group < 4) {
                  int thread = group % threads;
                  int offset = group;
                  List<String> keys =
                      IntStream.range(0, 128)
                          .mapToObj(
                              i ->
                                  "email:t"
                                      + thread
                                      + "m"
                                      + ((i * 3 + offset) % membersPerThread)
                                      + "@example.com")
                          .distinct()
                          .toList();
                  for (MemberState m : states[thread % 2].lookup(keys).values()) {
                    long hash = m.confirmedHash().getAsLong();
                    Long before = lastSeen.put(m.memberKey(), hash);
                    assertThat(hash)
                        .as("a member's hash never goes back")
                        .isGreaterThanOrEqualTo(before == null ? 0 : before);
                    assertThat(m.vendorId()).contains("v" + hash);
                  }
                  lookups.incrementAndGet();
                  group++;
                }
                return null;
              });
      for (Future<?> writer : writers) {
        writer.get(60, TimeUnit.SECONDS);
      }
      writing.set(false);
      reader.get(60, TimeUnit.SECONDS);
      assertThat(lookups.get()).isPositive();
    } finally {
      pool.shutdownNow();
    }

    for (int t = 0; t < threads; t++) {
      int thread = t;
      List<String> keys =
          IntStream.range(0, membersPerThread)
              .mapToObj(i -> "email:t" + thread + "m" + i + "@example.com")
              .toList();
      Map<String, MemberState> found = states[t % 2].lookup(keys);
      assertThat(found).hasSize(membersPerThread);
      assertThat(found.values())
          .allSatisfy(
              m -> {
                assertThat(m.confirmedHash()).hasValue(rounds);
                assertThat(m.vendorId()).contains("v" + rounds);
              });
    }
    assertThat(states[0].memberCount()).isEqualTo(2L * membersPerThread);
    assertThat(states[1].memberCount()).isEqualTo(2L * membersPerThread);
  }

  @Test
  void aStoreOpenedAgainOnTheSameDatabaseKeepsEverything() {
    DestinationState state = store.open(LIST_A);
    state.record(
        List.of(
            confirmed("ann@example.com", 1L, "contact-7", T0),
            notConfirmed(Kind.REJECTED, "bob@example.com", 2L, "INVALID_EMAIL", T1)));
    PendingWork work = new PendingWork("run-1", "import", "imp-1", "payload", T2);
    state.addPending(work);
    Map<String, MemberState> before =
        state.lookup(List.of("email:ann@example.com", "email:bob@example.com"));
    store.close();

    SyncStateStore again = open(database);
    DestinationState reopened = again.open(LIST_A);
    assertThat(reopened.lookup(List.of("email:ann@example.com", "email:bob@example.com")))
        .isEqualTo(before)
        .hasSize(2);
    assertThat(reopened.pending()).containsExactly(work);
    assertThat(again.destinations()).containsExactly(LIST_A);
  }

  @Test
  void aClosedStoreAndItsStatesRefuseToWork() {
    DestinationState state = store.open(LIST_A);
    store.close();
    store.close(); // twice is allowed
    assertThatThrownBy(() -> state.lookup(List.of("email:ann@example.com")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> state.record(List.of(confirmed("ann@example.com", 1L, null, T0))))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.open(LIST_A)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.destinations()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void nullsAreRefusedWithTheParametersName() {
    DestinationState state = store.open(LIST_A);
    assertThatThrownBy(() -> store.open(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key");
    assertThatThrownBy(() -> state.lookup(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("memberKeys");
    assertThatThrownBy(() -> state.record(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("outcomes");
    assertThatThrownBy(() -> state.runFinished("r", T0, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("status");
  }

  @Test
  void twoStoresCreatingTheSchemaAtOnceBothSucceed() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int attempt = 0; attempt < 5; attempt++) {
        Database fresh = freshDatabase();
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<SyncStateStore>> opening = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          opening.add(
              pool.submit(
                  () -> {
                    start.await();
                    return open(fresh);
                  }));
        }
        List<SyncStateStore> stores = new ArrayList<>();
        for (Future<SyncStateStore> f : opening) {
          stores.add(f.get(30, TimeUnit.SECONDS));
        }
        stores.get(0).open(LIST_A).record(List.of(confirmed("ann@example.com", 1L, null, T0)));
        assertThat(stores.get(1).open(LIST_A).memberCount()).isEqualTo(1);
        try (Connection c = fresh.jdbc();
            Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT version FROM " + fresh.table("schema_version"))) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(JdbcSyncStateStore.SCHEMA_VERSION);
          assertThat(rs.next()).as("one version row").isFalse();
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aDatabaseOfANewerSchemaIsRefused() throws SQLException {
    store.open(LIST_A).record(List.of(confirmed("ann@example.com", 1L, null, T0)));
    store.close();
    try (Connection c = database.jdbc();
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "INSERT INTO "
              + database.table("schema_version")
              + " (version, installed_at) VALUES ("
              + (JdbcSyncStateStore.SCHEMA_VERSION + 1)
              + ", 0)");
    }

    assertThatThrownBy(() -> open(database))
        .isInstanceOf(SyncStateException.class)
        .hasMessageContaining("schema version " + (JdbcSyncStateStore.SCHEMA_VERSION + 1))
        .hasMessageContaining(
            "this SDK reads and writes version " + JdbcSyncStateStore.SCHEMA_VERSION)
        .hasMessageContaining("Nothing was sent");
    assertThat(count("member")).as("nothing was changed").isEqualTo(1);
  }

  @Test
  void aClaimHeldByOneStoreMakesAnotherStoreOnTheDatabaseWaitButNotOtherClaims() throws Exception {
    // Two stores on one database stand for two hosts sharing it (on PostgreSQL each has its own
    // connections, so only the database's lock keeps them apart).
    String claim = "iterable\nacct-1f3a\nlist\nVIP";
    String other = claimInAnotherBucket(claim);
    try (SyncStateStore second = open(database)) {
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicBoolean holding = new AtomicBoolean();
        Future<String> first =
            pool.submit(
                () ->
                    store.exclusively(
                        claim,
                        () -> {
                          holding.set(true);
                          held.countDown();
                          awaitQuietly(release);
                          holding.set(false);
                          return "first";
                        }));
        assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
        // Another claim is not held up by this one.
        assertThat(
                pool.submit(() -> second.exclusively(other, () -> "other"))
                    .get(30, TimeUnit.SECONDS))
            .isEqualTo("other");
        AtomicBoolean overlapped = new AtomicBoolean();
        Future<String> waiting =
            pool.submit(
                () ->
                    second.exclusively(
                        claim,
                        () -> {
                          overlapped.set(holding.get());
                          return "second";
                        }));
        Thread.sleep(500);
        assertThat(waiting).as("the second store ran under the claim the first holds").isNotDone();
        release.countDown();
        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("first");
        assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo("second");
        assertThat(overlapped).isFalse();
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void aClaimIsReleasedWhenItsActionThrows() throws Exception {
    String claim = "dotdigital\nacct-99\nlist\nLapsed";
    assertThatThrownBy(
            () ->
                store.exclusively(
                    claim,
                    () -> {
                      throw new IllegalStateException("the vendor refused the list");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the vendor refused the list");
    try (SyncStateStore second = open(database)) {
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        assertThat(
                pool.submit(() -> second.exclusively(claim, () -> "again"))
                    .get(30, TimeUnit.SECONDS))
            .isEqualTo("again");
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /** {@return a claim that falls in another bucket than {@code claim}, so that neither waits for the other} */
  static String claimInAnotherBucket(String claim) {
    for (int i = 0; ; i++) {
      String other = claim + " " + i;
      if (Claims.bucket(other) != Claims.bucket(claim)) {
        return other;
      }
    }
  }

  static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aDatabaseWhoseVersionTableSaysANewerVersionIsRefusedAndLeftAsItWas() throws Exception {
    Database newer = freshDatabase();
    writeNewerSchema(newer, false);
    String before = newer.snapshot();
    assertThat(before)
        .contains("segment_export_schema_version")
        .doesNotContain("segment_export_member");

    assertRefusedAsNewer(newer);

    assertThat(newer.snapshot()).as("the database after the refusal").isEqualTo(before);
  }

  @Test
  void aNewerDatabaseWithTablesAndColumnsThisSdkDoesNotKnowIsRefusedAndLeftAsItWas()
      throws Exception {
    Database newer = freshDatabase();
    writeNewerSchema(newer, true);
    String before = newer.snapshot();
    assertThat(before).contains("segment_export_contact", "region", "installed_by");

    assertRefusedAsNewer(newer);

    assertThat(newer.snapshot()).as("the database after the refusal").isEqualTo(before);
  }

  /** Opening a store on a database of schema version {@code SCHEMA_VERSION + 1} fails, saying why. */
  private void assertRefusedAsNewer(Database newer) {
    assertThatThrownBy(() -> open(newer))
        .isInstanceOf(SyncStateException.class)
        .hasMessageContaining("Could not open the sync state")
        .hasMessageContaining("has schema version " + (JdbcSyncStateStore.SCHEMA_VERSION + 1))
        .hasMessageContaining(
            "this SDK reads and writes version " + JdbcSyncStateStore.SCHEMA_VERSION)
        .hasMessageContaining("A newer version of the SDK wrote it")
        .hasMessageContaining("Nothing was sent");
  }

  /**
   * Writes, behind the store's back, the tables a newer SDK (schema version {@code SCHEMA_VERSION +
   * 1}) might have left: its version table alone, or, with {@code unknownParts}, a version table with a
   * column more and the rows of an upgrade from this version, a destination table with a column more,
   * a table this SDK does not know, and none of this SDK's other tables (the newer one renamed them).
   */
  static void writeNewerSchema(Database db, boolean unknownParts) throws SQLException {
    int newer = JdbcSyncStateStore.SCHEMA_VERSION + 1;
    try (Connection c = db.jdbc();
        Statement s = c.createStatement()) {
      db.createNamespace(s);
      if (!unknownParts) {
        s.executeUpdate(
            "CREATE TABLE "
                + db.table("schema_version")
                + " (version INTEGER NOT NULL PRIMARY KEY, installed_at BIGINT NOT NULL)");
        s.executeUpdate(
            "INSERT INTO "
                + db.table("schema_version")
                + " (version, installed_at) VALUES ("
                + newer
                + ", 1764583200000)");
        return;
      }
      s.executeUpdate(
          "CREATE TABLE "
              + db.table("schema_version")
              + " (version INTEGER NOT NULL PRIMARY KEY, installed_at BIGINT NOT NULL,"
              + " installed_by TEXT)");
      s.executeUpdate(
          "INSERT INTO "
              + db.table("schema_version")
              + " (version, installed_at, installed_by) VALUES ("
              + JdbcSyncStateStore.SCHEMA_VERSION
              + ", 1764583200000, 'sdk 0.1'), ("
              + newer
              + ", 1764586800000, 'sdk 0.2')");
      s.executeUpdate(
          "CREATE TABLE "
              + db.table("destination")
              + " (id BIGINT NOT NULL PRIMARY KEY, connector_id TEXT NOT NULL, account TEXT NOT NULL,"
              + " destination_id TEXT NOT NULL, created_at BIGINT NOT NULL, region TEXT,"
              + " UNIQUE (connector_id, account, destination_id))");
      s.executeUpdate(
          "INSERT INTO "
              + db.table("destination")
              + " VALUES (1, 'iterable', 'acct-1f3a', 'list-1', 1764586800000, 'EU')");
      s.executeUpdate(
          "CREATE TABLE "
              + db.table("contact")
              + " (destination BIGINT NOT NULL, contact_key TEXT NOT NULL, fields_hash BIGINT,"
              + " PRIMARY KEY (destination, contact_key))");
      s.executeUpdate(
          "INSERT INTO " + db.table("contact") + " VALUES (1, 'email:ann@example.com', 7)");
    }
  }

  /**
   * {@return the tables of a schema (null: the connection's default) with their columns, indexes and
   * rows, in a stable order, as JDBC's metadata gives them}
   */
  static String tablesAndRows(Connection c, String schema) throws SQLException {
    StringBuilder out = new StringBuilder();
    DatabaseMetaData meta = c.getMetaData();
    List<String> tables = new ArrayList<>();
    try (ResultSet rs = meta.getTables(null, schema, "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        tables.add(rs.getString("TABLE_NAME"));
      }
    }
    Collections.sort(tables);
    for (String table : tables) {
      out.append("table ").append(table).append('\n');
      try (ResultSet rs = meta.getColumns(null, schema, table, "%")) {
        while (rs.next()) {
          out.append("  column ")
              .append(rs.getString("COLUMN_NAME"))
              .append(' ')
              .append(rs.getString("TYPE_NAME"))
              .append(rs.getString("IS_NULLABLE").equals("NO") ? " NOT NULL" : "")
              .append('\n');
        }
      }
      List<String> indexes = new ArrayList<>();
      try (ResultSet rs = meta.getIndexInfo(null, schema, table, false, false)) {
        while (rs.next()) {
          indexes.add(
              "  index "
                  + rs.getString("INDEX_NAME")
                  + " on "
                  + rs.getString("COLUMN_NAME")
                  + (rs.getBoolean("NON_UNIQUE") ? "" : " unique"));
        }
      }
      Collections.sort(indexes);
      indexes.forEach(i -> out.append(i).append('\n'));
      List<String> rows = new ArrayList<>();
      String qualified = schema == null ? table : schema + "." + table;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT * FROM " + qualified)) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          StringBuilder row = new StringBuilder("  row");
          for (int i = 1; i <= n; i++) {
            row.append(' ').append(rs.getString(i));
          }
          rows.add(row.toString());
        }
      }
      Collections.sort(rows);
      rows.forEach(r -> out.append(r).append('\n'));
    }
    return out.toString();
  }

  long count(String table) throws SQLException {
    try (Connection c = database.jdbc();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + database.table(table))) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
