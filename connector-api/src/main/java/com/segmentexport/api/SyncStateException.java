package com.segmentexport.api;

/**
 * A {@link SyncState} could not be read or written: the file is locked, corrupt, of a newer schema,
 * or the database is unreachable. An export that meets it fails rather than re-send everything or
 * forget what the vendor confirmed.
 */
public class SyncStateException extends ExportException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, without secrets or addresses
   * @param cause the driver's exception, or null
   */
  public SyncStateException(String message, Throwable cause) {
    super(message, cause);
  }
}
