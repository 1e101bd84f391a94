package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
  private final VendorWorkListener vendorWork;

  /**
   * Hears the work a connector leaves at the vendor for a batch (see {@link Batch#startedAtVendor}). The
   * engine's, to remember it in the sync state; a connector never implements it.
   */
  public interface VendorWorkListener {
    /** Hears nothing. */
    VendorWorkListener NONE = (batch, kind, vendorRef) -> {};

    /**
     * The vendor accepted work for this batch whose outcome the connector will poll for.
     *
     * @param batch the batch (or a half of it) the work carries
     * @param kind what the work is, e.g. {@code import}
     * @param vendorRef the vendor's reference of it
     */
    void started(Batch batch, String kind, String vendorRef);
  }

  /**
   * Creates a batch.
   *
   * @param segment the segment's name
   * @param sequence the batch's 1-based number within the segment
   * @param schema the records' fields
   * @param records the records
   * @param estimatedBytes an upper estimate of the records' JSON size
   */
  public Batch(
      String segment,
      long sequence,
      RecordSchema schema,
      List<ExportRecord> records,
      long estimatedBytes) {
    this(segment, sequence, schema, records, estimatedBytes, VendorWorkListener.NONE);
  }

  /**
   * Creates a batch whose work at the vendor is heard. For the engine.
   *
   * @param segment the segment's name
   * @param sequence the batch's 1-based number within the segment
   * @param schema the records' fields
   * @param records the records
   * @param estimatedBytes an upper estimate of the records' JSON size
   * @param vendorWork hears the work a connector leaves at the vendor for it
   */
  public Batch(
      String segment,
      long sequence,
      RecordSchema schema,
      List<ExportRecord> records,
      long estimatedBytes,
      VendorWorkListener vendorWork) {
    this.segment = requireNonNull(segment, "segment == null");
    this.sequence = sequence;
    this.schema = requireNonNull(schema, "schema == null");
    this.records = List.copyOf(records);
    this.estimatedBytes = estimatedBytes;
    this.vendorWork = requireNonNull(vendorWork, "vendorWork == null");
  }

  /**
   * Tells the engine that the vendor accepted work for this batch whose outcome the connector is about to
   * wait for (a dotdigital import): with a sync state, the engine remembers it before the wait, so that
   * if the process dies while it waits, the next run asks the connector to {@linkplain
   * Destination#resume finish it} instead of losing what the vendor did. Call it once the vendor has
   * answered with the work's reference, before polling.
   *
   * @param kind what the work is, e.g. {@code import}
   * @param vendorRef the vendor's reference of it, e.g. the import's id
   */
  public void startedAtVendor(String kind, String vendorRef) {
    vendorWork.started(
        this, requireNonNull(kind, "kind == null"), requireNonNull(vendorRef, "vendorRef == null"));
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
   * {@return a batch of some of this batch's records, in its place} (its segment, number and listener of
   * the work it leaves at the vendor), for a connector that sends only part of a batch
   *
   * @param part records of this batch
   * @param estimatedBytes an upper estimate of their JSON size
   */
  public Batch withRecords(List<ExportRecord> part, long estimatedBytes) {
    return new Batch(segment, sequence, schema, part, estimatedBytes, vendorWork);
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
        new Batch(segment, sequence, schema, records.subList(0, mid), bytes, vendorWork),
        new Batch(
            segment, sequence, schema, records.subList(mid, records.size()), bytes, vendorWork));
  }

  @Override
  public String toString() {
    return "Batch{segment="
        + segment
        + ", sequence="
        + sequence
        + ", records="
        + records.size()
        + "}";
  }
}
