package com.segmentexport.state;

import static java.util.Objects.requireNonNull;

import com.segmentexport.api.DestinationKey;
import com.segmentexport.spi.DestinationState;
import com.segmentexport.spi.MemberOutcome;
import com.segmentexport.spi.MemberState;
import com.segmentexport.spi.PendingWork;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * One destination's state in a {@link JdbcSyncStateStore}. Thread-safe: it holds no connection, only
 * its destination's row id (shared with every state of the same destination in the store).
 */
final class JdbcDestinationState implements DestinationState {
  /** The most members one lookup statement asks for; larger groups take several. */
  static final int MAX_LOOKUP = 512;

  private static final Comparator<MemberOutcome> BY_KEY =
      Comparator.comparing(MemberOutcome::memberKey);

  private final JdbcSyncStateStore store;
  private final Schema schema;
  private final JdbcSyncStateStore.DestinationRef ref;
  private final String lookupOperation;
  private final String countOperation;

  JdbcDestinationState(JdbcSyncStateStore store, JdbcSyncStateStore.DestinationRef ref) {
    this.store = store;
    this.schema = store.schema();
    this.ref = ref;
    this.lookupOperation = "look up members of " + ref.label;
    this.countOperation = "count the members of " + ref.label;
  }

  @Override
  public DestinationKey key() {
    return ref.key;
  }

  /**
   * {@inheritDoc}
   *
   * <p>One query per 512 keys; a group of up to 512 is padded to the next power of two (by repeating its
   * last key), so that a handful of prepared statements serves every group size.
   */
  @Override
  public Map<String, MemberState> lookup(Collection<String> memberKeys) {
    requireNonNull(memberKeys, "memberKeys == null");
    store.checkOpen();
    if (memberKeys.isEmpty()) {
      return Map.of();
    }
    String[] keys = memberKeys.toArray(new String[0]);
    for (String key : keys) {
      requireNonNull(key, "a member key is null");
    }
    return store.read(
        lookupOperation,
        session -> {
          long id = idForRead(session);
          if (id == 0) {
            return Map.of();
          }
          Map<String, MemberState> found = new HashMap<>(Math.max(16, keys.length * 4 / 3 + 1));
          for (int from = 0; from < keys.length; from += MAX_LOOKUP) {
            int count = Math.min(MAX_LOOKUP, keys.length - from);
            int size = count == 1 ? 1 : Integer.highestOneBit(count - 1) << 1;
            PreparedStatement select = session.prepare(schema.lookup(size));
            select.setLong(1, id);
            for (int i = 0; i < size; i++) {
              select.setString(i + 2, keys[from + Math.min(i, count - 1)]);
            }
            try (ResultSet rs = select.executeQuery()) {
              while (rs.next()) {
                MemberState member = member(rs);
                found.put(member.memberKey(), member);
              }
            }
          }
          return Collections.unmodifiableMap(found);
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>The outcomes are written in member-key order, so that two transactions on the same members
   * (two hosts exporting one destination) take their row locks in the same order and never deadlock.
   *
   * @throws IllegalArgumentException if a member appears twice
   */
  @Override
  public void record(List<MemberOutcome> outcomes) {
    requireNonNull(outcomes, "outcomes == null");
    store.checkOpen();
    if (outcomes.isEmpty()) {
      return;
    }
    MemberOutcome[] sorted = outcomes.toArray(new MemberOutcome[0]);
    for (MemberOutcome outcome : sorted) {
      requireNonNull(outcome, "an outcome is null");
    }
    Arrays.sort(sorted, BY_KEY);
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i].memberKey().equals(sorted[i - 1].memberKey())) {
        throw new IllegalArgumentException("a member appears twice in one record() call");
      }
    }
    ref.id =
        store.write(
            "record the outcomes of "
                + sorted.length
                + (sorted.length == 1 ? " member" : " members")
                + " of "
                + ref.label,
            session -> {
              long id = store.resolveForWrite(session, ref.key, true);
              PreparedStatement confirm = null;
              PreparedStatement notConfirmed = null;
              for (MemberOutcome outcome : sorted) {
                String vendorId = outcome.vendorId().filter(v -> !v.isEmpty()).orElse(null);
                if (outcome.kind() == MemberOutcome.Kind.CONFIRMED) {
                  if (confirm == null) {
                    confirm = session.prepare(schema.confirm);
                  }
                  confirm.setLong(1, id);
                  confirm.setString(2, outcome.memberKey());
                  confirm.setString(3, outcome.email());
                  confirm.setLong(4, outcome.fieldsHash());
                  confirm.setString(5, vendorId);
                  confirm.setLong(6, outcome.at().toEpochMilli());
                  confirm.addBatch();
                } else {
                  if (notConfirmed == null) {
                    notConfirmed = session.prepare(schema.notConfirmed);
                  }
                  notConfirmed.setLong(1, id);
                  notConfirmed.setString(2, outcome.memberKey());
                  notConfirmed.setString(3, outcome.email());
                  notConfirmed.setString(4, outcome.kind().name());
                  notConfirmed.setString(5, outcome.reason().orElse(null));
                  notConfirmed.setString(6, vendorId);
                  notConfirmed.setLong(7, outcome.at().toEpochMilli());
                  notConfirmed.addBatch();
                }
              }
              if (confirm != null) {
                confirm.executeBatch();
              }
              if (notConfirmed != null) {
                notConfirmed.executeBatch();
              }
              return id;
            });
  }

