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
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The project's field types ({@code GET /api/users/getFields}) are read once for the exports of a JVM
 * on one account that start together, not once per export, and every export still rejects a value
 * whose type clashes with the project's before sending it.
 */
class IterableSharedFieldTypesTest {
  private static final int EXPORTS = 10;

  @Test
  @Timeout(60)
  void exportsStartingTogetherShareOneReadOfTheFieldTypesAndEachStillRejectsAClash()
      throws Exception {
    try (IterableSimulator sim = new IterableSimulator("k").start()) {
      sim.fieldType("signupDate", "date");
      Connectors connectors = Connectors.of(new IterableConnectorProvider());
      List<SegmentExporter> exporters = new ArrayList<>();
      List<ExportHandle> handles = new ArrayList<>();
      for (int i = 0; i < EXPORTS; i++) {
        // Each export on its own connection (the same key: one account) and its own list.
        Connection connection =
            Connection.builder(new IterableConnectorProvider())
                .setting("baseUrl", sim.baseUrl())
                .setting("requestsPerSecond", "1000")
                .secret("apiKey", Secret.of("k"))
                .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
                .build();
        ExportDefinition definition =
            ExportDefinition.builder(connection)
                .segments("segment-" + i)
                .mapping(
                    FieldMapping.builder().email("email").custom("signupDate", "signup").build())
                .build();
        int n = i;
        SegmentExporter exporter = connectors.exporter(connection);
        exporters.add(exporter);
        handles.add(
            exporter.start(
                definition,
                name ->
                    Segment.of(
                        name,
                        List.of(
                            Profile.of("email", "ok" + n + "@example.org", "signup", "2024-01-02"),
                            Profile.of("email", "bad" + n + "@example.org", "signup", "GGG"))),
                ExportOptions.DEFAULT));
      }
      for (ExportHandle h : handles) {
        ExportResult r = h.await();
        assertThat(r.status()).isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED);
        assertThat(r.exported()).isEqualTo(1);
        assertThat(r.rejectedSample())
            .singleElement()
            .satisfies(
                rejected -> {
                  assertThat(rejected.row()).isEqualTo(2);
                  assertThat(rejected.reason()).isEqualTo(RejectionReason.INVALID_VALUE);
                })
            .extracting(RejectedRecord::vendorCode)
            .isEqualTo(java.util.Optional.of("RequestFieldsTypesMismatched"));
      }
      exporters.forEach(SegmentExporter::close);

      // Rejected before sending: no subscribe answered with a type mismatch.
      assertThat(sim.typeMismatchRejections()).isZero();
      // One read serves every export that asks while it is fresh (a few seconds) or running; a
      // second
      // only if the machine stalled for longer than that between two exports' first batches.
      assertThat(sim.calls())
          .filteredOn(c -> c.path().equals("/api/users/getFields"))
          .hasSizeBetween(1, 2);
    }
  }
}
