package com.acme.segments;

import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectionAccess;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Role;
import com.segmentexport.api.Secret;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.state.JdbcSyncStateStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A host application's export, as README.md shows it (the region between the {@code README} markers
 * is the README's example, word for word; {@code ReadmeShowsThisCodeTest} fails when they differ).
 */
public final class VipExport {
  private static final Logger log = LoggerFactory.getLogger(VipExport.class);

  private VipExport() {}

  /**
   * Builds the connection from what the host stores, defines the export and runs it once.
   *
   * @param settings the connection's settings: in production what the host stored (such as
   *     {@code dataCenter=EU}), in tests the sandbox's
   * @param apiKey the API key, such as {@code System.getenv("ITERABLE_API_KEY")}
   * @param warehouse each segment's profiles, read once per run
   * @param progress hears the run's progress
   * @return the run's result
   * @throws ExportException if the run could not end on its own terms (it carries the partial result)
   */
  public static ExportResult run(
      Map<String, String> settings,
      String apiKey,
      SegmentSource warehouse,
      ExportListener progress) {
    // README:begin
    Connectors connectors = Connectors.load(); // ServiceLoader discovery; share one instance

    Connection.Builder builder =
        Connection.builder(connectors, "iterable")
            .displayName("Iterable (EU marketing)")
            .secret("apiKey", Secret.of(apiKey)) // e.g. System.getenv("ITERABLE_API_KEY")
            .access(ConnectionAccess.ADMINISTRATORS_AND_CONTRIBUTORS)
            .privacyConsent(PrivacyConsent.acknowledgedBy("admin@acme.example", Instant.now()));
    settings.forEach(builder::setting); // e.g. dataCenter=EU, as the host stored them
    Connection iterable =
        builder.build(); // no consent, a missing key, a bad setting -> one ConfigurationException

    ExportDefinition vip =
        ExportDefinition.builder(iterable)
            .segments("VIP customers", "Lapsed 90 days")
            .mapping(
                FieldMapping.builder()
                    .email("EmailAddress")
                    .firstName("GivenName")
                    .lastName("Surname")
                    .custom("tier", "LoyaltyTier")
                    .build())
            .build(); // validated against the connector; runs nothing

    try (SegmentExporter exporter = connectors.exporter(iterable, Role.CONTRIBUTOR)) {
      exporter.verify(); // one cheap authenticated call
      ExportResult result = exporter.export(vip, warehouse, progress);
      // An export that ran to its end: the status says how it went, per segment too.
      log.info("Export {}: {}", vip.name(), result.status());
      for (SegmentResult s : result.segments()) {
        log.info(
            "{}: {} exported, {} rejected, {} duplicates, {} unconfirmed, {} not attempted",
            s.name(),
            s.exported(),
            s.rejected(),
            s.duplicates(),
            s.unconfirmed(),
            s.notAttempted());
      }
      return result;
    } catch (ExportException e) {
      // An export that could not go on (credentials refused, the source failed, the connection
      // removed):
      // the exception still says what was done before it stopped.
      e.partialResult()
          .ifPresent(
              r ->
                  log.warn(
                      "Export {} stopped after {} exported: {}",
                      vip.name(),
                      r.exported(),
                      e.getMessage()));
      throw e;
    }
    // README:end
  }

  /**
   * Runs the export incrementally, with a sync state in a file: only what the vendor does not already
   * hold as it is is sent.
   *
   * @param exporter the exporter of the connection
   * @param vip the export
   * @param warehouse each segment's profiles, read once per run
   * @param stateFile where the sync state lives (an SQLite file)
   * @return the run's result
   */
  public static ExportResult runIncrementally(
      SegmentExporter exporter, ExportDefinition vip, SegmentSource warehouse, Path stateFile) {
    // README:incremental:begin
    try (JdbcSyncStateStore state =
        JdbcSyncStateStore.sqlite(stateFile)) { // one per host, shared by its exports
      ExportResult result =
          exporter.export(vip, warehouse, ExportOptions.DEFAULT.withSyncState(state));
      for (SegmentResult s : result.segments()) {
        log.info("{}: {} sent, {} unchanged and not sent", s.name(), s.exported(), s.unchanged());
      }
      return result;
    }
    // README:incremental:end
  }
}
