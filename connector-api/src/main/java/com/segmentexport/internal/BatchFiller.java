package com.segmentexport.internal;

import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.RecordSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Fills one segment's batches up to the vendor's count and byte limits, and hands each on when the next
 * record would not fit. Reader thread only.
 */
final class BatchFiller {
  private final String segment;
  private final RecordSchema schema;
  private final ConnectorLimits limits;
  private final Consumer<Batch> submit;

  /** The segment's destination in the sync state (to hear the work batches leave at the vendor), or null. */
  private final SegmentSync sync;

  private List<ExportRecord> records;
  private long bytes;
  private long sequence;

  BatchFiller(String segment, RecordSchema schema, ConnectorLimits limits, Consumer<Batch> submit) {
    this(segment, schema, limits, submit, null);
  }

  BatchFiller(
      String segment,
      RecordSchema schema,
      ConnectorLimits limits,
      Consumer<Batch> submit,
      SegmentSync sync) {
    this.sync = sync;
    this.segment = segment;
    this.schema = schema;
    this.limits = limits;
    this.submit = submit;
    this.records = new ArrayList<>(limits.maxBatchRecords());
  }

  void add(RecordMapper.Mapped m) {
    if (!records.isEmpty()
        && (records.size() >= limits.maxBatchRecords()
            || bytes + m.estimatedBytes > limits.maxBatchBytes())) {
      flush();
    }
    records.add(m.record);
    bytes += m.estimatedBytes;
  }

  /** Hands on the batch being filled, if it holds any record. */
  void flush() {
    if (records.isEmpty()) {
      return;
    }
    submit.accept(
        sync == null
            ? new Batch(segment, ++sequence, schema, records, bytes)
            : sync.track(segment, ++sequence, schema, records, bytes));
    records = new ArrayList<>(limits.maxBatchRecords());
    bytes = 0;
  }
}
