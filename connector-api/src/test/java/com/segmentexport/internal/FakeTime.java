package com.segmentexport.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Virtual time for the engine's waits: a {@link Ticker} that moves only when a {@link RunControl} wait
 * blocks on it (as its {@link RunControl.Waiter}), at once, so that a test of a pause, a backoff or a
 * throttle takes no real time. Actions scheduled {@link #at} a virtual time run as it passes.
 * One thread at a time.
 */
final class FakeTime implements Ticker, RunControl.Waiter {
  private final long origin = 1_000_000_000L;
  private long now = origin;
  private final List<Long> waits = new ArrayList<>();
  private final List<Scheduled> scheduled = new ArrayList<>();

  private record Scheduled(long at, Runnable action) {}

  /** A run control of a connection on this time. */
  RunControl control(com.segmentexport.api.Connection connection) {
    return new RunControl(connection, this, this);
  }

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public void await(Object monitor, long nanos) {
    waits.add(nanos);
    advance(nanos);
  }

  /** Moves time on, running the actions whose time has come. */
  void advance(long nanos) {
    now += nanos;
    List<Scheduled> due = scheduled.stream().filter(s -> s.at() - now <= 0).toList();
    scheduled.removeAll(due);
    due.forEach(s -> s.action().run());
  }

  /** Runs an action once this much virtual time has passed since the start. */
  void at(Duration sinceStart, Runnable action) {
    scheduled.add(new Scheduled(origin + sinceStart.toNanos(), action));
  }

  /** {@return the virtual time since the start} */
  Duration elapsed() {
    return Duration.ofNanos(now - origin);
  }

  /** {@return each wait's length, in order, in nanoseconds} */
  List<Long> waits() {
    return List.copyOf(waits);
  }
}
