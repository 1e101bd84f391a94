package com.segmentexport.api;

/**
 * An export would break a vendor limit (for example Autopilot's 100,000 profiles per export). Raised
 * before sending when segment sizes are known in advance.
 */
public class LimitExceededException extends ExportException {
  private final long limit;
  private final long requested;

  /** Creates an exception for {@code requested} profiles against a limit of {@code limit}. */
  public LimitExceededException(String message, long limit, long requested) {
    super(message);
    this.limit = limit;
    this.requested = requested;
  }

  /** The vendor's limit. */
  public long limit() {
    return limit;
  }

  /** What the export asked for. */
  public long requested() {
    return requested;
  }
}
