package com.segmentexport.dotdigital;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.RetryPolicy;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.StandardFields;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.api.SyncMode;
import com.segmentexport.testkit.VendorSimulator;
import com.segmentexport.testkit.dotdigital.DotdigitalSimulator;
import com.segmentexport.testkit.dotdigital.DotdigitalSimulator.ThrottleStyle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** dotdigital-specific behaviour, end to end against the simulator. */
@Timeout(60)
class DotdigitalConnectorTest {
  private static final String USER = "apiuser-test@apiconnector.com";
  private static final String PASSWORD = "test-Pa55word";
  private static final RetryPolicy FAST =
      RetryPolicy.DEFAULT.withDelays(Duration.ofMillis(20), Duration.ofMillis(200));

  private DotdigitalSimulator sim;
  private long book;

  @BeforeEach
  void start() {
    sim = new DotdigitalSimulator(USER, PASSWORD).accountRegion("r3").start();
    book = sim.ensureAddressBook("Newsletter");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private Connection connection(UnaryOperator<Connection.Builder> extra) {
    return extra
        .apply(
            Connection.builder(new DotdigitalConnectorProvider())
                .setting(StandardSettings.BASE_URL, sim.baseUrl())
                .setting(StandardSettings.REQUESTS_PER_SECOND, "1000")
                .secret(DotdigitalConnectorProvider.USERNAME, Secret.of(USER))
                .secret(DotdigitalConnectorProvider.PASSWORD, Secret.of(PASSWORD))
                .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now())))
        .build();
  }

  private Connection connection() {
    return connection(b -> b);
  }

  private static FieldMapping names() {
    return FieldMapping.builder().email("email").firstName("first").lastName("last").build();
  }

  private ExportDefinition definition(Connection c, FieldMapping mapping, long bookId) {
    return ExportDefinition.builder(c)
        .segments("S")
        .mapping(mapping)
        .option(DotdigitalConnectorProvider.ADDRESS_BOOK_ID, Long.toString(bookId))
        .build();
  }

  private static Segment segment(List<Profile> profiles) {
    return Segment.of("S", profiles);
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

  private ExportResult export(
      Connection c, ExportDefinition d, List<Profile> profiles, ExportListener listener) {
    try (SegmentExporter exporter = Connectors.of(new DotdigitalConnectorProvider()).exporter(c)) {
      return exporter.export(
          d,
          name -> segment(profiles),
          ExportOptions.DEFAULT
              .withRetryPolicy(FAST)
              .withListener(listener)
              .withRejectedSampleSize(100_000));
    }
  }

  private ExportResult export(Connection c, ExportDefinition d, List<Profile> profiles) {
    return export(c, d, profiles, ExportListener.NONE);
  }

  private ExportResult export(List<Profile> profiles) {
    Connection c = connection();
    return export(c, definition(c, names(), book), profiles);
  }

  private List<VendorSimulator.Call> nonDiscoveryCalls() {
    List<VendorSimulator.Call> out = new ArrayList<>();
    for (VendorSimulator.Call call : sim.calls()) {
      if (!call.path().endsWith("/v2/account-info")) {
        out.add(call);
      }
    }
    return out;
  }

  // ---- region and verify ---------------------------------------------------------------------

  @Test
  void theSettingsAreDescribedOnceNotForEveryExport() {
    DotdigitalConnectorProvider provider = new DotdigitalConnectorProvider();
    assertThat(provider.settings()).isSameAs(provider.settings()).isNotEmpty();
  }

  @Test
  void discoversTheRegionOnceAndSendsEverythingElseThere() {
    Connection c = connection();
    try (SegmentExporter exporter = Connectors.of(new DotdigitalConnectorProvider()).exporter(c)) {
      exporter.verify();
      assertThat(sim.calls())
          .singleElement()
          .satisfies(
              call -> {
                assertThat(call.method()).isEqualTo("GET");
                assertThat(call.path()).isEqualTo("/v2/account-info");
              });
      ExportDefinition d = definition(c, names(), book);
      for (int run = 0; run < 2; run++) {
        ExportResult r =
            exporter.export(
                d, name -> segment(people(30)), ExportOptions.DEFAULT.withRetryPolicy(FAST));
        assertThat(r.status()).isEqualTo(ExportStatus.SUCCEEDED);
      }
    }
    assertThat(sim.accountInfoCalls()).as("the endpoint is cached by the connector").isEqualTo(1);
    assertThat(nonDiscoveryCalls())
        .isNotEmpty()
        .allSatisfy(call -> assertThat(call.path()).startsWith("/r3/"));
    assertThat(sim.addressBookMembers(book)).hasSize(30);
  }

  /**
   * Exports of one JVM on one account, each on a connection of its own (as a host running many exports
   * builds them), share the account's endpoint and its data fields through the account's directory:
   * read once for exports starting within a few seconds of each other, not once per export.
   */
  @Test
  void exportsOnOneAccountReadItsEndpointAndDataFieldsOnce() {
    Connectors connectors = Connectors.of(new DotdigitalConnectorProvider());
    long other = sim.ensureAddressBook("Other");
    for (long bookId : List.of(book, other)) {
      Connection c = connection();
      try (SegmentExporter exporter = connectors.exporter(c)) {
        ExportResult r =
            exporter.export(
                definition(c, names(), bookId),
                name -> segment(people(5)),
                ExportOptions.DEFAULT.withRetryPolicy(FAST));
        assertThat(r.status()).isEqualTo(ExportStatus.SUCCEEDED);
      }
    }
    assertThat(sim.accountInfoCalls()).isEqualTo(1);
    assertThat(sim.calls().stream().filter(c -> c.path().endsWith("/v2/data-fields")).count())
        .isEqualTo(1);
    assertThat(sim.addressBookMembers(book)).hasSize(5);
    assertThat(sim.addressBookMembers(other)).hasSize(5);
  }

  @Test
  void theAnnouncedEndpointLosesItsTrailingSlash() {
    assertThat(DotdigitalConnector.parseEndpoint("https://r2-api.dotdigital.com/").toString())
        .isEqualTo("https://r2-api.dotdigital.com/");
    assertThat(DotdigitalConnector.parseEndpoint("https://proxy.example/dd/r2//").pathSegments())
        .containsExactly("dd", "r2");
    assertThat(
            DotdigitalConnector.url(
                    DotdigitalConnector.parseEndpoint("https://proxy.example/dd/"),
                    "v2/data-fields")
                .encodedPath())
        .isEqualTo("/dd/v2/data-fields");
  }

  // ---- destination checks --------------------------------------------------------------------

  @Test
  void aMissingAddressBookFailsBeforeAnyProfileIsSent() {
    Connection c = connection();
    assertThatThrownBy(() -> export(c, definition(c, names(), 987_654), people(10)))
        .isInstanceOf(DestinationException.class)
        .hasMessageContaining("987654")
        .hasMessageContaining("does not exist")
        .satisfies(
            e -> {
              DestinationException d = (DestinationException) e;
              assertThat(d.vendorCode()).hasValue("ERROR_ADDRESSBOOK_NOT_FOUND");
              assertThat(d.httpStatus()).isEqualTo(404);
              assertThat(d.partialResult())
                  .hasValueSatisfying(r -> assertThat(r.exported()).isZero());
            });
    assertThat(sim.importsAccepted()).isZero();
    assertThat(sim.receivedEmailCount()).isZero();
  }

  @Test
  void definitionsAreCheckedAgainstDotdigitalsRulesBeforeAnyRequest() {
    Connection c = connection();
    FieldMapping tooLong =
        FieldMapping.builder().email("email").custom("ABCDEFGHIJKLMNOPQRSTU", "x").build();
    FieldMapping badChars =
        FieldMapping.builder().email("email").custom("loyalty tier", "x").build();
    FieldMapping accent = FieldMapping.builder().email("email").custom("niveau_été", "x").build();
    for (FieldMapping m : List.of(tooLong, badChars, accent)) {
      assertThatThrownBy(() -> definition(c, m, book))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("1 to 20 letters, digits");
    }
    assertThatThrownBy(() -> definition(c, names(), 0))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(DotdigitalConnectorProvider.ADDRESS_BOOK_ID);
    assertThatThrownBy(() -> ExportDefinition.builder(c).segments("S").mapping(names()).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(DotdigitalConnectorProvider.ADDRESS_BOOK_ID);
    FieldMapping twenty =
        FieldMapping.builder().email("email").custom("ABCDEFGHIJ-KLMNOPQ_9", "x").build();
    assertThat(definition(c, twenty, book).mapping()).isEqualTo(twenty);
    assertThat(sim.requestCount()).isZero();
  }

  @Test
  void connectionLimitsStayWithinDotdigitalsCaps() {
    ConnectorLimitsAssert.check(new DotdigitalConnectorProvider());
    // Refused when the connection is built, not later when an exporter is made.
    assertThatThrownBy(
            () -> connection(b -> b.setting(StandardSettings.MAX_CONCURRENT_BATCHES, "26")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("between 1 and 25");
    assertThatThrownBy(
            () -> connection(b -> b.setting(StandardSettings.MAX_PROFILES_PER_EXPORT, "1000001")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("between 1 and 1000000");
    assertThat(
            connection(b -> b.setting(StandardSettings.MAX_CONCURRENT_BATCHES, "25"))
                .setting(StandardSettings.MAX_CONCURRENT_BATCHES))
        .hasValue("25");
  }

  @Test
  void anImportTimeoutOutOfRangeIsRefusedWhenTheConnectionIsBuilt() {
    // 9999999999999 s used to pass, then overflow Duration.toNanos() in the first import's wait.
    for (String bad : List.of("0", "86401", "9999999999999")) {
      assertThatThrownBy(
              () ->
                  connection(
                      b -> b.setting(DotdigitalConnectorProvider.IMPORT_TIMEOUT_SECONDS, bad)))
          .as(bad)
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining(
              DotdigitalConnectorProvider.IMPORT_TIMEOUT_SECONDS + " must be between 1 and 86400");
    }
    assertThat(sim.requestCount()).isZero();
  }

  @Test
  void anAddressBookIdBeyondDotdigitalsIdsIsRefusedWhenTheDefinitionIsBuilt() {
    Connection c = connection();
    for (long bad : List.of(0L, -5L, 2_147_483_648L)) {
      assertThatThrownBy(() -> definition(c, names(), bad))
          .as("" + bad)
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining(
              DotdigitalConnectorProvider.ADDRESS_BOOK_ID + " must be between 1 and 2147483647");
    }
    assertThat(sim.requestCount()).isZero();
  }

  @Test
  void aMirrorOfSeveralSegmentsIntoTheOneAddressBookIsRefusedWhenTheDefinitionIsBuilt() {
    // Every segment goes to the address book of the option: mirroring segment B removed A's members
    // from it (and A's removed B's), every run, each segment's removals counted as a success.
    Connection c = connection();
    ExportDefinition.Builder both =
        ExportDefinition.builder(c)
            .segments("A", "B")
            .mapping(names())
            .option(DotdigitalConnectorProvider.ADDRESS_BOOK_ID, Long.toString(book))
            .syncMode(SyncMode.MIRROR);
    assertThatThrownBy(both::build)
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("one segment");
    // One segment mirrors; several segments without removal are fine.
    assertThat(
            ExportDefinition.builder(c)
                .segments("A")
                .mapping(names())
                .option(DotdigitalConnectorProvider.ADDRESS_BOOK_ID, Long.toString(book))
                .syncMode(SyncMode.MIRROR)
                .build()
                .segments())
        .containsExactly("A");
    assertThat(
            ExportDefinition.builder(c)
                .segments("A", "B")
                .mapping(names())
                .option(DotdigitalConnectorProvider.ADDRESS_BOOK_ID, Long.toString(book))
                .syncMode(SyncMode.INCREMENTAL)
                .build()
                .segments())
        .hasSize(2);
    assertThat(sim.requestCount()).isZero();
  }

  /** Small helper so the limit figures are asserted in one place. */
  static final class ConnectorLimitsAssert {
    static void check(DotdigitalConnectorProvider p) {
      assertThat(p.limits().maxProfilesPerExport()).hasValue(1_000_000L);
      assertThat(p.limits().maxBatchRecords()).isEqualTo(2000);
      assertThat(p.limits().maxBatchBytes())
          .isLessThanOrEqualTo(DotdigitalSimulator.MAX_IMPORT_BYTES / 4);
      assertThat(p.limits().maxConcurrentBatches()).isBetween(1, 10);
    }
  }

  // ---- data fields ---------------------------------------------------------------------------

  @Test
  void missingCustomFieldsAreCreatedWithTheirTypesBeforeImporting() {
    Connection c = connection();
    FieldMapping mapping =
        FieldMapping.builder()
            .email("email")
            .map(StandardFields.POSTCODE, "zip")
            .custom("tier", "tier")
            .custom("Orders", "orders", FieldType.INTEGER)
            .custom("signup", "signup", FieldType.DATE)
            .custom("vip", "vip", FieldType.BOOLEAN)
            .build();
    List<Profile> profiles =
        List.of(
            Profile.of(
                "email",
                "a@example.org",
                "zip",
                "SW1A 1AA",
                "tier",
                "gold",
                "orders",
                12,
                "signup",
                "2021-03-04",
                "vip",
                "yes"));

    ExportResult r = export(c, definition(c, mapping, book), profiles);

    assertThat(r.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(sim.dataFields())
        .containsEntry("TIER", "String")
        .containsEntry("ORDERS", "Numeric")
        .containsEntry("SIGNUP", "Date")
        .containsEntry("VIP", "Boolean");
    assertThat(sim.contactDataFields("a@example.org"))
        .containsEntry("POSTCODE", "SW1A 1AA")
        .containsEntry("TIER", "gold")
        .containsEntry("ORDERS", "12")
        .containsEntry("SIGNUP", "2021-03-04")
        .containsEntry("VIP", "true");
    List<VendorSimulator.Call> calls = nonDiscoveryCalls();
    int lastFieldCreation = -1;
    int firstImport = Integer.MAX_VALUE;
    for (int i = 0; i < calls.size(); i++) {
      if (calls.get(i).method().equals("POST") && calls.get(i).path().endsWith("/v2/data-fields")) {
        lastFieldCreation = i;
      }
      if (calls.get(i).write()) {
        firstImport = Math.min(firstImport, i);
      }
    }
    assertThat(lastFieldCreation)
        .as("fields are created before the import")
        .isBetween(0, firstImport - 1);

    // Run again: the fields exist now, nothing is created twice.
    int posts = (int) sim.calls().stream().filter(x -> x.method().equals("POST")).count();
    export(c, definition(c, mapping, book), profiles);
    assertThat(sim.calls().stream().filter(x -> x.method().equals("POST")).count())
        .isEqualTo(posts);
  }

  @Test
  void aTextOver255CharactersRejectsItsProfileAndTheRestAreImported() {
    Connection c = connection();
    FieldMapping mapping =
        FieldMapping.builder().email("email").firstName("first").custom("note", "note").build();
    List<Profile> profiles = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      profiles.add(
          Profile.of(
              "email",
              "person" + i + "@example.org",
              "first",
              "First" + i,
              "note",
              i == 7 ? "x".repeat(300) : i == 8 ? "y".repeat(255) : "short"));
    }
    ExportResult result = export(c, definition(c, mapping, book), profiles);

    assertThat(result.exported()).isEqualTo(1999);
    assertThat(result.rejectedSample())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.row()).isEqualTo(8);
              assertThat(r.reason()).isEqualTo(RejectionReason.INVALID_VALUE);
              assertThat(r.message()).contains("'NOTE'", "300", "255");
            });
    assertThat(sim.overLongTextImports()).isZero();
    assertThat(sim.addressBookMembers(book)).hasSize(1999).doesNotContain("person7@example.org");
  }

  @Test
  void aMissingFieldIsAClearErrorWhenTheExportMayNotCreateFields() {
    Connection c = connection();
    FieldMapping mapping = FieldMapping.builder().email("email").custom("tier", "tier").build();
    ExportDefinition d =
        ExportDefinition.builder(c)
            .segments("S")
            .mapping(mapping)
            .option(DotdigitalConnectorProvider.ADDRESS_BOOK_ID, Long.toString(book))
            .option(DotdigitalConnectorProvider.CREATE_MISSING_FIELDS, "false")
            .build();

    assertThatThrownBy(() -> export(c, d, people(5)))
        .isInstanceOf(DestinationException.class)
        .hasMessageContaining("TIER")
        .hasMessageContaining(DotdigitalConnectorProvider.CREATE_MISSING_FIELDS);
    assertThat(sim.dataFields()).doesNotContainKey("TIER");
    assertThat(sim.importsAccepted()).isZero();
    assertThat(sim.receivedEmailCount()).isZero();
  }

  @Test
  void aFieldOfAnIncompatibleTypeIsAClearError() {
    sim.addDataField("ORDERS", "Date");
    Connection c = connection();
    FieldMapping mapping =
        FieldMapping.builder().email("email").custom("orders", "orders", FieldType.INTEGER).build();
    assertThatThrownBy(() -> export(c, definition(c, mapping, book), people(3)))
        .isInstanceOf(DestinationException.class)
        .hasMessageContaining("ORDERS")
        .hasMessageContaining("Date");
    assertThat(sim.importsAccepted()).isZero();
  }

  @Test
  void emptyValuesAreOmittedNeverSentAsNullAndNoStatusIsSent() {
    sim.addContact(
        "kept@example.org",
        DotdigitalSimulator.SUBSCRIBED,
        Map.of("LASTNAME", "Keep", "FIRSTNAME", "Old"));
    List<Profile> profiles =
        List.of(
            Profile.of("email", "kept@example.org", "first", "New", "last", "   "),
            Profile.of("email", "fresh@example.org", "first", "", "last", null));

    ExportResult r = export(profiles);

    assertThat(r.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(sim.contactDataFields("kept@example.org"))
        .containsEntry("FIRSTNAME", "New")
        .containsEntry("LASTNAME", "Keep");
    assertThat(sim.contactDataFields("fresh@example.org")).isEmpty();
    assertThat(sim.nullDataFieldValuesReceived()).isZero();
    assertThat(sim.channelStatusesReceived()).isZero();
    assertThat(r.segments().get(0).created()).hasValue(1);
    assertThat(r.segments().get(0).updated()).hasValue(1);
  }

  // ---- imports -------------------------------------------------------------------------------

  @Test
  void importsArePolledWithGrowingIntervalsUntilFinished() {
    sim.importProcessingTime(Duration.ofMillis(1300));
    long t0 = System.nanoTime();
    ExportResult r = export(people(10));
    long elapsedMillis = (System.nanoTime() - t0) / 1_000_000;

    assertThat(r.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(sim.addressBookMembers(book)).hasSize(10);
    // Polls at about 0.05, 0.15, 0.35, 0.75, 1.55 s (fewer when the machine is slow): a fixed 50 ms
    // interval needs 27.
    assertThat(ImportPoller.FIRST_POLL).isEqualTo(Duration.ofMillis(50));
    assertThat(sim.importStatusPolls()).isBetween(3, 5);
    assertThat(elapsedMillis).isGreaterThanOrEqualTo(1300);
  }

  @Test
  void theTypicalImportTimeFollowsAFasterImportHalfwayAndASlowerOneAQuarter() {
    DotdigitalConnector c =
        new DotdigitalConnector(new DotdigitalConnectorProvider(), connection());
    assertThat(c.typicalImportNanos()).isZero();
    c.recordImportTime(1_000);
    assertThat(c.typicalImportNanos()).isEqualTo(1_000);
    c.recordImportTime(200);
    assertThat(c.typicalImportNanos()).isEqualTo(600);
    c.recordImportTime(1_400);
    assertThat(c.typicalImportNanos()).isEqualTo(800);
  }

  @Test
  void noMoreImportsAreActiveThanTheConnectionAllows() {
    sim.importProcessingTime(Duration.ofMillis(600));
    Connection c = connection(b -> b.setting(StandardSettings.MAX_CONCURRENT_BATCHES, "3"));
    ExportResult r = export(c, definition(c, names(), book), people(2000 * 7 + 5));
    assertThat(r.exported()).isEqualTo(2000 * 7 + 5);
    assertThat(sim.maxActiveImportsSeen()).isBetween(2, 3);
    assertThat(sim.maxBatchSize()).isEqualTo(2000);
    assertThat(sim.importsAccepted()).isEqualTo(8);
  }

  @Test
  void tooManyActiveImportsIsWaitedOutWithoutSlowingTheConnection() {
    sim.importProcessingTime(Duration.ofMillis(600)).maxActiveImports(1);
    Connection c = connection(b -> b.setting(StandardSettings.MAX_CONCURRENT_BATCHES, "3"));
    List<String> reasons = Collections.synchronizedList(new ArrayList<>());
    ExportResult r =
        export(
            c,
            definition(c, names(), book),
            people(2000 * 3),
            new ExportListener() {
              @Override
              public void throttled(Duration wait, String reason) {
                reasons.add(reason);
              }
            });
    assertThat(r.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(r.exported()).isEqualTo(6000);
    assertThat(sim.tooManyActiveImportsAnswers()).isPositive();
    assertThat(r.segments().get(0).counters())
        .hasEntrySatisfying(
            "dotdigital.importSlotWaits",
            n -> assertThat(n).isEqualTo(sim.tooManyActiveImportsAnswers()));
    assertThat(reasons).as("not a rate limit: the connection is not paused").isEmpty();
    assertThat(sim.maxActiveImportsSeen()).isEqualTo(1);
    assertThat(sim.addressBookMembers(book)).hasSize(6000);
  }

  @Test
  void anImportSlotThatNeverFreesFailsTheBatchAfterTheTimeout() {
    sim.importProcessingTime(Duration.ofSeconds(30)).maxActiveImports(1);
    Connection c =
        connection(
            b ->
                b.setting(StandardSettings.MAX_CONCURRENT_BATCHES, "2")
                    .setting(DotdigitalConnectorProvider.IMPORT_TIMEOUT_SECONDS, "1"));
    ExportResult r = export(c, definition(c, names(), book), people(2000 + 1));
    // The import taken first (either batch: two are handed out at once) never finished in time: its
    // contacts may yet be added (unconfirmed); the other batch was rejected.
    assertThat(List.of(r.unconfirmed(), r.rejected())).isIn(List.of(2000L, 1L), List.of(1L, 2000L));
    // The second was never taken by the vendor (no slot freed in time): a delivery failure, not a
    // refusal.
    assertThat(r.rejectedSample())
        .anySatisfy(
            rec -> {
              assertThat(rec.reason()).isEqualTo(RejectionReason.DELIVERY_FAILED);
              assertThat(rec.vendorCode()).hasValue("contacts:tooManyActiveImports");
            });
  }

  @ParameterizedTest
  @ValueSource(strings = {"RejectedByWatchdog", "Failed", "ExceedsAllowedContactLimit"})
  void aFailedImportFailsItsProfilesWithTheStatusAsReason(String status) {
    sim.forceImportStatus(status, 1);
    Connection c = connection(b -> b.setting(StandardSettings.MAX_CONCURRENT_BATCHES, "1"));
    ExportResult r = export(c, definition(c, names(), book), people(2000 * 2));

    // Two batches of 2,000: one import at a time, but either batch may be the first to be sent.
    assertThat(r.status()).isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED);
    assertThat(r.rejected()).isEqualTo(2000);
    assertThat(r.exported()).isEqualTo(2000);
    assertThat(r.rejectedSample())
        .hasSize(2000)
        .allSatisfy(
            rec -> {
              assertThat(rec.reason()).isEqualTo(RejectionReason.BATCH_FAILED);
              assertThat(rec.vendorCode()).hasValue(status);
            });
    long firstBatchRows = r.rejectedSample().stream().filter(rec -> rec.row() <= 2000).count();
    assertThat(firstBatchRows).as("the rejected rows are one whole batch").isIn(0L, 2000L);
    assertThat(sim.addressBookMembers(book)).hasSize(2000);
  }

  @Test
  void anImportThatNeverFinishesIsReportedAsUnconfirmedAfterTheTimeout() {
    sim.importProcessingTime(Duration.ofSeconds(30));
    Connection c =
        connection(b -> b.setting(DotdigitalConnectorProvider.IMPORT_TIMEOUT_SECONDS, "1"));
    ExportResult r = export(c, definition(c, names(), book), people(5));
    // The import was accepted and may still finish: unconfirmed, never rejected.
    assertThat(r.unconfirmed()).isEqualTo(5);
    assertThat(r.rejected()).isZero();
    assertThat(r.rejectedSample())
        .hasSize(5)
        .allSatisfy(
            rec -> {
              assertThat(rec.reason()).isEqualTo(RejectionReason.UNCONFIRMED);
              assertThat(rec.message()).contains("did not finish").contains("outcome is unknown");
            });
  }

  @Test
  void anImportRefusedWholeCarriesTheV3ErrorCode() {
    sim.maxImportBytes(1024);
    ExportResult r = export(people(40));
    assertThat(r.exported()).isZero();
    assertThat(r.rejectedSample())
        .hasSize(40)
        .allSatisfy(
            rec -> {
              assertThat(rec.reason()).isEqualTo(RejectionReason.BATCH_FAILED);
              assertThat(rec.vendorCode()).hasValue("contacts:requestTooLarge");
              assertThat(rec.message()).contains("maximum size");
            });
  }

  // ---- consent -------------------------------------------------------------------------------

  @Test
  void unsubscribedAndSuppressedContactsAreNeverResubscribedAndAreReported() {
    sim.addContact(
        "person1@example.org", DotdigitalSimulator.UNSUBSCRIBED, Map.of("FIRSTNAME", "Before"));
    sim.addContact("person2@example.org", DotdigitalSimulator.SUPPRESSED, Map.of());
    ExportResult r = export(people(5));

    assertThat(r.exported()).isEqualTo(3);
    assertThat(r.rejectedSample())
        .extracting(RejectedRecord::row, RejectedRecord::reason)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(2L, RejectionReason.UNSUBSCRIBED),
            org.assertj.core.groups.Tuple.tuple(3L, RejectionReason.SUPPRESSED));
    assertThat(r.rejectedSample()).allSatisfy(rec -> assertThat(rec.vendorCode()).isPresent());
    assertThat(sim.contactStatus("person1@example.org")).hasValue(DotdigitalSimulator.UNSUBSCRIBED);
    assertThat(sim.contactStatus("person2@example.org")).hasValue(DotdigitalSimulator.SUPPRESSED);
    assertThat(sim.contactDataFields("person1@example.org")).containsEntry("FIRSTNAME", "Before");
    assertThat(sim.addressBookMembers(book))
        .doesNotContain("person1@example.org", "person2@example.org")
        .hasSize(3);
    assertThat(sim.channelStatusesReceived()).isZero();
  }

  @Test
  void suppressedContactsOnlyCountedInTheSummaryAreStillReported() {
    sim.listSuppressedContactsAsFailures(false);
    sim.addContact("person4@example.org", DotdigitalSimulator.UNSUBSCRIBED, Map.of());
    ExportResult r = export(people(6));
    assertThat(r.exported()).isEqualTo(5);
    assertThat(r.rejectedSample())
        .singleElement()
        .satisfies(
            rec -> {
              assertThat(rec.row()).isEqualTo(5L);
              assertThat(rec.reason()).isEqualTo(RejectionReason.SUPPRESSED);
              assertThat(rec.vendorCode()).hasValue("globallySuppressed");
            });
    assertThat(sim.contactStatus("person4@example.org")).hasValue(DotdigitalSimulator.UNSUBSCRIBED);
  }

  @Test
  void aContactTheReportDoesNotMentionIsUnconfirmedNotRejected() {
    sim.leaveOutOfReports("person2@example.org");
    ExportResult r = export(people(6));
    assertThat(r.exported()).isEqualTo(5);
    assertThat(r.rejected()).as("nothing was refused").isZero();
    assertThat(r.unconfirmed()).isEqualTo(1);
    assertThat(r.rejectedSample())
        .singleElement()
        .satisfies(
            rec -> {
              assertThat(rec.row()).isEqualTo(3L);
              assertThat(rec.reason()).isEqualTo(RejectionReason.UNCONFIRMED);
              assertThat(rec.message()).contains("does not mention");
            });
    assertThat(sim.addressBookMembers(book)).contains("person2@example.org");
  }

  @Test
  void aContactTheReportLeavesOutBesidesAnUnnamedSuppressedOneIsNotGuessedSuppressed() {
    sim.listSuppressedContactsAsFailures(false);
    sim.addContact("person4@example.org", DotdigitalSimulator.UNSUBSCRIBED, Map.of());
    sim.leaveOutOfReports("person1@example.org");
    ExportResult r = export(people(6));
    // Two contacts unmentioned, one counted suppressed without a name: which is which is unknown.
    assertThat(r.exported()).isEqualTo(4);
    assertThat(r.rejected()).isZero();
    assertThat(r.unconfirmed()).isEqualTo(2);
    assertThat(r.rejectedSample())
        .extracting(RejectedRecord::row)
        .containsExactlyInAnyOrder(2L, 5L);
    assertThat(r.rejectedSample())
        .allSatisfy(rec -> assertThat(rec.message()).contains("1 suppressed"));
  }

  @Test
  void perRecordFailuresKeepTheVendorCodeAndMaskAddressesInMessages() {
    sim.rejectAddress("person0@example.org", "duplicateIdentifier");
    sim.rejectAddress("person1@example.org", null);
    ExportResult r = export(people(3));
    assertThat(r.rejectedSample())
        .extracting(RejectedRecord::vendorCode)
        .containsExactlyInAnyOrder(
            java.util.Optional.of("duplicateIdentifier"), java.util.Optional.of("invalidEmail"));
    assertThat(r.rejectedSample())
        .allSatisfy(rec -> assertThat(rec.reason()).isEqualTo(RejectionReason.VENDOR_REJECTED));
    assertThat(r.toString())
        .doesNotContain("person0@example.org")
        .doesNotContain("person1@example.org");
  }

  // ---- rate limits ---------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"TIERED_EPOCH_RESET", "TIERED_DELTA_RESET"})
  void rateLimitResetIsHonouredAsEpochOrDelta(String style) {
    sim.throttleStyle(ThrottleStyle.valueOf(style));
    sim.faults().throttleWrite(1, Duration.ofMillis(1000));
    List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
    Connection c = connection();
    ExportResult r =
        export(
            c,
            definition(c, names(), book),
            people(20),
            new ExportListener() {
              @Override
              public void throttled(Duration wait, String reason) {
                waits.add(wait);
              }
            });
    assertThat(r.status()).isEqualTo(ExportStatus.SUCCEEDED);
    // The fast retry policy alone would wait at most 200 ms.
    assertThat(waits)
        .singleElement()
        .satisfies(w -> assertThat(w).isBetween(Duration.ofMillis(700), Duration.ofMillis(2100)));
    assertThat(sim.addressBookMembers(book)).hasSize(20);
  }

  @Test
  void theLegacyApiUsageCapIsTreatedAsThrottling() {
    sim.throttleStyle(ThrottleStyle.LEGACY_APIUSAGE_EXCEEDED);
    sim.faults().throttleWrite(1, null).throttleWrite(2, null);
    List<String> reasons = Collections.synchronizedList(new ArrayList<>());
    Connection c = connection();
    ExportResult r =
        export(
            c,
            definition(c, names(), book),
            people(20),
            new ExportListener() {
              @Override
              public void throttled(Duration wait, String reason) {
                reasons.add(reason);
              }
            });
    assertThat(r.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(r.rejected()).isZero();
    assertThat(reasons)
        .hasSize(2)
        .allSatisfy(reason -> assertThat(reason).contains("ERROR_APIUSAGE_EXCEEDED"));
    assertThat(sim.addressBookMembers(book)).hasSize(20);
  }
}
