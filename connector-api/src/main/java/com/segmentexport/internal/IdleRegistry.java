package com.segmentexport.internal;

import static java.util.Objects.requireNonNull;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One object per key, shared by everyone who looks the key up, that the registry forgets once nobody
 * uses it and nobody looked it up for a while (issue 28: a multi-tenant JVM exporting to thousands of
 * accounts over weeks keeps only the accounts it uses).
 *
 * <p>Every object is held weakly, so a key's object stays the one returned to every look-up as long as
 * anyone (an exporter, a running export, a call waiting on a limiter) still holds it: a key never has two
 * live objects. It is also held strongly for {@code idle} after its last look-up, so that exports run
 * back to back share it even when none holds it in between. Entries are swept lazily, by look-ups (at
 * most every quarter of {@code idle}), with no thread of their own: an unused object is forgotten between
 * {@code idle} and {@code 1.25 × idle} after its last look-up, its entry once the garbage collector
 * cleared it.
 *
 * @param <V> the objects
 */
final class IdleRegistry<V> {
  private final ConcurrentMap<String, Slot<V>> slots = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;
  private final long idleNanos;
  private final AtomicLong lastSweep;

  /** Mutable; changed only inside the map's atomic compute of its key. */
  private static final class Slot<V> {
    final WeakReference<V> weak;
    V strong;
    long lastUsed;

    Slot(V value) {
      this.weak = new WeakReference<>(value);
    }
  }

  IdleRegistry(LongSupplier nanoTime, Duration idle) {
    this.nanoTime = requireNonNull(nanoTime, "nanoTime == null");
    this.idleNanos = requireNonNull(idle, "idle == null").toNanos();
    if (idleNanos <= 0) {
      throw new IllegalArgumentException("idle must be positive: " + idle);
    }
    this.lastSweep = new AtomicLong(nanoTime.getAsLong());
  }

  /** The key's object: the one anyone still holds or looked up lately, else a new one from make. */
  V get(String key, Supplier<? extends V> make) {
    long now = nanoTime.getAsLong();
    sweep(now);
    @SuppressWarnings("unchecked")
    V[] out = (V[]) new Object[1];
    slots.compute(
        key,
        (k, slot) -> {
          V value = slot == null ? null : slot.weak.get();
          if (value == null) {
            value = requireNonNull(make.get(), "make returned null");
            slot = new Slot<>(value);
          }
          slot.strong = value;
          slot.lastUsed = now;
          out[0] = value;
          return slot;
        });
    return out[0];
  }

  /** The keys with an entry (held or not): tests. */
  int size() {
    return slots.size();
  }

  /** The keys whose object the registry itself still holds strongly: tests. */
  int retained() {
    int n = 0;
    for (String key : slots.keySet()) {
      Slot<V> slot = slots.get(key);
      if (slot != null && slot.strong != null) {
        n++;
      }
    }
    return n;
  }

  /** Forces the next look-up to sweep (tests: after a garbage collection). */
  void sweepNow() {
    sweep(nanoTime.getAsLong(), true);
  }

  private void sweep(long now) {
    sweep(now, false);
  }

  private void sweep(long now, boolean force) {
    long last = lastSweep.get();
    if (!force && now - last < idleNanos / 4) {
      return;
    }
    if (!lastSweep.compareAndSet(last, now)) {
      return; // another look-up sweeps
    }
    for (String key : slots.keySet()) {
      slots.computeIfPresent(
          key,
          (k, slot) -> {
            if (slot.strong != null && now - slot.lastUsed > idleNanos) {
              slot.strong = null;
            }
            return slot.strong == null && slot.weak.get() == null ? null : slot;
          });
    }
  }
}
