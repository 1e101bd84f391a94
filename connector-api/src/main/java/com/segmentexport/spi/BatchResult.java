package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

import com.segmentexport.api.DestinationException;
import com.segmentexport.api.RejectionReason;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the vendor did with a {@link Batch}: the rejected records with the vendor's code and message,
 * the unconfirmed ones (sent, but the vendor's answer does not say what became of them), created and
 * updated counts where the vendor reports them, and connector-specific counters. Every record neither
 * rejected nor unconfirmed counts as exported: a connector that cannot attribute a failure the vendor
 * reports marks the records it cannot vouch for {@linkplain Builder#unconfirmed unconfirmed}, never
 * exported.
 */
public final class BatchResult {
  /**
   * One rejected record.
   *
   * @param record the record
   * @param reason our reason
   * @param vendorCode the vendor's code, or null
   * @param message the vendor's message, or ours
   */
  public record Rejection(
      ExportRecord record, RejectionReason reason, String vendorCode, String message) {
    /**
     * Checks the parts.
     *
     * @param record the record
     * @param reason our reason
     * @param vendorCode the vendor's code, or null
     * @param message the vendor's message, or ours
     */
    public Rejection {
      requireNonNull(record, "record == null");
      requireNonNull(reason, "reason == null");
      requireNonNull(message, "message == null");
    }
  }

  private final int size;
  private final List<Rejection> rejections;
  private final List<Rejection> unconfirmed;
  private final OptionalLong created;
  private final OptionalLong updated;
  private final Map<String, Long> counters;
  private final Map<ExportRecord, String> vendorIds;

  private BatchResult(Builder b) {
    this.size = b.batch.size();
    List<Rejection> rejected = new ArrayList<>();
    List<Rejection> unknown = new ArrayList<>();
    for (Rejection r : b.rejections.values()) {
      (r.reason() == RejectionReason.UNCONFIRMED ? unknown : rejected).add(r);
    }
    this.rejections = Collections.unmodifiableList(rejected);
    this.unconfirmed = Collections.unmodifiableList(unknown);
    this.created = b.created;
    this.updated = b.updated;
    this.counters = Collections.unmodifiableMap(new LinkedHashMap<>(b.counters));
    this.vendorIds = b.vendorIds.isEmpty() ? Map.of() : new IdentityHashMap<>(b.vendorIds);
  }

  /**
   * Starts the result of a batch.
   *
   * @param batch the batch this result is about
   * @return a new builder
   */
  public static Builder builder(Batch batch) {
    return new Builder(batch);
  }

  /**
   * {@return a result where every record of the batch was exported}
   *
   * @param batch the batch this result is about
   */
  public static BatchResult allExported(Batch batch) {
    return builder(batch).build();
  }

  /** {@return the rejected records, each once (the unconfirmed ones are in {@link #unconfirmed()})} */
  public List<Rejection> rejections() {
    return rejections;
  }

  /**
   * The records sent whose outcome the vendor's answer did not prove, each once, with reason
   * {@link RejectionReason#UNCONFIRMED} and why.
   *
   * @return the records sent whose outcome the vendor's answer did not prove, each once, with reason {@link
   *     RejectionReason#UNCONFIRMED} and why
   */
  public List<Rejection> unconfirmed() {
    return unconfirmed;
  }

  /**
   * Records exported: neither rejected nor unconfirmed.
   *
   * @return how many records were exported
   */
  public int exported() {
    return size - rejections.size() - unconfirmed.size();
  }

  /**
   * New contacts, where the vendor says.
   *
   * @return how many were new at the vendor, if it said
   */
  public OptionalLong created() {
    return created;
  }

  /**
   * Existing contacts updated, where the vendor says.
   *
   * @return how many were already at the vendor, if it said
   */
  public OptionalLong updated() {
    return updated;
  }

  /**
   * Connector-specific counters.
   *
   * @return the connector-specific counts
   */
  public Map<String, Long> counters() {
    return counters;
  }

  /**
   * {@return the vendor's own id of a record's contact, when the connector reported it} The engine keeps
   * it in the sync state, for later updates and removals by id.
   *
   * @param record a record of the batch
   */
  public Optional<String> vendorId(ExportRecord record) {
    return Optional.ofNullable(vendorIds.get(record));
  }

  /** Builds a {@link BatchResult}. */
  public static final class Builder {
    private final Batch batch;
    private final Map<ExportRecord, Rejection> rejections = new IdentityHashMap<>();

    /** The batch's records, to check what is rejected; built at the first rejection only. */
    private Map<ExportRecord, Boolean> members;

    private OptionalLong created = OptionalLong.empty();
    private OptionalLong updated = OptionalLong.empty();
    private final Map<String, Long> counters = new LinkedHashMap<>();
    private final Map<ExportRecord, String> vendorIds = new IdentityHashMap<>();

    private Builder(Batch batch) {
      this.batch = requireNonNull(batch, "batch == null");
    }

    /**
     * Rejects a record. A record rejected twice keeps its first rejection.
     *
     * @param record a record of the batch
     * @param reason our reason
     * @param vendorCode the vendor's code, or null
     * @param message the vendor's message, or ours
     * @return this builder
     */
    public Builder reject(
        ExportRecord record, RejectionReason reason, String vendorCode, String message) {
      if (members == null) {
        members = new IdentityHashMap<>(batch.size() * 2);
        for (ExportRecord r : batch.records()) {
          members.put(r, Boolean.TRUE);
        }
      }
      if (!members.containsKey(record)) {
        throw new IllegalArgumentException("record is not in this batch: " + record);
      }
      rejections.putIfAbsent(record, new Rejection(record, reason, vendorCode, message));
      return this;
    }

    /**
     * Rejects a record whose own call the vendor refused (a call for this record alone, such as its
     * address change or its removal): {@link RejectionReason#VENDOR_REJECTED} for a 4xx other than 408
     * and 429 (the vendor refused the record), else {@link RejectionReason#DELIVERY_FAILED} (the call
     * did not get through: retries spent on 5xx, timeouts or 429s), with the exception's vendor code and
     * message. A record rejected twice keeps its first rejection.
     *
     * @param record a record of the batch
     * @param refusal the vendor's refusal of the record's call
     * @return this builder
     */
    public Builder reject(ExportRecord record, DestinationException refusal) {
      int status = refusal.httpStatus();
      boolean refused = status >= 400 && status < 500 && status != 408 && status != 429;
      return reject(
          record,
          refused ? RejectionReason.VENDOR_REJECTED : RejectionReason.DELIVERY_FAILED,
          refusal.vendorCode().orElse(null),
          refusal.getMessage());
    }

    /**
     * Marks a record as sent but unconfirmed: the vendor's answer does not say what became of it (it
     * reports a failure it does not attribute, say). A record marked twice, or already rejected, keeps
     * its first outcome.
     *
     * @param record a record of the batch
     * @param why a sentence for the result, without the address
     * @return this builder
     */
    public Builder unconfirmed(ExportRecord record, String why) {
      return reject(record, RejectionReason.UNCONFIRMED, null, why);
    }

    /**
     * {@return true if the record was already rejected or marked unconfirmed}
     *
     * @param record a record of the batch
     */
    public boolean isRejected(ExportRecord record) {
      return rejections.containsKey(record);
    }

    /**
     * Merges the outcome of a part of this batch (after a split).
     *
     * @param part a partial result to merge in
     * @return this builder
     */
    public Builder merge(BatchResult part) {
      for (Rejection r : part.rejections()) {
        reject(r.record(), r.reason(), r.vendorCode(), r.message());
      }
      for (Rejection r : part.unconfirmed()) {
        reject(r.record(), r.reason(), r.vendorCode(), r.message());
      }
      part.created().ifPresent(this::addCreated);
      part.updated().ifPresent(this::addUpdated);
      part.counters().forEach(this::count);
      vendorIds.putAll(part.vendorIds);
      return this;
    }

    /**
     * Reports the vendor's own id of a record's contact (dotdigital's contact id, Autopilot's contact
     * id), for the sync state.
     *
     * @param record a record of the batch
     * @param vendorId the vendor's id of its contact
     * @return this builder
     */
    public Builder vendorId(ExportRecord record, String vendorId) {
      vendorIds.put(
          requireNonNull(record, "record == null"), requireNonNull(vendorId, "vendorId == null"));
      return this;
    }

    /**
     * Adds to the count of new contacts.
     *
     * @param n how many more were new at the vendor
     * @return this builder
     */
    public Builder addCreated(long n) {
      created = OptionalLong.of(created.orElse(0) + n);
      return this;
    }

    /**
     * Adds to the count of updated contacts.
     *
     * @param n how many more were already at the vendor
     * @return this builder
     */
    public Builder addUpdated(long n) {
      updated = OptionalLong.of(updated.orElse(0) + n);
      return this;
    }

    /**
     * Adds to a connector-specific counter.
     *
     * @param counter the counter's name
     * @param n how much to add
     * @return this builder
     */
    public Builder count(String counter, long n) {
      counters.merge(counter, n, Long::sum);
      return this;
    }

    /**
     * Builds the result.
     *
     * @return the result
     */
    public BatchResult build() {
      return new BatchResult(this);
    }
  }
}
