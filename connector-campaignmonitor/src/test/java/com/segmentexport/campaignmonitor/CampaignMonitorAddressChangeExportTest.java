package com.segmentexport.campaignmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.RetryPolicy;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.spi.AddressChanges;
import com.segmentexport.state.JdbcSyncStateStore;
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An export with a sync state gives a moved profile's subscriber its new address before the import; a
 * new address already on the list is left to the import; a change whose outcome is unknown leaves its
 * record unconfirmed and out of the import, the batch's other records untouched.
 */
@Timeout(60)
class CampaignMonitorAddressChangeExportTest {
  private static final String KEY = "cm-key-77";
  private static final String SEGMENT = "VIP customers";
  private static final RetryPolicy FAST =
      RetryPolicy.DEFAULT.withDelays(Duration.ofMillis(20), Duration.ofMillis(200));

  private CampaignMonitorSimulator sim;
  private String list;

  @BeforeEach
  void start() {
    sim = new CampaignMonitorSimulator(KEY).start();
    list = sim.createList(SEGMENT);
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private static Profile profile(String id, String email) {
    return Profile.of("id", id, "email", email, "first", "First " + id);
  }

  @Test
  void eachOutcomeOfAChangeIsHandledForItsRecordAlone(@TempDir Path dir) {
    Connection connection =
        Connection.builder(new CampaignMonitorConnectorProvider())
            .setting(StandardSettings.BASE_URL, sim.baseUrl())
            .setting(StandardSettings.REQUESTS_PER_SECOND, "1000")
            .secret(CampaignMonitorConnectorProvider.API_KEY, Secret.of(KEY))
            .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
            .build();
    ExportDefinition definition =
        ExportDefinition.builder(connection)
            .segments(SEGMENT)
            .option(CampaignMonitorConnectorProvider.LIST_ID, list)
            .mapping(
                FieldMapping.builder().email("email").profileId("id").firstName("first").build())
            .build();
    List<Profile> before =
        List.of(
            profile("p1", "ambiguous@example.org"),
            profile("p2", "moves@example.org"),
            profile("p3", "taken@example.org"),
            profile("p4", "stays@example.org"));
    List<Profile> after =
        List.of(
            profile("p1", "ambiguous.new@example.org"),
            profile("p2", "moves.new@example.org"),
            profile("p3", "taken.new@example.org"),
            profile("p4", "stays@example.org"));
    try (JdbcSyncStateStore store = JdbcSyncStateStore.sqlite(dir.resolve("state.db"));
        SegmentExporter exporter =
            Connectors.of(new CampaignMonitorConnectorProvider()).exporter(connection)) {
      ExportOptions options =
          ExportOptions.DEFAULT
              .withRetryPolicy(FAST)
              .withSyncState(store)
              .withRejectedSampleSize(100);
      assertThat(exporter.export(definition, name -> Segment.of(name, before), options).exported())
          .isEqualTo(4);
      String joined = sim.listJoinedDate(list, "moves@example.org").orElseThrow();
      // p1: the change's answer is lost (502), and reading back cannot settle it (both addresses
      // are on the list).
      sim.addSubscriber(list, "ambiguous.new@example.org", CampaignMonitorSimulator.ACTIVE);
      sim.faults().failWrite(sim.writeCount() + 1, 502);
      // p3: the new address is on the list already.
      sim.addSubscriber(list, "taken.new@example.org", CampaignMonitorSimulator.ACTIVE);

      ExportResult result = exporter.export(definition, name -> Segment.of(name, after), options);
      SegmentResult s = result.segment(SEGMENT).orElseThrow();

      assertThat(s.unchanged()).isEqualTo(1);
      assertThat(s.exported()).as("p2 (changed) and p3 (new address taken)").isEqualTo(2);
      assertThat(s.unconfirmed()).as("p1").isEqualTo(1);
      assertThat(result.rejectedSample())
          .singleElement()
          .satisfies(r -> assertThat(r.reason()).isEqualTo(RejectionReason.UNCONFIRMED));
      assertThat(s.counters())
          .containsEntry(AddressChanges.CHANGED, 1L)
          .containsEntry(AddressChanges.NEW_ADDRESS_TAKEN, 1L);
      assertThat(sim.listJoinedDate(list, "moves.new@example.org"))
          .as("the same record")
          .hasValue(joined);
      assertThat(sim.subscriber(list, "moves@example.org")).isEmpty();
      assertThat(sim.subscriber(list, "moves.new@example.org").orElseThrow().name())
          .isEqualTo("First p2");
      assertThat(sim.subscriber(list, "taken.new@example.org").orElseThrow().name())
          .isEqualTo("First p3");
      assertThat(sim.activeSubscribers(list))
          .contains("taken@example.org", "ambiguous@example.org");
      assertThat(sim.subscriber(list, "ambiguous.new@example.org").orElseThrow().name())
          .as("not imported after an unknown outcome")
          .isNotEqualTo("First p1");
    }
  }
}
