package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of one export run: its status, what happened to each segment, a bounded sample of the
 * rejected records (all of them went to the {@link ExportOptions#rejectedRecordSink() sink}, if one
 * was given) and of the unconfirmed ones (reason {@link RejectionReason#UNCONFIRMED}: never given to
 * the sink, since they may be at the vendor), and how the run went on the wire.
 *
 * @param definitionName the export's name
 * @param status how the export ended
 * @param segments one result per segment attempted, in run order
 * @param rejectedSample the first rejected and unconfirmed records, at most
 *     {@link ExportOptions#rejectedSampleSize()}
 * @param httpCalls HTTP requests sent, retries included
 * @param retries requests repeated after a retryable failure
 * @param throttledTime time spent waiting for the vendor's rate limit
 * @param startedAt when the run started
 * @param duration how long it took
 * @param failure why it failed or was cancelled, when it did not succeed
 */
public record ExportResult(
    String definitionName,
    ExportStatus status,
    List<SegmentResult> segments,
    List<RejectedRecord> rejectedSample,
    long httpCalls,
    long retries,
    Duration throttledTime,
    Instant startedAt,
    Duration duration,
    Optional<String> failure) {

  /**
   * Checks the parts and copies the lists.
   *
   * @param definitionName the export's name
   * @param status how the export ended
   * @param segments one result per segment attempted, in run order
   * @param rejectedSample the first rejected and unconfirmed records, at most {@link
   *     ExportOptions#rejectedSampleSize()}
   * @param httpCalls HTTP requests sent, retries included
   * @param retries requests repeated after a retryable failure
   * @param throttledTime time spent waiting for the vendor's rate limit
   * @param startedAt when the run started
   * @param duration how long it took
   * @param failure why it failed or was cancelled, when it did not succeed
   */
  public ExportResult {
    requireNonNull(definitionName, "definitionName == null");
    requireNonNull(status, "status == null");
    segments = List.copyOf(segments);
    rejectedSample = List.copyOf(rejectedSample);
    requireNonNull(throttledTime, "throttledTime == null");
    requireNonNull(startedAt, "startedAt == null");
    requireNonNull(duration, "duration == null");
    requireNonNull(failure, "failure == null");
  }

  /** {@return profiles read, all segments} */
  public long read() {
    return segments.stream().mapToLong(SegmentResult::read).sum();
  }

  /** {@return profiles exported, all segments} */
  public long exported() {
    return segments.stream().mapToLong(SegmentResult::exported).sum();
  }

  /** {@return profiles rejected, all segments (the full count, not the sample size)} */
  public long rejected() {
    return segments.stream().mapToLong(SegmentResult::rejected).sum();
  }

  /**
   * Duplicate e-mail addresses skipped, all segments.
   *
   * @return the duplicates of every segment
   */
  public long duplicates() {
    return segments.stream().mapToLong(SegmentResult::duplicates).sum();
  }

  /** {@return profiles sent whose outcome no answer of the vendor proved, all segments} */
  public long unconfirmed() {
    return segments.stream().mapToLong(SegmentResult::unconfirmed).sum();
  }

  /** {@return profiles not sent because the vendor already confirmed them exactly so, all segments} */
  public long unchanged() {
    return segments.stream().mapToLong(SegmentResult::unchanged).sum();
  }

  /** {@return members a mirroring run removed from the lists, all segments} */
  public long removed() {
    return segments.stream().mapToLong(SegmentResult::removed).sum();
  }

  /** {@return removals held back by the removal limit, all segments} */
  public long removalsHeldBack() {
    return segments.stream().mapToLong(SegmentResult::removalsHeldBack).sum();
  }

  /** {@return profiles read but not sent, all segments} */
  public long notAttempted() {
    return segments.stream().mapToLong(SegmentResult::notAttempted).sum();
  }

  /**
   * {@return the result of the segment with this name}
   *
   * @param name the segment's name
   */
  public Optional<SegmentResult> segment(String name) {
    return segments.stream().filter(s -> s.name().equals(name)).findFirst();
  }
}
