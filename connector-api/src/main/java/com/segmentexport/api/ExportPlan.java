package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * What a run of an export would do, predicted by {@link SegmentExporter#plan} from the segments, the sync
 * state and read-only calls to the vendor, without writing anything to the vendor or the state.
 *
 * @param exportName the export's name
 * @param segments the plan of each segment, in order
 * @param calls the vendor calls the run would make to send its batches and, for a mirroring run whose
 *     removals the limit would not hold back, to remove the members that left (an estimate from the
 *     connector's cost model)
 * @param estimatedDuration how long those calls take at the vendor's rate limit, at least
 */
public record ExportPlan(
    String exportName, List<SegmentPlan> segments, long calls, Duration estimatedDuration) {
  /**
   * Checks the parts.
   *
   * @param exportName the export's name
   * @param segments the plan of each segment, in order
   * @param calls the vendor calls the run would make to send its batches
   * @param estimatedDuration how long those calls take at the vendor's rate limit
   */
  public ExportPlan {
    requireNonNull(exportName, "exportName == null");
    segments = List.copyOf(segments);
    requireNonNull(estimatedDuration, "estimatedDuration == null");
  }

  /** {@return the profiles the run would send, all segments} */
  public long toSend() {
    return segments.stream().mapToLong(SegmentPlan::toSend).sum();
  }

  /** {@return the profiles the run would leave out as unchanged, all segments} */
  public long unchanged() {
    return segments.stream().mapToLong(SegmentPlan::unchanged).sum();
  }
}
