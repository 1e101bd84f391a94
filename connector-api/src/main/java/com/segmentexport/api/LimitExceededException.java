package com.segmentexport.api;

/**
 * An export would break a vendor limit (for example Autopilot's 100,000 profiles per export). Raised
 * before sending when segment sizes are known in advance.
 */
public class LimitExceededException extends ExportException {
  /** The limit that was exceeded. */
  private final long limit;

  /** How many were requested. */
  private final long requested;

  /**
   * Creates an exception for {@code requested} profiles against a limit of {@code limit}.
   *
   * @param message the message, for the host developer
   * @param limit the limit that was exceeded
   * @param requested how many were requested
   */
  public LimitExceededException(String message, long limit, long requested) {
    super(message);
    this.limit = limit;
    this.requested = requested;
  }

  /** {@return the vendor's limit} */
  public long limit() {
    return limit;
  }

  /** {@return what the export asked for} */
  public long requested() {
    return requested;
  }
}
