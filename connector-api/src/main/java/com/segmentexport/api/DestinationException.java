package com.segmentexport.api;

import java.util.Optional;

/**
 * The vendor refused a request for a reason other than credentials: a missing list, a malformed
 * request, a service that stayed unavailable through every retry. Carries the vendor's own code and
 * message where it gave them.
 */
public class DestinationException extends ExportException {
  /** The HTTP status the vendor answered, or 0 when no response came. */
  private final int httpStatus;

  /** The vendor's error code, or null. */
  private final String vendorCode;

  /** The vendor's message, or null. */
  private final String vendorMessage;

  /**
   * Creates an exception.
   *
   * @param httpStatus the HTTP status, or 0 when no response arrived
   * @param vendorCode the vendor's error code, or null
   * @param vendorMessage the vendor's message, or null
   * @param message our summary
   */
  public DestinationException(
      int httpStatus, String vendorCode, String vendorMessage, String message) {
    super(message);
    this.httpStatus = httpStatus;
    this.vendorCode = vendorCode;
    this.vendorMessage = vendorMessage;
  }

  /**
   * Creates an exception caused by another failure (such as an I/O error).
   *
   * @param message our summary
   * @param cause the underlying failure
   */
  public DestinationException(String message, Throwable cause) {
    super(message, cause);
    this.httpStatus = 0;
    this.vendorCode = null;
    this.vendorMessage = null;
  }

  /** {@return the HTTP status, or 0 when no response arrived} */
  public int httpStatus() {
    return httpStatus;
  }

  /** {@return the vendor's error code, where it gave one} */
  public Optional<String> vendorCode() {
    return Optional.ofNullable(vendorCode);
  }

  /** {@return the vendor's error message, where it gave one} */
  public Optional<String> vendorMessage() {
    return Optional.ofNullable(vendorMessage);
  }
}
