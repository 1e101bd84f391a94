package com.segmentexport.autopilot;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RetryPolicy;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.spi.AccountDirectory;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.DestinationRequest;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.RecordSchema;
import com.segmentexport.testkit.EngineHttp;
import com.segmentexport.testkit.VendorSimulator;
import com.segmentexport.testkit.autopilot.AutopilotSimulator;
import com.segmentexport.testkit.autopilot.AutopilotSimulator.ListAssignment;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The members of a list as the runs of one JVM share them: a later run catches up with the members
 * that joined since (the pages after the last one known) instead of reading the whole list, and a list
 * someone else changed between runs is caught by its count and read again.
 */
class AutopilotListMembersTest {
  private static final String KEY = "ap-members-key";
  private static final String VIP = "VIP customers";
  private static final RetryPolicy FAST =
      RetryPolicy.DEFAULT.withDelays(Duration.ofMillis(10), Duration.ofMillis(200));

  private AutopilotSimulator sim;

  @BeforeEach
  void start() {
    sim = new AutopilotSimulator(KEY).start(); // a new port: a new account, nothing known yet
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private Connection connection() {
    return Connection.builder(new AutopilotConnectorProvider())
        .setting(StandardSettings.BASE_URL, sim.baseUrl())
        .setting(StandardSettings.REQUESTS_PER_SECOND, "2000")
        .secret(AutopilotConnectorProvider.API_KEY, Secret.of(KEY))
        .privacyConsent(PrivacyConsent.acknowledgedBy("test@segmentexport.test", Instant.now()))
        .build();
  }

  /** An export of its own exporter (as a host or a sink window makes them), in this JVM. */
  private ExportResult export(List<Profile> profiles) {
    Connection c = connection();
    ExportDefinition d =
        ExportDefinition.builder(c)
            .segments(VIP)
            .mapping(FieldMapping.builder().email("email").build())
            .build();
    try (SegmentExporter exporter =
        Connectors.of(new AutopilotConnectorProvider())
            .withHttpClient(new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(5)).build())
            .exporter(c)) {
      return exporter.export(
          d, name -> Segment.of(name, profiles), ExportOptions.DEFAULT.withRetryPolicy(FAST));
    }
  }

  private static List<Profile> profiles(int from, int to) {
    return IntStream.range(from, to)
        .mapToObj(i -> Profile.of("email", "user" + i + "@example.org"))
        .collect(Collectors.toList());
  }

  private static Set<String> addresses(int from, int to) {
    return IntStream.range(from, to)
        .mapToObj(i -> "user" + i + "@example.org")
        .collect(Collectors.toSet());
  }

  /** Member pages read after a bookmark: a full read of n members reads ceil(n / 100) - 1 of them. */
  private List<VendorSimulator.Call> bookmarkPages() {
    return sim.calls().stream()
        .filter(c -> c.path().matches("/v1/list/[^/]+/contacts/.+"))
        .collect(Collectors.toList());
  }

