package com.segmentexport.dotdigital;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RetryPolicy;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.spi.AddressChanges;
import com.segmentexport.state.JdbcSyncStateStore;
import com.segmentexport.testkit.dotdigital.DotdigitalSimulator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An export with a sync state gives a moved profile's contact its new address before the import; a new
 * address another contact has is left to the import, which updates that contact.
 */
@Timeout(60)
class DotdigitalAddressChangeExportTest {
  private static final String USER = "apiuser-7@apiconnector.com";
  private static final String PASSWORD = "pw-7";
  private static final RetryPolicy FAST =
      RetryPolicy.DEFAULT.withDelays(Duration.ofMillis(20), Duration.ofMillis(200));

  private DotdigitalSimulator sim;
  private long book;

  @BeforeEach
  void start() {
    sim = new DotdigitalSimulator(USER, PASSWORD).start();
    book = sim.ensureAddressBook("VIP customers");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private static Profile profile(String id, String email) {
    return Profile.of("id", id, "email", email, "first", "First " + id);
  }

  @Test
  void aMovedContactKeepsItsIdAndATakenAddressUpdatesItsHolder(@TempDir Path dir) {
    Connection connection =
        Connection.builder(new DotdigitalConnectorProvider())
            .setting(StandardSettings.BASE_URL, sim.baseUrl())
            .setting(StandardSettings.REQUESTS_PER_SECOND, "1000")
            .secret(DotdigitalConnectorProvider.USERNAME, Secret.of(USER))
            .secret(DotdigitalConnectorProvider.PASSWORD, Secret.of(PASSWORD))
            .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
            .build();
    ExportDefinition definition =
        ExportDefinition.builder(connection)
            .segments("VIP")
            .option(DotdigitalConnectorProvider.ADDRESS_BOOK_ID, Long.toString(book))
            .mapping(
                FieldMapping.builder().email("email").profileId("id").firstName("first").build())
            .build();
    List<Profile> before =
        List.of(
            profile("p1", "moves@example.org"),
            profile("p2", "taken@example.org"),
            profile("p3", "stays@example.org"));
    List<Profile> after =
        List.of(
            profile("p1", "moves.new@example.org"),
            profile("p2", "taken.new@example.org"),
            profile("p3", "stays@example.org"));
    try (JdbcSyncStateStore store = JdbcSyncStateStore.sqlite(dir.resolve("state.db"));
        SegmentExporter exporter =
            Connectors.of(new DotdigitalConnectorProvider()).exporter(connection)) {
      ExportOptions options = ExportOptions.DEFAULT.withRetryPolicy(FAST).withSyncState(store);
      assertThat(exporter.export(definition, name -> Segment.of(name, before), options).exported())
          .isEqualTo(3);
      long moved = sim.contactId("moves@example.org").orElseThrow();
      sim.addContact(
          "taken.new@example.org", DotdigitalSimulator.SUBSCRIBED, Map.of("FIRSTNAME", "Another"));

      SegmentResult s =
          exporter
              .export(definition, name -> Segment.of(name, after), options)
              .segment("VIP")
              .orElseThrow();

      assertThat(s.unchanged()).isEqualTo(1);
      assertThat(s.exported()).isEqualTo(2);
      assertThat(s.counters())
          .containsEntry(AddressChanges.CHANGED, 1L)
          .containsEntry(AddressChanges.NEW_ADDRESS_TAKEN, 1L);
      assertThat(sim.contactId("moves.new@example.org")).as("the same contact").hasValue(moved);
      assertThat(sim.contactId("moves@example.org")).isEmpty();
      assertThat(sim.contactDataFields("moves.new@example.org"))
          .containsEntry("FIRSTNAME", "First p1");
      assertThat(sim.contactDataFields("taken.new@example.org"))
          .containsEntry("FIRSTNAME", "First p2");
      assertThat(sim.addressBookMembers(book))
          .contains("moves.new@example.org", "taken.new@example.org", "taken@example.org")
          .doesNotContain("moves@example.org");
    }
  }
}
