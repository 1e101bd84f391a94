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
  CANCELLED
}
