package com.segmentexport.campaignmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.AuthenticationException;
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
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator;
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator.UnknownListAnswer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A plan's look at Campaign Monitor: the configured list checked, the mapped custom fields it lacks
 * listed, one import a batch, with reads only.
 */
@Timeout(60)
class CampaignMonitorPreviewTest {
  private static final String KEY = "preview-api-key-0123";

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

  private ExportPlan plan(String listId, FieldMapping mapping, int profiles) {
    Connection c =
        Connection.builder(new CampaignMonitorConnectorProvider())
            .setting(StandardSettings.BASE_URL, sim.baseUrl())
            .setting(StandardSettings.REQUESTS_PER_SECOND, "1000")
            .secret(CampaignMonitorConnectorProvider.API_KEY, Secret.of(KEY))
            .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
            .build();
    ExportDefinition d =
        ExportDefinition.builder(c)
            .segments("S")
            .mapping(mapping)
            .option(CampaignMonitorConnectorProvider.LIST_ID, listId)
            .build();
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
    try (SegmentExporter exporter =
        Connectors.of(new CampaignMonitorConnectorProvider()).exporter(c)) {
      return exporter.plan(d, name -> Segment.of(name, people), ExportOptions.DEFAULT);
    }
  }

  private static FieldMapping withCustomFields() {
    return FieldMapping.builder()
        .email("email")
        .firstName("first")
        .custom("Loyalty Tier", "tier")
        .custom("Orders", "orders", FieldType.INTEGER)
        .build();
  }

  private void assertOnlyReads() {
    assertThat(sim.calls())
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.method()).as("%s", c.path()).isEqualTo("GET"));
    assertThat(sim.calls()).noneMatch(VendorSimulator.Call::write);
  }

  @Test
  void theConfiguredListExistsAndEveryMappedFieldIsThere() {
    sim.addCustomField(list, "Loyalty Tier", "Text");
    sim.addCustomField(list, "Orders", "Number");

    SegmentPlan segment = plan(list, withCustomFields(), 10).segments().get(0);

    assertThat(segment.destinationExists()).hasValue(true);
    assertThat(segment.destinationId()).hasValue(list);
    assertThat(segment.fieldsToCreate()).isEmpty();
    // One read: the list's custom fields, which also checks the list.
    assertThat(sim.calls())
        .extracting(VendorSimulator.Call::path)
        .singleElement()
        .satisfies(p -> assertThat(p).endsWith(list + "/customfields.json"));
    assertOnlyReads();
  }

  @Test
  void theMappedCustomFieldsTheListLacksAreReportedNotCreated() {
    sim.addCustomField(list, "Loyalty Tier", "Text");

    SegmentPlan segment = plan(list, withCustomFields(), 10).segments().get(0);

    assertThat(segment.fieldsToCreate()).containsExactly("Orders");
    assertThat(sim.customFields(list)).hasSize(1);
    assertOnlyReads();
  }

  @Test
  void withoutCustomFieldsTheListAloneIsRead() {
    plan(list, FieldMapping.builder().email("email").firstName("first").build(), 10);

    assertThat(sim.calls())
        .singleElement()
        .satisfies(c -> assertThat(c.path()).endsWith("/lists/" + list + ".json"));
    assertOnlyReads();
  }

  @ParameterizedTest
  @EnumSource(UnknownListAnswer.class)
  void aMissingListFailsThePlanAsItWouldFailTheRun(UnknownListAnswer answer) {
    sim.unknownListAnswer(answer);
    String missing = "0123456789abcdef0123456789abcdef";

    assertThatThrownBy(() -> plan(missing, withCustomFields(), 10))
        .isInstanceOf(DestinationException.class)
        .isNotInstanceOf(AuthenticationException.class)
        .hasMessageContaining(missing)
        .hasMessageContaining("does not exist");
    assertOnlyReads();
  }

  @Test
  void aFieldOfAnotherTypeFailsThePlanAsItWouldFailTheRun() {
    sim.addCustomField(list, "Orders", "Date");

    assertThatThrownBy(() -> plan(list, withCustomFields(), 10))
        .isInstanceOf(DestinationException.class)
        .hasMessageContaining("[orders] holds Date values");
    assertOnlyReads();
  }

  @Test
  void eachBatchIsOneImport() {
    assertThat(plan(list, FieldMapping.builder().email("email").build(), 2500).calls())
        .isEqualTo(3);
  }
}
