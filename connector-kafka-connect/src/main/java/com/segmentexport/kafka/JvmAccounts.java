package com.segmentexport.kafka;

import com.segmentexport.api.Secret;
import com.segmentexport.api.StandardSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the sink's tasks in this worker JVM (this plugin's class loader) share per vendor account: the
 * rate budget they split, and which segments' destination lists are known to exist.
 *
 * <p><b>Rate.</b> The SDK keeps one rate limiter per vendor account per JVM, shared by every export
 * to the account, at the rate of the latest exporter built for it. Each task of a connector is worth
 * {@code account rate ÷ tasks.max}; the tasks of this JVM on one account together get the sum of
 * their shares, and each task builds its exporter at that sum, so that the one shared limiter runs at
 * exactly this JVM's part of the account's budget: two tasks in one worker neither share one
 * limiter at one task's rate nor each get the whole rate.
 *
 * <p><b>First runs.</b> Iterable and Autopilot create a segment's list by name when it is missing; two
 * tasks whose first windows of a segment run at once could both create one. In this JVM the first run
 * of a segment on an account runs alone; once a run found or created the list, any number may run.
 *
 * <p>An account is the connector's id, its base URL and a salted one-way fingerprint of the credentials
 * (as the SDK keys its limiters); nothing in it can be turned back into a credential.
 */
final class JvmAccounts {
  private static final byte[] SALT = new byte[16];

  static {
    new SecureRandom().nextBytes(SALT);
  }

  private static final Map<String, Map<Object, Double>> SHARES = new HashMap<>();
  private static final Set<String> ESTABLISHED = new HashSet<>();
  private static final Map<String, Object> FIRST_RUNS = new HashMap<>();

  private JvmAccounts() {}

  static String account(
      String connectorId, Map<String, String> settings, Map<String, Secret> secrets) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every Java platform has SHA-256", e);
    }
    sha.update(SALT);
    new TreeMap<>(secrets)
        .forEach(
            (name, secret) -> {
              sha.update(name.getBytes(StandardCharsets.UTF_8));
              sha.update((byte) 0);
              sha.update(secret.reveal().getBytes(StandardCharsets.UTF_8));
              sha.update((byte) 0);
            });
    StringBuilder key =
        new StringBuilder(connectorId)
            .append('\n')
            .append(settings.getOrDefault(StandardSettings.BASE_URL, ""))
            .append('\n');
    for (byte b : sha.digest()) {
      key.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return key.toString();
  }

  /** A task of this JVM sends to the account with this share of its rate. */
  static synchronized void join(String account, Object task, double share) {
    SHARES.computeIfAbsent(account, k -> new HashMap<>()).put(task, share);
  }

  /** The task stopped. */
  static synchronized void leave(String account, Object task) {
    Map<Object, Double> shares = SHARES.get(account);
    if (shares != null) {
      shares.remove(task);
      if (shares.isEmpty()) {
        SHARES.remove(account);
        // No task of this JVM sends to the account any more: forget its segments (a later first run
        // of one runs alone again, as in a new worker), so a worker's memory follows its tasks.
        String prefix = account + '\n';
        ESTABLISHED.removeIf(key -> key.startsWith(prefix));
      }
    }
  }

  /** The rate this JVM's tasks on the account have together (0 when none joined). */
  static synchronized double rate(String account) {
    Map<Object, Double> shares = SHARES.get(account);
    return shares == null ? 0 : shares.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /**
   * Whether a window of this segment may start now: always once the segment's list is known, else
   * only as the one first run of the segment in this JVM.
   */
  static synchronized boolean mayStart(String account, String segment, Object window) {
    String key = account + '\n' + segment;
    if (ESTABLISHED.contains(key)) {
      return true;
    }
    Object owner = FIRST_RUNS.putIfAbsent(key, window);
    return owner == null || owner == window;
  }

  /** A run of the segment ended; {@code established} when it found or created the list. */
  static synchronized void ended(
      String account, String segment, Object window, boolean established) {
    String key = account + '\n' + segment;
    if (established) {
      ESTABLISHED.add(key);
    }
    FIRST_RUNS.remove(key, window);
  }
}
