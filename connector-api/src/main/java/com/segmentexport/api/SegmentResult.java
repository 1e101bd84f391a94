package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What happened to one segment. Every profile read is accounted for exactly once:
 * {@code read == exported + rejected + duplicates + unconfirmed + unchanged + notAttempted}.
 *
 * <p>{@code rejected} profiles were refused (by our validation or by the vendor) and are not at the
 * vendor; {@code unconfirmed} ones were sent, but the run ended (cancelled, connection removed, a
 * failure elsewhere) or the vendor's answer did not say what became of them, so they may or may not be
 * on the list. Re-sending either is safe: exports are upserts.
 *
 * @param name the segment's name
 * @param destinationId the vendor's id of the list it went to, once known
 * @param status how the segment ended
 * @param read profiles read from the segment
 * @param exported profiles the vendor accepted
 * @param created of those, new at the vendor, where the vendor says
 * @param updated of those, already known to the vendor, where the vendor says
 * @param rejected profiles rejected (by us or the vendor); see {@link ExportResult#rejectedSample()}
 * @param duplicates repeats of an e-mail address earlier in the same segment, not sent
 * @param unconfirmed profiles sent whose outcome no answer of the vendor proved (they may be at the
 *     vendor); see {@link RejectionReason#UNCONFIRMED} in the result's sample
 * @param unchanged profiles not sent because the vendor already confirmed them exactly so (an
 *     {@linkplain SyncMode#INCREMENTAL incremental} run)
 * @param notAttempted profiles read but never sent (limit reached, cancelled, export failed)
 * @param notAttemptedReason why profiles were not attempted, when some were not
 * @param removed members a {@linkplain SyncMode#MIRROR mirroring} run removed from the list (outside the
 *     identity above: they are not profiles read)
 * @param removalsFailed removals the vendor refused or did not confirm (in the rejected sample with the
 *     vendor's reason); the next mirroring run tries them again
 * @param removalsHeldBack removals not made because of the {@link RemovalLimit}
 * @param removalsHeldBackReason why removals were held back, with the numbers
 * @param counters connector-specific counts (for example calls that needed a fallback)
 */
public record SegmentResult(
    String name,
    Optional<String> destinationId,
    ExportStatus status,
    long read,
    long exported,
    OptionalLong created,
    OptionalLong updated,
    long rejected,
    long duplicates,
    long unconfirmed,
    long unchanged,
    long notAttempted,
    Optional<String> notAttemptedReason,
    long removed,
    long removalsFailed,
    long removalsHeldBack,
    Optional<String> removalsHeldBackReason,
    Map<String, Long> counters) {

  /**
   * Checks the parts and that the counts add up.
   *
   * @param name the segment's name
   * @param destinationId the vendor's id of the list it went to, once known
   * @param status how the segment ended
   * @param read profiles read from the segment
   * @param exported profiles the vendor accepted
   * @param created of those, new at the vendor, where the vendor says
   * @param updated of those, already known to the vendor, where the vendor says
   * @param rejected profiles rejected (by us or the vendor); see {@link ExportResult#rejectedSample()}
   * @param duplicates repeats of an e-mail address earlier in the same segment, not sent
   * @param unconfirmed profiles sent whose outcome no answer of the vendor proved (they may be at the vendor)
   * @param unchanged profiles not sent because the vendor already confirmed them exactly so
   * @param notAttempted profiles read but never sent (limit reached, cancelled, export failed)
   * @param notAttemptedReason why profiles were not attempted, when some were not
   * @param removed members a mirroring run removed from the list
   * @param removalsFailed removals the vendor refused or did not confirm
   * @param removalsHeldBack removals not made because of the removal limit
   * @param removalsHeldBackReason why removals were held back
   * @param counters connector-specific counts (for example calls that needed a fallback)
   */
  public SegmentResult {
    requireNonNull(name, "name == null");
    requireNonNull(destinationId, "destinationId == null");
    requireNonNull(status, "status == null");
    requireNonNull(created, "created == null");
    requireNonNull(updated, "updated == null");
    requireNonNull(notAttemptedReason, "notAttemptedReason == null");
    requireNonNull(removalsHeldBackReason, "removalsHeldBackReason == null");
    counters = Map.copyOf(counters);
    if (read != exported + rejected + duplicates + unconfirmed + unchanged + notAttempted) {
      throw new IllegalStateException(
          "segment '"
              + name
              + "' does not add up: read "
              + read
              + " != exported "
              + exported
              + " + rejected "
              + rejected
              + " + duplicates "
              + duplicates
              + " + unconfirmed "
              + unconfirmed
              + " + unchanged "
              + unchanged
              + " + notAttempted "
              + notAttempted);
    }
  }
}
