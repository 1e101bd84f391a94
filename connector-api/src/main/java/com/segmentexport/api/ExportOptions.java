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

  /**
   * Checks the parts.
   *
   * @param listener hears progress events
   * @param rejectedRecordSink receives every rejected record, if given
   * @param rejectedSampleSize how many rejected records the result keeps
   * @param retryPolicy how retryable failures are retried
   */
  public ExportOptions {
    requireNonNull(listener, "listener == null");
    requireNonNull(rejectedRecordSink, "rejectedRecordSink == null");
    requireNonNull(retryPolicy, "retryPolicy == null");
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
    return new ExportOptions(l, rejectedRecordSink, rejectedSampleSize, retryPolicy);
  }

  /**
   * {@return a copy with this sink}
   *
   * @param sink receives every rejected record
   */
  public ExportOptions withRejectedRecordSink(RejectedRecordSink sink) {
    return new ExportOptions(listener, Optional.of(sink), rejectedSampleSize, retryPolicy);
  }

  /**
   * {@return a copy keeping this many rejected records in the result}
   *
   * @param size how many rejected records the result keeps (0 or more)
   */
  public ExportOptions withRejectedSampleSize(int size) {
    return new ExportOptions(listener, rejectedRecordSink, size, retryPolicy);
  }

  /**
   * {@return a copy with this retry policy}
   *
   * @param policy the retry policy
   */
  public ExportOptions withRetryPolicy(RetryPolicy policy) {
    return new ExportOptions(listener, rejectedRecordSink, rejectedSampleSize, policy);
  }
}
