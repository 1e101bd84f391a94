package com.segmentexport.api;

import java.util.OptionalLong;

/**
 * Supplies each segment's profiles when an export runs: the saved {@link ExportDefinition} names the
 * segments, the host opens them at run time (for example as a JDBC cursor).
 */
@FunctionalInterface
public interface SegmentSource {
  /**
   * Opens the segment with this name. Called once per segment, in the definition's order.
   *
   * @param segmentName the segment's name
   * @return the segment, closed by the engine when it is done with it
   * @throws Exception any failure of the host's source: it ends the export as FAILED, with an
   *     {@link ExportException} carrying the partial result
   */
  Segment open(String segmentName) throws Exception;

  /**
   * The number of profiles in a segment, if cheaply known before it is opened. When every segment's
   * size is known, vendor limits are checked before anything is sent.
   *
   * @param segmentName the segment's name
   * @return the number of profiles in a segment, if cheaply known before it is opened
   */
  default OptionalLong size(String segmentName) {
    return OptionalLong.empty();
  }
}
