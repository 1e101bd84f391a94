package com.segmentexport.api;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A running export, started with {@link SegmentExporter#start}. */
public interface ExportHandle {
  /**
   * Stops the export: no new batch is sent, batches in flight finish or time out, and the result
   * (status {@link ExportStatus#CANCELLED}) says what was and was not sent. Safe to call at any time.
   */
  void cancel();

  /** {@return true once the export has finished, whatever its status} */
  boolean isDone();

  /**
   * Waits for the result.
   *
   * @return the result once the export ended
   * @throws ExportException what the export failed with (carrying its partial result)
   */
  ExportResult await();

  /**
   * Waits at most {@code timeout}; empty if the export is still running.
   *
   * @param timeout how long to wait at most
   * @return the result, or empty if the export is still running after {@code timeout}
   */
  Optional<ExportResult> await(Duration timeout);

  /**
   * Completes with the result, or exceptionally with an {@link ExportException}.
   *
   * @return a future completed with the result, or exceptionally with the {@link ExportException}
   */
  CompletableFuture<ExportResult> completion();
}
