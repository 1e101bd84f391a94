package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
}
