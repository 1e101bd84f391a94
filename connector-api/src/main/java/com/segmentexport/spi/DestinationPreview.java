package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * What a connector can tell about a segment's destination without writing anything, for a plan: whether
 * the list exists and its id, and which custom fields a run would create.
 *
 * @param destinationId the list's id, when it exists
 * @param exists whether the list exists; empty when the connector cannot tell without writing
 * @param fieldsToCreate the custom fields of the mapping the vendor does not have yet
 */
public record DestinationPreview(
    Optional<String> destinationId, Optional<Boolean> exists, List<String> fieldsToCreate) {
  /**
   * Checks the parts.
   *
   * @param destinationId the list's id, when it exists
   * @param exists whether the list exists, when the connector can tell
   * @param fieldsToCreate the custom fields the vendor does not have yet
   */
  public DestinationPreview {
    requireNonNull(destinationId, "destinationId == null");
    requireNonNull(exists, "exists == null");
    fieldsToCreate = List.copyOf(fieldsToCreate);
  }

  /** {@return a preview that knows nothing: a connector that cannot look without writing} */
  public static DestinationPreview unknown() {
    return new DestinationPreview(Optional.empty(), Optional.empty(), List.of());
  }

  /**
   * {@return a preview of a list that exists}
   *
   * @param destinationId the list's id
   * @param fieldsToCreate the custom fields the vendor does not have yet
   */
  public static DestinationPreview existing(String destinationId, List<String> fieldsToCreate) {
    return new DestinationPreview(Optional.of(destinationId), Optional.of(true), fieldsToCreate);
  }

  /**
   * {@return a preview of a list a run would create}
   *
   * @param fieldsToCreate the custom fields the vendor does not have yet
   */
  public static DestinationPreview missing(List<String> fieldsToCreate) {
    return new DestinationPreview(Optional.empty(), Optional.of(false), fieldsToCreate);
  }
}