  /** Someone else takes a contact off the list ({@code DELETE /v1/list/{id}/contact/{email}}). */
  private void removedElsewhere(String email) throws IOException {
    Request delete =
        new Request.Builder()
            .url(sim.baseUrl() + "/list/" + sim.listId(VIP) + "/contact/" + email)
            .header("autopilotapikey", KEY)
            .delete()
            .build();
    try (Response r = new OkHttpClient().newCall(delete).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
  }

  @Test
  void aLaterRunReadsOnlyThePagesAfterTheLastMemberKnownNotTheWholeList() {
    String list = sim.createList(VIP);
    for (int i = 0; i < 1_000; i++) {
      sim.addContact("user" + i + "@example.org", java.util.Map.of());
      sim.addListMember(list, "user" + i + "@example.org");
    }
    assertThat(export(profiles(0, 1_000)).exported()).isEqualTo(1_000);
    assertThat(bookmarkPages()).as("the first run reads the whole list: 10 pages").hasSize(9);
    sim.resetCounters();

    ExportResult again = export(profiles(0, 1_150)); // 150 join, 1,000 were members

    assertThat(again.exported()).isEqualTo(1_150);
    assertThat(sim.members(VIP)).isEqualTo(addresses(0, 1_150));
    // Reading the 1,000 members again would be a first page and 9 after bookmarks; catching up is
    // one page after the last member known (empty: nobody joined in between).
    assertThat(bookmarkPages()).hasSize(1);
    assertThat(sim.listCountReads())
        .as("count reads only, one per group of at most 12 batches")
        .isBetween(1, 12);
    assertNoCallPerContact();
    sim.resetCounters();

    assertThat(export(profiles(0, 1_150)).exported()).isEqualTo(1_150);
    assertThat(bookmarkPages())
        .as("the 150 that joined in the last run, after the last member read before it")
        .hasSize(2);
    assertNoCallPerContact();
  }

  private void assertNoCallPerContact() {
    assertThat(sim.singleListAdds()).isZero();
    assertThat(
            sim.calls().stream().filter(c -> c.path().matches("/v1/list/[^/]+/contact/.+")).count())
        .as("no check nor add per contact")
        .isZero();
  }

  @Test
  void aListSomeoneElseChangedBetweenRunsIsCaughtByItsCountAndReadAgain() throws IOException {
    sim.listAssignment(ListAssignment.ON_CREATION);
    export(profiles(0, 300));
    export(profiles(0, 300)); // reads the 300 that joined: the last member known is user299
    // Someone else takes one member off and puts another contact on: the count is unchanged, and
    // the page after the last member known holds the newcomer.
    removedElsewhere("user7@example.org");
    sim.addContact("someone@elsewhere.example.org", java.util.Map.of());
    sim.addListMember(sim.listId(VIP), "someone@elsewhere.example.org");
    assertThat(sim.members(VIP)).hasSize(300);
    sim.resetCounters();

    ExportResult again = export(profiles(0, 300));

    assertThat(again.exported()).isEqualTo(300);
    Set<String> expected = new java.util.HashSet<>(addresses(0, 300));
    expected.add("someone@elsewhere.example.org");
    assertThat(sim.members(VIP)).isEqualTo(expected);
    // The page after the last member (1) does not add up with the members known (301 for 300),
    // so the whole list is read again (3 pages: 2 after bookmarks) before the first upsert.
    assertThat(bookmarkPages()).hasSize(1 + 2);
    assertThat(sim.singleListAdds()).as("user7 put back on the list").isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(ListAssignment.class)
  void aMemberRemovedBetweenRunsIsAddedAgain(ListAssignment reading) throws IOException {
    sim.listAssignment(reading);
    export(profiles(0, 250));
    export(profiles(0, 250)); // the last member known is user249
    removedElsewhere("user42@example.org");
    removedElsewhere("user249@example.org"); // the tail's bookmark
    assertThat(sim.members(VIP)).hasSize(248);

    ExportResult again = export(profiles(0, 250));

    assertThat(again.exported()).isEqualTo(250);
    assertThat(sim.members(VIP)).isEqualTo(addresses(0, 250));
  }

  @Test
  void twoRunsWritingOneListAtOnceConfirmTheirUpsertsTogetherAndLoseNoContact() throws Exception {
    // Autopilot puts only the contacts it creates on the list; every 10th contact exists already
    // and must be added one by one. Two runs of this JVM write overlapping profiles at once (two
    // sink tasks on one segment): one run's count must never take the other's joiners for its own.
    sim.listAssignment(ListAssignment.ON_CREATION);
    for (int i = 0; i < 3_000; i += 10) {
      sim.addContact("user" + i + "@example.org", java.util.Map.of());
    }
    sim.createList(VIP);
    java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      java.util.concurrent.Future<ExportResult> first =
          two.submit(() -> export(profiles(0, 2_000)));
      java.util.concurrent.Future<ExportResult> second =
          two.submit(() -> export(profiles(1_000, 3_000)));
      assertThat(first.get().exported()).isEqualTo(2_000);
      assertThat(second.get().exported()).isEqualTo(2_000);
    } finally {
      two.shutdownNow();
    }
    assertThat(sim.members(VIP)).isEqualTo(addresses(0, 3_000));
    assertThat(sim.singleListAdds())
        .as("the 300 that existed, each added once or twice (once per run at most)")
        .isBetween(300, 400);
  }

  // ---- destinations driven directly, with a directory of the test's own
  // ---------------------------

  private static final RecordSchema SCHEMA =
      new RecordSchema(List.of(new MappedField(0, "Email", FieldType.TEXT, false)));

  private <T> T withDestination(
      AccountDirectory directory, String segment, Function<Destination, T> action) {
    ExportDefinition definition =
        ExportDefinition.builder(connection())
            .segments(segment)
            .mapping(FieldMapping.builder().email("email").build())
            .build();
    return EngineHttp.call(
        new AutopilotConnectorProvider(),
        p ->
            Connection.builder(p)
                .setting(StandardSettings.BASE_URL, sim.baseUrl())
                .setting(StandardSettings.REQUESTS_PER_SECOND, "2000")
                .secret(AutopilotConnectorProvider.API_KEY, Secret.of(KEY))
                .privacyConsent(
                    PrivacyConsent.acknowledgedBy("test@segmentexport.test", Instant.now()))
                .build(),
        (connector, http) ->
            action.apply(
                connector.open(
                    new DestinationRequest(segment, definition, SCHEMA, http, directory))));
  }

  private static Batch batch(String segment, int from, int to) {
    List<ExportRecord> records = new ArrayList<>();
    for (int i = from; i < to; i++) {
      records.add(new ExportRecord(records.size() + 1, "user" + i + "@example.org", new Object[1]));
    }
    return new Batch(segment, 1, SCHEMA, records, 64L * records.size() + 1);
  }

  private BatchResult write(AccountDirectory directory, String segment, int from, int to) {
    return withDestination(directory, segment, d -> d.write(batch(segment, from, to)));
  }

  @Test
  void overTheCapTheLeastRecentlyUsedIdleListsMembersAreDroppedAndReadWholeAgain() {
    AccountDirectory directory = AccountDirectory.create();
    ListMembers members =
        directory.shared(ListMembers.KIND, ListMembers.class, () -> new ListMembers(200));
    String a = sim.createList("A");
    sim.createList("B");
    assertThat(write(directory, "A", 0, 100).exported()).isEqualTo(100);
    assertThat(write(directory, "A", 100, 150).exported()).isEqualTo(50);
    assertThat(members.list(a).kept()).isEqualTo(150);

    assertThat(write(directory, "B", 200, 290).exported()).isEqualTo(90);

    assertThat(members.list(a).kept()).as("A's set dropped for B's").isZero();
    assertThat(members.kept()).isEqualTo(90);
    sim.resetCounters();
    assertThat(write(directory, "A", 0, 100).exported()).isEqualTo(100);
    assertThat(bookmarkPages())
        .as("A read whole again: 2 pages, the second after a bookmark")
        .hasSize(1);
    assertThat(sim.members("A")).isEqualTo(addresses(0, 150));
    assertThat(members.kept()).as("B's set dropped for A's").isEqualTo(150);
  }

  @ParameterizedTest
  @EnumSource(ListAssignment.class)
  void aMemberThisSdkRemovedIsAddedAgainByALaterWriteOfTheSameRun(ListAssignment reading) {
    sim.listAssignment(reading);
    AccountDirectory directory = AccountDirectory.create();
    String list = sim.createList(VIP);
    write(directory, VIP, 0, 100);
    BatchResult again =
        withDestination(
            directory,
            VIP,
            d -> {
              d.write(batch(VIP, 0, 100)); // all members now, known as such
              String id = sim.contactIdOf("user5@example.org").orElseThrow();
              ExportRecord user5 =
                  new ExportRecord(1, "user5@example.org", new Object[1]).withVendorId(id);
              assertThat(d.remove(new Batch(VIP, 1, SCHEMA, List.of(user5), 64)).exported())
                  .isEqualTo(1);
              assertThat(sim.isMember(list, "user5@example.org")).isFalse();
              return d.write(batch(VIP, 0, 100));
            });

    assertThat(again.exported()).isEqualTo(100);
    assertThat(sim.members(VIP)).isEqualTo(addresses(0, 100));
  }
}
