package com.segmentexport.internal;

import static java.util.Objects.requireNonNull;

import com.segmentexport.spi.CallSpec;
import com.segmentexport.spi.RateBudget;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rate budgets of one vendor account as a run sees them: the main one, and the named
 * {@link RateBudget}s some calls use, each a {@link RateLimiter} shared through the JVM's
 * {@link RateLimiters}.
 */
final class AccountBudgets {
  private final RateLimiter main;
  private final RateLimiters registry;
  private final String accountKey;

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
