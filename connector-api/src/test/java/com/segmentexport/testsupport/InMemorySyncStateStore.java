package com.segmentexport.testsupport;

import com.segmentexport.api.DestinationKey;
import com.segmentexport.api.SyncStateException;
import com.segmentexport.spi.DestinationState;
import com.segmentexport.spi.MemberOutcome;
import com.segmentexport.spi.MemberState;
import com.segmentexport.spi.PendingWork;
import com.segmentexport.spi.SyncStateStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A {@link SyncStateStore} in memory, with the semantics {@link DestinationState#record} documents, for the
 * engine's tests; it counts look-ups and records, and can be made to fail.
 */
public final class InMemorySyncStateStore implements SyncStateStore {
  private final Map<DestinationKey, State> states = new ConcurrentHashMap<>();

  /** Calls to {@link DestinationState#lookup} so far. */
  public final AtomicInteger lookups = new AtomicInteger();

  /** Calls to {@link DestinationState#record} so far. */
  public final AtomicInteger records = new AtomicInteger();

  private volatile boolean failRecords;

  /** Makes every later {@link DestinationState#record} fail, as a locked or full database would. */
  public void failRecords() {
    failRecords = true;
  }

  @Override
  public DestinationState open(DestinationKey key) {
    return states.computeIfAbsent(key, State::new);
  }

  @Override
  public long forget(DestinationKey key) {
    State s = states.remove(key);
    return s == null ? 0 : s.members.size();
  }

  @Override
  public List<DestinationKey> destinations() {
    return new ArrayList<>(states.keySet());
  }

  /** The only destination's state; fails if there is not exactly one. */
  public State only() {
    if (states.size() != 1) {
      throw new AssertionError("destinations: " + states.keySet());
    }
    return states.values().iterator().next();
  }

  @Override
  public void close() {}

  /** One destination's state. */
  public final class State implements DestinationState {
    private final DestinationKey key;
    private final Map<String, MemberState> members = new ConcurrentHashMap<>();

    /** Runs by id: [started, finished status]. */
    public final Map<String, String> runs = new ConcurrentHashMap<>();

    private final List<PendingWork> pending = new ArrayList<>();

    State(DestinationKey key) {
      this.key = key;
    }

    @Override
    public DestinationKey key() {
      return key;
    }

    @Override
    public Map<String, MemberState> lookup(Collection<String> memberKeys) {
      lookups.incrementAndGet();
      Map<String, MemberState> found = new HashMap<>();
      for (String k : memberKeys) {
        MemberState m = members.get(k);
        if (m != null) {
          found.put(k, m);
        }
      }
      return found;
    }

    @Override
    public synchronized void record(List<MemberOutcome> outcomes) {
      if (failRecords) {
        throw new SyncStateException("the state store is locked (test)", null);
      }
      records.incrementAndGet();
      for (MemberOutcome o : outcomes) {
        MemberState old = members.get(o.memberKey());
        MemberState now;
        if (o.kind() == MemberOutcome.Kind.CONFIRMED) {
          now =
              new MemberState(
                  o.memberKey(),
                  o.email(),
                  OptionalLong.of(o.fieldsHash()),
                  o.kind(),
                  Optional.empty(),
                  o.vendorId().isPresent() || old == null ? o.vendorId() : old.vendorId(),
                  o.at());
        } else if (old == null) {
          now =
              new MemberState(
                  o.memberKey(),
                  o.email(),
                  OptionalLong.empty(),
                  o.kind(),
                  o.reason(),
                  Optional.empty(),
                  o.at());
        } else {
          now =
              new MemberState(
                  o.memberKey(),
                  old.confirmedHash().isPresent() ? old.email() : o.email(),
                  old.confirmedHash(),
                  o.kind(),
                  o.reason(),
                  old.vendorId(),
                  o.at());
        }
        members.put(o.memberKey(), now);
      }
    }

    /** {@return the member with this key, or null} */
    public MemberState member(String memberKey) {
      return members.get(memberKey);
    }

    @Override
    public synchronized void forgetMembers(Collection<String> memberKeys) {
      if (failRecords) {
        throw new SyncStateException("the state store is locked (test)", null);
      }
      memberKeys.forEach(members::remove);
    }

    @Override
    public void forEachMember(Consumer<MemberState> visitor) {
      members.values().forEach(visitor);
    }

    @Override
    public long memberCount() {
      return members.size();
    }

    @Override
    public void runStarted(String runId, Instant startedAt) {
      runs.put(runId, "STARTED");
    }

    @Override
    public void runFinished(String runId, Instant finishedAt, String status) {
      runs.put(runId, status);
    }

    @Override
    public synchronized void addPending(PendingWork work) {
      pending.add(work);
    }

    @Override
    public synchronized void removePending(String kind, String vendorRef) {
      pending.removeIf(w -> w.kind().equals(kind) && w.vendorRef().equals(vendorRef));
    }

    @Override
    public synchronized List<PendingWork> pending() {
      return new ArrayList<>(pending);
    }
  }
}
