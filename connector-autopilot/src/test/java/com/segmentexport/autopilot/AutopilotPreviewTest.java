package com.segmentexport.autopilot;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportPlan;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RetryPolicy;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentPlan;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.testkit.VendorSimulator;
import com.segmentexport.testkit.autopilot.AutopilotSimulator;
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
 * A plan's look at Autopilot: the list found by title, its member count read for the first batch's member
 * pages, no field to create (custom fields go inline under typed keys), and calls per batch as a run makes
 * them.
 */
@Timeout(60)
class AutopilotPreviewTest {
  private static final String KEY = "preview-autopilot-key";
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

  private Connection connection(UnaryOperator<Connection.Builder> extra) {
    return extra
        .apply(
            Connection.builder(new AutopilotConnectorProvider())
                .setting(StandardSettings.BASE_URL, sim.baseUrl())
                .setting(StandardSettings.REQUESTS_PER_SECOND, "2000")
                .secret(AutopilotConnectorProvider.API_KEY, Secret.of(KEY))
                .privacyConsent(
                    PrivacyConsent.acknowledgedBy("test@segmentexport.test", Instant.now())))
        .build();
  }

  private static ExportDefinition definition(Connection connection) {
    return ExportDefinition.builder(connection)
        .segments(VIP)
        .mapping(
            FieldMapping.builder()
                .email("email")
                .firstName("first")
                .custom("Loyalty Tier", "tier")
                .build())
        .build();
  }

  private static List<Profile> profiles(int n) {
    List<Profile> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(Profile.of("email", "user" + i + "@example.org", "first", "F" + i, "tier", "gold"));
    }
    return list;
  }

  private static ExportPlan plan(Connection connection, List<Profile> profiles) {
    try (SegmentExporter exporter =
        Connectors.of(new AutopilotConnectorProvider()).exporter(connection)) {
      return exporter.plan(
          definition(connection), name -> Segment.of(name, profiles), ExportOptions.DEFAULT);
    }
  }

  private void assertOnlyReads() {
    assertThat(sim.calls())
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.method()).as("%s", c.path()).isEqualTo("GET"));
    assertThat(sim.calls()).noneMatch(VendorSimulator.Call::write);
  }

  /** A list of 250 members other than the segment's: three member pages. */
  private String existingListOf250() {
    String id = sim.createList(VIP);
    for (int i = 0; i < 250; i++) {
      sim.addListMember(id, "member" + i + "@example.org");
    }
    return id;
  }

  @Test
  void anExistingListIsFoundByTitleAndItsMembersCounted() {
    String id = existingListOf250();

    SegmentPlan segment = plan(connection(b -> b), profiles(10)).segments().get(0);

    assertThat(segment.destinationExists()).hasValue(true);
    assertThat(segment.destinationId()).hasValue(id);
    assertThat(sim.calls())
        .extracting(VendorSimulator.Call::path)
        .containsExactly("/v1/lists", "/v1/list/" + id + "/contacts");
    assertOnlyReads();
  }

  @Test
  void aMissingListIsReportedAsOneTheRunWouldCreate() {
    SegmentPlan segment = plan(connection(b -> b), profiles(10)).segments().get(0);

    assertThat(segment.destinationExists()).hasValue(false);
    assertThat(segment.destinationId()).isEmpty();
    assertThat(sim.listsTitled(VIP)).isZero();
    assertOnlyReads();
  }

  @Test
  void customFieldsAreNotReportedBecauseAutopilotTakesThemInline() {
    existingListOf250();

    assertThat(plan(connection(b -> b), profiles(10)).segments().get(0).fieldsToCreate()).isEmpty();
    assertOnlyReads();
  }

  @Test
  void theEstimateIsTheCallsTheRunMakesForItsBatches() {
    existingListOf250();
    Connection oneAtATime =
        connection(b -> b.setting(StandardSettings.MAX_CONCURRENT_BATCHES, "1"));
    List<Profile> segment = profiles(250);

    // With the default, up to 28 batches share one count read.
    assertThat(plan(connection(b -> b), segment).calls())
        .as("3 member pages, 3 upserts, 1 count read")
        .isEqualTo(3 + 3 + 1);
    ExportPlan plan = plan(oneAtATime, segment);
    assertThat(plan.calls())
        .as("3 member pages, then an upsert and a count read per batch")
        .isEqualTo(3 + 3 * 2);

    sim.resetCounters();
    ExportResult result;
    try (SegmentExporter exporter =
        Connectors.of(new AutopilotConnectorProvider()).exporter(oneAtATime)) {
      result =
          exporter.export(
              definition(oneAtATime),
              name -> Segment.of(name, segment),
              ExportOptions.DEFAULT.withRetryPolicy(
                  RetryPolicy.DEFAULT.withDelays(Duration.ofMillis(10), Duration.ofMillis(200))));
    }
    assertThat(result.exported()).isEqualTo(250);
    // The run's list look-up may be answered by the plan's read a moment ago (the account's
    // directory).
    assertThat(sim.calls().stream().filter(c -> !c.path().equals("/v1/lists")).count())
        .as("the run's calls besides the list look-up: its batches'")
        .isEqualTo(plan.calls());
  }
}
