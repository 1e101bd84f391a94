package com.segmentexport.autopilot;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.testkit.autopilot.AutopilotSimulator;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's host application, run against the simulator. */
class AutopilotReadmeTest {
  /** Stands in for the host's data warehouse. */
  static final class Warehouse {
    Segment segment(String name) {
      return Segment.of(name, List.of(
          Profile.of("email", "ana.ruiz@example.org", "first_name", "Ana", "last_name", "Ruiz", "loyalty_tier", "gold"),
          Profile.of("email", "li.wei@example.org", "first_name", "Li", "last_name", "Wei")));
    }
  }

  @Test
  void theReadmeExampleExportsASegment() {
    try (AutopilotSimulator simulator = new AutopilotSimulator("readme-key").start()) {
      Warehouse warehouse = new Warehouse();

      // --- the README's lines, with baseUrl (and a faster rate) pointed at the simulator ---
      Connectors connectors = Connectors.load();
      Connection autopilot = Connection.builder("autopilot")
          .setting("baseUrl", simulator.baseUrl()).setting("requestsPerSecond", "50")
          .secret("apiKey", Secret.of("readme-key"))
          .privacyConsent(PrivacyConsent.acknowledgedBy("dpo@acme.example", Instant.now()))
          .build();
      ExportDefinition vip = ExportDefinition.builder(autopilot)
          .segments("VIP customers")
          .mapping(FieldMapping.builder().email("email").firstName("first_name").lastName("last_name")
              .custom("Loyalty Tier", "loyalty_tier").build())
          .build();
      ExportResult result;
      try (SegmentExporter exporter = connectors.exporter(autopilot)) {
        result = exporter.export(vip, name -> warehouse.segment(name));
      }
      // ---

      assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
      assertThat(result.exported()).isEqualTo(2);
      assertThat(simulator.members("VIP customers")).containsExactlyInAnyOrder("ana.ruiz@example.org", "li.wei@example.org");
      assertThat(simulator.contactFields("ana.ruiz@example.org")).containsEntry("FirstName", "Ana")
          .containsEntry("LastName", "Ruiz").containsEntry("string--Loyalty--Tier", "gold");
    }
  }
}
