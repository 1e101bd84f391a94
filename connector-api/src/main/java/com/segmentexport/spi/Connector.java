package com.segmentexport.spi;

import com.segmentexport.api.ConnectorLimits;

/**
 * One vendor connector bound to one connection. Created by a
 * {@link ConnectorProvider}; used by the engine from several threads, so
 * implementations must be thread-safe.
 *
 * <h2>Lifecycle</h2>
 * <ol>
 *   <li>{@link #limits()} sizes batches, concurrency, the rate limiter and the per-export cap.
 *   <li>{@link #verify(VendorHttp)} may be called at any time to check credentials.
 *   <li>For each segment of an export, {@link #open(DestinationRequest)} finds or creates the
 *       destination list and returns a {@link Destination} that writes batches to it.
 *   <li>{@link #close()} when the exporter is closed.
 * </ol>
 */
public interface Connector extends AutoCloseable {
  /** {@return the limits in force for this connection (settings may lower or raise the vendor defaults)} */
  ConnectorLimits limits();

  /**
   * Checks the credentials with one cheap authenticated call.
   *
   * @param http sends requests to the vendor
   * @throws com.segmentexport.api.AuthenticationException if they are refused
   */
  void verify(VendorHttp http);

  /**
   * Prepares one segment's destination: finds or creates the list, creates missing custom fields,
   * checks options that need the vendor (a list id that does not exist). Called before any profile of
   * the segment is sent.
   *
   * @param request the export's segment and options
   * @return the destination, ready for batches
   * @throws com.segmentexport.api.DestinationException if the destination cannot be used
   */
  Destination open(DestinationRequest request);

  /**
   * Looks at a segment's destination for a plan, with read-only calls only: never creates a list or a
   * field, never writes a contact. The default knows nothing (the plan then treats every profile the sync
   * state does not know as new).
   *
   * @param request the export's segment and options
   * @return what the connector could tell
   * @throws com.segmentexport.api.DestinationException if the vendor refuses the look (bad list id)
   */
  default DestinationPreview preview(DestinationRequest request) {
    return DestinationPreview.unknown();
  }

  /**
   * How many calls to the vendor writing this batch takes, for a plan's estimate of a run's duration: the
   * default is one; a connector whose batches take more (a membership call per contact, an import and
   * its status polls) says so.
   *
   * @param batch a batch as the engine would send it
   * @return the calls its write would make, at least one
   */
  default int estimatedCalls(Batch batch) {
    return 1;
  }

  /**
   * How many calls to the vendor removing this batch from its list takes (a mirroring run's removals,
   * {@link Destination#remove}), for a plan's estimate of a run's duration: the default is one per batch;
   * a connector whose removal takes more (a call per member, a look-up before each, a job and its status
   * polls) says so. The batch holds at most {@link ConnectorLimits#maxBatchRecords()} members, with their
   * addresses and, when the sync state knows them, the vendor's contact ids.
   *
   * @param batch a removal batch as the engine would hand it to {@link Destination#remove}
   * @return the calls its removal would make, at least one
   */
  default int estimatedRemovalCalls(Batch batch) {
    return 1;
  }

  /**
   * What, besides the connection's credentials, identifies the vendor account this connector sends
   * to: the API base URL it uses (after applying region or data-centre settings), and any other setting
   * that selects an account. The engine keys the account's rate budget by the connector's id, the
   * connection's {@code baseUrl} setting, this value and a one-way fingerprint of the connection's
   * secrets, so that every connection to one account shares one budget in the JVM however often the
   * host rebuilds it. Never a credential; must be the same for equal settings. The default is empty.
   *
   * @return what, besides the connection's credentials, identifies the vendor account this connector sends to
   */
  default String accountEndpoint() {
    return "";
  }

  /** Releases resources. The default does nothing. */
  @Override
  default void close() {}
}
