package com.segmentexport.autopilot;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Profile;
import com.segmentexport.api.Segment;
import com.segmentexport.testkit.ReadmeExample;
import com.segmentexport.testkit.autopilot.AutopilotSimulator;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's host application, read from README.md and run against the simulator. */
class AutopilotReadmeTest {
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
    try (AutopilotSimulator simulator = new AutopilotSimulator("readme-key").start()) {
      Warehouse warehouse = new Warehouse();

      // The README's example, read from README.md, pointed at the simulator (base URL, faster rate)
      // with the credentials and ids the simulator knows.
      ReadmeExample.javaBlock(Path.of("README.md"))
          .replacing(
              "Connection.builder(\"autopilot\")",
              "Connection.builder(\"autopilot\").setting(\"baseUrl\", "
                  + ReadmeExample.literal(simulator.baseUrl())
                  + ").setting(\"requestsPerSecond\", \"50\")")
          .replacing("System.getenv(\"AUTOPILOT_API_KEY\")", ReadmeExample.literal("readme-key"))
          .given("warehouse", ReadmeExample.Warehouse.class, warehouse::segment)
          .run();

      assertThat(simulator.members("VIP customers"))
          .containsExactlyInAnyOrder("ana.ruiz@example.org", "li.wei@example.org");
      assertThat(simulator.contactFields("ana.ruiz@example.org"))
          .containsEntry("FirstName", "Ana")
          .containsEntry("LastName", "Ruiz")
          .containsEntry("string--Loyalty--Tier", "gold");
    }
  }
}
