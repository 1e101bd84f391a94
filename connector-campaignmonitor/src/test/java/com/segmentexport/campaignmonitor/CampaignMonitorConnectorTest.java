package com.segmentexport.campaignmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.LimitExceededException;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.RetryPolicy;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.api.SyncMode;
import com.segmentexport.testkit.VendorSimulator;
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator;
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator.UnknownListAnswer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Campaign-Monitor-specific behaviour, end to end against the simulator. */
@Timeout(60)
class CampaignMonitorConnectorTest {
  private static final String KEY = "test-api-key-0123";
  private static final RetryPolicy FAST =
      RetryPolicy.DEFAULT.withDelays(Duration.ofMillis(20), Duration.ofMillis(200));

  private CampaignMonitorSimulator sim;
  private String list;

  @BeforeEach
  void start() {
    sim = new CampaignMonitorSimulator(KEY).start();
    list = sim.createList("Newsletter");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private Connection connection(UnaryOperator<Connection.Builder> credentials) {
    return credentials
        .apply(
            Connection.builder(new CampaignMonitorConnectorProvider())
                .setting(StandardSettings.BASE_URL, sim.baseUrl())
                .setting(StandardSettings.REQUESTS_PER_SECOND, "1000")
                .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now())))
        .build();
  }

  private Connection connection() {
    return connection(b -> b.secret(CampaignMonitorConnectorProvider.API_KEY, Secret.of(KEY)));
  }

  private Connection oauth(String access, String refresh) {
    return connection(
        b -> {
          b.secret(CampaignMonitorConnectorProvider.ACCESS_TOKEN, Secret.of(access))
              .setting(CampaignMonitorConnectorProvider.OAUTH_TOKEN_URL, sim.tokenUrl());
          return refresh == null
              ? b
              : b.secret(CampaignMonitorConnectorProvider.REFRESH_TOKEN, Secret.of(refresh));
        });
  }

  private static FieldMapping names() {
    return FieldMapping.builder().email("email").firstName("first").lastName("last").build();
  }

  private ExportDefinition definition(
      Connection c, FieldMapping mapping, String listId, String... options) {
    ExportDefinition.Builder b =
        ExportDefinition.builder(c)
            .segments("S")
            .mapping(mapping)
            .option(CampaignMonitorConnectorProvider.LIST_ID, listId);
    for (int i = 0; i < options.length; i += 2) {
      b.option(options[i], options[i + 1]);
    }
    return b.build();
  }

  private static List<Profile> people(int n) {
    List<Profile> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          Profile.of(
              "email", "person" + i + "@example.org", "first", "First" + i, "last", "Last" + i));
    }
    return out;
  }

  private static ExportResult export(
      Connection c, ExportDefinition d, List<Profile> profiles, ExportListener l) {
    try (SegmentExporter exporter =
        Connectors.of(new CampaignMonitorConnectorProvider()).exporter(c)) {
      return exporter.export(
          d,
          name -> Segment.of("S", profiles),
          ExportOptions.DEFAULT
              .withRetryPolicy(FAST)
              .withListener(l)
              .withRejectedSampleSize(100_000));
    }
  }

  private static ExportResult export(Connection c, ExportDefinition d, List<Profile> profiles) {
    return export(c, d, profiles, ExportListener.NONE);
  }

  private ExportResult export(List<Profile> profiles, String... options) {
    Connection c = connection();
    return export(c, definition(c, names(), list, options), profiles);
  }

  private static RejectedRecord rejection(ExportResult result, long row) {
    return result.rejectedSample().stream()
        .filter(r -> r.row() == row)
        .findFirst()
        .orElseThrow(() -> new AssertionError("row " + row + " was not rejected"));
  }

  // ---- connection ----------------------------------------------------------------------------

  @Test
  void theSettingsAreDescribedOnceNotForEveryExport() {
    CampaignMonitorConnectorProvider provider = new CampaignMonitorConnectorProvider();
    assertThat(provider.settings()).isSameAs(provider.settings()).isNotEmpty();
  }

  @Test
  void defaultsToTheVersion33BaseUrlAndSendsOnlyJsonPaths() {
    assertThat(new CampaignMonitorConnectorProvider().settings())
        .filteredOn(s -> s.name().equals("baseUrl"))
        .singleElement()
        .satisfies(
            s -> assertThat(s.defaultValue()).hasValue("https://api.createsend.com/api/v3.3/"));
    export(people(3));
    assertThat(sim.calls())
        .isNotEmpty()
        .allSatisfy(
            call -> {
              assertThat(call.path()).startsWith("/api/v3.3/").endsWith(".json");
              assertThat(call.status()).isLessThan(300);
            });
  }

  @Test
  void verifyIsOneCheapAuthenticatedCall() {
    try (SegmentExporter exporter =
        Connectors.of(new CampaignMonitorConnectorProvider()).exporter(connection())) {
      exporter.verify();
    }
    assertThat(sim.calls())
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.method()).isEqualTo("GET");
              assertThat(call.path()).isEqualTo("/api/v3.3/clients.json");
              assertThat(call.status()).isEqualTo(200);
            });
  }

  @Test
  void anOauthBearerTokenWorksInsteadOfTheApiKey() {
    sim.oauthTokens("access-1", "refresh-1");
    Connection c = oauth("access-1", null);
    ExportResult result = export(c, definition(c, names(), list), people(5));
    assertThat(result.exported()).isEqualTo(5);
    assertThat(sim.activeSubscribers(list)).hasSize(5);
    assertThat(sim.tokenRefreshes()).isZero();
  }

  @Test
  void anExpiredTokenIsRefreshedOnceAndTheExportGoesOn() {
    sim.oauthTokens("access-1", "refresh-1").expireAccessToken();
    Connection c = oauth("access-1", "refresh-1");
    ExportResult result = export(c, definition(c, names(), list), people(2500));
    assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(result.exported()).isEqualTo(2500);
    assertThat(sim.tokenRefreshes()).isEqualTo(1);
    assertThat(sim.activeSubscribers(list)).hasSize(2500);
  }

  @Test
  void anExpiredTokenWithoutRefreshTokenIsAnAuthenticationError() {
    sim.oauthTokens("access-1", "refresh-1").expireAccessToken();
    Connection c = oauth("access-1", null);
    assertThatThrownBy(() -> export(c, definition(c, names(), list), people(3)))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("121");
    assertThat(sim.receivedEmailCount()).isZero();
    assertThat(sim.tokenRefreshes()).isZero();
  }

  @Test
  void aRevokedTokenIsNotRefreshed() {
    sim.oauthTokens("access-1", "refresh-1").revokeAccessToken();
    Connection c = oauth("access-1", "refresh-1");
    assertThatThrownBy(() -> export(c, definition(c, names(), list), people(3)))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("122");
    assertThat(sim.tokenRefreshes()).isZero();
    assertThat(sim.requestCount()).isEqualTo(1);
  }

  @Test
  void aBadApiKeyIsCode100AndFailsAtOnce() {
    Connection c =
        connection(b -> b.secret(CampaignMonitorConnectorProvider.API_KEY, Secret.of("wrong")));
    try (SegmentExporter exporter =
        Connectors.of(new CampaignMonitorConnectorProvider()).exporter(c)) {
      assertThatThrownBy(exporter::verify)
          .isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("100")
          .hasMessageNotContaining("wrong");
    }
    assertThat(sim.requestCount()).isEqualTo(1);
  }

  @Test
  void credentialsMustBeExactlyOneOfApiKeyAndAccessTokenWhenTheConnectionIsBuilt() {
    List<UnaryOperator<Connection.Builder>> wrong =
        List.of(
            b ->
                b.secret(CampaignMonitorConnectorProvider.API_KEY, Secret.of(KEY))
                    .secret(CampaignMonitorConnectorProvider.ACCESS_TOKEN, Secret.of("t")),
            b -> b,
            b ->
                b.secret(CampaignMonitorConnectorProvider.API_KEY, Secret.of(KEY))
                    .secret(CampaignMonitorConnectorProvider.REFRESH_TOKEN, Secret.of("r")));
    for (UnaryOperator<Connection.Builder> credentials : wrong) {
      assertThatThrownBy(() -> connection(credentials))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining(CampaignMonitorConnectorProvider.API_KEY);
    }
    assertThat(sim.requestCount()).isZero();
  }

  /**
   * With custom fields mapped, the read of the list's fields is what checks the list: an unknown or
   * foreign list fails the same way with and without them.
   */
  @ParameterizedTest
  @EnumSource(UnknownListAnswer.class)
  void anUnknownOrForeignListFailsBeforeAnyProfileIsSent(UnknownListAnswer answer) {
    sim.unknownListAnswer(answer);
    FieldMapping withCustom = FieldMapping.builder().email("email").custom("tier", "tier").build();
    for (FieldMapping mapping : List.of(names(), withCustom)) {
      for (String id : List.of("0123456789abcdef0123456789abcdef", sim.foreignListId())) {
        Connection c = connection();
        assertThatThrownBy(() -> export(c, definition(c, mapping, id), people(3)))
            .isInstanceOf(DestinationException.class)
            .isNotInstanceOf(AuthenticationException.class)
            .hasMessageContaining(id)
            .hasMessageContaining("does not exist");
      }
    }
    assertThat(sim.writeCount()).isZero();
    assertThat(sim.receivedEmailCount()).isZero();
  }

  /**
   * An export that maps custom fields reads the list's fields and not the list besides: the fields'
   * read checks the list. Without custom fields the list itself is read.
   */
  @Test
  void theListIsCheckedByOneReadWhetherOrNotCustomFieldsAreMapped() {
    Connection c = connection();
    FieldMapping withCustom = FieldMapping.builder().email("email").custom("tier", "tier").build();
    ExportResult r =
        export(c, definition(c, withCustom, list), List.of(Profile.of("email", "a@example.org")));
    assertThat(r.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(sim.calls())
        .extracting(
            call -> call.method() + " " + call.path().replaceAll(".*/lists/[^/.]+", "lists/ID"))
        .filteredOn(call -> !call.contains("import"))
        .containsExactly("GET lists/ID/customfields.json", "POST lists/ID/customfields.json");

    sim.resetCounters();
    r = export(c, definition(c, names(), list), List.of(Profile.of("email", "b@example.org")));
    assertThat(r.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(sim.calls())
        .extracting(
            call -> call.method() + " " + call.path().replaceAll(".*/lists/[^/.]+", "lists/ID"))
        .filteredOn(call -> !call.contains("import"))
        .containsExactly("GET lists/ID.json");
  }

  @Test
  void aMalformedListIdFailsWhenTheDefinitionIsBuilt() {
    Connection c = connection();
    assertThatThrownBy(() -> definition(c, names(), "not-a-list-id"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("32 hexadecimal");
    assertThat(sim.requestCount()).isZero();
  }

  @Test
  void aMirrorOfSeveralSegmentsIntoTheOneListIsRefusedWhenTheDefinitionIsBuilt() {
    // Every segment goes to the list of listId: mirroring segment B removed A's members from it
    // (and A's removed B's), every run, each segment's removals counted as a success.
    Connection c = connection();
    ExportDefinition.Builder both =
        ExportDefinition.builder(c)
            .segments("A", "B")
            .mapping(names())
            .option(CampaignMonitorConnectorProvider.LIST_ID, list)
            .syncMode(SyncMode.MIRROR);
    assertThatThrownBy(both::build)
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("one segment");
    assertThat(
            ExportDefinition.builder(c)
                .segments("A")
                .mapping(names())
                .option(CampaignMonitorConnectorProvider.LIST_ID, list)
                .syncMode(SyncMode.MIRROR)
                .build()
                .segments())
        .containsExactly("A");
    assertThat(sim.requestCount()).isZero();
  }

  // ---- the import ----------------------------------------------------------------------------

  @Test
  void importsInBatchesOfAtMostOneThousand() {
    ExportResult result = export(people(2500));
    assertThat(result.exported()).isEqualTo(2500);
    assertThat(sim.importRequests())
        .extracting(CampaignMonitorSimulator.ImportRequest::subscribers)
        .containsExactlyInAnyOrder(1000, 1000, 500);
    assertThat(sim.calls())
        .filteredOn(VendorSimulator.Call::write)
        .allSatisfy(
            call ->
                assertThat(call.path())
                    .isEqualTo("/api/v3.3/subscribers/" + list + "/import.json"));
  }

  @Test
  void consentToTrackIsUnchangedUnlessTheExportSetsIt() {
    export(people(3));
    assertThat(sim.importRequests())
        .singleElement()
        .satisfies(r -> assertThat(r.consentValues()).containsExactly("Unchanged"));
    assertThat(sim.subscriber(list, "person0@example.org"))
        .hasValueSatisfying(s -> assertThat(s.consentToTrack()).isEqualTo("Unchanged"));

    export(people(3), CampaignMonitorConnectorProvider.CONSENT_TO_TRACK, "yes");
    assertThat(sim.importRequests().get(1).consentValues()).containsExactly("Yes");
    assertThat(sim.subscriber(list, "person2@example.org"))
        .hasValueSatisfying(s -> assertThat(s.consentToTrack()).isEqualTo("Yes"));
  }

  @Test
  void inactiveAddressesAreNotResubscribedUnlessAsked() {
    sim.addSubscriber(list, "person0@example.org", CampaignMonitorSimulator.UNSUBSCRIBED);
    sim.addSubscriber(list, "person1@example.org", CampaignMonitorSimulator.DELETED);
    sim.suppress("person2@example.org");
    ExportResult result = export(people(5));

    assertThat(sim.importRequests().get(0).resubscribe()).isFalse();
    assertThat(result.status()).isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED);
    // A subscriber in state Deleted (the mirror mode's removal) is no opt-out: it is re-added, with
    // Resubscribe for it alone (CampaignMonitorRemovalTest); the opted-out ones are refused.
    assertThat(result.exported()).isEqualTo(3);
    assertThat(sim.importRequests().get(1).resubscribe()).isTrue();
    assertThat(sim.importRequests().get(1).subscribers()).isEqualTo(1);
    assertThat(sim.optOutsOverridden()).isZero();
    assertThat(rejection(result, 1).reason()).isEqualTo(RejectionReason.UNSUBSCRIBED);
    assertThat(rejection(result, 1).vendorCode()).hasValue("206");
    assertThat(result.rejectedSample()).noneMatch(r -> r.row() == 2);
    assertThat(rejection(result, 3).reason()).isEqualTo(RejectionReason.SUPPRESSED);
    assertThat(rejection(result, 3).vendorCode()).hasValue("204");
    assertThat(rejection(result, 3).message()).isEqualTo("In Suppression List");
    assertThat(sim.subscriber(list, "person0@example.org").orElseThrow().state())
        .isEqualTo(CampaignMonitorSimulator.UNSUBSCRIBED);

    ExportResult again = export(people(5), CampaignMonitorConnectorProvider.RESUBSCRIBE, "true");
    assertThat(sim.importRequests().get(2).resubscribe()).isTrue();
    assertThat(again.exported()).isEqualTo(5);
    assertThat(sim.activeSubscribers(list)).hasSize(5);
  }

  @Test
  void autorespondersAreTriggeredOnlyWhenAsked() {
    export(people(3));
    assertThat(sim.importRequests().get(0).queueAutoresponders()).isFalse();
    assertThat(sim.importRequests().get(0).restartAutoresponders()).isFalse();
    assertThat(sim.autorespondersQueued()).isZero();

    Connection c = connection();
    String other = sim.createList("Welcome journey");
    export(
        c,
        definition(
            c, names(), other, CampaignMonitorConnectorProvider.TRIGGER_AUTORESPONDERS, "true"),
        people(3));
    assertThat(sim.importRequests().get(1).queueAutoresponders()).isTrue();
    assertThat(sim.autorespondersQueued()).isEqualTo(3);
  }

  @Test
  void firstAndLastNameAreJoinedIntoName() {
    List<Profile> profiles =
        List.of(
            Profile.of("email", "both@example.org", "first", " Ana ", "last", "Ruiz"),
            Profile.of("email", "first@example.org", "first", "Li"),
            Profile.of("email", "last@example.org", "last", "Okafor"),
            Profile.of("email", "none@example.org"));
    export(profiles);
    assertThat(sim.subscriber(list, "both@example.org").orElseThrow().name()).isEqualTo("Ana Ruiz");
    assertThat(sim.subscriber(list, "first@example.org").orElseThrow().name()).isEqualTo("Li");
    assertThat(sim.subscriber(list, "last@example.org").orElseThrow().name()).isEqualTo("Okafor");
    assertThat(sim.subscriber(list, "none@example.org").orElseThrow().name()).isEmpty();
    assertThat(sim.customFields(list)).isEmpty();
  }

  @Test
  void missingCustomFieldsAreCreatedPerListTypedFromTheMapping() {
    sim.acceptBracketedKeys(false);
    FieldMapping mapping =
        FieldMapping.builder()
            .email("email")
            .custom("Loyalty tier", "tier")
            .custom("orders", "orders", FieldType.INTEGER)
            .custom("signup", "signup", FieldType.DATE)
            .build();
    List<Profile> profiles =
        List.of(
            Profile.of(
                "email", "a@example.org", "tier", "gold", "orders", "12", "signup", "2021-03-04"));
    Connection c = connection();
    String second = sim.createList("Second");
    sim.addCustomField(second, "orders", "Number");

    export(c, definition(c, mapping, list), profiles);
    export(c, definition(c, mapping, list), profiles);
    export(c, definition(c, mapping, second), profiles);

    assertThat(sim.customFields(list))
        .containsExactly(
            java.util.Map.entry("[loyaltytier]", "Text"),
            java.util.Map.entry("[orders]", "Number"),
            java.util.Map.entry("[signup]", "Date"));
    assertThat(sim.customFields(second)).containsOnlyKeys("[orders]", "[loyaltytier]", "[signup]");
    assertThat(sim.calls())
        .filteredOn(
            call -> call.method().equals("POST") && call.path().endsWith("customfields.json"))
        .as("three fields for the first list, two for the second")
        .hasSize(5);
    for (String l : List.of(list, second)) {
      assertThat(sim.subscriber(l, "a@example.org").orElseThrow().customFields())
          .containsEntry("Loyalty tier", "gold")
          .containsEntry("orders", "12")
          .containsEntry("signup", "2021/03/04");
    }
    assertThat(sim.unknownCustomFieldKeys()).isZero();
    assertThat(sim.invalidCustomFieldValues()).isZero();
  }

  @Test
  void aListFieldOfAnotherTypeFailsBeforeAnyProfileIsSent() {
    sim.addCustomField(list, "orders", "Date");
    Connection c = connection();
    FieldMapping mapping =
        FieldMapping.builder().email("email").custom("orders", "orders", FieldType.INTEGER).build();
    assertThatThrownBy(
            () ->
                export(
                    c,
                    definition(c, mapping, list),
                    List.of(Profile.of("email", "a@example.org", "orders", "3"))))
        .isInstanceOf(DestinationException.class)
        .hasMessageContaining("[orders]");
    assertThat(sim.writeCount()).isZero();
  }

  @Test
  void valuesCampaignMonitorWouldRefuseRejectTheirProfileWithoutSendingIt() {
    Connection c = connection();
    FieldMapping mapping =
        FieldMapping.builder()
            .email("email")
            .custom("note", "note")
            .custom("born", "born", FieldType.DATE)
            .build();
    List<Profile> profiles =
        List.of(
            Profile.of("email", "ok@example.org", "note", "fine", "born", "1980-01-01"),
            Profile.of("email", "long@example.org", "note", "x".repeat(251)),
            Profile.of("email", "old@example.org", "born", "1899-12-31"));
    ExportResult result = export(c, definition(c, mapping, list), profiles);
    assertThat(result.exported()).isEqualTo(1);
    assertThat(rejection(result, 2).reason()).isEqualTo(RejectionReason.INVALID_VALUE);
    assertThat(rejection(result, 3).reason()).isEqualTo(RejectionReason.INVALID_VALUE);
    assertThat(sim.receivedEmails()).containsExactly("ok@example.org");
  }

  /**
   * Campaign Monitor writes numbers out in full ({@code toPlainString}): a number too large or too long
   * for the engine's rule is rejected for its row before the connector formats it ({@code 1e999999999}
   * written out would take a gigabyte); the rest of the batch is sent.
   */
  @Test
  void aNumberTooLargeToWriteOutRejectsOnlyItsRow() {
    Connection c = connection();
    FieldMapping mapping =
        FieldMapping.builder().email("email").custom("score", "score", FieldType.NUMBER).build();
    List<Profile> profiles =
        List.of(
            Profile.of("email", "ok@example.org", "score", "12.5"),
            Profile.of("email", "huge@example.org", "score", "1e999999999"),
            Profile.of("email", "over@example.org", "score", "1e400"),
            Profile.of("email", "long@example.org", "score", "1e100"),
            Profile.of("email", "big@example.org", "score", "1e38"));
    ExportResult result = export(c, definition(c, mapping, list), profiles);
    assertThat(result.exported()).isEqualTo(2);
    for (long row = 2; row <= 4; row++) {
      RejectedRecord r = rejection(result, row);
      assertThat(r.reason()).isEqualTo(RejectionReason.INVALID_VALUE);
      assertThat(r.message()).contains("'score'").contains("40 characters written out in full");
    }
    assertThat(sim.receivedEmails()).containsExactlyInAnyOrder("ok@example.org", "big@example.org");
    assertThat(sim.subscriber(list, "ok@example.org").orElseThrow().customFields())
        .containsEntry("score", "12.5");
    assertThat(sim.subscriber(list, "big@example.org").orElseThrow().customFields())
        .containsEntry("score", "1" + "0".repeat(38));
  }

  @Test
  void aNameOver250CharactersRejectsItsProfileWithoutSendingIt() {
    Connection c = connection();
    List<Profile> profiles =
        List.of(
            Profile.of(
                "email",
                "ok@example.org",
                "first",
                "F".repeat(124),
                "last",
                "L".repeat(125)), // 250 joined
            Profile.of(
                "email", "long@example.org", "first", "F".repeat(125), "last", "L".repeat(125)));
    ExportResult result = export(c, definition(c, names(), list), profiles);
    assertThat(result.exported()).isEqualTo(1);
    RejectedRecord r = rejection(result, 2);
    assertThat(r.reason()).isEqualTo(RejectionReason.INVALID_VALUE);
    assertThat(r.message()).contains("'Name'", "251", "250");
    assertThat(sim.receivedEmails()).containsExactly("ok@example.org");
    assertThat(sim.invalidNames()).isZero();
  }

  @Test
  void createdAndUpdatedComeFromTheImportTotals() {
    SegmentResult first = export(people(30)).segments().get(0);
    assertThat(first.created()).hasValue(30);
    assertThat(first.updated()).hasValue(0);
    List<Profile> more = new ArrayList<>(people(40));
    Collections.reverse(more);
    SegmentResult second = export(more).segments().get(0);
    assertThat(second.created()).hasValue(10);
    assertThat(second.updated()).hasValue(30);
  }

  @Test
  void perRowFailuresAreRejectedWithCampaignMonitorsCodeAndMessage() {
    sim.rejectAddress("person1@example.org", null).rejectAddress("person3@example.org", "bounced");
    ExportResult result = export(people(5));
    assertThat(result.exported()).isEqualTo(3);
    assertThat(rejection(result, 2).reason()).isEqualTo(RejectionReason.INVALID_EMAIL);
    assertThat(rejection(result, 2).vendorCode()).hasValue("1");
    assertThat(rejection(result, 2).message()).isEqualTo("Invalid Email Address");
    assertThat(rejection(result, 4).reason()).isEqualTo(RejectionReason.SUPPRESSED);
    assertThat(rejection(result, 4).vendorCode()).hasValue("207");
    assertThat(result.retries()).as("a partial success is not retried").isZero();
    assertThat(sim.writeCount()).isEqualTo(1);
  }

  // ---- throttling and limits -----------------------------------------------------------------

  @Test
  void a429WithoutRateLimitHeadersIsBackedOff() {
    sim.rateLimitHeaders(false);
    sim.faults().throttleWrite(1, null).throttleWrite(2, null);
    ExportResult result = export(people(20));
    assertThat(result.exported()).isEqualTo(20);
    assertThat(result.retries()).isGreaterThanOrEqualTo(2);
    assertThat(sim.writeCount()).isEqualTo(3);
  }

  @Test
  void a429WithRateLimitResetIsWaitedOut() {
    sim.faults().throttleWrite(1, Duration.ofMillis(1500));
    List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
    Connection c = connection();
    ExportResult result =
        export(
            c,
            definition(c, names(), list),
            people(20),
            new ExportListener() {
              @Override
              public void throttled(Duration wait, String reason) {
                waits.add(wait);
              }
            });
    assertThat(result.exported()).isEqualTo(20);
    assertThat(waits)
        .as("X-RateLimit-Reset: 2 (seconds)")
        .anySatisfy(w -> assertThat(w).isGreaterThanOrEqualTo(Duration.ofMillis(1900)));
  }

  @Test
  void theProfileLimitIsOneMillion() {
    assertThat(new CampaignMonitorConnectorProvider().limits().maxProfilesPerExport())
        .hasValue(1_000_000L);
    // Refused when the connection is built, not later when an exporter is made.
    assertThatThrownBy(
            () ->
                connection(
                    b ->
                        b.secret(CampaignMonitorConnectorProvider.API_KEY, Secret.of(KEY))
                            .setting(StandardSettings.MAX_PROFILES_PER_EXPORT, "1000001")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("between 1 and 1000000");
    Connection c = connection();
    SegmentSource huge =
        new SegmentSource() {
          @Override
          public Segment open(String name) {
            throw new AssertionError("must fail before opening the segment");
          }

          @Override
          public OptionalLong size(String name) {
            return OptionalLong.of(1_000_001);
          }
        };
    try (SegmentExporter exporter =
        Connectors.of(new CampaignMonitorConnectorProvider()).exporter(c)) {
      assertThatThrownBy(
              () -> exporter.start(definition(c, names(), list), huge, ExportOptions.DEFAULT))
          .isInstanceOf(LimitExceededException.class)
          .hasMessageContaining("1000000");
    }
    assertThat(sim.requestCount()).isZero();
  }
}
