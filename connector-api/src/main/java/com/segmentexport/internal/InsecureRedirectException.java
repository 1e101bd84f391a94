package com.segmentexport.internal;

import java.io.IOException;

/** A request (or a redirect) would leave HTTPS for a non-loopback host. */
final class InsecureRedirectException extends IOException {
  InsecureRedirectException(String message) {
    super(message);
  }
}
