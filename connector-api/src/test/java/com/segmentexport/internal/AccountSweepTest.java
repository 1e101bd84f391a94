package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.spi.AccountDirectory;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 28: the JVM's per-account limiters and directories are forgotten once nothing uses them and
 * they were idle for {@link RateLimiters#IDLE}; never while in use.
 */
class AccountSweepTest {
  private static final Duration IDLE = Duration.ofMinutes(2);

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final RateLimiters registry = new RateLimiters(now::get, IDLE);

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  /** Collects garbage until the condition holds (a bounded number of tries, no timing). */
  private static boolean afterGc(BooleanSupplier condition) {
    for (int i = 0; i < 50 && !condition.getAsBoolean(); i++) {
      System.gc();
    }
    return condition.getAsBoolean();
  }

  @Test
  void theIdleTimeIsAMinuteOrMoreAndAboveTheDirectorysFreshness() {
    assertThat(RateLimiters.IDLE).isGreaterThanOrEqualTo(Duration.ofMinutes(1));
    assertThat(RateLimiters.IDLE).isGreaterThan(AccountDirectory.FRESHNESS.multipliedBy(10));
  }

  @Test
  void anAccountUsedOnceAndReleasedIsGoneAfterTheIdleTime() {
    WeakReference<RateLimiter> limiter = new WeakReference<>(registry.forAccount("a", 5));
    WeakReference<AccountDirectory> directory = new WeakReference<>(registry.directory("a"));

    advance(IDLE.plusSeconds(31)); // past idle and past the next sweep
    registry.forAccount("b", 5); // a look-up sweeps
    registry.directory("b");

    assertThat(registry.limiters().retained()).as("only b's kept").isEqualTo(1);
    assertThat(registry.directories().retained()).isEqualTo(1);
    assertThat(afterGc(() -> limiter.get() == null && directory.get() == null)).isTrue();
    registry.limiters().sweepNow();
    registry.directories().sweepNow();
    assertThat(registry.limiters().size()).as("a's entry removed").isEqualTo(1);
    assertThat(registry.directories().size()).isEqualTo(1);
  }

  @Test
  void anAccountReleasedIsKeptForTheIdleTimeSoBackToBackExportsShareIt() {
    WeakReference<RateLimiter> limiter = new WeakReference<>(registry.forAccount("a", 5));
    WeakReference<AccountDirectory> directory = new WeakReference<>(registry.directory("a"));

    advance(IDLE.minusSeconds(1));
    registry.forAccount("b", 5); // sweeps
    afterGc(() -> false);

    assertThat(limiter.get()).isNotNull();
    assertThat(registry.forAccount("a", 5)).isSameAs(limiter.get());
    assertThat(registry.directory("a")).isSameAs(directory.get());
  }

  @Test
  void anAccountInUseIsNeverDroppedAndEveryLookUpGetsTheSameLimiter() {
    RateLimiter held = registry.forAccount("a", 5);
    AccountDirectory heldDirectory = registry.directory("a");
    for (int i = 0; i < 5; i++) {
      advance(IDLE.multipliedBy(3));
      registry.forAccount("other" + i, 5); // sweeps
      registry.directory("other" + i);
      afterGc(() -> false);
      registry.limiters().sweepNow();
      registry.directories().sweepNow();
      assertThat(registry.forAccount("a", 7)).isSameAs(held);
      assertThat(registry.directory("a")).isSameAs(heldDirectory);
    }
  }

  /** An export reads the account's lists once; returns a weak reference to a value of that read. */
  private WeakReference<Object> readLists(String account) {
    Object listId = new Object();
    assertThat(
            registry
                .directory(account)
                .<Object>catalog("test.lists")
                .find("VIPs", () -> Map.of("VIPs", listId)))
        .containsSame(listId);
    return new WeakReference<>(listId);
  }

  @Test
  void theListReadOfAnAccountNoLongerUsedIsReleased() {
    WeakReference<Object> read = readLists("a");
    afterGc(() -> false);
    assertThat(read.get()).as("kept while the directory is").isNotNull();

    advance(IDLE.plusSeconds(31));
    registry.directory("b"); // sweeps

    assertThat(afterGc(() -> read.get() == null)).as("the read's values collected").isTrue();
  }
}
