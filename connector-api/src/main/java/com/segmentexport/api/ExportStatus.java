package com.segmentexport.api;

/** How an export (or one of its segments) ended. */
public enum ExportStatus {
  /** Every profile read was exported or was a duplicate. */
  SUCCEEDED,
  /** Some profiles were exported and some were rejected or not attempted; see the counts. */
  PARTIALLY_SUCCEEDED,
  /** The export stopped on an error, or nothing that could be exported was. */
  FAILED,
  /** Cancelled, or its connection was removed, while running. */
  CANCELLED,
  /**
   * A {@linkplain SyncMode#MIRROR mirroring} run sent what it had to, but removed nobody: the removals it
   * found were more than its {@link RemovalLimit} allows, or its segment read no profile. The segment's
   * {@link SegmentResult#removalsHeldBackReason()} gives the numbers.
   */
  REMOVALS_HELD_BACK
}
