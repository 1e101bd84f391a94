package com.segmentexport.dotdigital;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportPlan;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentPlan;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.testkit.VendorSimulator;
import com.segmentexport.testkit.dotdigital.DotdigitalSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A plan's look at dotdigital: the configured address book checked, the mapped data fields the account
 * lacks listed, an import and its status polls a batch, with reads only.
 */
@Timeout(60)
class DotdigitalPreviewTest {
  private static final String USER = "apiuser-preview@apiconnector.com";
  private static final String PASSWORD = "preview-Pa55word";

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

  private ExportPlan plan(
      long bookId,
      FieldMapping mapping,
      int profiles,
      UnaryOperator<Connection.Builder> settings,
      String... options) {
    Connection c =
        settings
            .apply(
                Connection.builder(new DotdigitalConnectorProvider())
                    .setting(StandardSettings.BASE_URL, sim.baseUrl())
                    .setting(StandardSettings.REQUESTS_PER_SECOND, "1000")
                    .secret(DotdigitalConnectorProvider.USERNAME, Secret.of(USER))
                    .secret(DotdigitalConnectorProvider.PASSWORD, Secret.of(PASSWORD))
                    .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now())))
            .build();
    ExportDefinition.Builder d =
        ExportDefinition.builder(c)
            .segments("S")
            .mapping(mapping)
            .option(DotdigitalConnectorProvider.ADDRESS_BOOK_ID, Long.toString(bookId));
    for (int i = 0; i < options.length; i += 2) {
      d.option(options[i], options[i + 1]);
    }
    List<Profile> people = new ArrayList<>();
    for (int i = 0; i < profiles; i++) {
      people.add(
          Profile.of(
              "email",
              "person" + i + "@example.org",
              "first",
              "First" + i,
              "tier",
              "gold",
              "orders",
              Integer.toString(i)));
    }
    try (SegmentExporter exporter = Connectors.of(new DotdigitalConnectorProvider()).exporter(c)) {
      return exporter.plan(d.build(), name -> Segment.of(name, people), ExportOptions.DEFAULT);
    }
  }

  private ExportPlan plan(long bookId, FieldMapping mapping, String... options) {
    return plan(bookId, mapping, 10, b -> b, options);
  }

  private static FieldMapping withCustomFields() {
    return FieldMapping.builder()
        .email("email")
        .firstName("first")
        .custom("tier", "tier")
        .custom("orders", "orders", FieldType.INTEGER)
        .build();
  }

  private void assertOnlyReads() {
    assertThat(sim.calls())
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.method()).as("%s", c.path()).isEqualTo("GET"));
    assertThat(sim.calls()).noneMatch(VendorSimulator.Call::write);
    assertThat(sim.importsAccepted()).isZero();
  }

  @Test
  void theConfiguredBookExistsAndEveryMappedFieldIsThere() {
    sim.addDataField("TIER", "String");
    sim.addDataField("ORDERS", "Numeric");

    SegmentPlan segment = plan(book, withCustomFields()).segments().get(0);

    assertThat(segment.destinationExists()).hasValue(true);
    assertThat(segment.destinationId()).hasValue(Long.toString(book));
    assertThat(segment.fieldsToCreate()).isEmpty();
    assertOnlyReads();
  }

  @Test
  void theMappedDataFieldsTheAccountLacksAreReportedNotCreated() {
    sim.addDataField("TIER", "String");

    SegmentPlan segment = plan(book, withCustomFields()).segments().get(0);

    assertThat(segment.fieldsToCreate()).containsExactly("ORDERS");
    assertThat(sim.dataFields()).doesNotContainKey("ORDERS");
    assertOnlyReads();
  }

  @Test
  void aMissingFieldTheRunMayNotCreateFailsThePlanAsItWouldFailTheRun() {
    assertThatThrownBy(
            () ->
                plan(
                    book,
                    withCustomFields(),
                    DotdigitalConnectorProvider.CREATE_MISSING_FIELDS,
                    "false"))
        .isInstanceOf(DestinationException.class)
        .hasMessageContaining("TIER")
        .hasMessageContaining(DotdigitalConnectorProvider.CREATE_MISSING_FIELDS);
    assertOnlyReads();
  }

  @Test
  void aMissingBookFailsThePlanAsItWouldFailTheRun() {
    long missing = book + 1000;

    assertThatThrownBy(() -> plan(missing, withCustomFields()))
        .isInstanceOf(DestinationException.class)
        .hasMessageContaining(Long.toString(missing))
        .hasMessageContaining("does not exist");
    assertOnlyReads();
  }

  @Test
  void eachBatchIsAnImportAndItsStatusPollsOnTheRunsSchedule() {
    FieldMapping email = FieldMapping.builder().email("email").build();
    // 5,000 profiles: three imports of at most 2,000. Taking an import at a second, polled from 50
    // ms
    // doubling (50, 150, 350, 750, 1550 ms): five polls while no import has finished yet.
    assertThat(plan(book, email, 5000, b -> b).calls()).isEqualTo(3 * (1 + 5));
    // One import at a time: from the second on, the typical time is known and polls go at 97%, 98%,
    // 99%
    // and 100% of it.
    assertThat(
            plan(book, email, 5000, b -> b.setting(StandardSettings.MAX_CONCURRENT_BATCHES, "1"))
                .calls())
        .isEqualTo((1 + 5) + 2 * (1 + 4));
  }

  @Test
  void thePollCountFollowsTheSchedule() {
    long second = Duration.ofSeconds(1).toNanos();
    assertThat(ImportPoller.Schedule.polls(0, second)).isEqualTo(5);
    assertThat(ImportPoller.Schedule.polls(second, second)).isEqualTo(4);
    assertThat(ImportPoller.Schedule.polls(0, 1)).isEqualTo(1);
    // Long imports: waits capped at 5 s.
    assertThat(ImportPoller.Schedule.polls(0, Duration.ofSeconds(60).toNanos())).isEqualTo(7 + 11);
  }
}
