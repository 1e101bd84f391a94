package com.segmentexport.iterable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectionAccess;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.testkit.ReadmeExample;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The README's host application, read from README.md and run against the simulator. */
class IterableReadmeTest {
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
                  "gold",
                  "signed_up",
                  "2024-07-02T10:15:30Z"),
              Profile.of("email", "li.wei@example.org", "first_name", "Li", "last_name", "Wei")));
    }
  }

  @Test
  void theReadmeExampleExportsASegment() {
    try (IterableSimulator simulator =
        new IterableSimulator("eu-server-key").freshListRejections(1).start()) {
      Warehouse warehouse = new Warehouse();

      // The README's example, read from README.md, pointed at the simulator (base URL, faster rate)
      // with the credentials and ids the simulator knows.
      ReadmeExample.javaBlock(Path.of("README.md"))
          .replacing(
              "Connection.builder(\"iterable\")",
              "Connection.builder(\"iterable\").setting(\"baseUrl\", "
                  + ReadmeExample.literal(simulator.baseUrl())
                  + ").setting(\"requestsPerSecond\", \"50\")")
          .replacing("System.getenv(\"ITERABLE_API_KEY\")", ReadmeExample.literal("eu-server-key"))
          .given("warehouse", ReadmeExample.Warehouse.class, warehouse::segment)
          .run();

      assertThat(simulator.members("VIP customers"))
          .containsExactlyInAnyOrder("ana.ruiz@example.org", "li.wei@example.org");
      assertThat(simulator.dataFields("ana.ruiz@example.org"))
          .containsEntry("firstName", "Ana")
          .containsEntry("lastName", "Ruiz")
          .containsEntry("tier", "gold")
          .containsEntry("signupDate", "2024-07-02 10:15:30 +00:00");
    }
  }

  @Test
  void theReadmeConnectionWithItsVariableUnsetIsAConfigurationErrorNamingTheKey() {
    String unsetVariable = "ITERABLE_API_KEY_" + UUID.randomUUID().toString().replace('-', '_');
    Connection.Builder b =
        Connection.builder("iterable")
            .displayName("Iterable (EU marketing)")
            .setting("dataCenter", "Mars")
            .secret("apiKey", Secret.of(System.getenv(unsetVariable)))
            .access(ConnectionAccess.ADMINISTRATORS_AND_CONTRIBUTORS)
            .privacyConsent(PrivacyConsent.acknowledgedBy("admin@acme.example", Instant.now()));
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, b::build);
    assertThat(e.problems()).hasSize(2);
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("credential 'apiKey' is missing"))
        .anySatisfy(p -> assertThat(p).contains("dataCenter", "Mars"));
  }
}
