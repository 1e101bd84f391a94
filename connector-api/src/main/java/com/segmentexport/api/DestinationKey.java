package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

/**
 * Which destination a state belongs to: a list of one vendor account.
 *
 * @param connectorId the connector's id, e.g. {@code iterable}
 * @param account a stable one-way fingerprint of the vendor account (endpoint and credentials), never a
 *     credential; the same for every connection to the account
 * @param destinationId the vendor's id of the list
 */
public record DestinationKey(String connectorId, String account, String destinationId) {
  /**
   * Checks the parts.
   *
   * @param connectorId the connector's id, e.g. {@code iterable}
   * @param account a stable one-way fingerprint of the vendor account
   * @param destinationId the vendor's id of the list
   */
  public DestinationKey {
    requireNonNull(connectorId, "connectorId == null");
    requireNonNull(account, "account == null");
    requireNonNull(destinationId, "destinationId == null");
    if (connectorId.isEmpty() || account.isEmpty() || destinationId.isEmpty()) {
      throw new IllegalArgumentException(
          "a destination key's parts must not be empty: "
              + connectorId
              + "/"
              + account
              + "/"
              + destinationId);
    }
  }
}
