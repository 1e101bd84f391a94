package com.segmentexport.iterable;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportPlan;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentPlan;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.testkit.VendorSimulator;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A plan's look at Iterable: the list found by name with one read, no field to create, calls per batch. */
@Timeout(60)
class IterablePreviewTest {
  private static final String KEY = "server-key-preview-3a9d";
  private static final String SEGMENT = "VIP customers";

  private IterableSimulator sim;

  @BeforeEach
  void start() {
    sim = new IterableSimulator(KEY).start();
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private ExportPlan plan(FieldMapping mapping, int profiles) {
    Connection connection =
        Connection.builder(new IterableConnectorProvider())
            .setting(StandardSettings.BASE_URL, sim.baseUrl())
            .setting(StandardSettings.REQUESTS_PER_SECOND, "1000")
            .secret(IterableConnectorProvider.API_KEY, Secret.of(KEY))
            .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
            .build();
    ExportDefinition definition =
        ExportDefinition.builder(connection).segments(SEGMENT).mapping(mapping).build();
    List<Profile> list = new ArrayList<>();
    for (int i = 0; i < profiles; i++) {
      list.add(
          Profile.of("email", "user" + i + "@example.org", "first", "First" + i, "tier", "gold"));
    }
    try (SegmentExporter exporter =
        Connectors.of(new IterableConnectorProvider()).exporter(connection)) {
      return exporter.plan(definition, name -> Segment.of(name, list), ExportOptions.DEFAULT);
    }
  }

  private static FieldMapping withCustomField() {
    return FieldMapping.builder().email("email").firstName("first").custom("tier", "tier").build();
  }

  private void assertOnlyReads() {
    assertThat(sim.calls())
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.method()).as("%s", c.path()).isEqualTo("GET"));
    assertThat(sim.calls()).noneMatch(VendorSimulator.Call::write);
    assertThat(sim.listCreations()).isZero();
  }

  @Test
  void anExistingListIsFoundByNameWithOneRead() {
    sim.createList(SEGMENT, "Dynamic");
    long id = sim.createList(SEGMENT, "Standard");

    ExportPlan plan = plan(withCustomField(), 2500);

    SegmentPlan segment = plan.segments().get(0);
    assertThat(segment.destinationExists()).hasValue(true);
    assertThat(segment.destinationId()).hasValue(Long.toString(id));
    assertThat(segment.toAdd()).isEqualTo(2500);
    assertThat(segment.batches()).isEqualTo(3);
    assertThat(sim.calls())
        .singleElement()
        .satisfies(c -> assertThat(c.path()).isEqualTo("/api/lists"));
    assertOnlyReads();
  }

  @Test
  void aMissingListIsReportedAsOneTheRunWouldCreate() {
    sim.createList(SEGMENT, "Dynamic"); // not a list subscribers can join

    ExportPlan plan = plan(withCustomField(), 10);

    SegmentPlan segment = plan.segments().get(0);
    assertThat(segment.destinationExists()).hasValue(false);
    assertThat(segment.destinationId()).isEmpty();
    assertOnlyReads();
    assertThat(sim.listIds(SEGMENT, "Standard")).isEmpty();
  }

  @Test
  void dataFieldsTheProjectLacksAreNotReportedBecauseIterableCreatesThemOnWrite() {
    sim.createList(SEGMENT, "Standard");
    assertThat(sim.fieldTypes()).doesNotContainKey("tier");

    ExportPlan plan = plan(withCustomField(), 10);

    assertThat(plan.segments().get(0).fieldsToCreate()).isEmpty();
    assertOnlyReads();
  }

  @Test
  void eachBatchIsOneSubscribeAndTheFirstAlsoReadsTheFieldTypes() {
    sim.createList(SEGMENT, "Standard");
    assertThat(plan(withCustomField(), 2500).calls())
        .as("3 subscribes and 1 getFields")
        .isEqualTo(4);
    assertThat(plan(FieldMapping.builder().email("email").build(), 2500).calls())
        .as("3 subscribes; no data field, no getFields")
        .isEqualTo(3);
  }
}
