package com.segmentexport.internal;

import com.segmentexport.api.Connection;
import com.segmentexport.api.SettingDescriptor;
import com.segmentexport.api.Secret;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.spi.Connector;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The rate budgets of vendor accounts: one {@link RateLimiter} per account, shared by every exporter and
 * export that sends to it in this JVM (this class loader), however many {@link
 * com.segmentexport.api.Connectors} instances the host makes and however often it rebuilds a
 * connection. An account is the connector's id, the connection's {@code baseUrl} setting (given or
 * default), the connector's {@link Connector#accountEndpoint() endpoint} and a one-way fingerprint of the
 * connection's secrets; connection ids play no part.
 *
 * <p>The fingerprint is a SHA-256 of the secrets salted with a random value drawn once per JVM, so it
 * tells nothing about a credential even to a reader of a heap dump; it is never logged.
 *
 * <p>Public (with {@link #shared()} its only public member) because {@link com.segmentexport.api.Connectors}
 * hands the JVM's registry to each exporter it builds.
 */
public final class RateLimiters {
  private static final RateLimiters SHARED = new RateLimiters();
  private static final byte[] SALT = salt();

  private final ConcurrentMap<String, RateLimiter> limiters = new ConcurrentHashMap<>();

  /** Creates an empty registry (tests); the SDK uses {@link #shared()}. */
  RateLimiters() {}

  private static byte[] salt() {
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    return salt;
  }

  /** The registry of this JVM (class loader). */
  public static RateLimiters shared() {
    return SHARED;
  }

  /**
   * The limiter of an account. The rate is the one the latest exporter for the account was configured
   * with: a host that rebuilds its connection with a new rate setting gets that rate.
   */
  RateLimiter forAccount(String accountKey, double requestsPerSecond) {
    RateLimiter limiter = limiters.computeIfAbsent(accountKey, k -> new RateLimiter(requestsPerSecond));
    limiter.setBaseRate(requestsPerSecond);
    return limiter;
  }

  /** The account a connection's connector sends to: id, endpoint, and a fingerprint of its secrets. */
  static String accountKey(Connection connection, Connector connector) {
    TreeMap<String, String> secrets = new TreeMap<>();
    for (SettingDescriptor d : connection.provider().settings()) {
      if (d.kind() == SettingDescriptor.Kind.SECRET) {
        Optional<Secret> secret = connection.secret(d.name());
        secret.ifPresent(s -> secrets.put(d.name(), s.reveal()));
      }
    }
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every Java platform has SHA-256", e);
    }
    sha.update(SALT);
    secrets.forEach((name, value) -> {
      sha.update(name.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(value.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
    });
    StringBuilder key = new StringBuilder(connection.connectorId()).append('\n')
        .append(connection.setting(StandardSettings.BASE_URL).map(String::trim).orElse("")).append('\n')
        .append(connector.accountEndpoint()).append('\n');
    for (byte b : sha.digest()) {
      key.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return key.toString();
  }
}
