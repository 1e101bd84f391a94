package com.segmentexport.api;

/** The connection was {@linkplain Connection#remove() removed}; no new export may run on it. */
public class ConnectionRemovedException extends ExportException {
  /**
   * Creates an exception with a message.
   *
   * @param message the message, for the host developer
   */
  public ConnectionRemovedException(String message) {
    super(message);
  }
}
