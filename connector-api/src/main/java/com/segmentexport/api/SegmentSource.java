package com.segmentexport.api;

import java.util.OptionalLong;

/**
 * Supplies each segment's profiles when an export runs: the saved {@link ExportDefinition} names the
 * segments, the host opens them at run time (for example as a JDBC cursor).
 */
@FunctionalInterface
public interface SegmentSource {
  /** Opens the segment with this name. Called once per segment, in the definition's order. */
  Segment open(String segmentName) throws Exception;

  /**
   * The number of profiles in a segment, if cheaply known before it is opened. When every segment's
   * size is known, vendor limits are checked before anything is sent.
   */
  default OptionalLong size(String segmentName) {
    return OptionalLong.empty();
  }
}
