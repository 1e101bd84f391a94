package com.segmentexport.api;

/** The vendor refused the connection's credentials. Never retried. */
public class AuthenticationException extends ExportException {
  private final int httpStatus;

  /** Creates an exception for a refusal with this HTTP status and a message without secrets. */
  public AuthenticationException(int httpStatus, String message) {
    super(message);
    this.httpStatus = httpStatus;
  }

  /** The HTTP status the vendor answered with. */
  public int httpStatus() {
    return httpStatus;
  }
}
