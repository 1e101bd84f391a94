package com.segmentexport.api;

/** The caller's {@link Role} may not use the connection (see {@link ConnectionAccess}). */
public class AccessDeniedException extends ExportException {
  /**
   * Creates an exception with a message.
   *
   * @param message the message, for the host developer
   */
  public AccessDeniedException(String message) {
    super(message);
  }
}
