package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Run-time options of one export run: listener, rejected-record sink, retry policy, and the sync state
 * that makes runs incremental.
 *
 * @param listener hears progress events
 * @param rejectedRecordSink receives every rejected record, if given
 * @param rejectedSampleSize how many rejected records the result keeps
 * @param retryPolicy how retryable failures are retried
 * @param syncState remembers what the vendor confirmed, if given (see {@link SyncMode})
 * @param fullRefresh whether to send every profile even when the sync state says it is unchanged, and
 *     rewrite the state from the vendor's answers
 * @param removalLimit how many removals a {@linkplain SyncMode#MIRROR mirroring} run may make
 */
public record ExportOptions(
    ExportListener listener,
    Optional<RejectedRecordSink> rejectedRecordSink,
    int rejectedSampleSize,
    RetryPolicy retryPolicy,
    Optional<SyncState> syncState,
    boolean fullRefresh,
    RemovalLimit removalLimit) {

  /** No listener, no sink, a sample of 100 rejected records, the default retry policy, no sync state. */
  public static final ExportOptions DEFAULT =
      new ExportOptions(
          ExportListener.NONE,
          Optional.empty(),
          100,
          RetryPolicy.DEFAULT,
          Optional.empty(),
          false,
          RemovalLimit.DEFAULT);

  /**
   * Checks the parts.
   *
   * @param listener hears progress events
   * @param rejectedRecordSink receives every rejected record, if given
   * @param rejectedSampleSize how many rejected records the result keeps
   * @param retryPolicy how retryable failures are retried
   * @param syncState remembers what the vendor confirmed, if given
   * @param fullRefresh whether to send every profile whatever the sync state says
   * @param removalLimit how many removals a mirroring run may make
   */
  public ExportOptions {
    requireNonNull(listener, "listener == null");
    requireNonNull(rejectedRecordSink, "rejectedRecordSink == null");
    requireNonNull(retryPolicy, "retryPolicy == null");
    requireNonNull(syncState, "syncState == null");
    requireNonNull(removalLimit, "removalLimit == null");
    if (rejectedSampleSize < 0) {
      throw new IllegalArgumentException("rejectedSampleSize < 0");
    }
  }

  /**
   * {@return a copy with this listener}
   *
   * @param l hears the run's progress
   */
  public ExportOptions withListener(ExportListener l) {
    return new ExportOptions(
        l,
        rejectedRecordSink,
        rejectedSampleSize,
        retryPolicy,
        syncState,
        fullRefresh,
        removalLimit);
  }

  /**
   * {@return a copy with this sink}
   *
   * @param sink receives every rejected record
   */
  public ExportOptions withRejectedRecordSink(RejectedRecordSink sink) {
    return new ExportOptions(
        listener,
        Optional.of(sink),
        rejectedSampleSize,
        retryPolicy,
        syncState,
        fullRefresh,
        removalLimit);
  }

  /**
   * {@return a copy keeping this many rejected records in the result}
   *
   * @param size how many rejected records the result keeps (0 or more)
   */
  public ExportOptions withRejectedSampleSize(int size) {
    return new ExportOptions(
        listener, rejectedRecordSink, size, retryPolicy, syncState, fullRefresh, removalLimit);
  }

  /**
   * {@return a copy with this retry policy}
   *
   * @param policy the retry policy
   */
  public ExportOptions withRetryPolicy(RetryPolicy policy) {
    return new ExportOptions(
        listener,
        rejectedRecordSink,
        rejectedSampleSize,
        policy,
        syncState,
        fullRefresh,
        removalLimit);
  }

  /**
   * {@return a copy with this sync state} The run reads it before batching, to skip the profiles the
   * vendor already holds as they are ({@link SyncMode#INCREMENTAL}, the default with a sync state), and
   * records in it each batch the vendor confirmed. The run does not close it.
   *
   * @param state the sync state, e.g. {@code JdbcSyncStateStore.sqlite(path)}
   */
  public ExportOptions withSyncState(SyncState state) {
    return new ExportOptions(
        listener,
        rejectedRecordSink,
        rejectedSampleSize,
        retryPolicy,
        Optional.of(requireNonNull(state, "state == null")),
        fullRefresh,
        removalLimit);
  }

  /**
   * {@return a copy that sends every profile, even those the sync state holds as unchanged, and rewrites
   * the state from the vendor's answers} For a list someone changed by hand, or to check a destination
   * end to end.
   */
  public ExportOptions withFullRefresh() {
    return new ExportOptions(
        listener,
        rejectedRecordSink,
        rejectedSampleSize,
        retryPolicy,
        syncState,
        true,
        removalLimit);
  }

  /**
   * {@return a copy with this removal limit} for a {@linkplain SyncMode#MIRROR mirroring} run: raise it
   * for one run that is meant to remove many members.
   *
   * @param limit the limit
   */
  public ExportOptions withRemovalLimit(RemovalLimit limit) {
    return new ExportOptions(
        listener,
        rejectedRecordSink,
        rejectedSampleSize,
        retryPolicy,
        syncState,
        fullRefresh,
        requireNonNull(limit, "limit == null"));
  }
}
