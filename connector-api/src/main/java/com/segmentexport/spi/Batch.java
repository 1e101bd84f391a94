package com.segmentexport.spi;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import static java.util.Objects.requireNonNull;

/**
 * Records to write in one request: at most the connector's batch size and byte limit, no two with
 * the same e-mail address.
 */
public final class Batch {
  private final String segment;
  private final long sequence;
  private final RecordSchema schema;
  private final List<ExportRecord> records;
  private final long estimatedBytes;
  private volatile Map<String, ExportRecord> byEmail;

  /**
   * Creates a batch.
   *
   * @param segment the segment's name
   * @param sequence the batch's 1-based number within the segment
   * @param schema the records' fields
   * @param records the records
   * @param estimatedBytes an upper estimate of the records' JSON size
   */
  public Batch(String segment, long sequence, RecordSchema schema, List<ExportRecord> records, long estimatedBytes) {
    this.segment = requireNonNull(segment, "segment == null");
    this.sequence = sequence;
    this.schema = requireNonNull(schema, "schema == null");
    this.records = List.copyOf(records);
    this.estimatedBytes = estimatedBytes;
  }

  /** {@return the segment's name} */
  public String segment() {
    return segment;
  }

  /** {@return the batch's 1-based number within its segment} */
  public long sequence() {
    return sequence;
  }

  /** {@return the records' fields} */
  public RecordSchema schema() {
    return schema;
  }

  /** {@return the records, in segment order} */
  public List<ExportRecord> records() {
    return records;
  }

  /** {@return the number of records} */
  public int size() {
    return records.size();
  }

  /** {@return an upper estimate of the records' JSON size in bytes} */
  public long estimatedBytes() {
    return estimatedBytes;
  }

  /**
   * The record with this e-mail address, compared case-insensitively (vendors report addresses
   * lower-cased), or null.
   *
   * @param email the e-mail address
   * @return the record with this e-mail address, compared case-insensitively (vendors report addresses lower-cased),
   *     or null
   */
  public ExportRecord byEmail(String email) {
    Map<String, ExportRecord> index = byEmail;
    if (index == null) {
      index = new HashMap<>(records.size() * 2);
      for (ExportRecord r : records) {
        index.put(r.email().toLowerCase(Locale.ROOT), r);
      }
      byEmail = index;
    }
    return index.get(email.trim().toLowerCase(Locale.ROOT));
  }

  /**
   * Splits the batch into two halves (to narrow down a request a vendor refused whole).
   *
   * @return the two halves, in order
   */
  public List<Batch> halves() {
    if (records.size() < 2) {
      throw new IllegalStateException("a batch of " + records.size() + " cannot be split");
    }
    int mid = records.size() / 2;
    long bytes = estimatedBytes / 2 + 1;
    return List.of(
        new Batch(segment, sequence, schema, records.subList(0, mid), bytes),
        new Batch(segment, sequence, schema, records.subList(mid, records.size()), bytes));
  }

  @Override
  public String toString() {
    return "Batch{segment=" + segment + ", sequence=" + sequence + ", records=" + records.size() + "}";
  }
}
