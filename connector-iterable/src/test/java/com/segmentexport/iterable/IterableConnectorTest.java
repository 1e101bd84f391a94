package com.segmentexport.iterable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.RetryPolicy;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.testkit.LogCapture;
import com.segmentexport.testkit.VendorSimulator;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Iterable-specific behaviour, one group per bullet of the issue, end to end against the simulator. */
@Timeout(60)
class IterableConnectorTest {
  private static final String KEY = "server-key-test-91b7";
  private static final String SEGMENT = "VIP customers";
  private static final RetryPolicy FAST =
      RetryPolicy.DEFAULT.withDelays(Duration.ofMillis(20), Duration.ofMillis(200));

  private IterableSimulator sim;

  @BeforeEach
  void start() {
    sim = new IterableSimulator(KEY).start();
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private Connection connection(UnaryOperator<Connection.Builder> extra) {
    return extra
        .apply(
            Connection.builder(new IterableConnectorProvider())
                .setting(StandardSettings.BASE_URL, sim.baseUrl())
                .setting(StandardSettings.REQUESTS_PER_SECOND, "1000")
                .secret(IterableConnectorProvider.API_KEY, Secret.of(KEY))
                .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now())))
        .build();
  }

  private static FieldMapping.Builder mapping() {
    return FieldMapping.builder()
        .email("email")
        .firstName("first")
        .lastName("last")
        .custom("tier", "tier");
  }

  private ExportResult export(
      Connection connection,
      FieldMapping mapping,
      List<Profile> profiles,
      UnaryOperator<ExportDefinition.Builder> options) {
    ExportDefinition definition =
        options
            .apply(ExportDefinition.builder(connection).segments(SEGMENT).mapping(mapping))
            .build();
    try (SegmentExporter exporter =
        Connectors.of(new IterableConnectorProvider()).exporter(connection)) {
      return exporter.export(
          definition,
          name -> Segment.of(name, profiles),
          ExportOptions.DEFAULT.withRetryPolicy(FAST).withRejectedSampleSize(10_000));
    }
  }

  private ExportResult export(List<Profile> profiles) {
    return export(connection(b -> b), mapping().build(), profiles, d -> d);
  }

  private static List<Profile> profiles(int n) {
    List<Profile> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(
          Profile.of(
              "email",
              "user" + i + "@example.org",
              "first",
              "First" + i,
              "last",
              "Last" + i,
              "tier",
              i % 2 == 0 ? "gold" : "silver"));
    }
    return list;
  }

  private static String email(int i) {
    return "user" + i + "@example.org";
  }

  // ---- connection ----------------------------------------------------------------------------

  @Test
  void verifyCallsGetListsWithTheApiKeyHeader() {
    Connection connection = connection(b -> b);
    try (SegmentExporter exporter =
        Connectors.of(new IterableConnectorProvider()).exporter(connection)) {
      exporter.verify();
    }
    assertThat(sim.calls())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.method()).isEqualTo("GET");
              assertThat(c.path()).isEqualTo("/api/lists");
              assertThat(c.status()).isEqualTo(200);
            });
  }

  @ParameterizedTest
  @CsvSource({"US, api.iterable.com", "EU, api.eu.iterable.com", ", api.iterable.com"})
  void dataCenterChoosesTheHost(String dataCenter, String host) {
    List<Request> seen = new ArrayList<>();
    OkHttpClient capturing =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain -> {
                  seen.add(chain.request());
                  return new Response.Builder()
                      .request(chain.request())
                      .protocol(Protocol.HTTP_1_1)
                      .code(200)
                      .message("OK")
                      .body(
                          ResponseBody.create(
                              "{\"lists\":[]}", okhttp3.MediaType.get("application/json")))
                      .build();
                })
            .build();
    Connection.Builder b =
        Connection.builder(new IterableConnectorProvider())
            .secret(IterableConnectorProvider.API_KEY, Secret.of(KEY))
            .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()));
    if (dataCenter != null) {
      b.setting(IterableConnectorProvider.DATA_CENTER, dataCenter);
    }
    try (SegmentExporter exporter =
        Connectors.of(new IterableConnectorProvider())
            .withHttpClient(capturing)
            .exporter(b.build())) {
      exporter.verify();
    }
    assertThat(seen)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.url().toString()).isEqualTo("https://" + host + "/api/lists");
              assertThat(r.header("Api-Key")).isEqualTo(KEY);
            });
  }

  @Test
  void anUnknownDataCenterFailsBeforeAnyRequest() {
    assertThatThrownBy(
            () ->
                Connection.builder(new IterableConnectorProvider())
                    .setting(IterableConnectorProvider.DATA_CENTER, "APAC")
                    .secret(IterableConnectorProvider.API_KEY, Secret.of(KEY))
                    .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(IterableConnectorProvider.DATA_CENTER);
    assertThat(sim.requestCount()).isZero();
  }

  @Test
  void aBadApiKeyFailsAtOnce() {
    Connection bad =
        connection(b -> b.secret(IterableConnectorProvider.API_KEY, Secret.of("wrong")));
    assertThatThrownBy(() -> export(bad, mapping().build(), profiles(10), d -> d))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("BadApiKey");
    assertThat(sim.requestCount()).isEqualTo(1);
  }

  // ---- lists ---------------------------------------------------------------------------------

  @Test
  void theStandardListNamedExactlyAsTheSegmentIsUsed() {
    sim.createList(SEGMENT, "Dynamic");
    sim.createList(SEGMENT.toLowerCase(), "Standard");
    long standard = sim.createList(SEGMENT, "Standard");

    ExportResult result = export(profiles(3));

    assertThat(result.segments().get(0).destinationId()).hasValue(Long.toString(standard));
    assertThat(sim.listCreations()).isZero();
    assertThat(sim.snapshot().lists().get(standard).members()).hasSize(3);
  }

  @Test
  void aMissingListIsCreatedAndItsInvalidListIdWaitedOut() {
    sim.freshListRejections(3);

    ExportResult result = export(profiles(5));

    assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(sim.listCreations()).isEqualTo(1);
    assertThat(sim.listIds(SEGMENT, "Standard")).hasSize(1);
    assertThat(sim.members(SEGMENT)).hasSize(5);
    assertThat(sim.calls())
        .filteredOn(c -> c.path().equals("/api/lists/subscribe") && c.status() == 400)
        .hasSize(3);
  }

  @Test
  void aFreshListRefusalAnsweredAfterAnotherBatchSucceededIsStillRetried() {
    sim.freshListRejections(1);
    // The first subscribe is refused (invalidListId), but its answer comes only after the other
    // batches, sent meanwhile, have succeeded.
    sim.freshListRejectionDelay(Duration.ofMillis(600));

    ExportResult result =
        export(
            connection(b -> b.setting(StandardSettings.MAX_CONCURRENT_BATCHES, "4")),
            mapping().build(),
            profiles(4000),
            d -> d);

    assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(result.exported()).isEqualTo(4000);
    assertThat(sim.calls())
        .filteredOn(c -> c.path().equals("/api/lists/subscribe") && c.status() == 400)
        .hasSize(1);
  }

  @Test
  void aNewListStillRefusedAfterTheWaitsSaysItWasJustCreatedAndHowLongItWaited() {
    sim.freshListRejections(IterableDestination.FRESH_LIST_ATTEMPTS);

    ExportResult result = export(profiles(2));

    assertThat(result.exported()).isZero();
    // The patience the README states: 7.75 s in all, over 10 subscribes.
    String expected = "after 10 attempts over 7750 ms";
    assertThat(result.rejectedSample())
        .hasSize(2)
        .allSatisfy(
            r -> {
              assertThat(r.reason()).isEqualTo(RejectionReason.BATCH_FAILED);
              assertThat(r.message()).contains("invalidListId", "just created", expected);
            });
    assertThat(sim.calls())
        .filteredOn(c -> c.path().equals("/api/lists/subscribe"))
        .hasSize(IterableDestination.FRESH_LIST_ATTEMPTS);
  }

  @Test
  void aFreshListIsRetriedSoonThenLessAndLessOftenForSevenSecondsAndThreeQuarters() {
    // The first retry comes soon (a list usable moments after its creation costs an export little),
    // each wait doubles, and the last is cut so that the patience stays what it has been: 7.75 s.
    assertThat(IterableDestination.FRESH_LIST_WAITS)
        .extracting(Duration::toMillis)
        .containsExactly(25L, 50L, 100L, 200L, 400L, 800L, 1600L, 3200L, 1375L);
    assertThat(IterableDestination.FRESH_LIST_WAITS.stream().mapToLong(Duration::toMillis).sum())
        .isEqualTo(IterableDestination.FRESH_LIST_PATIENCE.toMillis())
        .isEqualTo(7750);
    assertThat(IterableDestination.FRESH_LIST_ATTEMPTS).isEqualTo(10);
  }

  @Test
  void aListAnotherHostCreatedMomentsAgoHasItsInvalidListIdWaitedOutToo() {
    // Another host sharing the state made the list a moment ago: Iterable's createdAt says so, and
    // its first subscribes may be refused as a new list's are.
    sim.freshListRejections(2);
    sim.createList(SEGMENT, "Standard", Instant.now().minusSeconds(1));

    ExportResult result = export(profiles(4));

    assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(sim.listCreations()).isZero();
    assertThat(sim.members(SEGMENT)).hasSize(4);
    assertThat(sim.calls())
        .filteredOn(c -> c.path().equals("/api/lists/subscribe") && c.status() == 400)
        .hasSize(2);
  }

  @Test
  void invalidListIdOnAListThatHasLongExistedIsNotRetried() {
    sim.freshListRejections(5);
    sim.createList(SEGMENT, "Standard"); // refuses its next 5 subscribes, but has existed a day

    ExportResult result = export(profiles(4));

    assertThat(result.exported()).isZero();
    assertThat(result.rejectedSample())
        .hasSize(4)
        .allSatisfy(
            r -> {
              assertThat(r.reason()).isEqualTo(RejectionReason.BATCH_FAILED);
              assertThat(r.message()).contains("invalidListId");
            });
    assertThat(sim.calls()).filteredOn(c -> c.path().equals("/api/lists/subscribe")).hasSize(1);
  }

  // ---- writing -------------------------------------------------------------------------------

  @Test
  void batchesStayWithinAThousandSubscribersAndFourMegabytes() {
    String longText = "x".repeat(5000);
    List<Profile> profiles = new ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      profiles.add(Profile.of("email", email(i), "first", "F", "last", "L", "tier", longText));
    }
    ExportResult result = export(profiles);

    assertThat(result.exported()).isEqualTo(2500);
    assertThat(sim.maxBatchSize()).isLessThanOrEqualTo(IterableSimulator.MAX_SUBSCRIBERS);
    assertThat(sim.calls())
        .filteredOn(VendorSimulator.Call::write)
        .allSatisfy(
            c -> assertThat(c.bodyBytes()).isLessThanOrEqualTo(IterableSimulator.MAX_BODY_BYTES))
        .allSatisfy(c -> assertThat(c.status()).isEqualTo(200));
    assertThat(sim.members(SEGMENT)).hasSize(2500);
  }

  @Test
  void mappedFieldsAreWrittenAsDataFieldsWithIterableDates() {
    FieldMapping m =
        mapping()
            .custom("signupDate", "signup", FieldType.DATETIME)
            .custom("birthday", "birthday", FieldType.DATE)
            .custom("orders", "orders", FieldType.INTEGER)
            .build();
    List<Profile> profiles =
        List.of(
            Profile.of(
                "email",
                "Ana.Silva@Example.ORG",
                "first",
                "Ana",
                "last",
                "Silva",
                "tier",
                "gold",
                "signup",
                "2024-07-02T10:15:30Z",
                "birthday",
                "1990-03-04",
                "orders",
                "12"));

    ExportResult result = export(connection(b -> b), m, profiles, d -> d);

    assertThat(result.exported()).isEqualTo(1);
    assertThat(sim.dataFields("ana.silva@example.org"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "firstName",
                "Ana",
                "lastName",
                "Silva",
                "tier",
                "gold",
                "signupDate",
                "2024-07-02 10:15:30 +00:00",
                "birthday",
                "1990-03-04",
                "orders",
                "12"));
    assertThat(sim.fieldTypes())
        .containsEntry("signupDate", "date")
        .containsEntry("birthday", "date")
        .containsEntry("orders", "long");
  }

  @Test
  void updateExistingUsersOnlyIsFalseUnlessConfigured() {
    export(profiles(3));
    assertThat(sim.updateExistingUsersOnlyRequests()).isZero();
    assertThat(sim.writeCount()).isEqualTo(1);

    export(
        connection(b -> b),
        mapping().build(),
        profiles(3),
        d -> d.option(IterableConnectorProvider.UPDATE_EXISTING_USERS_ONLY, "true"));
    assertThat(sim.updateExistingUsersOnlyRequests()).isEqualTo(1);
  }

  // ---- per-record outcomes -------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({
    "invalidEmails, INVALID_EMAIL",
    "invalidDataEmails, INVALID_VALUE",
    "notFoundEmails, VENDOR_REJECTED",
    "forgottenEmails, VENDOR_REJECTED",
    "conflictEmails, VENDOR_REJECTED"
  })
  void failedUpdatesBecomeRejectionsWithTheirCategory(String category, RejectionReason reason) {
    sim.rejectAddress(email(2), category);
    List<Profile> profiles = profiles(5);
    ExportResult result = export(profiles);

    assertThat(result.exported()).isEqualTo(4);
    assertThat(result.rejectedSample())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.row()).isEqualTo(3);
              assertThat(r.reason()).isEqualTo(reason);
              assertThat(r.vendorCode()).hasValue(category);
            });
    assertThat(sim.members(SEGMENT)).doesNotContain(email(2)).hasSize(4);
  }

  @Test
  void theOlderTopLevelInvalidEmailsAreReadToo() {
    sim.legacyResponses(true).rejectAddress(email(1), "invalidEmails");
    ExportResult result = export(profiles(4));
    assertThat(result.exported()).isEqualTo(3);
    assertThat(result.rejectedSample()).extracting(RejectedRecord::row).containsExactly(2L);
  }

  @Test
  void aFailureTheOlderAnswerDoesNotNameLeavesTheOthersUnconfirmedNotExported() {
    // The older answer lists invalid e-mails only: a conflict shows in failCount alone.
    sim.legacyResponses(true)
        .rejectAddress(email(1), "invalidEmails")
        .rejectAddress(email(2), "conflictEmails");
    ExportResult result = export(profiles(4));
    assertThat(result.rejected()).isEqualTo(1);
    assertThat(result.rejectedSample())
        .filteredOn(r -> r.reason() != RejectionReason.UNCONFIRMED)
        .extracting(RejectedRecord::row)
        .containsExactly(2L);
    // Which of the other three was subscribed is unknown: none is counted exported.
    assertThat(result.exported()).isZero();
    assertThat(result.unconfirmed()).isEqualTo(3);
    assertThat(result.rejectedSample())
        .filteredOn(r -> r.reason() == RejectionReason.UNCONFIRMED)
        .extracting(RejectedRecord::row)
        .containsExactlyInAnyOrder(1L, 3L, 4L)
        .allSatisfy(row -> assertThat(row).isPositive());
    assertThat(result.status()).isEqualTo(ExportStatus.FAILED);
    assertThat(sim.members(SEGMENT)).hasSize(2);
  }

  @Test
  void aConnectionTheServerClosedWhileIdleIsRepeatedOnAFreshOneWithoutAWarning() throws Exception {
    sim.closeConnectionsAfterAnswers(
        true); // Iterable's side drops each connection once it has answered
    Connection c = connection(b -> b);
    List<String> logs;
    try (SegmentExporter exporter = Connectors.of(new IterableConnectorProvider()).exporter(c);
        LogCapture capture = LogCapture.start()) {
      exporter.verify();
      Thread.sleep(100); // the close reaches the client; the connection still sits in its pool
      exporter.verify(); // written on that connection, it fails at once
      logs = capture.messages();
    }
    assertThat(String.join("\n", logs))
        .contains("on a reused connection")
        .doesNotContain("WARNING");
    assertThat(sim.requestCount()).isEqualTo(2);
  }

  @Test
  void failuresAreMatchedCaseInsensitively() {
    sim.rejectAddress("mixed.case@example.org", "conflictEmails");
    ExportResult result =
        export(
            List.of(
                Profile.of("email", "Mixed.Case@Example.org", "first", "M"),
                Profile.of("email", "other@example.org")));
    assertThat(result.exported()).isEqualTo(1);
    assertThat(result.rejectedSample())
        .singleElement()
        .satisfies(r -> assertThat(r.row()).isEqualTo(1));
  }

  private long subscribeCalls() {
    return sim.calls().stream().filter(c -> c.path().equals("/api/lists/subscribe")).count();
  }

  @Test
  void aValueOfAnotherTypeThanTheProjectsFieldIsRejectedBeforeSending() {
    sim.fieldType("signupDate", "date");
    List<Profile> profiles = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      profiles.add(
          Profile.of("email", email(i), "signup", i == 17 || i == 480 ? "GGG" : "2024-01-02"));
    }

    ExportResult result = export(connection(b -> b), signupMapping(), profiles, d -> d);

    assertThat(result.exported()).isEqualTo(598);
    assertThat(result.rejectedSample())
        .extracting(RejectedRecord::row)
        .containsExactlyInAnyOrder(18L, 481L);
    assertThat(result.rejectedSample())
        .allSatisfy(
            r -> {
              assertThat(r.reason()).isEqualTo(RejectionReason.INVALID_VALUE);
              assertThat(r.vendorCode()).hasValue("RequestFieldsTypesMismatched");
              assertThat(r.message()).contains("'signupDate'", "date", "string");
            });
    assertThat(sim.typeMismatchRejections()).isZero();
    assertThat(subscribeCalls()).isOne();
    assertThat(sim.calls()).filteredOn(c -> c.path().equals("/api/users/getFields")).hasSize(1);
    assertThat(sim.members(SEGMENT)).hasSize(598).doesNotContain(email(17), email(480));
  }

  @Test
  void aTypeMismatchRejectingTheBatchRejectsTheRecordsItNamesAndSendsTheRestOnce() {
    // The project does not know the field yet: the request's first value types it as a date, and
    // the 1% of
    // values that are text clash with that (the answer's validationErrors names the field and its
    // type).
    List<Profile> profiles = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      profiles.add(Profile.of("email", email(i), "signup", i % 100 == 50 ? "GGG" : "2024-01-02"));
    }

    ExportResult result = export(connection(b -> b), signupMapping(), profiles, d -> d);

    assertThat(result.exported()).isEqualTo(990);
    assertThat(result.rejectedSample())
        .hasSize(10)
        .allSatisfy(
            r -> {
              assertThat(r.row() % 100).isEqualTo(51);
              assertThat(r.reason()).isEqualTo(RejectionReason.INVALID_VALUE);
              assertThat(r.vendorCode()).hasValue("RequestFieldsTypesMismatched");
              assertThat(r.message()).contains("'signupDate'", "date", "string");
            });
    assertThat(sim.typeMismatchRejections()).isOne();
    assertThat(subscribeCalls())
        .as("the refused request and the rest, not a split down to single profiles")
        .isEqualTo(2);
    assertThat(sim.members(SEGMENT)).hasSize(990);
  }

  @Test
  void aTypeMismatchReportedPerUserIsARejectionToo() {
    sim.typeMismatchPerRecord(true); // the request's first value types the field as a date
    ExportResult result =
        export(
            connection(b -> b),
            signupMapping(),
            List.of(
                Profile.of("email", email(0), "signup", "2024-01-02"),
                Profile.of("email", email(1), "signup", "GGG")),
            d -> d);
    assertThat(result.exported()).isEqualTo(1);
    assertThat(result.rejectedSample())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.reason()).isEqualTo(RejectionReason.INVALID_VALUE);
              assertThat(r.vendorCode()).hasValue("invalidDataEmails");
            });
    assertThat(sim.typeMismatchRejections()).isZero();
  }

  /** A text field holding dates as the host has them, where the project already typed it as a date. */
  private static FieldMapping signupMapping() {
    return FieldMapping.builder().email("email").custom("signupDate", "signup").build();
  }

  // ---- rate limit ----------------------------------------------------------------------------

  @Test
  void rateLimitExceededIsWaitedOutWithAndWithoutRetryAfter() {
    sim.faults().throttleWrite(1, Duration.ofMillis(500)).throttleWrite(2, null);
    ExportResult first = export(profiles(10));
    assertThat(first.exported()).isEqualTo(10);
    assertThat(first.throttledTime()).isPositive();

    sim.retryAfterHeader(false);
    sim.faults().clear().throttleWrite(sim.writeCount() + 1, Duration.ofMillis(500));
    ExportResult second = export(profiles(10));
    assertThat(second.exported()).isEqualTo(10);
    assertThat(sim.calls()).filteredOn(c -> c.status() == 429).hasSize(3);
  }

  @Test
  void theSettingsAreDescribedOnceNotForEveryExport() {
    IterableConnectorProvider provider = new IterableConnectorProvider();
    assertThat(provider.settings()).isSameAs(provider.settings()).isNotEmpty();
  }

  @Test
  void theRateLimitIsASettingWithAConservativeDefault() {
    IterableConnectorProvider provider = new IterableConnectorProvider();
    assertThat(provider.limits().requestsPerSecond()).isEqualTo(5);
    assertThat(provider.settings())
        .anySatisfy(
            s -> {
              assertThat(s.name()).isEqualTo(StandardSettings.REQUESTS_PER_SECOND);
              assertThat(s.defaultValue()).hasValue("5");
            });
    Connection slow = connection(b -> b.setting(StandardSettings.REQUESTS_PER_SECOND, "2.5"));
    assertThat(
            provider
                .create(new com.segmentexport.spi.ConnectorContext(slow))
                .limits()
                .requestsPerSecond())
        .isEqualTo(2.5);
  }

  // ---- validation ----------------------------------------------------------------------------

  @Test
  void outOfRangeSettingsAreRefusedWhenTheConnectionIsBuiltNotByTheExporter() {
    // 3000000000 used to pass build() and throw a NumberFormatException from
    // connectors.exporter(...).
    for (String bad : List.of("3000000000", "0", "100")) {
      assertThatThrownBy(
              () -> connection(b -> b.setting(StandardSettings.MAX_CONCURRENT_BATCHES, bad)))
          .as(bad)
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining(
              StandardSettings.MAX_CONCURRENT_BATCHES + " must be between 1 and 64");
    }
    for (String bad : List.of("NaN", "-1", "0", "1e10")) {
      assertThatThrownBy(
              () -> connection(b -> b.setting(StandardSettings.REQUESTS_PER_SECOND, bad)))
          .as(bad)
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining(StandardSettings.REQUESTS_PER_SECOND);
    }
    assertThatThrownBy(
            () -> connection(b -> b.setting(StandardSettings.MAX_PROFILES_PER_EXPORT, "0")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("at least 1");
    Connection unbounded =
        connection(b -> b.setting(StandardSettings.MAX_PROFILES_PER_EXPORT, "9999999999"));
    try (SegmentExporter exporter =
        Connectors.of(new IterableConnectorProvider()).exporter(unbounded)) {
      assertThat(exporter).isNotNull();
    }
    assertThat(sim.requestCount()).isZero();
  }

  @Test
  void fieldNamesIterableCannotTakeFailBeforeAnyRequest() {
    Connection connection = connection(b -> b);
    assertThatThrownBy(
            () ->
                ExportDefinition.builder(connection)
                    .segments(SEGMENT)
                    .mapping(
                        FieldMapping.builder()
                            .email("email")
                            .custom("profile.tier", "tier")
                            .custom("userId", "id")
                            .build())
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("profile.tier")
        .hasMessageContaining("userId");
    assertThat(sim.requestCount()).isZero();
  }
}
