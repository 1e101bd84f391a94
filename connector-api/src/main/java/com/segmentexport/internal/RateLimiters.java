package com.segmentexport.internal;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Secret;
import com.segmentexport.api.SettingDescriptor;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.spi.AccountDirectory;
import com.segmentexport.spi.Connector;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;

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
 * <p>An account's limiter and directory are forgotten once nothing uses them and nobody looked them
 * up for {@link #IDLE} (see {@link IdleRegistry}): while an exporter, an export or a waiting call holds
 * one, every look-up of the account returns that same one (one rate per account, never two), and exports
 * run back to back within {@link #IDLE} share its state; a JVM exporting to thousands of accounts over
 * weeks keeps only those it used lately.
 *
 * <p>Public (with {@link #shared()} its only public member) because {@link com.segmentexport.api.Connectors}
 * hands the JVM's registry to each exporter it builds.
 */
public final class RateLimiters {

  /**
   * How long an account's limiter and directory are kept after their last look-up when nothing holds
   * them: well above the directory's {@link AccountDirectory#FRESHNESS}, and long enough for a
   * scheduler's back-to-back exports to share them.
   */
  static final Duration IDLE = Duration.ofMinutes(2);

  private static final RateLimiters SHARED = new RateLimiters();
  private static final byte[] SALT = salt();

  private final IdleRegistry<RateLimiter> limiters;
  private final IdleRegistry<AccountDirectory> directories;

  /** Creates an empty registry (tests); the SDK uses {@link #shared()}. */
  RateLimiters() {
    this(System::nanoTime, IDLE);
  }

  /** Creates an empty registry with its own clock and idle time (tests). */
  RateLimiters(LongSupplier nanoTime, Duration idle) {
    this.limiters = new IdleRegistry<>(nanoTime, idle);
    this.directories = new IdleRegistry<>(nanoTime, idle);
  }

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
    RateLimiter limiter = limiters.get(accountKey, () -> new RateLimiter(requestsPerSecond));
    limiter.setBaseRate(requestsPerSecond);
    return limiter;
  }

  /** The directory of an account's named objects, shared like its limiter. */
  AccountDirectory directory(String accountKey) {
    return directories.get(accountKey, AccountDirectory::create);
  }

  /** The limiters' registry (tests). */
  IdleRegistry<RateLimiter> limiters() {
    return limiters;
  }

  /** The directories' registry (tests). */
  IdleRegistry<AccountDirectory> directories() {
    return directories;
  }

  /** The account a connection's connector sends to: id, endpoint, and a fingerprint of its secrets. */
  static String accountKey(Connection connection, Connector connector) {
    StringBuilder key =
        new StringBuilder(connection.connectorId())
            .append('\n')
            .append(connection.setting(StandardSettings.BASE_URL).map(String::trim).orElse(""))
            .append('\n')
            .append(connector.accountEndpoint())
            .append('\n');
    return hex(key, secretsDigest(connection, SALT)).toString();
  }

  /**
   * The account as the sync state knows it, the same in every JVM and every run: a one-way fingerprint of
   * the connector's id, its endpoint and the connection's secrets (so a rotated credential starts a new
   * state, and the state file holds no credential).
   */
  static String stateAccount(Connection connection, Connector connector) {
    MessageDigest sha = sha256();
    sha.update("segment-export/sync-state/v1\n".getBytes(StandardCharsets.UTF_8));
    sha.update(
        accountKey(connection, connector, secretsDigest(connection, new byte[0]))
            .getBytes(StandardCharsets.UTF_8));
    byte[] digest = Arrays.copyOf(sha.digest(), 16);
    return hex(new StringBuilder(), digest).toString();
  }

  private static String accountKey(Connection connection, Connector connector, byte[] secrets) {
    StringBuilder key =
        new StringBuilder(connection.connectorId())
            .append('\n')
            .append(connection.setting(StandardSettings.BASE_URL).map(String::trim).orElse(""))
            .append('\n')
            .append(connector.accountEndpoint())
            .append('\n');
    return hex(key, secrets).toString();
  }

  private static byte[] secretsDigest(Connection connection, byte[] salt) {
    TreeMap<String, String> secrets = new TreeMap<>();
    for (SettingDescriptor d : connection.provider().settings()) {
      if (d.kind() == SettingDescriptor.Kind.SECRET) {
        Optional<Secret> secret = connection.secret(d.name());
        secret.ifPresent(s -> secrets.put(d.name(), s.reveal()));
      }
    }
    MessageDigest sha = sha256();
    sha.update(salt);
    secrets.forEach(
        (name, value) -> {
          sha.update(name.getBytes(StandardCharsets.UTF_8));
          sha.update((byte) 0);
          sha.update(value.getBytes(StandardCharsets.UTF_8));
          sha.update((byte) 0);
        });
    return sha.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every Java platform has SHA-256", e);
    }
  }

  private static StringBuilder hex(StringBuilder out, byte[] bytes) {
    for (byte b : bytes) {
      out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return out;
  }
}
