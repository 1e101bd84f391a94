package com.segmentexport.cli;

/** The CLI's exit codes. */
final class ExitCodes {
  static final int SUCCESS = 0;
  static final int FAILURE = 1;
  static final int USAGE = 2;
  static final int PARTIAL = 3;

  /** The sync state could not be read or written: locked, corrupt, of a newer schema. */
  static final int STATE = 4;

  private ExitCodes() {}
}