  @Override
  public void forgetMembers(Collection<String> memberKeys) {
    requireNonNull(memberKeys, "memberKeys == null");
    store.checkOpen();
    if (memberKeys.isEmpty()) {
      return;
    }
    String[] keys = memberKeys.toArray(new String[0]);
    Arrays.sort(keys); // row locks in one order, as record() takes them
    store.write(
        "forget " + keys.length + (keys.length == 1 ? " member" : " members") + " of " + ref.label,
        session -> {
          long id = store.resolveForWrite(session, ref.key, false);
          if (id == 0) {
            return null;
          }
          PreparedStatement delete = session.prepare(schema.deleteMember);
          for (String key : keys) {
            delete.setLong(1, id);
            delete.setString(2, requireNonNull(key, "a member key is null"));
            delete.addBatch();
          }
          delete.executeBatch();
          return null;
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>The members are read on a connection of their own (PostgreSQL: in a read-only transaction with a
   * cursor, {@value PooledConnections#FETCH_SIZE} rows at a time), so the visitor may call back into
   * the store; it sees the members as they were when the visit began.
   */
  @Override
  public void forEachMember(Consumer<MemberState> visitor) {
    requireNonNull(visitor, "visitor == null");
    store.checkOpen();
    store.stream(
        "read the members of " + ref.label,
        session -> {
          long id = store.resolveForRead(session, ref.key);
          if (id == 0) {
            return null;
          }
          PreparedStatement select = session.prepare(schema.selectMembers);
          select.setFetchSize(PooledConnections.FETCH_SIZE);
          select.setLong(1, id);
          try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
              visitor.accept(member(rs));
            }
          }
          return null;
        });
  }

  @Override
  public long memberCount() {
    store.checkOpen();
    return store.read(
        countOperation,
        session -> {
          long id = idForRead(session);
          if (id == 0) {
            return 0L;
          }
          PreparedStatement count = session.prepare(schema.countMembers);
          count.setLong(1, id);
          try (ResultSet rs = count.executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }

  @Override
  public void runStarted(String runId, Instant startedAt) {
    requireNonNull(runId, "runId == null");
    requireNonNull(startedAt, "startedAt == null");
    store.checkOpen();
    ref.id =
        store.write(
            "record the start of run " + runId + " on " + ref.label,
            session -> {
              long id = store.resolveForWrite(session, ref.key, true);
              PreparedStatement insert = session.prepare(schema.runStarted);
              insert.setLong(1, id);
              insert.setString(2, runId);
              insert.setLong(3, startedAt.toEpochMilli());
              insert.executeUpdate();
              return id;
            });
  }

  @Override
  public void runFinished(String runId, Instant finishedAt, String status) {
    requireNonNull(runId, "runId == null");
    requireNonNull(finishedAt, "finishedAt == null");
    requireNonNull(status, "status == null");
    store.checkOpen();
    ref.id =
        store.write(
            "record the end of run " + runId + " on " + ref.label,
            session -> {
              long id = store.resolveForWrite(session, ref.key, true);
              PreparedStatement upsert = session.prepare(schema.runFinished);
              upsert.setLong(1, id);
              upsert.setString(2, runId);
              upsert.setLong(3, finishedAt.toEpochMilli());
              upsert.setString(4, status);
              upsert.executeUpdate();
              return id;
            });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Adding work of the same kind and vendor reference again replaces it.
   */
  @Override
  public void addPending(PendingWork work) {
    requireNonNull(work, "work == null");
    store.checkOpen();
    ref.id =
        store.write(
            "record pending " + work.kind() + " work of " + ref.label,
            session -> {
              long id = store.resolveForWrite(session, ref.key, true);
              PreparedStatement upsert = session.prepare(schema.addPending);
              upsert.setLong(1, id);
              upsert.setString(2, work.kind());
              upsert.setString(3, work.vendorRef());
              upsert.setString(4, work.runId());
              upsert.setString(5, work.payload());
              upsert.setLong(6, work.createdAt().toEpochMilli());
              upsert.executeUpdate();
              return id;
            });
  }

  @Override
  public void removePending(String kind, String vendorRef) {
    requireNonNull(kind, "kind == null");
    requireNonNull(vendorRef, "vendorRef == null");
    store.checkOpen();
    store.write(
        "remove pending " + kind + " work of " + ref.label,
        session -> {
          long id = store.resolveForWrite(session, ref.key, false);
          if (id != 0) {
            PreparedStatement delete = session.prepare(schema.removePending);
            delete.setLong(1, id);
            delete.setString(2, kind);
            delete.setString(3, vendorRef);
            delete.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public List<PendingWork> pending() {
    store.checkOpen();
    return store.read(
        "read the pending work of " + ref.label,
        session -> {
          long id = idForRead(session);
          if (id == 0) {
            return List.of();
          }
          PreparedStatement select = session.prepare(schema.selectPending);
          select.setLong(1, id);
          List<PendingWork> work = new ArrayList<>();
          try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
              work.add(
                  new PendingWork(
                      rs.getString(1),
                      rs.getString(2),
                      rs.getString(3),
                      rs.getString(4),
                      Instant.ofEpochMilli(rs.getLong(5))));
            }
          }
          return List.copyOf(work);
        });
  }

  @Override
  public String toString() {
    return "JdbcDestinationState{" + ref.label + "}";
  }

  private long idForRead(Session session) throws SQLException {
    long id = ref.id;
    if (id == 0) {
      id = store.resolveForRead(session, ref.key);
      if (id != 0) {
        ref.id = id;
      }
    }
    return id;
  }

  private static MemberState member(ResultSet rs) throws SQLException {
    String memberKey = rs.getString(1);
    String email = rs.getString(2);
    long hash = rs.getLong(3);
    OptionalLong confirmedHash = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(hash);
    MemberOutcome.Kind outcome = MemberOutcome.Kind.valueOf(rs.getString(4));
    Optional<String> reason = Optional.ofNullable(rs.getString(5));
    Optional<String> vendorId = Optional.ofNullable(rs.getString(6));
    Instant updatedAt = Instant.ofEpochMilli(rs.getLong(7));
    return new MemberState(memberKey, email, confirmedHash, outcome, reason, vendorId, updatedAt);
  }
}
