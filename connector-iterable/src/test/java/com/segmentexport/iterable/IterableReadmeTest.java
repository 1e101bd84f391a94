package com.segmentexport.iterable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectionAccess;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The README's host application, run against the simulator. */
class IterableReadmeTest {
  /** Stands in for the host's data warehouse. */
  static final class Warehouse {
    Segment segment(String name) {
      return Segment.of(name, List.of(
          Profile.of("email", "ana.ruiz@example.org", "first_name", "Ana", "last_name", "Ruiz", "loyalty_tier", "gold",
              "signed_up", "2024-07-02T10:15:30Z"),
          Profile.of("email", "li.wei@example.org", "first_name", "Li", "last_name", "Wei")));
    }
  }

  @Test
  void theReadmeExampleExportsASegment() {
    try (IterableSimulator simulator = new IterableSimulator("eu-server-key").freshListRejections(1).start()) {
      Warehouse warehouse = new Warehouse();

      // --- the README's lines, with baseUrl (and a faster rate) pointed at the simulator ---
      Connectors connectors = Connectors.load();
      Connection iterable = Connection.builder("iterable")
          .setting("dataCenter", "EU").setting("baseUrl", simulator.baseUrl()).setting("requestsPerSecond", "50")
          .secret("apiKey", Secret.of("eu-server-key"))
          .privacyConsent(PrivacyConsent.acknowledgedBy("dpo@acme.example", Instant.now()))
          .build();
      ExportDefinition vip = ExportDefinition.builder(iterable)
          .segments("VIP customers")
          .mapping(FieldMapping.builder().email("email").firstName("first_name").lastName("last_name")
              .custom("tier", "loyalty_tier").custom("signupDate", "signed_up", FieldType.DATETIME).build())
          .build();
      ExportResult result;
      try (SegmentExporter exporter = connectors.exporter(iterable)) {
        result = exporter.export(vip, name -> warehouse.segment(name));
      }
      // ---

      assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
      assertThat(result.exported()).isEqualTo(2);
      assertThat(simulator.members("VIP customers")).containsExactlyInAnyOrder("ana.ruiz@example.org", "li.wei@example.org");
      assertThat(simulator.dataFields("ana.ruiz@example.org")).containsEntry("firstName", "Ana")
          .containsEntry("lastName", "Ruiz").containsEntry("tier", "gold")
          .containsEntry("signupDate", "2024-07-02 10:15:30 +00:00");
    }
  }

  @Test
  void theReadmeConnectionWithItsVariableUnsetIsAConfigurationErrorNamingTheKey() {
    String unsetVariable = "ITERABLE_API_KEY_" + UUID.randomUUID().toString().replace('-', '_');
    Connection.Builder b = Connection.builder("iterable")
        .displayName("Iterable (EU marketing)")
        .setting("dataCenter", "Mars")
        .secret("apiKey", Secret.of(System.getenv(unsetVariable)))
        .access(ConnectionAccess.ADMINISTRATORS_AND_CONTRIBUTORS)
        .privacyConsent(PrivacyConsent.acknowledgedBy("admin@acme.example", Instant.now()));
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, b::build);
    assertThat(e.problems()).hasSize(2);
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("credential 'apiKey' is missing"))
        .anySatisfy(p -> assertThat(p).contains("dataCenter", "Mars"));
  }
}
