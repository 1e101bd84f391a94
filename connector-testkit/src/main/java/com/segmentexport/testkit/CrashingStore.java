package com.segmentexport.testkit;

import com.segmentexport.api.DestinationKey;
import com.segmentexport.spi.DestinationState;
import com.segmentexport.spi.MemberOutcome;
import com.segmentexport.spi.MemberState;
import com.segmentexport.spi.PendingWork;
import com.segmentexport.spi.SyncStateStore;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** A sync state that halts the JVM at a {@link CrashPoint}; otherwise the real store it wraps. */
final class CrashingStore implements SyncStateStore {
  /** The exit status of a halted JVM, as a {@code kill -9} gives it. */
  static final int HALTED = 137;

  private final SyncStateStore store;
  private final CrashPoint point;
  private final int batch;
  private final AtomicInteger records = new AtomicInteger();
  private final AtomicInteger forgotten = new AtomicInteger();

  CrashingStore(SyncStateStore store, CrashPoint point, int batch) {
    this.store = store;
    this.point = point;
    this.batch = batch;
  }

  @Override
  public DestinationState open(DestinationKey key) {
    DestinationState state = store.open(key);
    return new DestinationState() {
      @Override
      public DestinationKey key() {
        return state.key();
      }

      @Override
      public Map<String, MemberState> lookup(Collection<String> memberKeys) {
        return state.lookup(memberKeys);
      }

      @Override
      public void record(List<MemberOutcome> outcomes) {
        int n = records.incrementAndGet();
        if (point == CrashPoint.BEFORE_A_COMMIT && n == batch) {
          Runtime.getRuntime().halt(HALTED);
        }
        state.record(outcomes);
        if (point == CrashPoint.AFTER_COMMITTED_BATCHES && n == batch) {
          Runtime.getRuntime().halt(HALTED);
        }
      }

      @Override
      public void forgetMembers(Collection<String> memberKeys) {
        state.forgetMembers(memberKeys);
        if (point == CrashPoint.DURING_REMOVALS && forgotten.incrementAndGet() == batch) {
          Runtime.getRuntime().halt(HALTED);
        }
      }

      @Override
      public void forEachMember(Consumer<MemberState> visitor) {
        state.forEachMember(visitor);
      }

      @Override
      public long memberCount() {
        return state.memberCount();
      }

      @Override
      public void runStarted(String runId, Instant startedAt) {
        state.runStarted(runId, startedAt);
      }

      @Override
      public void runFinished(String runId, Instant finishedAt, String status) {
        state.runFinished(runId, finishedAt, status);
      }

      @Override
      public void addPending(PendingWork work) {
        state.addPending(work);
        if (point == CrashPoint.DURING_VENDOR_WORK || point == CrashPoint.DURING_REMOVALS) {
          Runtime.getRuntime().halt(HALTED);
        }
      }

      @Override
      public void removePending(String kind, String vendorRef) {
        state.removePending(kind, vendorRef);
      }

      @Override
      public List<PendingWork> pending() {
        return state.pending();
      }
    };
  }

  @Override
  public long forget(DestinationKey key) {
    return store.forget(key);
  }

  @Override
  public <T> T exclusively(String claim, Supplier<T> action) {
    return store.exclusively(claim, action);
  }

  @Override
  public List<DestinationKey> destinations() {
    return store.destinations();
  }

  @Override
  public void close() {
    store.close();
  }
}
