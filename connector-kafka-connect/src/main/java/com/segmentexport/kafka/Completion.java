package com.segmentexport.kafka;

import java.util.concurrent.Future;

/** Something records wait on before their offsets may be committed: a window, or a report to the DLQ. */
interface Completion {
  /** {@return true once the records it holds are confirmed, or handed to the dead-letter queue} */
  boolean isDone();

  /** Done once the report is written (a record sent to the dead-letter queue before any window). */
  static Completion of(Future<Void> report) {
    return report == null ? () -> true : report::isDone;
  }
}
