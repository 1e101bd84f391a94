package com.segmentexport.spi;

import com.segmentexport.api.DestinationException;

/**
 * A request that is not safe to repeat ({@link CallSpec#idempotent()} false) failed in a way that
 * leaves its effect unknown: the connection dropped or timed out after it was sent, or the vendor (or a
 * gateway in front of it) answered with a server error. The vendor may or may not have applied it.
 *
 * <p>{@link VendorHttp} never repeats such a request. A connector resolves the doubt by reading the
 * vendor's state again: for a create, it looks the object up and adopts it if it is there
 * ({@link Creation#createOrAdopt}), so that a lost answer never makes a second list. If it escapes a
 * batch write, the engine counts the batch's records as unconfirmed, not rejected.
 */
public final class OutcomeUnknownException extends DestinationException {
  /**
   * Creates the exception.
   *
   * @param httpStatus the status of the answer, or 0 when none arrived
   * @param message what was attempted and how it failed; never a credential or an address
   * @param cause the I/O failure, or null
   */
  public OutcomeUnknownException(int httpStatus, String message, Throwable cause) {
    super(httpStatus, null, null, message);
    if (cause != null) {
      initCause(cause);
    }
  }
}
