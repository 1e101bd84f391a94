package com.segmentexport.dotdigital;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Profile;
import com.segmentexport.api.Segment;
import com.segmentexport.testkit.ReadmeExample;
import com.segmentexport.testkit.dotdigital.DotdigitalSimulator;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's host application, read from README.md and run against the simulator. */
class DotdigitalReadmeTest {
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
    try (DotdigitalSimulator simulator =
        new DotdigitalSimulator("apiuser-123456@apiconnector.com", "pw").start()) {
      simulator.accountRegion("r2");
      long book = simulator.createAddressBook("VIP customers");
      Warehouse warehouse = new Warehouse();

      // The README's example, read from README.md, pointed at the simulator (base URL, faster rate)
      // with the credentials and ids the simulator knows.
      ReadmeExample.javaBlock(Path.of("README.md"))
          .replacing(
              "Connection.builder(\"dotdigital\")",
              "Connection.builder(\"dotdigital\").setting(\"baseUrl\", "
                  + ReadmeExample.literal(simulator.baseUrl())
                  + ").setting(\"requestsPerSecond\", \"50\")")
          .replacing("System.getenv(\"DOTDIGITAL_PASSWORD\")", ReadmeExample.literal("pw"))
          .replacing("\"4711\"", ReadmeExample.literal(Long.toString(book)))
          .given("warehouse", ReadmeExample.Warehouse.class, warehouse::segment)
          .run();

      assertThat(simulator.addressBookMembers(book))
          .containsExactlyInAnyOrder("ana.ruiz@example.org", "li.wei@example.org");
      assertThat(simulator.contactDataFields("ana.ruiz@example.org"))
          .containsEntry("FIRSTNAME", "Ana")
          .containsEntry("LASTNAME", "Ruiz")
          .containsEntry("TIER", "gold");
    }
  }
}
