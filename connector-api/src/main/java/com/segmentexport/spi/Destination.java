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
}
