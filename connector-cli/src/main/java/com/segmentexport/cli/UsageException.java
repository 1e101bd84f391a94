package com.segmentexport.cli;

/** The command line or its configuration is wrong; nothing was sent. */
final class UsageException extends RuntimeException {
  UsageException(String message) {
    super(message);
  }
}
