package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.testsupport.CountingExecutor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The pool every export shares: bounded, fair between lanes, on the host's executor when given. */
class EngineThreadsTest {
  @Test
  void lanesTakeTurnsSoALongQueueCannotStarveAShortOne() throws Exception {
    EngineThreads threads = EngineThreads.ownThreads(1);
    EngineThreads.Lane busy = threads.lane();
    EngineThreads.Lane small = threads.lane();
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch first = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch all = new CountDownLatch(105);
    busy.execute(
        () -> {
          first.countDown();
          await(release);
          order.add("busy");
          all.countDown();
        });
    assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
    // While the one thread is busy, the busy lane queues 99 more tasks, then the small lane 5.
    for (int i = 0; i < 99; i++) {
      busy.execute(
          () -> {
            order.add("busy");
            all.countDown();
          });
    }
    for (int i = 0; i < 5; i++) {
      small.execute(
          () -> {
            order.add("small");
            all.countDown();
          });
    }
    release.countDown();
    assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
    // One task of each lane in turn: the small lane's five are done within the first eleven tasks.
    assertThat(order.lastIndexOf("small")).isLessThanOrEqualTo(11);
    assertThat(order.stream().filter("small"::equals).count()).isEqualTo(5);
    assertThat(order).hasSize(105);
  }

  @Test
  void neverRunsMoreThanItsParallelismAtOnce() throws Exception {
    EngineThreads threads = EngineThreads.ownThreads(2);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch all = new CountDownLatch(60);
    for (int lane = 0; lane < 6; lane++) {
      EngineThreads.Lane l = threads.lane();
      for (int i = 0; i < 10; i++) {
        l.execute(
            () -> {
              most.accumulateAndGet(running.incrementAndGet(), Math::max);
              sleep(2);
              running.decrementAndGet();
              all.countDown();
            });
      }
    }
    assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(most.get()).isEqualTo(2);
  }

