package com.segmentexport.api;

/**
 * Receives every rejected record of an export as it happens, so that none is lost even when the
 * result keeps only a sample. Called from the export's threads one record at a time (never
 * concurrently); must not block for long. Whatever it throws (an exception or an error) is logged
 * and ignored: that record is not delivered to it, and the export goes on.
 */
@FunctionalInterface
public interface RejectedRecordSink {
  /**
   * Receives one rejected record.
   *
   * @param record the rejected record, its address masked
   */
  void accept(RejectedRecord record);
}
