package com.segmentexport.api;

/**
 * Runs exports on one connection. Obtained from {@link Connectors#exporter(Connection, Role)}; safe to
 * use from several threads; close it when done. Its exports write their batches on the threads of
 * its {@link Connectors} (shared by every export; see {@link Connectors#withEngineThreads(int)}).
 *
 * <pre>{@code
 * try (SegmentExporter exporter = connectors.exporter(connection, Role.ADMINISTRATOR)) {
 *   ExportResult result = exporter.export(definition, name -> warehouse.segment(name));
 * }
 * }</pre>
 */
public interface SegmentExporter extends AutoCloseable {
  /** {@return the connection this exporter uses} */
  Connection connection();

  /**
   * Checks the connection's credentials with one cheap call to the vendor.
   *
   * @throws AuthenticationException if the vendor refuses them
   * @throws DestinationException if the vendor cannot be reached
   */
  void verify();

  /**
   * Runs an export to completion with default options.
   *
   * @param definition the export to run
   * @param source supplies each segment at run time
   * @return the result; a run that failed throws an {@link ExportException} carrying its partial result
   */
  default ExportResult export(ExportDefinition definition, SegmentSource source) {
    return start(definition, source, ExportOptions.DEFAULT).await();
  }

  /**
   * Runs an export to completion, reporting progress to {@code listener}.
   *
   * @param definition the export to run
   * @param source supplies each segment at run time
   * @param listener hears the run's progress
   * @return the result; a run that failed throws an {@link ExportException} carrying its partial result
   */
  default ExportResult export(
      ExportDefinition definition, SegmentSource source, ExportListener listener) {
    return start(definition, source, ExportOptions.DEFAULT.withListener(listener)).await();
  }

  /**
   * Runs an export to completion with these options.
   *
   * @param definition the export to run
   * @param source supplies each segment at run time
   * @param options run-time options
   * @return the result; a run that failed throws an {@link ExportException} carrying its partial result
   */
  default ExportResult export(
      ExportDefinition definition, SegmentSource source, ExportOptions options) {
    return start(definition, source, options).await();
  }

  /**
   * Starts an export in the background. Validation that needs no network (definition, access,
   * removed connection, limits when sizes are known) happens here and throws at once.
   *
   * @param definition the export to run
   * @param source supplies each segment at run time
   * @param options run-time options
   * @return a handle to await or cancel the run
   * @throws ConfigurationException if the definition is for another connection or is invalid
   * @throws AccessDeniedException if this exporter's role may not use the connection
   * @throws ConnectionRemovedException if the connection was removed
   * @throws LimitExceededException if known segment sizes break the vendor's limit
   */
  ExportHandle start(ExportDefinition definition, SegmentSource source, ExportOptions options);

  /**
   * Predicts what a run of this export would do, writing nothing anywhere: reads every segment, asks the
   * sync state (when the options give one) which profiles are unchanged, new, changed or to retry, and
   * makes only read-only calls to the vendor (does the list exist, which custom fields are missing).
   *
   * @param definition the export to plan
   * @param source supplies each segment
   * @param options the options the run would use (its sync state and full refresh matter)
   * @return the plan
   * @throws ConfigurationException if the definition is for another connection or is invalid
   * @throws AccessDeniedException if this exporter's role may not use the connection
   */
  ExportPlan plan(ExportDefinition definition, SegmentSource source, ExportOptions options);

  /**
   * Forgets what the sync state knows about one of this connection's destination lists: the next
   * incremental run to it sends every profile again.
   *
   * @param state the sync state
   * @param destinationId the vendor's id of the list (see {@link SegmentResult#destinationId()})
   * @return how many members were forgotten
   * @throws IllegalArgumentException if {@code destinationId} is blank
   */
  long forgetState(SyncState state, String destinationId);

  /** Cancels running exports and releases the connector's resources. */
  @Override
  void close();
}
