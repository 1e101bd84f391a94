package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.spi.ExportCancelledException;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A run's waits, in virtual time: how long they last and what cuts them short. */
class RunControlTest {
  private static final long MS = 1_000_000;
  private final FakeVendor vendor = new FakeVendor();
  private final Connection connection =
      Fixtures.connection(TestConnectorProvider.standard(), vendor);
  private final FakeTime time = new FakeTime();
  private final RunControl control = time.control(connection);

  @AfterEach
  void close() {
    vendor.close();
  }

  @Test
  void aWaitLastsItsWholeTimeInSlicesThatLookAtTheConnection() {
    assertThat(control.sleep(120 * MS)).isTrue();
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(120));
    assertThat(time.waits()).containsExactly(50 * MS, 50 * MS, 20 * MS);
    assertThat(control.sleep(0)).isTrue();
    assertThat(control.sleep(-5)).isTrue();
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(120));
  }

  @Test
  void aStopEndsAWaitAtOnce() {
    time.at(Duration.ofMillis(100), () -> control.stop("cancelled by the caller"));
    assertThat(control.sleep(Duration.ofSeconds(30).toNanos())).isFalse();
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(100));
    assertThat(control.stopReason()).isEqualTo("cancelled by the caller");
  }

  @Test
  void aRemovedConnectionEndsAWaitWithinASlice() {
    time.at(Duration.ofMillis(120), connection::remove);
    assertThat(control.sleep(Duration.ofSeconds(30).toNanos())).isFalse();
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(150));
    assertThat(control.stopReason()).isEqualTo("connection removed");
  }

  @Test
  void theFirstReasonStaysAndAStoppedRunDoesNotWait() {
    control.stop("failed: AuthenticationException");
    control.stop("cancelled by the caller");
    assertThat(control.sleep(Duration.ofSeconds(1).toNanos())).isFalse();
    assertThat(time.elapsed()).isZero();
    assertThat(control.stopReason()).isEqualTo("failed: AuthenticationException");
  }

  @Test
  void anInterruptedWaitStopsTheRunAndKeepsTheInterrupt() {
    RunControl interrupted =
        new RunControl(
            connection,
            time,
            (monitor, nanos) -> {
              throw new InterruptedException();
            });
    try {
      assertThat(interrupted.sleep(Duration.ofSeconds(1).toNanos())).isFalse();
      assertThat(interrupted.stopReason()).isEqualTo("interrupted");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void onTheSystemClockAStopEndsAThreadsWait() throws Exception {
    CountDownLatch waiting = new CountDownLatch(1);
    RunControl real =
        new RunControl(
            connection,
            Ticker.SYSTEM,
            (monitor, nanos) -> {
              waiting.countDown();
              RunControl.Waiter.MONITOR.await(monitor, nanos);
            });
    AtomicBoolean slept = new AtomicBoolean(true);
    Thread sleeper = new Thread(() -> slept.set(real.sleep(Duration.ofSeconds(30).toNanos())));
    sleeper.start();
    assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
    real.stop("cancelled by the caller");
    sleeper.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(sleeper.isAlive()).as("still waiting after the stop").isFalse();
    assertThat(slept).isFalse();
  }

  /**
   * A removal reaches a thread that waits in {@code interruptibly} for another export (a latch here
   * that never opens) at once: only an interrupt ends such a wait. A run on another connection goes on,
   * and nothing stays registered once the action has ended.
   */
  @Test
  void aRemovalInterruptsAWaitForAnotherExportAndOnlyOnItsConnection() throws Exception {
    Connection other = Fixtures.connection(TestConnectorProvider.standard(), vendor);
    RunControl real = new RunControl(connection);
    RunControl otherRun = new RunControl(other);
    CountDownLatch waiting = new CountDownLatch(2);
    CountDownLatch never = new CountDownLatch(1);
    AtomicReference<Object> ended = new AtomicReference<>();
    AtomicBoolean interruptLeft = new AtomicBoolean();
    Thread waiter =
        new Thread(
            () -> {
              try {
                real.interruptibly(
                    () -> {
                      waiting.countDown();
                      try {
                        return never.await(60, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        throw new ExportCancelledException("interrupted", false);
                      }
                    });
                ended.set("the wait ran out");
              } catch (ExportCancelledException e) {
                ended.set(e);
              }
              interruptLeft.set(Thread.currentThread().isInterrupted());
            });
    Thread otherWaiter =
        new Thread(
            () ->
                otherRun.interruptibly(
                    () -> {
                      waiting.countDown();
                      try {
                        return never.await(60, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        throw new ExportCancelledException("interrupted", false);
                      }
                    }));
    waiter.start();
    otherWaiter.start();
    try {
      assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();

      connection.remove();
      waiter.join(TimeUnit.SECONDS.toMillis(30));

      assertThat(waiter.isAlive()).as("still waiting after the removal").isFalse();
      assertThat(ended.get()).isInstanceOf(ExportCancelledException.class);
      assertThat(real.stopReason()).isEqualTo("connection removed");
      assertThat(interruptLeft).as("the interrupt outlived the action").isFalse();
      assertThat(otherRun.isStopped()).isFalse();
      assertThat(otherWaiter.isAlive()).isTrue();
    } finally {
      never.countDown();
      otherWaiter.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertThat(RunControl.watched(connection)).as("the removed connection still watched").isFalse();
    assertThat(RunControl.watched(other)).as("the other connection still watched").isFalse();
  }
}
