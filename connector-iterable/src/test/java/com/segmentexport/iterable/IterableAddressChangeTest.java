package com.segmentexport.iterable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.Connection;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Secret;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.spi.AddressChange.Outcome;
import com.segmentexport.spi.AddressChange.Result;
import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.spi.OutcomeUnknownException;
import com.segmentexport.testkit.EngineHttp;
import com.segmentexport.testkit.VendorSimulator;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A user's address changes at Iterable as the same user, through the engine's own VendorHttp. */
@Timeout(60)
class IterableAddressChangeTest {
  private static final String KEY = "server-key-test-91b7";
  private static final String OLD = "ana.old@example.org";
  private static final String NEW = "ana.new@example.org";

  private IterableSimulator sim;
  private long list;

  @BeforeEach
  void start() {
    sim = new IterableSimulator(KEY).start();
    list = sim.createList("VIP customers", "Standard");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private Connection connection(ConnectorProvider provider) {
    return Connection.builder(provider)
        .setting(StandardSettings.BASE_URL, sim.baseUrl())
        .setting(StandardSettings.REQUESTS_PER_SECOND, "1000")
        .secret(IterableConnectorProvider.API_KEY, Secret.of(KEY))
        .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
        .build();
  }

  private Result change(String oldEmail, String newEmail) {
    return EngineHttp.call(
        new IterableConnectorProvider(),
        this::connection,
        (connector, http) ->
            new IterableAddressChange((IterableConnector) connector, http)
                .change(oldEmail, newEmail));
  }

  private void givenTheUserAtTheOldAddress() {
    sim.addUser(OLD, Map.of("profileId", "p-1", "tier", "gold"));
    sim.addListMember(list, OLD);
  }

  private long updateEmailCalls() {
    return sim.calls().stream().filter(c -> c.path().equals("/api/users/updateEmail")).count();
  }

  @Test
  void theUserKeepsItsDataAndListsUnderTheNewAddress() {
    givenTheUserAtTheOldAddress();

    Result r = change(OLD, NEW);

    assertThat(r.outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(sim.hasUser(OLD)).isFalse();
    assertThat(sim.dataFields(NEW)).containsEntry("profileId", "p-1").containsEntry("tier", "gold");
    assertThat(sim.members("VIP customers")).containsExactly(NEW);
    assertThat(sim.usersWith("profileId", "p-1")).isEqualTo(1);
    assertThat(sim.addressChanges()).isEqualTo(1);
    assertThat(sim.calls())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.method()).isEqualTo("POST");
              assertThat(c.path()).isEqualTo("/api/users/updateEmail");
            });
  }

  @Test
  void anUnknownCurrentAddressIsReportedSoThatTheCallerAddsTheNewOne() {
    Result r = change(OLD, NEW);

    assertThat(r.outcome()).isEqualTo(Outcome.CURRENT_UNKNOWN);
    assertThat(r.vendorCode()).isEqualTo("BadParams");
    assertThat(r.message()).contains("User does not exist").doesNotContain(OLD).doesNotContain(NEW);
    assertThat(sim.hasUser(NEW)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(ints = {409, 400})
  void aTakenNewAddressIsReportedWhateverItsStatusAndNothingMerges(int status) {
    givenTheUserAtTheOldAddress();
    sim.addUser(NEW, Map.of("profileId", "p-2"));
    sim.emailConflictStatus(status);

    Result r = change(OLD, NEW);

    assertThat(r.outcome()).isEqualTo(Outcome.NEW_ADDRESS_TAKEN);
    assertThat(r.vendorCode()).isEqualTo(IterableAddressChange.EMAIL_ALREADY_EXISTS);
    assertThat(r.message()).doesNotContain(NEW);
    assertThat(sim.dataFields(OLD)).containsEntry("profileId", "p-1");
    assertThat(sim.dataFields(NEW)).containsEntry("profileId", "p-2");
    assertThat(sim.addressChanges()).isZero();
    assertThat(updateEmailCalls()).isEqualTo(1);
  }

  @Test
  void aForgottenOrInvalidNewAddressIsRefused() {
    givenTheUserAtTheOldAddress();
    sim.rejectAddress(NEW, "forgottenEmails");
    Result forgotten = change(OLD, NEW);
    assertThat(forgotten.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(forgotten.message()).contains("forgotten list");

    Result invalid = change(OLD, "not-an-address");
    assertThat(invalid.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(invalid.vendorCode()).isEqualTo("InvalidEmailAddressError");
    assertThat(sim.hasUser(OLD)).isTrue();
  }

  @Test
  void addressesDifferingOnlyInCaseNeedNoCall() {
    givenTheUserAtTheOldAddress();
    assertThat(change(OLD, OLD.toUpperCase(java.util.Locale.ROOT)).outcome())
        .isEqualTo(Outcome.CHANGED);
    assertThat(sim.requestCount()).isZero();
  }

  @Test
  void aChangeAppliedButUnansweredIsNeverRepeatedAndIsConfirmedByReadingBack() {
    givenTheUserAtTheOldAddress();
    sim.faults().failWriteAfterApplying(1, 504);

    Result r = change(OLD, NEW);

    assertThat(r.outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(updateEmailCalls()).isEqualTo(1);
    assertThat(sim.addressChanges()).isEqualTo(1);
    assertThat(sim.usersWith("profileId", "p-1")).isEqualTo(1);
  }

  @Test
  void aDroppedConnectionAfterTheChangeIsResolvedTheSameWay() {
    givenTheUserAtTheOldAddress();
    sim.faults().dropWriteAfterApplying(1);

    assertThat(change(OLD, NEW).outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(updateEmailCalls()).isEqualTo(1);
  }

  @Test
  void aChangeThatFailedAndWasNotMadeIsSentOnceMoreOnlyAfterReadingBack() {
    givenTheUserAtTheOldAddress();
    sim.faults().failWrite(1, 503);

    Result r = change(OLD, NEW);

    assertThat(r.outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(updateEmailCalls()).isEqualTo(2);
    assertThat(sim.calls())
        .extracting(VendorSimulator.Call::path)
        .containsExactly(
            "/api/users/updateEmail",
            "/api/users/getByEmail",
            "/api/users/getByEmail",
            "/api/users/updateEmail");
    assertThat(sim.addressChanges()).isEqualTo(1);
  }

  @Test
  void anAmbiguousFailureTheReadsCannotSettleIsLeftToTheCaller() {
    givenTheUserAtTheOldAddress();
    sim.addUser(NEW, Map.of("profileId", "p-2"));
    sim.faults().failWrite(1, 502);

    assertThatThrownBy(() -> change(OLD, NEW)).isInstanceOf(OutcomeUnknownException.class);
    assertThat(updateEmailCalls()).isEqualTo(1);
  }

  @Test
  void aThrottledChangeIsRepeatedAsIterableWasNotReached() {
    givenTheUserAtTheOldAddress();
    sim.faults().throttleWrite(1, Duration.ofSeconds(1));

    assertThat(change(OLD, NEW).outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(updateEmailCalls()).isEqualTo(2);
    assertThat(sim.addressChanges()).isEqualTo(1);
  }

  @Test
  void anyOtherRefusalIsADestinationError() {
    givenTheUserAtTheOldAddress();
    sim.faults().failWrite(1, 400);

    assertThatThrownBy(() -> change(OLD, NEW))
        .isInstanceOf(DestinationException.class)
        .isNotInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("change a user's address");
    assertThat(sim.hasUser(OLD)).isTrue();
  }
}
