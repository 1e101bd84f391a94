package com.segmentexport.testkit;

import com.segmentexport.api.Connection;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RemovalLimit;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.api.SyncMode;
import com.segmentexport.state.JdbcSyncStateStore;
import java.io.Reader;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one incremental export of a contract's connector against a simulator of the JVM that started
 * it, with an SQLite sync state, and ends itself with {@link Runtime#halt} at a {@link CrashPoint}
 * (exit status {@value CrashingStore#HALTED}). Its one argument is a properties file: the contract's
 * class ({@code contract}), the connection's {@code setting.*} and {@code secret.*}, the export's {@code
 * option.*}, the {@code segment}, its {@code size} and generator {@code seed}, the {@code state} file, and
 * the {@code crash} point and its {@code batch}. With {@code mode=MIRROR} the run mirrors the segment of the
 * generator's profiles {@code from} (0 by default) up to {@code size}, removing up to the share {@code
 * removalShare} of the managed members. Exits 3 if the export ended before the crash point, 1
 * on a failure.
 */
public final class ForkedSyncExport {
  private static final Logger log = LoggerFactory.getLogger(ForkedSyncExport.class);

  private ForkedSyncExport() {}

  /**
   * Entry point.
   *
   * @param args the properties file
   */
  public static void main(String[] args) {
    try {
      Properties p = new Properties();
      try (Reader in = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
        p.load(in);
      }
      Constructor<?> constructor =
          Class.forName(p.getProperty("contract")).getDeclaredConstructor();
      constructor.setAccessible(true);
      SegmentExporterContract<?> contract = (SegmentExporterContract<?>) constructor.newInstance();
      Connection.Builder c = Connection.builder(contract.provider());
      ExportDefinition.Builder d = null;
      for (String name : p.stringPropertyNames()) {
        if (name.startsWith("setting.")) {
          c.setting(name.substring(8), p.getProperty(name));
        } else if (name.startsWith("secret.")) {
          c.secret(name.substring(7), Secret.of(p.getProperty(name)));
        }
      }
      Connection connection =
          c.setting(StandardSettings.REQUESTS_PER_SECOND, "5000")
              .privacyConsent(
                  PrivacyConsent.acknowledgedBy("contract@segmentexport.test", Instant.now()))
              .build();
      boolean mirror = "MIRROR".equals(p.getProperty("mode"));
      d =
          ExportDefinition.builder(connection)
              .segments(p.getProperty("segment"))
              .mapping(contract.mapping());
      if (mirror) {
        d.syncMode(SyncMode.MIRROR);
      }
      for (String name : p.stringPropertyNames()) {
        if (name.startsWith("option.")) {
          d.option(name.substring(7), p.getProperty(name));
        }
      }
      ProfileGenerator generator =
          ProfileGenerator.builder().seed(Long.parseLong(p.getProperty("seed"))).build();
      long size = Long.parseLong(p.getProperty("size"));
      long from = Long.parseLong(p.getProperty("from", "0"));
      SegmentSource source =
          from == 0
              ? name -> generator.segment(name, size)
              : name -> {
                List<Profile> profiles = new ArrayList<>();
                for (long i = from; i < size; i++) {
                  profiles.add(generator.profile(i));
                }
                return Segment.of(name, profiles);
              };
      ExportOptions options =
          ExportOptions.DEFAULT.withRetryPolicy(SegmentExporterContract.FAST_RETRIES);
      if (mirror) {
        options =
            options.withRemovalLimit(
                RemovalLimit.share(Double.parseDouble(p.getProperty("removalShare"))));
      }
      ExportResult result;
      try (CrashingStore state =
              new CrashingStore(
                  JdbcSyncStateStore.sqlite(Path.of(p.getProperty("state"))),
                  CrashPoint.valueOf(p.getProperty("crash")),
                  Integer.parseInt(p.getProperty("batch")));
          SegmentExporter exporter = contract.connectors().exporter(connection)) {
        result = exporter.export(d.build(), source, options.withSyncState(state));
      }
      // Not halted: the crash point was never reached. The parent reads the exit status, not this
      // line.
      log.info(
          "The export ended before its crash point: {}, {} exported",
          result.status(),
          result.exported());
      System.exit(3);
    } catch (Throwable t) {
      log.error("The forked export failed", t);
      System.exit(1);
    }
  }
}
