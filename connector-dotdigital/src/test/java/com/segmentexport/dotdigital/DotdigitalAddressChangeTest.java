package com.segmentexport.dotdigital;

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
import com.segmentexport.testkit.EngineHttp;
import com.segmentexport.testkit.dotdigital.DotdigitalSimulator;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A contact's address changes at dotdigital as the same contact, through the engine's own VendorHttp. */
@Timeout(60)
class DotdigitalAddressChangeTest {
  private static final String USER = "apiuser-7@apiconnector.com";
  private static final String PASSWORD = "pw-7";
  private static final String OLD = "ana+old@example.org";
  private static final String NEW = "ana+new@example.org";

  private DotdigitalSimulator sim;
  private long book;

  @BeforeEach
  void start() {
    sim = new DotdigitalSimulator(USER, PASSWORD).start();
    sim.accountRegion("r2"); // the calls must go to the account's own endpoint
    book = sim.ensureAddressBook("VIP customers");
    sim.addDataField("PROFILEID", "String");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private Connection connection(ConnectorProvider provider) {
    return Connection.builder(provider)
        .setting(StandardSettings.BASE_URL, sim.baseUrl())
        .setting(StandardSettings.REQUESTS_PER_SECOND, "1000")
        .secret(DotdigitalConnectorProvider.USERNAME, Secret.of(USER))
        .secret(DotdigitalConnectorProvider.PASSWORD, Secret.of(PASSWORD))
        .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
        .build();
  }

  private Result change(String oldEmail, String newEmail) {
    return EngineHttp.call(
        new DotdigitalConnectorProvider(),
        this::connection,
        (connector, http) ->
            new DotdigitalAddressChange((DotdigitalConnector) connector, http)
                .change(oldEmail, newEmail));
  }

  private long givenTheContactAtTheOldAddress(String status) {
    sim.addContact(OLD, status, Map.of("PROFILEID", "p-1", "FIRSTNAME", "Ana"));
    sim.addToAddressBook(book, OLD);
    return sim.contactId(OLD).orElseThrow();
  }

  private long patches() {
    return sim.calls().stream().filter(c -> c.method().equals("PATCH")).count();
  }

  @Test
  void theContactKeepsItsIdStatusFieldsAndListsUnderTheNewAddress() {
    long id = givenTheContactAtTheOldAddress(DotdigitalSimulator.UNSUBSCRIBED);

    Result r = change(OLD, NEW);

    assertThat(r.outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(sim.contactId(NEW)).hasValue(id);
    assertThat(sim.contactId(OLD)).isEmpty();
    assertThat(sim.contactStatus(NEW)).hasValue(DotdigitalSimulator.UNSUBSCRIBED);
    assertThat(sim.contactDataFields(NEW))
        .containsEntry("PROFILEID", "p-1")
        .containsEntry("FIRSTNAME", "Ana");
    assertThat(sim.addressBooksOf(NEW)).containsExactly("VIP customers");
    assertThat(sim.contactsWith("PROFILEID", "p-1")).isEqualTo(1);
    assertThat(sim.addressChanges()).isEqualTo(1);
    assertThat(sim.calls())
        .filteredOn(c -> c.path().startsWith("/r2/contacts/v3/"))
        .extracting(c -> c.method())
        .containsExactly("GET", "PATCH");
  }

  @Test
  void anUnknownCurrentAddressWritesNothing() {
    Result r = change(OLD, NEW);

    assertThat(r.outcome()).isEqualTo(Outcome.CURRENT_UNKNOWN);
    assertThat(r.vendorCode()).isEqualTo("contacts:contactNotFound");
    assertThat(r.message()).doesNotContain(OLD);
    assertThat(patches()).isZero();
    assertThat(sim.contactId(NEW)).isEmpty();
  }

  @Test
  void aTakenNewAddressIsReportedAndNothingMerges() {
    givenTheContactAtTheOldAddress(DotdigitalSimulator.SUBSCRIBED);
    sim.addContact(NEW, DotdigitalSimulator.SUBSCRIBED, Map.of("PROFILEID", "p-2"));

    Result r = change(OLD, NEW);

    assertThat(r.outcome()).isEqualTo(Outcome.NEW_ADDRESS_TAKEN);
    assertThat(r.vendorCode()).isEqualTo(DotdigitalAddressChange.ID_ALREADY_EXISTS);
    assertThat(r.message()).doesNotContain(NEW);
    assertThat(sim.contactDataFields(OLD)).containsEntry("PROFILEID", "p-1");
    assertThat(sim.contactDataFields(NEW)).containsEntry("PROFILEID", "p-2");
    assertThat(sim.addressChanges()).isZero();
  }

  @Test
  void anInvalidNewAddressIsRefused() {
    givenTheContactAtTheOldAddress(DotdigitalSimulator.SUBSCRIBED);
    Result r = change(OLD, "not-an-address");
    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.vendorCode()).isEqualTo(DotdigitalAddressChange.INVALID_ID);
    assertThat(sim.contactId(OLD)).isPresent();
  }

  @Test
  void addressesDifferingOnlyInCaseNeedNoCall() {
    givenTheContactAtTheOldAddress(DotdigitalSimulator.SUBSCRIBED);
    assertThat(change(OLD, "Ana+Old@Example.org").outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(sim.requestCount()).isZero();
  }

  @Test
  void theIdempotentChangeIsRepeatedAfterAnUnansweredApplicationAndStillOneContact() {
    long id = givenTheContactAtTheOldAddress(DotdigitalSimulator.SUBSCRIBED);
    sim.faults().failWriteAfterApplying(1, 504);

    Result r = change(OLD, NEW);

    assertThat(r.outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(patches()).isEqualTo(2);
    assertThat(sim.contactId(NEW)).hasValue(id);
    assertThat(sim.contactsWith("PROFILEID", "p-1")).isEqualTo(1);
    assertThat(sim.addressChanges()).isEqualTo(1);
  }

  @Test
  void aWriteThatKeepsFailingIsADestinationError() {
    givenTheContactAtTheOldAddress(DotdigitalSimulator.SUBSCRIBED);
    sim.faults().failEveryWrite(503);

    assertThatThrownBy(() -> change(OLD, NEW)).isInstanceOf(DestinationException.class);
    assertThat(sim.contactId(OLD)).isPresent();
  }
}
