package com.segmentexport.internal;

import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.RejectedRecord;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records a run did not export, as the result shows them: a bounded sample of the rejected and the
 * unconfirmed ones, and the host's {@link com.segmentexport.api.RejectedRecordSink} for every rejected
 * one (never the unconfirmed, which may be at the vendor). Thread-safe.
 */
final class RejectedRecords {
  private static final Logger log = LoggerFactory.getLogger(RejectedRecords.class);
  private final ExportOptions options;
  private final List<RejectedRecord> sample = new ArrayList<>();

  RejectedRecords(ExportOptions options) {
    this.options = options;
  }

  /** A record refused by our checks or by the vendor: into the sample and to the sink. */
  synchronized void reject(RejectedRecord record) {
    sampled(record);
    options
        .rejectedRecordSink()
        .ifPresent(
            sink -> {
              try {
                sink.accept(record);
              } catch (Throwable e) {
                // Errors too (a host test's failed assertion): the sink loses the record, the run
                // goes on and counts it, as for an exception.
                try {
                  log.warn(
                      "Rejected-record sink threw {}; record of row {} not delivered to it",
                      e.getClass().getName(),
                      record.row());
                } catch (Throwable ignored) {
                  // Logging failed too (out of memory): the run goes on.
                }
              }
            });
  }

  /** A record sent whose outcome is unknown: into the sample only. */
  synchronized void unconfirmed(RejectedRecord record) {
    sampled(record);
  }

  /** The sample, in the order the records came. */
  synchronized List<RejectedRecord> sample() {
    return List.copyOf(sample);
  }

  private void sampled(RejectedRecord record) {
    if (sample.size() < options.rejectedSampleSize()) {
      sample.add(record);
    }
  }
}
