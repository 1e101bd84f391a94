package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * What a run would do with one segment, as {@link SegmentExporter#plan} predicts it without writing
 * anything anywhere. Every profile read is in exactly one count: {@code read == toAdd + toUpdate + toRetry
 * + unchanged + invalid + duplicates + overCap}.
 *
 * @param name the segment's name
 * @param destinationId the vendor's id of the destination list, when it exists already
 * @param destinationExists whether the list exists at the vendor; empty when the connector cannot tell
 *     without writing
 * @param read profiles read from the segment
 * @param toAdd profiles to send that the sync state does not know (all valid ones without a state)
 * @param toUpdate profiles to send whose mapped fields changed since the vendor confirmed them
 * @param toRetry profiles to send again because the vendor rejected them or did not confirm them last time
 * @param unchanged profiles not to send: the vendor confirmed them exactly so
 * @param invalid profiles our validation rejects (no or a malformed address, a bad value, too large)
 * @param duplicates repeats of an address earlier in the segment
 * @param overCap profiles past the vendor's per-export limit, which would not be attempted
 * @param fieldsToCreate custom fields the run would create at the vendor
 * @param batches the batches the run would send
 * @param toRemove members a {@linkplain SyncMode#MIRROR mirroring} run would remove from the list (the
 *     state's members not in the segment), or hold back
 * @param removalsHeldBackReason why the {@link RemovalLimit} would hold all of them back, if it would
 */
public record SegmentPlan(
    String name,
    Optional<String> destinationId,
    Optional<Boolean> destinationExists,
    long read,
    long toAdd,
    long toUpdate,
    long toRetry,
    long unchanged,
    long invalid,
    long duplicates,
    long overCap,
    List<String> fieldsToCreate,
    long batches,
    long toRemove,
    Optional<String> removalsHeldBackReason) {
  /**
   * Checks the parts and that the counts add up.
   *
   * @param name the segment's name
   * @param destinationId the vendor's id of the destination list, when it exists already
   * @param destinationExists whether the list exists at the vendor, when the connector can tell
   * @param read profiles read from the segment
   * @param toAdd profiles to send that the sync state does not know
   * @param toUpdate profiles to send whose mapped fields changed
   * @param toRetry profiles to send again after a rejection or an unconfirmed send
   * @param unchanged profiles not to send
   * @param invalid profiles our validation rejects
   * @param duplicates repeats of an address earlier in the segment
   * @param overCap profiles past the vendor's per-export limit
   * @param fieldsToCreate custom fields the run would create
   * @param batches the batches the run would send
   * @param toRemove members a mirroring run would remove, or hold back
   * @param removalsHeldBackReason why the removal limit would hold them back, if it would
   */
  public SegmentPlan {
    requireNonNull(name, "name == null");
    requireNonNull(destinationId, "destinationId == null");
    requireNonNull(destinationExists, "destinationExists == null");
    fieldsToCreate = List.copyOf(fieldsToCreate);
    requireNonNull(removalsHeldBackReason, "removalsHeldBackReason == null");
    if (read != toAdd + toUpdate + toRetry + unchanged + invalid + duplicates + overCap) {
      throw new IllegalStateException(
          "plan of segment '" + name + "' does not add up: read " + read);
    }
  }

  /** {@return the profiles the run would send} */
  public long toSend() {
    return toAdd + toUpdate + toRetry;
  }
}
