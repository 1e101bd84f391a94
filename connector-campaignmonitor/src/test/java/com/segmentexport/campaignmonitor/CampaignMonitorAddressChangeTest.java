package com.segmentexport.campaignmonitor;

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
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.function.UnaryOperator;
import okhttp3.Credentials;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A subscriber's address changes on a Campaign Monitor list as the same record, through the engine's VendorHttp. */
@Timeout(60)
class CampaignMonitorAddressChangeTest {
  private static final String KEY = "cm-key-77";
  private static final String OLD = "ana.old@example.org";
  private static final String NEW = "ana.new@example.org";

  private CampaignMonitorSimulator sim;
  private String list;

  @BeforeEach
  void start() {
    sim = new CampaignMonitorSimulator(KEY).start();
    list = sim.createList("VIP customers");
    sim.addCustomField(list, "ProfileId", "Text");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private Connection connection(
      ConnectorProvider provider, UnaryOperator<Connection.Builder> credentials) {
    return credentials
        .apply(
            Connection.builder(provider)
                .setting(StandardSettings.BASE_URL, sim.baseUrl())
                .setting(StandardSettings.REQUESTS_PER_SECOND, "1000")
                .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now())))
        .build();
  }

  private Result change(
      String oldEmail, String newEmail, UnaryOperator<Connection.Builder> credentials) {
    return EngineHttp.call(
        new CampaignMonitorConnectorProvider(),
        p -> connection(p, credentials),
        (connector, http) ->
            new CampaignMonitorAddressChange((CampaignMonitorConnector) connector, http, list)
                .change(oldEmail, newEmail));
  }

  private Result change(String oldEmail, String newEmail) {
    return change(
        oldEmail,
        newEmail,
        b -> b.secret(CampaignMonitorConnectorProvider.API_KEY, Secret.of(KEY)));
  }

  /** The subscriber at the old address, with a name, consent and profile id, imported as the connector would. */
  private String givenTheSubscriberAtTheOldAddress() {
    String body =
        "{\"Subscribers\":[{\"EmailAddress\":\""
            + OLD
            + "\",\"Name\":\"Ana\",\"ConsentToTrack\":\"Yes\","
            + "\"CustomFields\":[{\"Key\":\"ProfileId\",\"Value\":\"p-1\"}]}],\"Resubscribe\":false}";
    Request request =
        new Request.Builder()
            .url(sim.baseUrl() + "subscribers/" + list + "/import.json")
            .header("Authorization", Credentials.basic(KEY, "x"))
            .post(RequestBody.create(body, MediaType.get("application/json")))
            .build();
    try (Response r = new OkHttpClient().newCall(request).execute()) {
      assertThat(r.code()).isEqualTo(201);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sim.resetCounters();
    return sim.listJoinedDate(list, OLD).orElseThrow();
  }

  private long updates() {
    return sim.calls().stream().filter(c -> c.method().equals("PUT")).count();
  }

  @Test
  void theSubscriberKeepsItsStateJoinDateNameAndFieldsUnderTheNewAddress() {
    String joined = givenTheSubscriberAtTheOldAddress();

    Result r = change(OLD, NEW);

    assertThat(r.outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(sim.subscriber(list, OLD)).isEmpty();
    assertThat(sim.subscriber(list, NEW))
        .hasValueSatisfying(
            s -> {
              assertThat(s.state()).isEqualTo(CampaignMonitorSimulator.ACTIVE);
              assertThat(s.name()).isEqualTo("Ana");
              assertThat(s.consentToTrack()).isEqualTo("Yes");
              assertThat(s.customFields()).containsEntry("ProfileId", "p-1");
            });
    assertThat(sim.listJoinedDate(list, NEW)).hasValue(joined);
    assertThat(sim.subscribersWith(list, "ProfileId", "p-1")).isEqualTo(1);
    assertThat(sim.addressChanges()).isEqualTo(1);
    assertThat(updates()).isEqualTo(1);
  }

  @Test
  void anUnsubscribedSubscriberIsRenamedAndStaysUnsubscribed() {
    sim.addSubscriber(list, OLD, CampaignMonitorSimulator.UNSUBSCRIBED);
    assertThat(change(OLD, NEW).outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(sim.subscriber(list, NEW).orElseThrow().state())
        .isEqualTo(CampaignMonitorSimulator.UNSUBSCRIBED);
  }

  @Test
  void anAddressNotOnTheListIsReportedSoThatTheCallerAddsTheNewOne() {
    Result r = change(OLD, NEW);

    assertThat(r.outcome()).isEqualTo(Outcome.CURRENT_UNKNOWN);
    assertThat(r.vendorCode()).isEqualTo("203");
    assertThat(sim.subscriber(list, NEW)).isEmpty();
  }

  @Test
  void aNewAddressAlreadyOnTheListIsReportedAndNothingMerges() {
    givenTheSubscriberAtTheOldAddress();
    sim.addSubscriber(list, NEW, CampaignMonitorSimulator.DELETED);

    Result r = change(OLD, NEW);

    assertThat(r.outcome()).isEqualTo(Outcome.NEW_ADDRESS_TAKEN);
    assertThat(r.vendorCode()).isEqualTo("201");
    assertThat(sim.subscriber(list, OLD).orElseThrow().customFields())
        .containsEntry("ProfileId", "p-1");
    assertThat(sim.subscriber(list, NEW).orElseThrow().state())
        .isEqualTo(CampaignMonitorSimulator.DELETED);
    assertThat(sim.addressChanges()).isZero();
  }

  @Test
  void anInvalidNewAddressIsRefused() {
    givenTheSubscriberAtTheOldAddress();
    Result r = change(OLD, "not-an-address");
    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.vendorCode()).isEqualTo("211");
  }

  @Test
  void addressesDifferingOnlyInCaseNeedNoCall() {
    givenTheSubscriberAtTheOldAddress();
    assertThat(change(OLD, "Ana.Old@Example.org").outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(sim.requestCount()).isZero();
  }

  @Test
  void aChangeAppliedButUnansweredIsNeverRepeatedAndIsConfirmedByReadingBack() {
    givenTheSubscriberAtTheOldAddress();
    sim.faults().failWriteAfterApplying(sim.writeCount() + 1, 504);

    assertThat(change(OLD, NEW).outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(updates()).isEqualTo(1);
    assertThat(sim.addressChanges()).isEqualTo(1);
    assertThat(sim.subscribersWith(list, "ProfileId", "p-1")).isEqualTo(1);
  }

  @Test
  void aChangeThatFailedAndWasNotMadeIsSentOnceMoreOnlyAfterReadingBack() {
    givenTheSubscriberAtTheOldAddress();
    sim.faults().failWrite(sim.writeCount() + 1, 500);

    assertThat(change(OLD, NEW).outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(updates()).isEqualTo(2);
    assertThat(sim.addressChanges()).isEqualTo(1);
  }

  @Test
  void aChangeFailingAmbiguouslyTwiceIsLeftToTheCaller() {
    givenTheSubscriberAtTheOldAddress();
    int next = sim.writeCount() + 1;
    sim.faults().dropWrite(next).failWrite(next + 1, 502);

    assertThatThrownBy(() -> change(OLD, NEW)).isInstanceOf(OutcomeUnknownException.class);
    assertThat(updates()).isEqualTo(2);
    assertThat(sim.subscriber(list, OLD)).isPresent();
  }

  @Test
  void anExpiredTokenIsRefreshedAndTheUnappliedChangeSentAgain() {
    givenTheSubscriberAtTheOldAddress();
    sim.oauthTokens("access-1", "refresh-1").expireAccessToken();

    Result r =
        change(
            OLD,
            NEW,
            b ->
                b.secret(CampaignMonitorConnectorProvider.ACCESS_TOKEN, Secret.of("access-1"))
                    .secret(CampaignMonitorConnectorProvider.REFRESH_TOKEN, Secret.of("refresh-1"))
                    .setting(CampaignMonitorConnectorProvider.OAUTH_TOKEN_URL, sim.tokenUrl()));

    assertThat(r.outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(sim.tokenRefreshes()).isEqualTo(1);
    assertThat(sim.addressChanges()).isEqualTo(1);
  }

  @Test
  void anUnknownListIsADestinationError() {
    list = sim.foreignListId();
    assertThatThrownBy(() -> change(OLD, NEW))
        .isInstanceOf(DestinationException.class)
        .isNotInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("change a subscriber's address");
  }
}
