package com.segmentexport.internal;

import static java.util.Objects.requireNonNull;

import com.segmentexport.spi.AccountDirectory;
import com.segmentexport.spi.CallSpec;
import com.segmentexport.spi.RateBudget;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rate budgets of one vendor account as a run sees them: the main one, and the named
 * {@link RateBudget}s some calls use, each a {@link RateLimiter} shared through the JVM's
 * {@link RateLimiters}; and the account's {@link AccountDirectory}, shared the same way.
 */
final class AccountBudgets {
  private final RateLimiter main;
  private final RateLimiters registry;
  private final String accountKey;

  /** The directory when no registry is given. */
  private final AccountDirectory localDirectory = AccountDirectory.create();

  /** Named budgets when no registry is given (a limiter handed in by a test). */
  private final Map<String, RateLimiter> local = new ConcurrentHashMap<>();

  private AccountBudgets(RateLimiter main, RateLimiters registry, String accountKey) {
    this.main = requireNonNull(main, "main == null");
    this.registry = registry;
    this.accountKey = accountKey;
  }

  /** The budgets of an account in a registry. */
  static AccountBudgets of(RateLimiters registry, String accountKey, RateLimiter main) {
    return new AccountBudgets(
        main,
        requireNonNull(registry, "registry == null"),
        requireNonNull(accountKey, "accountKey == null"));
  }

  /** A main budget alone; named budgets get limiters of their own, kept here. */
  static AccountBudgets of(RateLimiter main) {
    return new AccountBudgets(main, null, null);
  }

  /** The account's directory of named objects: the registry's, shared by the JVM's exports. */
  AccountDirectory directory() {
    return registry == null ? localDirectory : registry.directory(accountKey);
  }

  /** The limiter that paces and pauses this call. */
  RateLimiter limiterFor(CallSpec spec) {
    RateBudget budget = spec.budget();
    if (budget == null) {
      return main;
    }
    if (registry == null) {
      return local.computeIfAbsent(budget.name(), n -> new RateLimiter(budget.requestsPerSecond()));
    }
    return registry.forAccount(accountKey + "\n#" + budget.name(), budget.requestsPerSecond());
  }
}
