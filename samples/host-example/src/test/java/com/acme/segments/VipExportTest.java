package com.acme.segments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's host example, run against the Iterable sandbox: it compiles, it runs, it ends both ways. */
class VipExportTest {
  private static final Map<String, List<Profile>> WAREHOUSE =
      Map.of(
          "VIP customers",
              List.of(
                  Profile.of(
                      "EmailAddress",
                      "ana@example.org",
                      "GivenName",
                      "Ana",
                      "Surname",
                      "Silva",
                      "LoyaltyTier",
                      "gold"),
                  Profile.of(
                      "EmailAddress", "bo@example.org", "GivenName", "Bo", "LoyaltyTier", "silver"),
                  Profile.of("EmailAddress", "not-an-address", "GivenName", "X")),
          "Lapsed 90 days",
              List.of(Profile.of("EmailAddress", "cy@example.org", "GivenName", "Cy")));

  @Test
  void theExampleExportsIntoTheSandbox() {
    // README:sandbox:begin
    try (Sandbox sandbox = Sandboxes.start("iterable")) { // Iterable's API, simulated on loopback
      SegmentSource warehouse =
          name -> Segment.of(name, WAREHOUSE.get(name)); // a list, stream or cursor
      ExportResult result =
          VipExport.run(
              sandbox.settings(),
              sandbox.secrets().get("apiKey"),
              warehouse,
              ExportListener.NONE); // the sandbox's base URL and key
      check(result, (IterableSimulator) sandbox.simulator()); // and what the "vendor" now holds
    }
    // README:sandbox:end
  }

  @Test
  void theIncrementalExampleSendsNothingTheSecondTime(@TempDir Path dir) {
    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      Connectors connectors = Connectors.load();
      Connection.Builder b =
          Connection.builder(connectors, "iterable")
              .secret("apiKey", Secret.of(sandbox.secrets().get("apiKey")))
              .privacyConsent(PrivacyConsent.acknowledgedBy("admin@acme.example", Instant.now()));
      sandbox.settings().forEach(b::setting);
      Connection connection = b.build();
      ExportDefinition vip =
          ExportDefinition.builder(connection)
              .segments("VIP customers")
              .mapping(FieldMapping.builder().email("EmailAddress").firstName("GivenName").build())
              .build();
      SegmentSource warehouse = name -> Segment.of(name, WAREHOUSE.get(name));
      try (SegmentExporter exporter = connectors.exporter(connection)) {
        ExportResult first =
            VipExport.runIncrementally(exporter, vip, warehouse, dir.resolve("state.db"));
        ExportResult second =
            VipExport.runIncrementally(exporter, vip, warehouse, dir.resolve("state.db"));
        assertThat(first.exported()).isEqualTo(2);
        assertThat(second.exported()).isZero();
        assertThat(second.unchanged()).isEqualTo(2);
        assertThat(second.rejected())
            .isEqualTo(1); // the invalid address, rejected by validation each time
      }
    }
  }

  private static void check(ExportResult result, IterableSimulator iterable) {
    assertThat(result.status()).isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED); // one invalid address
    assertThat(result.exported()).isEqualTo(3);
    assertThat(result.rejected()).isEqualTo(1);
    assertThat(iterable.members("VIP customers"))
        .containsExactlyInAnyOrder("ana@example.org", "bo@example.org");
    assertThat(iterable.dataFields("ana@example.org"))
        .containsEntry("tier", "gold")
        .containsEntry("firstName", "Ana");
  }

  @Test
  void anExportThatCannotGoOnEndsInAnExceptionThatCarriesWhatWasDone() {
    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      SegmentSource failing =
          name ->
              Segment.of(
                  name,
                  OptionalLong.empty(),
                  new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                      return true;
                    }

                    @Override
                    public Profile next() {
                      throw new IllegalStateException("the warehouse went away");
                    }
                  },
                  () -> {});
      ExportException e =
          catchThrowableOfType(
              ExportException.class,
              () ->
                  VipExport.run(
                      sandbox.settings(),
                      sandbox.secrets().get("apiKey"),
                      failing,
                      ExportListener.NONE));
      assertThat(e).hasMessageContaining("IllegalStateException");
      assertThat(e.partialResult())
          .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(ExportStatus.FAILED));
    }
  }
}
