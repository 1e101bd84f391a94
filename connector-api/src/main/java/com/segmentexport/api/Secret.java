package com.segmentexport.api;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import static java.util.Objects.requireNonNull;

/**
 * A credential value (API key, password, token) that never shows itself by accident.
 *
 * <p>{@link #toString()} prints {@code Secret[hidden]}; the real value is only available through an
 * explicit {@link #reveal()} call, which connectors make when they build a request.
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /**
   * Wraps a credential value.
   *
   * @throws IllegalArgumentException if the value is blank
   */
  public static Secret of(String value) {
    requireNonNull(value, "value == null");
    if (value.isBlank()) {
      throw new IllegalArgumentException("secret value is blank");
    }
    return new Secret(value);
  }

  /** Returns the real value. Never log it. */
  public String reveal() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8),
            ((Secret) o).value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return 0; // Deliberately constant: a hash would leak information about the value.
  }

  @Override
  public String toString() {
    return "Secret[hidden]";
  }
}
