package com.segmentexport.autopilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.Connection;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Secret;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.spi.AddressChange.Outcome;
import com.segmentexport.spi.AddressChange.Result;
import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.spi.OutcomeUnknownException;
import com.segmentexport.testkit.EngineHttp;
import com.segmentexport.testkit.autopilot.AutopilotSimulator;
import com.segmentexport.testkit.autopilot.AutopilotSimulator.TakenNewAddress;
import com.segmentexport.testkit.autopilot.AutopilotSimulator.UnknownCurrentAddress;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A contact's address changes at Autopilot as the same contact, under every reading of what Autopilot
 * leaves undocumented, through the engine's own VendorHttp.
 */
@Timeout(60)
class AutopilotAddressChangeTest {
  private static final String KEY = "ap-key-3f1";
  private static final String OLD = "ana+old@example.org";
  private static final String NEW = "ana+new@example.org";
  private static final String PROFILE = "string--Profile--Id";

  private AutopilotSimulator sim;
  private String list;

  @BeforeEach
  void start() {
    sim = new AutopilotSimulator(KEY).start();
    list = sim.createList("VIP customers");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private Connection connection(ConnectorProvider provider) {
    return Connection.builder(provider)
        .setting(StandardSettings.BASE_URL, sim.baseUrl())
        .setting(StandardSettings.REQUESTS_PER_SECOND, "2000")
        .secret(AutopilotConnectorProvider.API_KEY, Secret.of(KEY))
        .privacyConsent(PrivacyConsent.acknowledgedBy("test@segmentexport.test", Instant.now()))
        .build();
  }

  private Result change(String oldEmail, String newEmail) {
    return EngineHttp.call(
        new AutopilotConnectorProvider(),
        this::connection,
        (connector, http) ->
            new AutopilotAddressChange((AutopilotConnector) connector, http)
                .change(oldEmail, newEmail));
  }

  private String givenTheContactAtTheOldAddress() {
    sim.addContact(OLD, Map.of("FirstName", "Ana", PROFILE, "p-1"));
    sim.addListMember(list, OLD);
    return sim.contactIdOf(OLD).orElseThrow();
  }

  private long changeCalls() {
    return sim.calls().stream()
        .filter(c -> c.method().equals("POST") && c.path().equals("/v1/contact"))
        .count();
  }

  @Test
  void theContactKeepsItsIdFieldsAndListsUnderTheNewAddress() {
    String id = givenTheContactAtTheOldAddress();

    Result r = change(OLD, NEW);

    assertThat(r.outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(sim.contactIdOf(NEW)).hasValue(id);
    assertThat(sim.contactsWithAddress(OLD)).isZero();
    assertThat(sim.contactsWithAddress(NEW)).isEqualTo(1);
    assertThat(sim.contactFields(NEW))
        .containsEntry("FirstName", "Ana")
        .containsEntry(PROFILE, "p-1");
    assertThat(sim.listsOf(NEW)).containsExactly("VIP customers");
    assertThat(sim.contactsWith(PROFILE, "p-1")).isEqualTo(1);
    assertThat(sim.addressChanges()).isEqualTo(1);
    assertThat(changeCalls()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(UnknownCurrentAddress.class)
  void anUnknownCurrentAddressSendsNoChangeUnderEitherReading(UnknownCurrentAddress reading) {
    sim.unknownCurrentAddress(reading);

    Result r = change(OLD, NEW);

    assertThat(r.outcome()).isEqualTo(Outcome.CURRENT_UNKNOWN);
    assertThat(changeCalls()).isZero();
    assertThat(sim.contactsWithAddress(NEW)).isZero();
    assertThat(sim.contactsCreatedByAddressChange()).isZero();
  }

  @ParameterizedTest
  @EnumSource(TakenNewAddress.class)
  void aTakenNewAddressSendsNoChangeUnderEitherReading(TakenNewAddress reading) {
    givenTheContactAtTheOldAddress();
    sim.addContact(NEW, Map.of(PROFILE, "p-2"));
    sim.takenNewAddress(reading);

    Result r = change(OLD, NEW);

    assertThat(r.outcome()).isEqualTo(Outcome.NEW_ADDRESS_TAKEN);
    assertThat(r.message()).doesNotContain(NEW);
    assertThat(changeCalls()).isZero();
    assertThat(sim.contactsWithAddress(NEW)).isEqualTo(1);
    assertThat(sim.contactFields(OLD)).containsEntry(PROFILE, "p-1");
    assertThat(sim.sharedAddressChanges()).isZero();
  }

  @Test
  void aChangeAppliedButUnansweredIsNeverRepeatedAndIsConfirmedByReadingBack() {
    String id = givenTheContactAtTheOldAddress();
    sim.faults().failWriteAfterApplying(1, 504);

    Result r = change(OLD, NEW);

    assertThat(r.outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(changeCalls()).isEqualTo(1);
    assertThat(sim.contactIdOf(NEW)).hasValue(id);
    assertThat(sim.contactsWithAddress(OLD)).isZero();
    assertThat(sim.contactsWith(PROFILE, "p-1")).isEqualTo(1);
  }

  @Test
  void aChangeThatFailedAndWasNotMadeIsSentOnceMoreOnlyAfterReadingBack() {
    String id = givenTheContactAtTheOldAddress();
    sim.faults().dropWrite(1);

    assertThat(change(OLD, NEW).outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(changeCalls()).isEqualTo(2);
    assertThat(sim.contactIdOf(NEW)).hasValue(id);
    assertThat(sim.addressChanges()).isEqualTo(1);
  }

  @Test
  void aChangeFailingAmbiguouslyTwiceIsSentAtMostTwiceAndLeftToTheCaller() {
    givenTheContactAtTheOldAddress();
    sim.faults().failWrite(1, 503).failWrite(2, 502);

    assertThatThrownBy(() -> change(OLD, NEW)).isInstanceOf(OutcomeUnknownException.class);
    assertThat(changeCalls()).isEqualTo(2);
    assertThat(sim.contactsWithAddress(OLD)).isEqualTo(1);
  }

  @Test
  void aRefusedChangeIsReportedWithAutopilotsError() {
    givenTheContactAtTheOldAddress();

    Result r = change(OLD, "not-an-address");

    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.vendorCode()).isEqualTo("Bad Request");
    assertThat(sim.contactsWithAddress(OLD)).isEqualTo(1);
  }

  @Test
  void identicalAddressesNeedNoCall() {
    givenTheContactAtTheOldAddress();
    assertThat(change(OLD, OLD).outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(sim.requestCount()).isZero();
  }

  @Test
  void aCaseOnlyChangeInACaseInsensitiveAccountIsTheSameContact() {
    String id = givenTheContactAtTheOldAddress();
    assertThat(change(OLD, "Ana+Old@example.org").outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(sim.contactIdOf(OLD)).hasValue(id);
    assertThat(sim.contactsWith(PROFILE, "p-1")).isEqualTo(1);
  }
}
