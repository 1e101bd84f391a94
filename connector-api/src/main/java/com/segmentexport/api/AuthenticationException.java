package com.segmentexport.api;

/** The vendor refused the connection's credentials. Never retried. */
public class AuthenticationException extends ExportException {
  /** The HTTP status the vendor answered. */
  private final int httpStatus;

  /**
   * Creates an exception for a refusal with this HTTP status and a message without secrets.
   *
   * @param httpStatus the HTTP status the vendor answered
   * @param message the message, for the host developer
   */
  public AuthenticationException(int httpStatus, String message) {
    super(message);
    this.httpStatus = httpStatus;
  }

  /** {@return the HTTP status the vendor answered with} */
  public int httpStatus() {
    return httpStatus;
  }
}