  @Test
  void runsOnTheHostsExecutorAtMostParallelismAtOnce() throws Exception {
    AtomicInteger ids = new AtomicInteger();
    ExecutorService host =
        Executors.newFixedThreadPool(8, r -> new Thread(r, "host-" + ids.incrementAndGet()));
    try {
      EngineThreads threads = EngineThreads.using(host, 3);
      List<String> names = Collections.synchronizedList(new ArrayList<>());
      AtomicInteger running = new AtomicInteger();
      AtomicInteger most = new AtomicInteger();
      CountDownLatch all = new CountDownLatch(40);
      for (int lane = 0; lane < 4; lane++) {
        EngineThreads.Lane l = threads.lane();
        for (int i = 0; i < 10; i++) {
          l.execute(
              () -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                names.add(Thread.currentThread().getName());
                sleep(2);
                running.decrementAndGet();
                all.countDown();
              });
        }
      }
      assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(names).allSatisfy(n -> assertThat(n).startsWith("host-"));
      assertThat(most.get()).isBetween(2, 3);
    } finally {
      host.shutdownNow();
    }
  }

  @Test
  void anExportCanWaitUntilNoneOfItsTasksWaitsForAThread() throws Exception {
    EngineThreads threads = EngineThreads.ownThreads(1);
    EngineThreads.Lane other = threads.lane();
    EngineThreads.Lane lane = threads.lane();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    other.execute(
        () -> {
          started.countDown();
          await(release);
        });
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(lane.awaitNoneWaiting(1)).isTrue();
    CountDownLatch ran = new CountDownLatch(1);
    lane.execute(ran::countDown);
    // The one thread is busy with the other lane's task: this lane's task waits for it.
    assertThat(lane.awaitNoneWaiting(30)).isFalse();
    Thread releaser =
        new Thread(
            () -> {
              sleep(20);
              release.countDown();
            });
    releaser.start();
    assertThat(lane.awaitNoneWaiting(10_000)).isTrue();
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    releaser.join();
  }

  @Test
  void anInterruptLeftByOneExportsTaskDoesNotReachTheNextTask() throws Exception {
    EngineThreads threads = EngineThreads.ownThreads(1);
    CountDownLatch done = new CountDownLatch(1);
    List<Boolean> interrupted = Collections.synchronizedList(new ArrayList<>());
    threads.lane().execute(() -> Thread.currentThread().interrupt());
    threads
        .lane()
        .execute(
            () -> {
              interrupted.add(Thread.currentThread().isInterrupted());
              done.countDown();
            });
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(interrupted).containsExactly(false);
  }

  @Test
  void aTaskTheExecutorRejectsRunsOnTheSubmittingThread() {
    EngineThreads threads =
        EngineThreads.using(
            task -> {
              throw new RejectedExecutionException("full");
            },
            4);
    List<Thread> ranOn = new ArrayList<>();
    threads.lane().execute(() -> ranOn.add(Thread.currentThread()));
    assertThat(ranOn).containsExactly(Thread.currentThread());
  }

  @Test
  void aTaskIsRunOnTheSubmittingThreadWhenTheHostsExecutorRefusesItWithAnotherException() {
    // A host's executor that refuses with an exception of its own (shut down, say) rather than a
    // RejectedExecutionException: left in its lane, with the pool counting a drain loop that never
    // started, the task would never run and its export would wait for its batch forever.
    EngineThreads threads =
        EngineThreads.using(
            task -> {
              throw new IllegalStateException("the host's executor is shut down");
            },
            1);
    List<Thread> ranOn = new ArrayList<>();
    threads.lane().execute(() -> ranOn.add(Thread.currentThread()));
    threads.lane().execute(() -> ranOn.add(Thread.currentThread()));
    assertThat(ranOn).containsExactly(Thread.currentThread(), Thread.currentThread());
  }

  @Test
  void aTaskIsRunOnTheSubmittingThreadWhenTheExecutorCannotMakeAThread() {
    // A JVM out of memory or of native threads throws an Error from execute; the task is in its
    // lane
    // already, and left there no thread would ever run it: its export would wait for it forever.
    EngineThreads threads =
        EngineThreads.using(
            task -> {
              throw new OutOfMemoryError("unable to create native thread: possibly out of memory");
            },
            4);
    List<Thread> ranOn = new ArrayList<>();
    threads.lane().execute(() -> ranOn.add(Thread.currentThread()));
    assertThat(ranOn).containsExactly(Thread.currentThread());
  }

  @Test
  void anErrorInOneTaskLeavesTheThreadRunningTheOthers() throws Exception {
    EngineThreads threads = EngineThreads.ownThreads(1);
    EngineThreads.Lane lane = threads.lane();
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch after = new CountDownLatch(3);
    lane.execute(
        () -> {
          blocked.countDown();
          await(release);
          throw new OutOfMemoryError("Java heap space (a test's)");
        });
    assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 3; i++) {
      lane.execute(after::countDown);
    }
    release.countDown();
    assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void setUpsWaitingForeverLeaveTheBatchThreadsFreeAndTheOtherWayRound() throws Exception {
    // A set-up waits for another export (its claim, its list creation) on the set-ups' share; the
    // export it waits for needs a batch thread to get on: it must find one, however many set-ups
    // wait. And with every batch thread busy, a set-up still runs.
    EngineThreads threads = EngineThreads.ownThreads(2);
    assertThat(threads.setUpParallelism()).isEqualTo(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch setUpWaiting = new CountDownLatch(1);
    threads
        .setUpLane()
        .execute(
            () -> {
              setUpWaiting.countDown();
              await(release);
            });
    assertThat(setUpWaiting.await(10, TimeUnit.SECONDS)).isTrue();
    CountDownLatch batchesWaiting = new CountDownLatch(2);
    for (int i = 0; i < 2; i++) {
      threads
          .lane()
          .execute(
              () -> {
                batchesWaiting.countDown();
                await(release);
              });
    }
    assertThat(batchesWaiting.await(10, TimeUnit.SECONDS)).isTrue();
    // The one set-up thread and both batch threads wait; a second set-up queues behind the first.
    CountDownLatch secondSetUp = new CountDownLatch(1);
    EngineThreads.Lane other = threads.setUpLane();
    other.execute(secondSetUp::countDown);
    assertThat(secondSetUp.await(200, TimeUnit.MILLISECONDS)).isFalse();
    assertThat(other.hasWaiting()).isTrue();
    release.countDown();
    assertThat(secondSetUp.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(other.hasWaiting()).isFalse();
  }

  @Test
  void aHostsExecutorRunsTheSetUpsBesideTheBatchesAndNoMore() throws Exception {
    try (CountingExecutor host = new CountingExecutor()) {
      EngineThreads threads = EngineThreads.using(host, 10);
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch done = new CountDownLatch(40);
      for (int i = 0; i < 20; i++) {
        Runnable task =
            () -> {
              await(release);
              done.countDown();
            };
        threads.lane().execute(task);
        threads.setUpLane().execute(task);
      }
      // 10 batch writes and 2 set-ups at once.
      for (int i = 0; i < 100 && host.running() < 12; i++) {
        Thread.sleep(10);
      }
      assertThat(host.running()).isEqualTo(12);
      release.countDown();
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(host.most()).isEqualTo(12);
    }
  }
}
