package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.spi.CallSpec;
import com.segmentexport.spi.RateBudget;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Calls the vendor rates apart (dotdigital's import status polls) have a budget of their own. */
class AccountBudgetsTest {
  private final RateLimiters registry = new RateLimiters();
  private final RateLimiter main = registry.forAccount("acct", 5);
  private final AccountBudgets budgets = AccountBudgets.of(registry, "acct", main);
  private final CallSpec imports = CallSpec.idempotent("import");
  private final CallSpec polls =
      CallSpec.idempotent("import-status").inBudget(RateBudget.unmetered("status"));

  @Test
  void aCallWithoutABudgetUsesTheAccountsMainOne() {
    assertThat(budgets.limiterFor(imports)).isSameAs(main);
  }

  @Test
  void aPauseOnTheMainBudgetDoesNotHoldTheCallsOfAnother() {
    RateLimiter status = budgets.limiterFor(polls);
    assertThat(status).isNotSameAs(main);
    main.throttled(Duration.ofSeconds(20)); // a 429 on imports
    assertThat(main.pauseRemaining()).isPositive();
    assertThat(status.pauseRemaining()).isNotPositive();
    assertThat(status.reserve()).as("unmetered: no wait").isZero();
    assertThat(status.reserve()).isZero();
  }

  @Test
  void aNamedBudgetIsSharedByEveryRunOnTheAccount() {
    AccountBudgets another = AccountBudgets.of(registry, "acct", registry.forAccount("acct", 5));
    assertThat(another.limiterFor(polls)).isSameAs(budgets.limiterFor(polls));
    AccountBudgets otherAccount =
        AccountBudgets.of(registry, "other", registry.forAccount("other", 5));
    assertThat(otherAccount.limiterFor(polls)).isNotSameAs(budgets.limiterFor(polls));
  }
}
