package com.segmentexport.spi;

/**
 * Writes one segment's batches to its destination list. {@link #write(Batch)} is called from up to
 * {@link com.segmentexport.api.ConnectorLimits#maxConcurrentBatches()} + 1 threads at once: one more
 * batch than may be at the vendor, so that its request body is ready when a request returns. The
 * {@link VendorHttp} of the request holds the requests themselves to {@code maxConcurrentBatches}.
 */
public interface Destination {
  /** {@return the vendor's id of the destination list} */
  String id();

  /**
   * Writes one batch and reports what the vendor did with each record. Requests go through the
   * {@link VendorHttp} of the {@link DestinationRequest}, which retries and throttles.
   *
   * @param batch the records to send
   * @return per-record outcomes; records not rejected count as exported
   * @throws com.segmentexport.api.DestinationException if the vendor refused the whole batch (its
   *     records are then rejected with the vendor's code and message)
   * @throws com.segmentexport.api.AuthenticationException if the credentials were refused
   */
  BatchResult write(Batch batch);

  /**
   * Removes members from this destination list, for a mirroring export: list membership only — never an
   * unsubscribe (from the list, a channel or the account), a deletion of the contact, or any change of
   * consent. Called only for connectors whose provider {@linkplain
   * com.segmentexport.api.ConnectorDescriptor#supportsRemoval() supports removal}, with members this SDK
   * itself put on the list (the sync state knows them), in batches of at most the connector's
   * {@code maxBatchRecords}. The records carry the address, the profile id and the {@linkplain
   * ExportRecord#vendorId() vendor's contact id} when known, but no field values. A member already off the
   * list counts as removed. May be called from several threads at once, like {@link #write}.
   *
   * @param batch the members to remove
   * @return per-record outcomes: rejected records were not removed (with the vendor's code and message),
   *     unconfirmed ones may or may not have been; the others are off the list
   * @throws UnsupportedOperationException if the connector cannot remove (the default)
   * @throws com.segmentexport.api.DestinationException if the vendor refused the whole batch
   */
  default BatchResult remove(Batch batch) {
    throw new UnsupportedOperationException("this connector cannot remove members from its list");
  }

  /**
   * Finishes work a crashed run left at the vendor for a batch (work the connector announced with {@link
   * Batch#startedAtVendor}): waits for it to end and reports what became of each record, as {@link
   * #write} would have. Called before any new batch of the segment. The batch is rebuilt from the sync
   * state: its records carry their addresses (and profile ids) but no field values. The default cannot
   * resume anything: its records are then sent again by the run (writes are upserts).
   *
   * @param kind the work's kind, as announced
   * @param vendorRef the vendor's reference of it, as announced
   * @param batch the records the work carried
   * @return what became of each record, or empty if the connector cannot tell (the vendor no longer
   *     knows the work, or the connector does not resume work)
   */
  default java.util.Optional<BatchResult> resume(String kind, String vendorRef, Batch batch) {
    return java.util.Optional.empty();
  }
}
