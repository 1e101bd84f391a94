package com.segmentexport.api;

import java.util.Optional;
import static java.util.Objects.requireNonNull;

/**
 * Run-time options of one export run: listener, rejected-record sink, retry policy.
 *
 * @param listener hears progress events
 * @param rejectedRecordSink receives every rejected record, if given
 * @param rejectedSampleSize how many rejected records the result keeps
 * @param retryPolicy how retryable failures are retried
 */
public record ExportOptions(
    ExportListener listener,
    Optional<RejectedRecordSink> rejectedRecordSink,
    int rejectedSampleSize,
    RetryPolicy retryPolicy) {

  /** No listener, no sink, a sample of 100 rejected records, the default retry policy. */
  public static final ExportOptions DEFAULT =
      new ExportOptions(ExportListener.NONE, Optional.empty(), 100, RetryPolicy.DEFAULT);

  /** Checks the parts. */
  public ExportOptions {
    requireNonNull(listener, "listener == null");
    requireNonNull(rejectedRecordSink, "rejectedRecordSink == null");
    requireNonNull(retryPolicy, "retryPolicy == null");
    if (rejectedSampleSize < 0) {
      throw new IllegalArgumentException("rejectedSampleSize < 0");
    }
  }

  /** A copy with this listener. */
  public ExportOptions withListener(ExportListener l) {
    return new ExportOptions(l, rejectedRecordSink, rejectedSampleSize, retryPolicy);
  }

  /** A copy with this sink. */
  public ExportOptions withRejectedRecordSink(RejectedRecordSink sink) {
    return new ExportOptions(listener, Optional.of(sink), rejectedSampleSize, retryPolicy);
  }

  /** A copy keeping this many rejected records in the result. */
  public ExportOptions withRejectedSampleSize(int size) {
    return new ExportOptions(listener, rejectedRecordSink, size, retryPolicy);
  }

  /** A copy with this retry policy. */
  public ExportOptions withRetryPolicy(RetryPolicy policy) {
    return new ExportOptions(listener, rejectedRecordSink, rejectedSampleSize, policy);
  }
}
