package com.segmentexport.autopilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportHandle;
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
import com.segmentexport.testkit.autopilot.AutopilotSimulator;
import com.segmentexport.testkit.autopilot.AutopilotSimulator.ListAssignment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Autopilot-specific behaviour, one group per bullet of the connector's issue. */
class AutopilotConnectorTest {
  private static final String KEY = "test-autopilot-key";
  private static final RetryPolicy FAST =
      RetryPolicy.DEFAULT.withDelays(Duration.ofMillis(10), Duration.ofMillis(200));
  private static final String VIP = "VIP customers";

  private AutopilotSimulator sim;

  @BeforeEach
  void start() {
    sim = new AutopilotSimulator(KEY).start();
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private static Connection connection(String baseUrl, String key) {
    return builder(baseUrl, key).build();
  }

  private static Connection.Builder builder(String baseUrl, String key) {
    return Connection.builder(new AutopilotConnectorProvider())
        .setting(StandardSettings.BASE_URL, baseUrl)
        .setting(StandardSettings.REQUESTS_PER_SECOND, "2000")
        .secret(AutopilotConnectorProvider.API_KEY, Secret.of(key))
        .privacyConsent(PrivacyConsent.acknowledgedBy("test@segmentexport.test", Instant.now()));
  }

  private Connection connection() {
    return connection(sim.baseUrl(), KEY);
  }

  private static FieldMapping mapping() {
    return FieldMapping.builder()
        .email("email")
        .firstName("first")
        .lastName("last")
        .custom("Loyalty Tier", "tier")
        .custom("Orders", "orders", FieldType.INTEGER)
        .build();
  }

  private static List<Profile> profiles(int n) {
    return IntStream.range(0, n)
        .mapToObj(
            i ->
                Profile.of(
                    "email",
                    "user" + i + "@example.org",
                    "first",
                    "F" + i,
                    "last",
                    "L" + i,
                    "tier",
                    i % 2 == 0 ? "gold" : "",
                    "orders",
                    Integer.toString(i)))
        .collect(Collectors.toList());
  }

  private static ExportResult export(Connection c, SegmentSource source, String... segments) {
    return export(c, source, ExportOptions.DEFAULT, segments);
  }

  private static ExportResult export(
      Connection c, SegmentSource source, ExportOptions options, String... segments) {
    ExportDefinition d = ExportDefinition.builder(c).segments(segments).mapping(mapping()).build();
    try (SegmentExporter exporter = exporter(c)) {
      return exporter.export(d, source, options.withRetryPolicy(FAST));
    }
  }

  private static SegmentExporter exporter(Connection c) {
    return Connectors.of(new AutopilotConnectorProvider())
        .withHttpClient(new OkHttpClient.Builder().readTimeout(Duration.ofMillis(800)).build())
        .exporter(c);
  }

  private static SegmentSource of(List<Profile> profiles) {
    return name -> Segment.of(name, profiles);
  }

  // ---- connection ----------------------------------------------------------------------------

  @Test
  void verifyReadsTheListsWithTheApiKeyHeaderAtTheConfiguredBase() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().code(200).body("{\"lists\":[]}").build());
      server.start();
      try (SegmentExporter exporter =
          Connectors.of(new AutopilotConnectorProvider())
              .exporter(connection(server.url("/v1").toString(), KEY))) {
        exporter.verify();
      }
      RecordedRequest r = server.takeRequest();
      assertThat(r.getMethod()).isEqualTo("GET");
      assertThat(r.getUrl().encodedPath()).isEqualTo("/v1/lists");
      assertThat(r.getHeaders().get("autopilotapikey")).isEqualTo(KEY);
    }
    assertThat(new AutopilotConnectorProvider().settings())
        .anySatisfy(
            s -> {
              assertThat(s.name()).isEqualTo(StandardSettings.BASE_URL);
              assertThat(s.defaultValue()).hasValue("https://api2.autopilothq.com/v1");
            });
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "400|{\"error\":\"Bad Request\",\"message\":\"No autopilotapikey header provided.\"}",
        "401|{\"error\":\"Unauthorized\",\"message\":\"Provided autopilotapikey not valid.\"}"
      })
  void missingAndBadKeysAreAuthenticationErrors(String answer) throws Exception {
    String[] parts = answer.split("\\|", 2);
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(
          new MockResponse.Builder().code(Integer.parseInt(parts[0])).body(parts[1]).build());
      server.start();
      try (SegmentExporter exporter =
          Connectors.of(new AutopilotConnectorProvider())
              .exporter(connection(server.url("/v1").toString(), KEY))) {
        assertThatThrownBy(exporter::verify).isInstanceOf(AuthenticationException.class);
      }
      assertThat(server.getRequestCount()).isEqualTo(1);
    }
  }

  @Test
  void anOrdinary400IsNotAnAuthenticationError() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(
          new MockResponse.Builder()
              .code(400)
              .body("{\"error\":\"Bad Request\",\"message\":\"Something else.\"}")
              .build());
      server.start();
      try (SegmentExporter exporter =
          Connectors.of(new AutopilotConnectorProvider())
              .exporter(connection(server.url("/v1").toString(), KEY))) {
        assertThatThrownBy(exporter::verify)
            .isNotInstanceOf(AuthenticationException.class)
            .hasMessageContaining("Something else.");
      }
    }
  }

  // ---- lists ---------------------------------------------------------------------------------

  @Test
  void anExistingListIsFoundByTitleAndAMissingOneCreated() {
    String existing = sim.createList(VIP);
    ExportResult result = export(connection(), of(profiles(3)), VIP, "Lapsed 90 days");
    assertThat(result.segment(VIP).flatMap(SegmentResult::destinationId)).hasValue(existing);
    assertThat(sim.listsTitled(VIP)).isEqualTo(1);
    assertThat(sim.listsTitled("Lapsed 90 days")).isEqualTo(1);
    assertThat(sim.members("Lapsed 90 days")).hasSize(3);
    assertThat(sim.calls())
        .filteredOn(c -> c.method().equals("POST") && c.path().equals("/v1/list"))
        .hasSize(1);
  }

  @Test
  void a409OnCreateReReadsTheListsAndUsesTheMatch() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(json("{\"lists\":[{\"list_id\":\"contactlist_other\",\"title\":\"VIP\"}]}"));
      server.enqueue(
          new MockResponse.Builder()
              .code(409)
              .body(
                  "{\"error\":\"Conflict\",\"message\":\"A list with this name already exists.\"}")
              .build());
      server.enqueue(
          json("{\"lists\":[{\"list_id\":\"contactlist_X\",\"title\":\"" + VIP + "\"}]}"));
      server.enqueue(json("{\"contacts\":[],\"total_contacts\":0}"));
      server.enqueue(
          json(
              "{\"contact_ids\":[\"person_1\"],\"email_contact_map\":{\"user0@example.org\":\"person_1\"}}"));
      server.enqueue(json("{\"contacts\":[],\"total_contacts\":1}"));
      server.start();
      ExportResult result =
          export(connection(server.url("/v1").toString(), KEY), of(profiles(1)), VIP);
      assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
      assertThat(result.segment(VIP).flatMap(SegmentResult::destinationId))
          .hasValue("contactlist_X");
      server.takeRequest();
      RecordedRequest create = server.takeRequest();
      assertThat(create.getUrl().encodedPath()).isEqualTo("/v1/list");
      assertThat(create.getBody().utf8()).isEqualTo("{\"name\":\"" + VIP + "\"}");
      assertThat(server.takeRequest().getUrl().encodedPath()).isEqualTo("/v1/lists");
      server.takeRequest();
      assertThat(server.takeRequest().getBody().utf8())
          .contains("\"_autopilot_list\":\"contactlist_X\"");
    }
  }

  @Test
  void aSecondListOfTheSameNameIsNeverCreated() {
    sim.duplicateListNames(true);
    export(connection(), of(profiles(2)), VIP);
    export(connection(), of(profiles(2)), VIP);
    assertThat(sim.listsTitled(VIP)).isEqualTo(1);
  }

  private static MockResponse json(String body) {
    return new MockResponse.Builder()
        .code(200)
        .setHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  // ---- profiles ------------------------------------------------------------------------------

  @Test
  void profilesAreUpsertedInBatchesOfAtMost100WithTypedCustomKeys() {
    ExportResult result = export(connection(), of(profiles(250)), VIP);
    assertThat(result.exported()).isEqualTo(250);
    assertThat(sim.bulkUpserts()).isEqualTo(3);
    assertThat(sim.maxBatchSize()).isEqualTo(100);
    assertThat(sim.contactFields("user4@example.org"))
        .containsEntry("Email", "user4@example.org")
        .containsEntry("FirstName", "F4")
        .containsEntry("LastName", "L4")
        .containsEntry("string--Loyalty--Tier", "gold")
        .containsEntry("integer--Orders", "4");
    assertThat(sim.contactFields("user5@example.org")).doesNotContainKey("string--Loyalty--Tier");
    assertThat(sim.members(VIP)).hasSize(250);
  }

  @Test
  void anAddressMissingFromEmailContactMapIsARejectedRecord() {
    sim.rejectAddress("user7@example.org", null);
    ExportResult result = export(connection(), of(profiles(20)), VIP);
    assertThat(result.exported()).isEqualTo(19);
    assertThat(result.rejectedSample())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.row()).isEqualTo(8);
              assertThat(r.reason()).isEqualTo(RejectionReason.VENDOR_REJECTED);
              assertThat(r.vendorCode()).hasValue(AutopilotDestination.NOT_MAPPED);
            });
    assertThat(sim.members(VIP)).hasSize(19).doesNotContain("user7@example.org");
  }

  @Test
  void theUpsertAnswerIsReadForItsMappedAddressesOnly() {
    assertThat(
            AutopilotDestination.mappedAddresses(
                utf8(
                    "{\"contact_ids\":[\"p1\",\"p2\"],\"email_contact_map\":"
                        + "{\" Ann@Example.org \":\"p1\",\"bob@example.org\":{\"nested\":[1,2]}},\"extra\":{\"a\":null}}")))
        .containsExactlyInAnyOrder("ann@example.org", "bob@example.org");
    assertThat(AutopilotDestination.mappedAddresses(utf8("{\"contact_ids\":[]}"))).isEmpty();
    assertThat(
            AutopilotDestination.mappedAddresses(
                utf8("{\"email_contact_map\":[\"a@example.org\"]}")))
        .isEmpty();
    // Not JSON, or cut off: nothing counts as mapped, so every contact of the batch is rejected,
    // none lost.
    assertThat(AutopilotDestination.mappedAddresses(utf8("<html>502</html>"))).isEmpty();
    assertThat(
            AutopilotDestination.mappedAddresses(
                utf8("{\"email_contact_map\":{\"a@example.org\":\"p1\"")))
        .isEmpty();
    assertThat(AutopilotDestination.mappedAddresses(new byte[0])).isEmpty();
  }

  @Test
  void theMemberCountIsReadPastThePagesContacts() {
    assertThat(
            ListMembership.totalContacts(
                utf8(
                    "{\"contacts\":[{\"Email\":\"a@example.org\",\"lists\":"
                        + "[\"contactlist_1\"],\"custom\":{\"integer--Orders\":3}}],\"total_contacts\":20000,"
                        + "\"bookmark\":\"person_1\"}")))
        .isEqualTo(20000);
    assertThat(ListMembership.totalContacts(utf8("{\"total_contacts\":\"42\",\"contacts\":[]}")))
        .isEqualTo(42);
    // No count, or an answer that is not one: 0, which no group's growth matches, so each joining
    // contact
    // is checked one by one.
    assertThat(ListMembership.totalContacts(utf8("{\"contacts\":[]}"))).isZero();
    assertThat(ListMembership.totalContacts(utf8("{\"total_contacts\":null}"))).isZero();
    assertThat(ListMembership.totalContacts(utf8("{\"total_contacts\":\"many\"}"))).isZero();
    assertThat(ListMembership.totalContacts(utf8("{\"contacts\":[{\"Email\":"))).isZero();
    assertThat(ListMembership.totalContacts(utf8("<html>502</html>"))).isZero();
    assertThat(ListMembership.totalContacts(new byte[0])).isZero();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @EnumSource(ListAssignment.class)
  void membershipIsConfirmedAndOnlyMissingContactsAreAddedOneByOne(ListAssignment reading) {
    sim.listAssignment(reading);
    String list = sim.createList(VIP);
    for (int i = 0; i < 30; i++) {
      sim.addContact(
          "user" + i + "@example.org", Map.of()); // known to the account, not on the list
    }
    ExportResult result = export(connection(), of(profiles(120)), VIP);

    assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(sim.members(VIP)).hasSize(120);
    long expectedAdds =
        reading == ListAssignment.ALWAYS ? 0 : reading == ListAssignment.ON_CREATION ? 30 : 120;
    SegmentResult segment = result.segment(VIP).orElseThrow();
    assertThat(segment.counters().getOrDefault(ListMembership.LIST_ADDS, 0L))
        .isEqualTo(expectedAdds);
    assertThat(sim.singleListAdds()).isEqualTo((int) expectedAdds);
    assertThat(list).isEqualTo(segment.destinationId().orElseThrow());
  }

  @ParameterizedTest
  @EnumSource(ListAssignment.class)
  void aRerunIntoAListThatHoldsItsContactsNeedsNoCallPerContact(ListAssignment reading) {
    sim.listAssignment(reading);
    export(connection(), of(profiles(230)), VIP);
    int adds = sim.singleListAdds();
    sim.resetCounters();

    ExportResult again = export(connection(), of(profiles(250)), VIP);

    assertThat(again.exported()).isEqualTo(250);
    assertThat(sim.members(VIP)).hasSize(250);
    SegmentResult segment = again.segment(VIP).orElseThrow();
    long expectedChecks =
        reading == ListAssignment.NEVER_IN_BULK ? 20 : 0; // the 20 new ones, if at all
    assertThat(segment.counters().getOrDefault(ListMembership.MEMBERSHIP_CHECKS, 0L))
        .isEqualTo(expectedChecks);
    // Never in bulk: the 20 new ones are added one by one, without a check each first (the page
    // after the
    // last member read shows they are not members).
    assertThat(sim.calls())
        .filteredOn(c -> c.path().matches("/v1/list/[^/]+/contact/.*"))
        .hasSize(reading == ListAssignment.NEVER_IN_BULK ? 20 : 0);
    int rereads = reading == ListAssignment.NEVER_IN_BULK ? 1 : 0;
    assertThat(sim.calls())
        .as("three pages of members, then one count per group of batches (at most one a batch)")
        .filteredOn(c -> c.path().matches("/v1/list/[^/]+/contacts(/.*)?"))
        .hasSizeBetween(3 + 1 + rereads, 3 + 3 + 3 * rereads);
    assertThat(adds).isEqualTo(reading == ListAssignment.NEVER_IN_BULK ? 230 : 0);
  }

  @Test
  void aContactThatCannotBeAddedToTheListIsRejectedWithTheVendorsCode() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(
          json("{\"lists\":[{\"list_id\":\"contactlist_X\",\"title\":\"" + VIP + "\"}]}"));
      server.enqueue(json("{\"contacts\":[],\"total_contacts\":0}"));
      server.enqueue(
          json(
              "{\"email_contact_map\":{\"user0@example.org\":\"p0\",\"user1@example.org\":\"p1\"}}"));
      // Two joining contacts, a list of 150 (someone else added some): re-reading it would take two
      // pages, no
      // fewer than asking for each contact.
      server.enqueue(json("{\"contacts\":[],\"total_contacts\":150}"));
      server.enqueue(new MockResponse.Builder().code(200).body("{}").build()); // user0 is a member
      server.enqueue(
          new MockResponse.Builder()
              .code(404)
              .body("{\"error\":\"Not Found\",\"message\":\"\"}")
              .build());
      server.enqueue(
          new MockResponse.Builder()
              .code(404)
              .body("{\"error\":\"Not Found\",\"message\":\"Contact could not be found.\"}")
              .build());
      server.start();
      ExportResult result =
          export(connection(server.url("/v1").toString(), KEY), of(profiles(2)), VIP);
      assertThat(result.exported()).isEqualTo(1);
      RejectedRecord r = result.rejectedSample().get(0);
      assertThat(r.row()).isEqualTo(2);
      assertThat(r.vendorCode()).hasValue("Not Found");
      assertThat(r.message()).isEqualTo("Contact could not be found.");
      List<String> paths = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        RecordedRequest q = server.takeRequest();
        paths.add(q.getMethod() + " " + q.getUrl().encodedPath());
      }
      assertThat(paths.subList(4, 7))
          .containsExactly(
              "GET /v1/list/contactlist_X/contact/user0%40example.org",
              "GET /v1/list/contactlist_X/contact/user1%40example.org",
              "POST /v1/list/contactlist_X/contact/user1%40example.org");
    }
  }

  /** A members page of these contact ids (addresses made up from them), with a bookmark unless last. */
  private static MockResponse page(List<String> ids, long total, boolean last) {
    StringBuilder b = new StringBuilder("{\"contacts\":[");
    for (int i = 0; i < ids.size(); i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"contact_id\":\"")
          .append(ids.get(i))
          .append("\",\"Email\":\"")
          .append(ids.get(i))
          .append("@members.example.org\"}");
    }
    b.append("],\"total_contacts\":").append(total);
    if (!last) {
      b.append(",\"bookmark\":\"").append(ids.get(ids.size() - 1)).append('"');
    }
    return json(b.append('}').toString());
  }

  private static List<String> ids(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "p" + i).collect(Collectors.toList());
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  void theMembersAddedSinceTheLastReadAreReadAfterItsLastMemberAndTheWholeListWhenThatDoesNotAddUp(
      boolean joinOrder) throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(
          json("{\"lists\":[{\"list_id\":\"contactlist_X\",\"title\":\"" + VIP + "\"}]}"));
      server.enqueue(page(ids(0, 100), 150, false));
      server.enqueue(page(ids(100, 150), 150, true));
      server.enqueue(
          json(
              "{\"email_contact_map\":{\"user0@example.org\":\"n0\",\"user1@example.org\":\"n1\","
                  + "\"user2@example.org\":\"n2\"}}"));
      server.enqueue(page(ids(0, 100), 152, false)); // the count: one short
      if (joinOrder) { // the page after p149 holds the two that joined
        server.enqueue(page(List.of("n0", "n1"), 152, true));
      } else { // n0 is listed elsewhere: the tail does not add up, so the whole list is read
        server.enqueue(page(List.of("n1"), 152, true));
        List<String> first = new ArrayList<>(ids(0, 99));
        first.add("n0");
        server.enqueue(page(first, 152, false));
        List<String> second = new ArrayList<>(ids(99, 150));
        second.add("n1");
        server.enqueue(page(second, 152, true));
      }
      server.enqueue(json("{}")); // user2 added
      server.start();
      ExportResult result =
          export(connection(server.url("/v1").toString(), KEY), of(profiles(3)), VIP);

      assertThat(result.exported()).isEqualTo(3);
      assertThat(result.segment(VIP).orElseThrow().counters())
          .containsEntry(ListMembership.MEMBER_PAGES, joinOrder ? 1L : 3L)
          .containsEntry(ListMembership.LIST_ADDS, 1L);
      List<String> paths = new ArrayList<>();
      for (int i = 0; i < server.getRequestCount(); i++) {
        RecordedRequest q = server.takeRequest();
        paths.add(q.getMethod() + " " + q.getUrl().encodedPath());
      }
      List<String> expected = new ArrayList<>(List.of("GET /v1/list/contactlist_X/contacts/p149"));
      if (!joinOrder) {
        expected.addAll(
            List.of(
                "GET /v1/list/contactlist_X/contacts", "GET /v1/list/contactlist_X/contacts/n0"));
      }
      expected.add("POST /v1/list/contactlist_X/contact/user2%40example.org");
      assertThat(paths.subList(5, paths.size())).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aGroupTheCountDoesNotConfirmIsCheckedByReReadingTheMembersWhenThatIsCheaper()
      throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(
          json("{\"lists\":[{\"list_id\":\"contactlist_X\",\"title\":\"" + VIP + "\"}]}"));
      server.enqueue(json("{\"contacts\":[],\"total_contacts\":0}"));
      server.enqueue(
          json(
              "{\"email_contact_map\":{\"user0@example.org\":\"p0\",\"user1@example.org\":\"p1\"}}"));
      server.enqueue(
          json(
              "{\"contacts\":[{\"contact_id\":\"p0\",\"Email\":\"User0@example.org\"}],"
                  + "\"total_contacts\":1}")); // the count: one page holds the whole list
      server.enqueue(
          json(
              "{\"contacts\":[{\"contact_id\":\"p0\",\"Email\":\"User0@example.org\"}],"
                  + "\"total_contacts\":1}")); // the re-read: user0 is a member (by its contact id)
      server.enqueue(
          new MockResponse.Builder()
              .code(404)
              .body("{\"error\":\"Not Found\",\"message\":\"Contact could not be found.\"}")
              .build());
      server.start();
      ExportResult result =
          export(connection(server.url("/v1").toString(), KEY), of(profiles(2)), VIP);
      assertThat(result.exported()).isEqualTo(1);
      assertThat(result.rejectedSample())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.row()).isEqualTo(2);
                assertThat(r.message()).isEqualTo("Contact could not be found.");
              });
      assertThat(result.segment(VIP).orElseThrow().counters())
          .containsEntry(ListMembership.MEMBER_PAGES, 1L)
          .containsEntry(ListMembership.MEMBERSHIP_CHECKS, 2L)
          .containsEntry(ListMembership.LIST_ADDS, 0L);
      List<String> paths = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        RecordedRequest q = server.takeRequest();
        paths.add(q.getMethod() + " " + q.getUrl().encodedPath());
      }
      assertThat(paths.subList(3, 6))
          .containsExactly(
              "GET /v1/list/contactlist_X/contacts",
              "GET /v1/list/contactlist_X/contacts",
              "POST /v1/list/contactlist_X/contact/user1%40example.org");
      assertThat(server.getRequestCount()).isEqualTo(6);
    }
  }

  // ---- group confirmation --------------------------------------------------------------------

  /** Delaying the first upsert lets the reader queue every later batch behind it: one group. */
  private static final Duration QUEUE_UP = Duration.ofMillis(300);

  @Test
  void withTheDefaultConcurrencyOneCountReadConfirmsAGroupOfBatches() {
    assertThat(new AutopilotConnectorProvider().limits().maxConcurrentBatches())
        .isEqualTo(AutopilotConnectorProvider.DEFAULT_CONCURRENT_BATCHES)
        .isGreaterThan(20);
    sim.faults().delayWrite(1, QUEUE_UP);
    ExportResult result = export(connection(), of(profiles(2000)), VIP);

    assertThat(result.exported()).isEqualTo(2000);
    assertThat(result.rejected()).isZero();
    assertThat(sim.members(VIP)).hasSize(2000);
    assertThat(sim.bulkUpserts()).isEqualTo(20);
    assertThat(sim.listCountReads())
        .as("the members read once, then a count per group, not per batch")
        .isBetween(2, 4);
    assertThat(sim.requestCount())
        .as("lists, create, upserts and count reads")
        .isLessThanOrEqualTo(2 + 20 + 4);
    SegmentResult segment = result.segment(VIP).orElseThrow();
    assertThat(segment.counters().getOrDefault(ListMembership.MEMBERSHIP_CHECKS, 0L)).isZero();
    assertThat(sim.singleListAdds()).isZero();
  }

  @Test
  void withOneBatchInFlightEachBatchIsConfirmedByItsOwnCountRead() {
    Connection c =
        builder(sim.baseUrl(), KEY).setting(StandardSettings.MAX_CONCURRENT_BATCHES, "1").build();
    ExportResult result = export(c, of(profiles(500)), VIP);
    assertThat(result.exported()).isEqualTo(500);
    assertThat(sim.listCountReads())
        .as("the members read, then one count per batch")
        .isEqualTo(1 + 5);
    assertThat(sim.requestCount()).isEqualTo(2 + 1 + 5 + 5);
  }

  /** Each write's answer comes this long after it arrives, so that upserts sent together overlap. */
  private static final Duration SLOW_ANSWER = Duration.ofMillis(150);

  /** Batches in flight: the default (20 batches are one group), and 6 (groups fill while upserts are unanswered). */
  @ParameterizedTest
  @ValueSource(ints = {AutopilotConnectorProvider.DEFAULT_CONCURRENT_BATCHES, 6})
  void upsertsOverlapUpToTheirLimitAndACountReadWaitsUntilEveryUpsertIsAnswered(
      int batchesInFlight) {
    assertThat(AutopilotConnectorProvider.DEFAULT_CONCURRENT_UPSERTS).isEqualTo(4);
    sim.latency(SLOW_ANSWER);
    Connection c =
        builder(sim.baseUrl(), KEY)
            .setting(StandardSettings.MAX_CONCURRENT_BATCHES, Integer.toString(batchesInFlight))
            .build();
    ExportResult result = export(c, of(profiles(2000)), VIP);

    assertThat(result.exported()).isEqualTo(2000);
    assertThat(sim.members(VIP)).hasSize(2000);
    assertThat(
            result
                .segment(VIP)
                .orElseThrow()
                .counters()
                .getOrDefault(ListMembership.MEMBERSHIP_CHECKS, 0L))
        .as("every count read confirmed its group")
        .isZero();
    List<Long> upserts = arrivals("POST", "/v1/contacts");
    List<Long> countReads = arrivals("GET", "/v1/list/" + sim.listId(VIP) + "/contacts");
    assertThat(upserts).hasSize(20);
    assertThat(countReads)
        .as("the members read, then a count per group")
        .hasSizeBetween(2, 1 + 20 / 2);
    assertThat(mostArrivingWithin(upserts, SLOW_ANSWER))
        .as("upserts unanswered at once")
        .isBetween(2, 4);
    for (long read : countReads) {
      for (long upsert : upserts) {
        if (upsert < read) {
          assertThat(read - upsert)
              .as("a count read after an upsert's answer, never during it")
              .isGreaterThanOrEqualTo(SLOW_ANSWER.toNanos());
        }
      }
    }
  }

  @Test
  void anUpsertRefusedWhileOthersAreUnansweredFailsOnlyItsBatchAndTheGroupIsStillConfirmed() {
    sim.latency(SLOW_ANSWER);
    sim.faults().failWrite(3, 400);
    ExportResult result =
        export(
            connection(),
            of(profiles(2000)),
            ExportOptions.DEFAULT.withRejectedSampleSize(2000),
            VIP);

    assertThat(result.exported()).isEqualTo(1900);
    assertThat(result.rejected()).isEqualTo(100);
    assertThat(sim.members(VIP)).hasSize(1900);
    assertThat(
            result
                .segment(VIP)
                .orElseThrow()
                .counters()
                .getOrDefault(ListMembership.MEMBERSHIP_CHECKS, 0L))
        .as("the refused batch is in no group: the count still confirms the others")
        .isZero();
    // The refused upsert is answered at once, so a fifth can arrive within the others' answer time.
    assertThat(mostArrivingWithin(arrivals("POST", "/v1/contacts"), SLOW_ANSWER))
        .as("upserts overlapped")
        .isBetween(2, 5);
  }

  @Test
  void withOneUpsertAtATimeNoTwoOverlap() {
    sim.latency(SLOW_ANSWER);
    Connection c =
        builder(sim.baseUrl(), KEY)
            .setting(AutopilotConnectorProvider.MAX_CONCURRENT_UPSERTS, "1")
            .build();
    ExportResult result = export(c, of(profiles(500)), VIP);
    assertThat(result.exported()).isEqualTo(500);
    List<Long> upserts = arrivals("POST", "/v1/contacts");
    assertThat(upserts).hasSize(5);
    assertThat(mostArrivingWithin(upserts, SLOW_ANSWER)).isEqualTo(1);
  }

  @Test
  void upsertsAtOnceOutside1To64AreRefusedWhenTheConnectionIsBuilt() {
    for (String bad : List.of("0", "65", "9999999999", "-1")) {
      Connection.Builder b =
          builder(sim.baseUrl(), KEY)
              .setting(AutopilotConnectorProvider.MAX_CONCURRENT_UPSERTS, bad);
      assertThatThrownBy(b::build)
          .as(bad)
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining(AutopilotConnectorProvider.MAX_CONCURRENT_UPSERTS)
          .hasMessageContaining("between 1 and 64");
    }
    assertThat(sim.requestCount()).isZero();
  }

  @Test
  void everyOutOfRangeSettingIsListedAtOnce() {
    Connection.Builder b =
        builder(sim.baseUrl(), KEY)
            .setting(AutopilotConnectorProvider.MAX_CONCURRENT_UPSERTS, "0")
            .setting(StandardSettings.MAX_CONCURRENT_BATCHES, "3000000000")
            .setting(StandardSettings.MAX_PROFILES_PER_EXPORT, "100001")
            .setting(StandardSettings.REQUESTS_PER_SECOND, "NaN");
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, b::build);
    assertThat(e.problems()).hasSize(4);
    assertThat(e.problems())
        .anySatisfy(
            p -> assertThat(p).startsWith(AutopilotConnectorProvider.MAX_CONCURRENT_UPSERTS))
        .anySatisfy(p -> assertThat(p).startsWith(StandardSettings.MAX_CONCURRENT_BATCHES))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(StandardSettings.MAX_PROFILES_PER_EXPORT)
                    .contains("100000"))
        .anySatisfy(p -> assertThat(p).startsWith(StandardSettings.REQUESTS_PER_SECOND));
  }

  /** When the simulator received each call of this method and path, in nanoseconds, in order. */
  private List<Long> arrivals(String method, String path) {
    return sim.calls().stream()
        .filter(call -> call.method().equals(method) && call.path().equals(path))
        .map(call -> call.atNanos())
        .sorted()
        .collect(Collectors.toList());
  }

  /** The most of these sorted instants that fall within any one span of the given length. */
  private static int mostArrivingWithin(List<Long> sorted, Duration span) {
    int most = 0;
    for (int i = 0, j = 0; j < sorted.size(); j++) {
      while (sorted.get(j) - sorted.get(i) >= span.toNanos()) {
        i++;
      }
      most = Math.max(most, j - i + 1);
    }
    return most;
  }

  @Test
  void aGroupTheCountDoesNotConfirmIsCheckedContactByContact() {
    sim.listAssignment(ListAssignment.ON_CREATION);
    for (int i = 0; i < 1000; i += 5) {
      sim.addContact(
          "user" + i + "@example.org", Map.of()); // known to the account, not on the list
    }
    sim.faults().delayWrite(1, QUEUE_UP);
    ExportResult result = export(connection(), of(profiles(1000)), VIP);

    assertThat(result.exported()).isEqualTo(1000);
    assertThat(sim.members(VIP)).hasSize(1000);
    SegmentResult segment = result.segment(VIP).orElseThrow();
    assertThat(segment.counters())
        .as("summed over the batches of every group")
        .containsEntry(ListMembership.MEMBERSHIP_CHECKS, 1000L)
        .containsEntry(ListMembership.LIST_ADDS, 200L);
    assertThat(sim.singleListAdds()).isEqualTo(200);
    assertThat(sim.listCountReads()).isLessThan(1 + 10);
  }

  /** Calls to the one-contact membership routes ({@code /v1/list/{id}/contact/{email}}). */
  private long perContactCalls() {
    return sim.calls().stream().filter(c -> c.path().matches("/v1/list/[^/]+/contact/.*")).count();
  }

  @Test
  void addressesDifferingInCaseFromMembersCostNoCallPerContactWhereAutopilotTellsThemApart() {
    sim.caseSensitiveAddresses(true); // Autopilot documents neither reading
    String list = sim.createList(VIP);
    for (int i = 0; i < 1000; i += 100) {
      sim.addListMember(
          list, "User" + i + "@example.org"); // 1%: another contact to a case-sensitive vendor
    }
    ExportResult result = export(connection(), of(profiles(1000)), VIP);

    assertThat(result.exported()).isEqualTo(1000);
    assertThat(sim.members(VIP)).hasSize(1010);
    assertThat(perContactCalls()).isZero();
    // The lists, a page of members, 10 upserts and at most a count read each.
    assertThat(sim.calls()).hasSizeLessThanOrEqualTo(1 + 1 + 10 + 10);
  }

  @ParameterizedTest
  @EnumSource(ListAssignment.class)
  void onePercentOfContactsAlreadyOnTheListOrMissingFromItCostsBoundedCalls(
      ListAssignment reading) {
    sim.listAssignment(reading);
    String list = sim.createList(VIP);
    for (int i = 0; i < 1000; i += 100) {
      sim.addListMember(list, "user" + i + "@example.org"); // already on the list: sent again
      sim.addContact(
          "user" + (i + 1) + "@example.org", Map.of()); // known to the account, not on the list
    }
    ExportResult result = export(connection(), of(profiles(1000)), VIP);

    assertThat(result.exported()).isEqualTo(1000);
    assertThat(sim.members(VIP)).hasSize(1000);
    long missing =
        reading == ListAssignment.ALWAYS ? 0 : reading == ListAssignment.ON_CREATION ? 10 : 990;
    assertThat(perContactCalls())
        .as("one add per contact the upsert did not put on the list, no check first")
        .isEqualTo(missing);
    assertThat(sim.singleListAdds()).isEqualTo((int) missing);
    // The lists, a page of members, 10 upserts, a count read each at most, and where the count
    // falls short
    // the pages after the last member read: one a group (10 groups at most), plus one per 100
    // joiners.
    assertThat(sim.calls()).hasSizeLessThanOrEqualTo((int) (1 + 1 + 10 + 10 + (10 + 10) + missing));
  }

  @Test
  void aFailedListAddInAGroupIsRejectedOnItsOwnBatchWithTheVendorsCode() {
    sim.listAssignment(ListAssignment.NEVER_IN_BULK).refuseListAdd("user237@example.org");
    sim.faults().delayWrite(1, QUEUE_UP);
    List<Integer> rejectedPerBatch = Collections.synchronizedList(new ArrayList<>());
    ExportListener listener =
        new ExportListener() {
          @Override
          public void batchAcknowledged(
              String segment, int records, int exported, int rejected, long soFar) {
            rejectedPerBatch.add(rejected);
          }
        };
    ExportResult result =
        export(connection(), of(profiles(500)), ExportOptions.DEFAULT.withListener(listener), VIP);

    assertThat(sim.listCountReads()).as("one group for the five batches").isLessThan(1 + 5);
    assertThat(result.exported()).isEqualTo(499);
    assertThat(result.rejectedSample())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.row()).isEqualTo(238);
              assertThat(r.reason()).isEqualTo(RejectionReason.VENDOR_REJECTED);
              assertThat(r.vendorCode()).hasValue("Not Found");
              assertThat(r.message()).isEqualTo("Contact could not be found.");
            });
    assertThat(rejectedPerBatch).containsExactlyInAnyOrder(0, 0, 1, 0, 0);
    assertThat(result.segment(VIP).orElseThrow().counters())
        .containsEntry(ListMembership.MEMBERSHIP_CHECKS, 500L)
        .containsEntry(ListMembership.LIST_ADDS, 499L);
    assertThat(sim.members(VIP)).hasSize(499).doesNotContain("user237@example.org");
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void cancellingWhileBatchesAwaitTheirGroupStopsAndAccountsForEveryProfile() throws Exception {
    sim.faults().delayWrite(1, QUEUE_UP).delayWrite(3, Duration.ofMillis(500));
    Connection c = connection();
    ExportDefinition d = ExportDefinition.builder(c).segments(VIP).mapping(mapping()).build();
    try (SegmentExporter exporter = exporter(c)) {
      ExportHandle handle =
          exporter.start(
              d,
              of(profiles(2000)),
              ExportOptions.DEFAULT.withRetryPolicy(FAST).withRejectedSampleSize(2000));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (sim.writeCount() < 3 && System.nanoTime() < deadline) {
        Thread
            .onSpinWait(); // batches 1 and 2 are upserted and wait for their group; 3 is in flight
      }
      assertThat(sim.writeCount()).isGreaterThanOrEqualTo(3);
      handle.cancel();
      ExportResult result =
          handle
              .await(Duration.ofSeconds(10))
              .orElseThrow(
                  () -> new AssertionError("the export did not stop within 10 s of cancel()"));

      assertThat(result.status()).isEqualTo(ExportStatus.CANCELLED);
      SegmentResult segment = result.segment(VIP).orElseThrow();
      assertThat(segment.read())
          .isEqualTo(
              segment.exported()
                  + segment.rejected()
                  + segment.unconfirmed()
                  + segment.notAttempted());
      assertThat(result.exported()).as("no group was confirmed").isZero();
      // Upserted but not yet confirmed by their group's count: they may be on the list, so they are
      // unconfirmed, not rejected.
      assertThat(segment.rejected()).isZero();
      long unconfirmed =
          result.rejectedSample().stream()
              .filter(r -> r.reason() == RejectionReason.UNCONFIRMED)
              .count();
      assertThat(unconfirmed).isEqualTo(segment.unconfirmed());
      assertThat(unconfirmed)
          .as("the upserted batches waiting for their group")
          .isGreaterThanOrEqualTo(200);
      assertThat((long) sim.members(VIP).size()).isBetween(200L, unconfirmed);
      assertThat(segment.notAttempted()).isPositive();
    }
  }

  // ---- rate limit and replays ----------------------------------------------------------------

  @Test
  void theDefaultRateIsFivePerSecondAndA429WithoutHeadersIsBackedOff() {
    assertThat(new AutopilotConnectorProvider().limits().requestsPerSecond()).isEqualTo(5.0);
    sim.faults().throttleWrite(1, null).throttleWrite(2, null);
    ExportResult result = export(connection(), of(profiles(50)), VIP);
    assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(result.retries()).isGreaterThanOrEqualTo(2);
    assertThat(result.throttledTime()).isPositive();
    assertThat(sim.members(VIP)).hasSize(50);
  }

  @Test
  void anUpsertThatTimedOutButCompletedIsReplayedHarmlessly() {
    sim.faults().delayWrite(1, Duration.ofMillis(1500));
    ExportResult result = export(connection(), of(profiles(40)), VIP);
    assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(result.exported()).isEqualTo(40);
    assertThat(sim.bulkUpserts()).isEqualTo(2);
    assertThat(sim.members(VIP)).hasSize(40);
    assertThat(sim.singleListAdds()).isZero();
  }

  // ---- the 100,000-profile limit -------------------------------------------------------------

  @Test
  void knownSizesOverTheLimitAcrossSegmentsFailBeforeAnyRequest() {
    SegmentSource known =
        new SegmentSource() {
          @Override
          public Segment open(String name) {
            throw new AssertionError("must fail before opening");
          }

          @Override
          public OptionalLong size(String name) {
            return OptionalLong.of(50_001);
          }
        };
    Connection c = connection();
    ExportDefinition d = ExportDefinition.builder(c).segments("A", "B").mapping(mapping()).build();
    try (SegmentExporter exporter = Connectors.of(new AutopilotConnectorProvider()).exporter(c)) {
      assertThatThrownBy(() -> exporter.start(d, known, ExportOptions.DEFAULT))
          .isInstanceOf(LimitExceededException.class)
          .hasMessageContaining("100000");
    }
    assertThat(sim.requestCount()).isZero();
  }

  @Test
  void unknownSizesStopAtTheLimitAcrossSegmentsAndCountTheRest() {
    Connection c =
        Connection.builder(new AutopilotConnectorProvider())
            .setting(StandardSettings.BASE_URL, sim.baseUrl())
            .setting(StandardSettings.REQUESTS_PER_SECOND, "2000")
            .setting(StandardSettings.MAX_PROFILES_PER_EXPORT, "150")
            .secret(AutopilotConnectorProvider.API_KEY, Secret.of(KEY))
            .privacyConsent(PrivacyConsent.acknowledgedBy("test@segmentexport.test", Instant.now()))
            .build();
    ExportResult result = export(c, of(profiles(100)), "A", "B");
    assertThat(result.exported()).isEqualTo(150);
    assertThat(result.notAttempted()).isEqualTo(50);
    assertThat(result.segment("B").orElseThrow().notAttemptedReason())
        .hasValueSatisfying(reason -> assertThat(reason).contains("150"));
    assertThat(sim.receivedEmailCount()).isEqualTo(150);
  }

  @Test
  void aLimitAbove100000IsRefusedWhenTheConnectionIsBuilt() {
    Connection.Builder b =
        Connection.builder(new AutopilotConnectorProvider())
            .setting(StandardSettings.BASE_URL, sim.baseUrl())
            .setting(StandardSettings.MAX_PROFILES_PER_EXPORT, "100001")
            .secret(AutopilotConnectorProvider.API_KEY, Secret.of(KEY))
            .privacyConsent(
                PrivacyConsent.acknowledgedBy("test@segmentexport.test", Instant.now()));
    assertThatThrownBy(b::build)
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(
            StandardSettings.MAX_PROFILES_PER_EXPORT + " must be between 1 and 100000");
  }

  @Test
  void theProviderIsFoundThroughServiceLoader() {
    assertThat(Connectors.load().find("autopilot"))
        .containsInstanceOf(AutopilotConnectorProvider.class);
  }
}
