package com.segmentexport.campaignmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Profile;
import com.segmentexport.api.Segment;
import com.segmentexport.testkit.ReadmeExample;
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's host application, read from README.md and run against the simulator. */
class CampaignMonitorReadmeTest {
  /** Stands in for the host's data warehouse. */
  static final class Warehouse {
    Segment segment(String name) {
      return Segment.of(
          name,
          List.of(
              Profile.of(
                  "email",
                  "ana.ruiz@example.org",
                  "first_name",
                  "Ana",
                  "last_name",
                  "Ruiz",
                  "loyalty_tier",
                  "gold"),
              Profile.of("email", "li.wei@example.org", "first_name", "Li", "last_name", "Wei")));
    }
  }

  @Test
  void theReadmeExampleExportsASegment() {
    try (CampaignMonitorSimulator simulator = new CampaignMonitorSimulator("cm-api-key").start()) {
      String list = simulator.createList("VIP customers");
      Warehouse warehouse = new Warehouse();

      // The README's example, read from README.md, pointed at the simulator (base URL, faster rate)
      // with the credentials and ids the simulator knows.
      ReadmeExample.javaBlock(Path.of("README.md"))
          .replacing(
              "Connection.builder(\"campaignmonitor\")",
              "Connection.builder(\"campaignmonitor\").setting(\"baseUrl\", "
                  + ReadmeExample.literal(simulator.baseUrl())
                  + ").setting(\"requestsPerSecond\", \"50\")")
          .replacing(
              "System.getenv(\"CAMPAIGN_MONITOR_API_KEY\")", ReadmeExample.literal("cm-api-key"))
          .replacing("\"b2c3d4e5f60718293a4b5c6d7e8f9a0b\"", ReadmeExample.literal(list))
          .given("warehouse", ReadmeExample.Warehouse.class, warehouse::segment)
          .run();

      assertThat(simulator.activeSubscribers(list))
          .containsExactlyInAnyOrder("ana.ruiz@example.org", "li.wei@example.org");
      assertThat(simulator.subscriber(list, "ana.ruiz@example.org"))
          .hasValueSatisfying(
              s -> {
                assertThat(s.name()).isEqualTo("Ana Ruiz");
                assertThat(s.customFields()).containsEntry("tier", "gold");
                assertThat(s.consentToTrack()).isEqualTo("Unchanged");
              });
    }
  }
}
