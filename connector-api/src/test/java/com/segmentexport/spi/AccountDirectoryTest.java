package com.segmentexport.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.ExportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AccountDirectoryTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final AccountDirectory directory = new AccountDirectory(now::get, Duration.ofNanos(100));
  private final AccountDirectory.Catalog<Long> lists = directory.catalog("lists");
  private final AtomicInteger loads = new AtomicInteger();
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private Supplier<Map<String, Long>> account(Map<String, Long> lists) {
    return () -> {
      loads.incrementAndGet();
      return lists;
    };
  }

  @Test
  void aHitIsServedFromAReadOfAtMostTheFreshnessAgo() {
    Supplier<Map<String, Long>> load = account(Map.of("VIP", 7L, "Lapsed", 8L));
    assertThat(lists.find("VIP", load)).contains(7L);
    now.addAndGet(100);
    assertThat(lists.find("Lapsed", load)).contains(8L);
    assertThat(loads).hasValue(1);
    now.addAndGet(1);
    assertThat(lists.find("VIP", load)).contains(7L);
    assertThat(loads).hasValue(2);
  }

  @Test
  void aSharedObjectIsMadeOnceAndKeptForEveryCaller() throws Exception {
    AtomicInteger made = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<StringBuilder>> callers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      callers.add(
          pool.submit(
              () -> {
                go.await();
                return directory.shared(
                    "members",
                    StringBuilder.class,
                    () -> {
                      made.incrementAndGet();
                      return new StringBuilder();
                    });
              }));
    }
    go.countDown();
    StringBuilder first = callers.get(0).get(5, TimeUnit.SECONDS);
    for (Future<StringBuilder> f : callers) {
      assertThat(f.get(5, TimeUnit.SECONDS)).isSameAs(first);
    }
    now.addAndGet(1_000_000); // nothing expires
    assertThat(directory.shared("members", StringBuilder.class, StringBuilder::new))
        .isSameAs(first);
    assertThat(made).hasValue(1);
    assertThat(AccountDirectory.create().shared("members", StringBuilder.class, StringBuilder::new))
        .as("another account's directory")
        .isNotSameAs(first);
  }

  @Test
  void aSharedKindHoldingAnotherTypeIsRefused() {
    directory.shared("members", StringBuilder.class, StringBuilder::new);
    assertThatThrownBy(() -> directory.shared("members", String.class, () -> ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("members")
        .hasMessageContaining("java.lang.StringBuilder");
  }

  @Test
  void aMissIsAlwaysConfirmedByAReadStartedAfterTheQuestion() {
    Supplier<Map<String, Long>> load = account(Map.of("VIP", 7L));
    assertThat(lists.find("VIP", load)).contains(7L);
    now.incrementAndGet();
    assertThat(lists.find("New", load)).isEmpty();
    assertThat(loads).hasValue(2);
    // Another host made it meanwhile: the next miss reads again and finds it.
    now.incrementAndGet();
    assertThat(lists.find("New", account(Map.of("VIP", 7L, "New", 9L)))).contains(9L);
    assertThat(loads).hasValue(3);
  }

  @Test
  void callersWaitingForAReadShareTheNextOne() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Supplier<Map<String, Long>> load =
        () -> {
          if (loads.incrementAndGet() == 1) {
            await(release);
          }
          return Map.of("VIP", 7L);
        };
    Future<Optional<Long>> first = pool.submit(() -> lists.find("missing", load));
    awaitLoads(1);
    now.incrementAndGet(); // the others ask after the first read started: it cannot answer them
    List<Thread> waiting = new ArrayList<>();
    List<Future<Optional<Long>>> others = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      CountDownLatch started = new CountDownLatch(1);
      others.add(
          pool.submit(
              () -> {
                waiting.add(Thread.currentThread());
                started.countDown();
                return lists.find("VIP", load);
              }));
      started.await();
    }
    awaitWaiting(waiting);
    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isEmpty();
    for (Future<Optional<Long>> f : others) {
      assertThat(f.get(10, TimeUnit.SECONDS)).contains(7L);
    }
    assertThat(loads).as("one read for the first caller, one for the eight after it").hasValue(2);
  }

  @Test
  void onlyOneCallerOfTheJvmCreatesAName() throws Exception {
    AtomicInteger creates = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    Supplier<Map<String, Long>> load = account(Map.of());
    Supplier<Long> create =
        () -> {
          creates.incrementAndGet();
          await(release);
          return 42L;
        };
    List<Future<Long>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(pool.submit(() -> lists.findOrCreate("VIP", load, create)));
    }
    while (creates.get() == 0) {
      Thread.onSpinWait();
    }
    release.countDown();
    for (Future<Long> f : all) {
      assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(42L);
    }
    assertThat(creates).hasValue(1);
    // Known from now on without a read.
    int readsSoFar = loads.get();
    assertThat(lists.find("VIP", load)).contains(42L);
    assertThat(loads).hasValue(readsSoFar);
  }

  @Test
  void aCreatedNameOutlivesAReadThatDoesNotListItYetForTheFreshness() {
    lists.findOrCreate("VIP", account(Map.of()), () -> 42L);
    now.addAndGet(50);
    assertThat(lists.find("Other", account(Map.of()))).isEmpty(); // a read without VIP
    assertThat(lists.find("VIP", account(Map.of()))).contains(42L);
    now.addAndGet(200);
    assertThat(lists.find("VIP", account(Map.of()))).isEmpty();
  }

  @Test
  void whatThisJvmMadeWinsOverAReadForTheFreshness() {
    lists.findOrCreate("VIP", account(Map.of()), () -> 42L);
    now.addAndGet(50);
    assertThat(lists.find("Other", account(Map.of("VIP", 41L)))).isEmpty(); // a read listing VIP
    assertThat(lists.find("VIP", account(Map.of("VIP", 41L)))).contains(42L);
    now.addAndGet(200);
    assertThat(lists.find("VIP", account(Map.of("VIP", 41L)))).contains(41L);
  }

  @Test
  void aForgottenNameIsReadAgain() {
    Supplier<Map<String, Long>> load = account(Map.of("VIP", 7L));
    lists.find("VIP", load);
    lists.forget("VIP");
    now.incrementAndGet();
    assertThat(lists.find("VIP", account(Map.of()))).isEmpty();
    assertThat(loads).hasValue(2);
  }

  @Test
  void aCreatorThatWasCancelledLetsTheNextCallerCreate() throws Exception {
    Supplier<Map<String, Long>> load = account(Map.of());
    assertThatThrownBy(
            () ->
                lists.findOrCreate(
                    "VIP",
                    load,
                    () -> {
                      throw new ExportCancelledException("cancelled", false);
                    }))
        .isInstanceOf(ExportCancelledException.class);
    assertThat(lists.findOrCreate("VIP", load, () -> 42L)).isEqualTo(42L);
  }

  @Test
  void aCallerThatWaitedForACancelledCreatorReadsTheAccountAgainBeforeCreating() throws Exception {
    // The first creator's create reached the vendor (a lost answer, then its export cancelled while
    // it read the lists to find out): the list exists, and a second create would make two of them.
    Map<String, Long> vendor = new java.util.concurrent.ConcurrentHashMap<>();
    Supplier<Map<String, Long>> load =
        () -> {
          loads.incrementAndGet();
          return Map.copyOf(vendor);
        };
    AtomicInteger creates = new AtomicInteger();
    CountDownLatch creating = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Long> first =
        pool.submit(
            () ->
                lists.findOrCreate(
                    "VIP",
                    load,
                    () -> {
                      creates.incrementAndGet();
                      creating.countDown();
                      await(release);
                      vendor.put("VIP", 42L);
                      throw new ExportCancelledException("cancelled", true);
                    }));
    assertThat(creating.await(10, TimeUnit.SECONDS)).isTrue();
    now.incrementAndGet();
    List<Thread> waiting = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch started = new CountDownLatch(1);
    Future<Long> second =
        pool.submit(
            () -> {
              waiting.add(Thread.currentThread());
              started.countDown();
              return lists.findOrCreate(
                  "VIP",
                  load,
                  () -> {
                    creates.incrementAndGet();
                    return 43L;
                  });
            });
    started.await();
    awaitWaiting(waiting); // its own read found nothing; it waits for the first creator
    now.incrementAndGet();
    release.countDown();
    assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ExportCancelledException.class);
    assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(42L);
    assertThat(creates).as("one create at the vendor").hasValue(1);
  }

  @Test
  void aFailedReadFailsTheCallersThatWaitedForItButACancelledOneDoesNot() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    RuntimeException[] failWith = {new DestinationException(500, null, null, "read failed")};
    Supplier<Map<String, Long>> load =
        () -> {
          int n = calls.incrementAndGet();
          if (n == 1) {
            await(release);
            throw failWith[0];
          }
          return Map.of("VIP", 7L);
        };
    // The first read (started before the waiter asked) fails: the waiter needs one of its own.
    now.set(10);
    Future<Optional<Long>> first = pool.submit(() -> lists.find("VIP", load));
    while (calls.get() == 0) {
      Thread.onSpinWait();
    }
    release.countDown();
    assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DestinationException.class);
    // Same instant as the failed read's start: the failure answers it.
    assertThatThrownBy(() -> lists.find("VIP", load))
        .isInstanceOf(DestinationException.class)
        .hasCause(failWith[0]);
    assertThat(calls).hasValue(1);
    now.incrementAndGet();
    assertThat(lists.find("VIP", load)).contains(7L);

    // A read whose export was cancelled answers nobody else.
    now.addAndGet(1_000);
    AccountDirectory.Catalog<Long> other = directory.catalog("other");
    assertThatThrownBy(
            () ->
                other.find(
                    "VIP",
                    () -> {
                      throw new ExportCancelledException("cancelled", false);
                    }))
        .isInstanceOf(ExportCancelledException.class);
    assertThat(other.find("VIP", () -> Map.of("VIP", 1L))).contains(1L);
  }

  @Test
  void eachCallerThatWaitedForAFailedReadOrCreationGetsAnExceptionOfItsOwn() throws Exception {
    // Each export's run attaches its result to the exception it ends with: an instance shared by
    // two
    // exports would carry the result of whichever ended last, for both.
    DestinationException readFailure =
        new DestinationException(500, "boom", "the vendor failed", "lists could not be read");
    now.set(10);
    Supplier<Map<String, Long>> failing =
        () -> {
          throw readFailure;
        };
    assertThatThrownBy(() -> lists.find("VIP", failing)).isSameAs(readFailure);
    // Asked at the instant the failed read started: it answers with the same failure, its own copy.
    Throwable waiter = catchThrowable(() -> lists.find("VIP", account(Map.of())));
    assertThat(waiter)
        .isInstanceOf(DestinationException.class)
        .isNotSameAs(readFailure)
        .hasMessage("lists could not be read")
        .hasCause(readFailure);
    assertThat(((DestinationException) waiter).httpStatus()).isEqualTo(500);
    assertThat(((DestinationException) waiter).vendorCode()).contains("boom");
    ((ExportException) waiter).withPartialResult(null);
    assertThat(readFailure.partialResult()).isEmpty();

    // A creation another caller waited for.
    now.incrementAndGet();
    AuthenticationException refused = new AuthenticationException(401, "credentials refused");
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch creating = new CountDownLatch(1);
    Future<Long> creator =
        pool.submit(
            () ->
                lists.findOrCreate(
                    "New",
                    account(Map.of()),
                    () -> {
                      creating.countDown();
                      await(release);
                      throw refused;
                    }));
    assertThat(creating.await(10, TimeUnit.SECONDS)).isTrue();
    now.incrementAndGet();
    List<Thread> waiting = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch started = new CountDownLatch(1);
    Future<Long> other =
        pool.submit(
            () -> {
              waiting.add(Thread.currentThread());
              started.countDown();
              return lists.findOrCreate("New", account(Map.of()), () -> 7L);
            });
    started.await();
    awaitWaiting(waiting);
    release.countDown();
    assertThatThrownBy(() -> creator.get(10, TimeUnit.SECONDS)).hasCause(refused);
    Throwable theirs = catchThrowable(() -> other.get(10, TimeUnit.SECONDS)).getCause();
    assertThat(theirs)
        .isInstanceOf(AuthenticationException.class)
        .isNotSameAs(refused)
        .hasMessage("credentials refused")
        .hasCause(refused);
    assertThat(((AuthenticationException) theirs).httpStatus()).isEqualTo(401);
  }

  @Test
  void catalogsOfOneKindAreOneAndKindsAreApart() {
    assertThat(directory.<Long>catalog("lists")).isSameAs(lists);
    lists.put("VIP", 7L);
    assertThat(directory.<Long>catalog("fields").find("VIP", () -> Map.of())).isEmpty();
  }

  private void awaitLoads(int n) {
    while (loads.get() < n) {
      Thread.onSpinWait();
    }
  }

  private static void awaitWaiting(List<Thread> threads) throws InterruptedException {
    for (Thread t : threads) {
      while (t.getState() != Thread.State.WAITING) {
        Thread.sleep(1);
      }
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
