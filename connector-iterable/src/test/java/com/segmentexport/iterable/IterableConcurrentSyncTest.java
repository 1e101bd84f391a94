package com.segmentexport.iterable;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Secret;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.state.JdbcSyncStateStore;
import com.segmentexport.testkit.ProfileGenerator;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two exports at once into two lists, sharing one SQLite sync state file: each keeps its own memory. */
@Timeout(120)
class IterableConcurrentSyncTest {
  private static final String KEY = "server-key-concurrent-51c2";

  @Test
  void twoExportsAtOnceShareOneStateFile(@TempDir Path dir) {
    try (IterableSimulator sim = new IterableSimulator(KEY).start();
        JdbcSyncStateStore state = JdbcSyncStateStore.sqlite(dir.resolve("state.db"))) {
      Connection connection =
          Connection.builder(new IterableConnectorProvider())
              .setting(StandardSettings.BASE_URL, sim.baseUrl())
              .setting(StandardSettings.REQUESTS_PER_SECOND, "2000")
              .secret(IterableConnectorProvider.API_KEY, Secret.of(KEY))
              .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
              .build();
      FieldMapping mapping =
          FieldMapping.builder()
              .email(ProfileGenerator.EMAIL)
              .firstName(ProfileGenerator.FIRST_NAME)
              .build();
      ExportDefinition a =
          ExportDefinition.builder(connection).segments("Segment A").mapping(mapping).build();
      ExportDefinition b =
          ExportDefinition.builder(connection).segments("Segment B").mapping(mapping).build();
      ProfileGenerator first = ProfileGenerator.builder().seed(1).build();
      ProfileGenerator second = ProfileGenerator.builder().seed(2).build();
      ExportOptions options = ExportOptions.DEFAULT.withSyncState(state);
      try (SegmentExporter exporter =
          Connectors.of(new IterableConnectorProvider()).exporter(connection)) {
        for (int round = 1; round <= 2; round++) {
          ExportHandle ha = exporter.start(a, name -> first.segment(name, 12_000), options);
          ExportHandle hb = exporter.start(b, name -> second.segment(name, 9_000), options);
          ExportResult ra = ha.await();
          ExportResult rb = hb.await();
          assertThat(ra.status()).isEqualTo(ExportStatus.SUCCEEDED);
          assertThat(rb.status()).isEqualTo(ExportStatus.SUCCEEDED);
          if (round == 1) {
            assertThat(ra.exported()).isEqualTo(12_000);
            assertThat(rb.exported()).isEqualTo(9_000);
          } else {
            assertThat(ra.unchanged()).as("the second round sends nothing").isEqualTo(12_000);
            assertThat(rb.unchanged()).isEqualTo(9_000);
            assertThat(ra.exported() + rb.exported()).isZero();
          }
        }
      }
      assertThat(state.destinations()).hasSize(2);
      assertThat(state.destinations())
          .allSatisfy(key -> assertThat(state.open(key).memberCount()).isIn(12_000L, 9_000L));
      assertThat(sim.members("Segment A")).hasSize(12_000);
      assertThat(sim.members("Segment B")).hasSize(9_000);
    }
  }
}
