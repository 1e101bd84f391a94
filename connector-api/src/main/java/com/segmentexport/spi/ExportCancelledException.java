package com.segmentexport.spi;

import com.segmentexport.api.ExportException;

/** The export was cancelled (or its connection removed) while a request waited or was retried. */
public final class ExportCancelledException extends ExportException {
  /** Whether the request had been sent at least once before the cancellation. */
  private final boolean sent;

  /**
   * Creates the exception.
   *
   * @param message the message, for the host developer
   * @param sent whether the request had been sent at least once before the cancellation
   */
  public ExportCancelledException(String message, boolean sent) {
    super(message);
    this.sent = sent;
  }

  /** {@return whether the request had been sent at least once (its effect at the vendor is then unknown)} */
  public boolean sent() {
    return sent;
  }
}
