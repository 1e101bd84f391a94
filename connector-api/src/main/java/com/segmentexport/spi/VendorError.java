package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

/**
 * An error as a vendor's answer gives it, read by a connector from the vendor's error body: its code
 * (the vendor's own, or {@code HTTP_<status>} when the body has none) and its message (shortened, with
 * e-mail addresses masked), ready for rejected records and exceptions.
 *
 * @param code the vendor's error code, or {@code HTTP_<status>}
 * @param message the vendor's message, or {@code HTTP <status>} when it gave none
 */
public record VendorError(String code, String message) {
  /**
   * Checks the parts.
   *
   * @param code the vendor's error code, or {@code HTTP_<status>}
   * @param message the vendor's message
   */
  public VendorError {
    requireNonNull(code, "code == null");
    requireNonNull(message, "message == null");
  }

  /**
   * {@return the error of an answer that carries none of the vendor's own}
   *
   * @param status the answer's HTTP status
   */
  public static VendorError ofStatus(int status) {
    return new VendorError("HTTP_" + status, "HTTP " + status);
  }
}
