package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Secret;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the tasks of one worker JVM split and share a vendor account's rate. */
class JvmAccountsTest {
  private static String account(String key) {
    return JvmAccounts.account(
        "iterable", Map.of("baseUrl", "http://127.0.0.1:1"), Map.of("apiKey", Secret.of(key)));
  }

  @Test
  void theTasksOfOneJvmOnOneAccountGetTheSumOfTheirShares() {
    String account = account("key-a");
    Object task1 = new Object();
    Object task2 = new Object();
    // tasks.max = 4, vendor rate 100/s: each task is worth 25/s.
    JvmAccounts.join(account, task1, 25);
    assertThat(JvmAccounts.rate(account)).isEqualTo(25);
    JvmAccounts.join(account, task2, 25);
    assertThat(JvmAccounts.rate(account)).isEqualTo(50);
    JvmAccounts.leave(account, task1);
    assertThat(JvmAccounts.rate(account)).isEqualTo(25);
    JvmAccounts.leave(account, task2);
    assertThat(JvmAccounts.rate(account)).isZero();
  }

  @Test
  void anotherCredentialIsAnotherAccountAndTheKeyHoldsNoSecret() {
    assertThat(account("key-a")).isEqualTo(account("key-a")).isNotEqualTo(account("key-b"));
    assertThat(account("key-a")).doesNotContain("key-a");
  }

  @Test
  void onlyOneFirstRunOfASegmentAtATimeUntilItsListIsKnown() {
    String account = account("key-c");
    Object w1 = new Object();
    Object w2 = new Object();
    assertThat(JvmAccounts.mayStart(account, "VIP", w1)).isTrue();
    assertThat(JvmAccounts.mayStart(account, "VIP", w2)).isFalse();
    assertThat(JvmAccounts.mayStart(account, "Other", w2)).isTrue();
    JvmAccounts.ended(account, "VIP", w1, false);
    assertThat(JvmAccounts.mayStart(account, "VIP", w2)).isTrue();
    JvmAccounts.ended(account, "VIP", w2, true);
    assertThat(JvmAccounts.mayStart(account, "VIP", w1)).isTrue();
    assertThat(JvmAccounts.mayStart(account, "VIP", new Object())).isTrue();
  }

  @Test
  void theSegmentsOfAnAccountAreForgottenWhenItsLastTaskLeaves() {
    String account = account("key-d");
    Object task = new Object();
    Object w1 = new Object();
    JvmAccounts.join(account, task, 10);
    assertThat(JvmAccounts.mayStart(account, "VIP", w1)).isTrue();
    JvmAccounts.ended(account, "VIP", w1, true);
    assertThat(JvmAccounts.mayStart(account, "VIP", new Object())).as("known").isTrue();
    JvmAccounts.leave(account, task);
    Object w2 = new Object();
    assertThat(JvmAccounts.mayStart(account, "VIP", w2)).as("a first run again").isTrue();
    assertThat(JvmAccounts.mayStart(account, "VIP", new Object())).isFalse();
    JvmAccounts.ended(account, "VIP", w2, false);
  }
}
