package com.segmentexport.api;

import java.util.Optional;

/**
 * The root of the SDK's unchecked exceptions. Messages never contain secrets or raw e-mail
 * addresses.
 *
 * <p>When an export fails after it started sending, the exception carries the
 * {@linkplain #partialResult() result so far}, so every profile is still accounted for.
 */
public class ExportException extends RuntimeException {
  /** The result of the export this exception ended, once attached; null before. */
  private volatile ExportResult partialResult;

  /**
   * Creates an exception with a message.
   *
   * @param message the message, for the host developer
   */
  public ExportException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message the message, for the host developer
   * @param cause the underlying failure
   */
  public ExportException(String message, Throwable cause) {
    super(message, cause);
  }

  /** {@return the accounting of the export this exception ended, if it ended one that had started} */
  public Optional<ExportResult> partialResult() {
    return Optional.ofNullable(partialResult);
  }

  /**
   * Attaches the result of the export this exception ended. For the engine.
   *
   * @param result the export's result when it stopped
   * @return this exception
   */
  public ExportException withPartialResult(ExportResult result) {
    this.partialResult = result;
    return this;
  }
}
