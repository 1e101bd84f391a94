package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * The data-privacy and compliance acknowledgement that every connection requires: who agreed that
 * profile data may be sent to the vendor, and when.
 *
 * @param acknowledgedBy the person (or service account) who agreed; never blank
 * @param acknowledgedAt when they agreed
 */
public record PrivacyConsent(String acknowledgedBy, Instant acknowledgedAt) {
  /**
   * Checks that both parts are present.
   *
   * @param acknowledgedBy the person (or service account) who agreed; never blank
   * @param acknowledgedAt when they agreed
   */
  public PrivacyConsent {
    requireNonNull(acknowledgedBy, "acknowledgedBy == null");
    requireNonNull(acknowledgedAt, "acknowledgedAt == null");
    if (acknowledgedBy.isBlank()) {
      throw new IllegalArgumentException("acknowledgedBy is blank");
    }
  }

  /**
   * Records that {@code who} agreed at {@code when}.
   *
   * @param who who acknowledged the data-privacy terms (kept with the connection, never logged)
   * @param when when they did
   * @return the consent
   */
  public static PrivacyConsent acknowledgedBy(String who, Instant when) {
    return new PrivacyConsent(who, when);
  }
}
