package com.segmentexport.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A credential value (API key, password, token) that never shows itself by accident.
 *
 * <p>{@link #toString()} prints {@code Secret[hidden]}; the real value is only available through an
 * explicit {@link #reveal()} call, which connectors make when they build a request.
 *
 * <p>A value that is {@code null} or blank makes a <em>missing</em> secret rather than an exception, so
 * that {@code Secret.of(System.getenv("ITERABLE_API_KEY"))} with the variable unset is reported by
 * {@link Connection.Builder#build()} as a {@link ConfigurationException} naming the credential, together
 * with every other problem of the connection.
 */
public final class Secret {
  private static final Secret MISSING = new Secret(null);

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /**
   * Wraps a credential value; {@code null} or a blank value gives a {@linkplain #isMissing() missing}
   * secret, which a connection refuses when it is built.
   *
   * @param value the credential; {@code null} or blank for a missing one
   * @return the secret, or the missing secret for {@code null} or a blank value
   */
  public static Secret of(String value) {
    return value == null || value.isBlank() ? MISSING : new Secret(value);
  }

  /** {@return true when this secret was made from {@code null} or a blank value} */
  public boolean isMissing() {
    return value == null;
  }

  /**
   * Returns the real value. Never log it.
   *
   * @return the real value
   * @throws IllegalStateException if the secret is {@linkplain #isMissing() missing}
   */
  public String reveal() {
    if (value == null) {
      throw new IllegalStateException(
          "the secret is missing (it was made from null or a blank value)");
    }
    return value;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Secret)) {
      return false;
    }
    Secret other = (Secret) o;
    if (value == null || other.value == null) {
      return value == null && other.value == null;
    }
    return MessageDigest.isEqual(
        value.getBytes(StandardCharsets.UTF_8), other.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return 0; // Deliberately constant: a hash would leak information about the value.
  }

  @Override
  public String toString() {
    return value == null ? "Secret[missing]" : "Secret[hidden]";
  }
}
