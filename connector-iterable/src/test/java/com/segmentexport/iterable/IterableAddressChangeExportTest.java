package com.segmentexport.iterable;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.RetryPolicy;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.spi.AddressChanges;
import com.segmentexport.state.JdbcSyncStateStore;
import com.segmentexport.testkit.iterable.IterableSimulator;
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
 * An export with a sync state gives a moved profile's user its new address before the subscribe, and
 * handles each outcome of the change per record, the batch's other records untouched.
 */
@Timeout(60)
class IterableAddressChangeExportTest {
  private static final String KEY = "server-key-test-91b7";
  private static final String SEGMENT = "VIP customers";
  private static final RetryPolicy FAST =
      RetryPolicy.DEFAULT.withDelays(Duration.ofMillis(20), Duration.ofMillis(200));

  private IterableSimulator sim;

  @BeforeEach
  void start() {
    sim = new IterableSimulator(KEY).start();
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private Connection connection() {
    return Connection.builder(new IterableConnectorProvider())
        .setting(StandardSettings.BASE_URL, sim.baseUrl())
        .setting(StandardSettings.REQUESTS_PER_SECOND, "1000")
        .secret(IterableConnectorProvider.API_KEY, Secret.of(KEY))
        .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
        .build();
  }

  private static Profile profile(String id, String email) {
    return Profile.of("id", id, "email", email, "first", "First " + id);
  }

  @Test
  void eachOutcomeOfAChangeIsHandledForItsRecordAlone(@TempDir Path dir) {
    Connection connection = connection();
    ExportDefinition definition =
        ExportDefinition.builder(connection)
            .segments(SEGMENT)
            .mapping(
                FieldMapping.builder().email("email").profileId("id").firstName("first").build())
            .build();
    List<Profile> before =
        List.of(
            profile("p1", "ambiguous@example.org"),
            profile("p2", "moves@example.org"),
            profile("p3", "taken@example.org"),
            profile("p4", "forgotten@example.org"),
            profile("p5", "stays@example.org"));
    List<Profile> after =
        List.of(
            profile("p1", "ambiguous.new@example.org"),
            profile("p2", "moves.new@example.org"),
            profile("p3", "taken.new@example.org"),
            profile("p4", "forgotten.new@example.org"),
            profile("p5", "stays@example.org"));
    try (JdbcSyncStateStore store = JdbcSyncStateStore.sqlite(dir.resolve("state.db"));
        SegmentExporter exporter =
            Connectors.of(new IterableConnectorProvider()).exporter(connection)) {
      ExportOptions options =
          ExportOptions.DEFAULT
              .withRetryPolicy(FAST)
              .withSyncState(store)
              .withRejectedSampleSize(100);
      assertThat(exporter.export(definition, name -> Segment.of(name, before), options).exported())
          .isEqualTo(5);
      // p1: the change's answer is lost (502), and reading back cannot settle it (both addresses
      // have a user).
      sim.addUser("ambiguous.new@example.org", Map.of("firstName", "Someone else"));
      sim.faults().failWrite(sim.writeCount() + 1, 502);
      // p3: another user has the new address. p4: the new address was forgotten at the person's
      // request.
      sim.addUser("taken.new@example.org", Map.of("firstName", "Another"));
      sim.rejectAddress("forgotten.new@example.org", "forgottenEmails");

      var result = exporter.export(definition, name -> Segment.of(name, after), options);
      SegmentResult s = result.segment(SEGMENT).orElseThrow();

      assertThat(s.unchanged()).isEqualTo(1);
      assertThat(s.exported()).as("p2 (changed) and p3 (new address taken)").isEqualTo(2);
      assertThat(s.unconfirmed()).as("p1").isEqualTo(1);
      assertThat(s.rejected()).as("p4").isEqualTo(1);
      assertThat(s.counters())
          .containsEntry(AddressChanges.CHANGED, 1L)
          .containsEntry(AddressChanges.NEW_ADDRESS_TAKEN, 1L)
          .doesNotContainKey(AddressChanges.CURRENT_UNKNOWN);
      RejectedRecord refused =
          result.rejectedSample().stream().filter(r -> r.row() == 4).findFirst().orElseThrow();
      assertThat(refused.reason()).isEqualTo(RejectionReason.VENDOR_REJECTED);
      assertThat(refused.vendorCode()).hasValue(IterableAddressChange.EMAIL_ALREADY_EXISTS);
      RejectedRecord ambiguous =
          result.rejectedSample().stream().filter(r -> r.row() == 1).findFirst().orElseThrow();
      assertThat(ambiguous.reason()).isEqualTo(RejectionReason.UNCONFIRMED);

      assertThat(sim.hasUser("moves@example.org")).as("p2 moved, not copied").isFalse();
      assertThat(sim.dataFields("moves.new@example.org")).containsEntry("firstName", "First p2");
      assertThat(sim.members(SEGMENT))
          .contains("moves.new@example.org", "taken.new@example.org", "taken@example.org")
          .doesNotContain(
              "moves@example.org", "forgotten.new@example.org", "ambiguous.new@example.org");
      assertThat(sim.dataFields("taken.new@example.org"))
          .as("the user at the new address, updated")
          .containsEntry("firstName", "First p3");
      assertThat(sim.dataFields("ambiguous.new@example.org"))
          .as("not subscribed after an unknown outcome")
          .containsEntry("firstName", "Someone else");
    }
  }

  @Test
  void withoutAMovedProfileNoChangeIsAttempted(@TempDir Path dir) {
    Connection connection = connection();
    ExportDefinition definition =
        ExportDefinition.builder(connection)
            .segments(SEGMENT)
            .mapping(
                FieldMapping.builder().email("email").profileId("id").firstName("first").build())
            .build();
    List<Profile> segment = List.of(profile("p1", "a@example.org"), profile("p2", "b@example.org"));
    try (JdbcSyncStateStore store = JdbcSyncStateStore.sqlite(dir.resolve("state.db"));
        SegmentExporter exporter =
            Connectors.of(new IterableConnectorProvider()).exporter(connection)) {
      ExportOptions options =
          ExportOptions.DEFAULT.withRetryPolicy(FAST).withSyncState(store).withFullRefresh();
      exporter.export(definition, name -> Segment.of(name, segment), options);
      exporter.export(definition, name -> Segment.of(name, segment), options);
    }
    assertThat(sim.calls()).noneMatch(c -> c.path().equals("/api/users/updateEmail"));
  }
}
