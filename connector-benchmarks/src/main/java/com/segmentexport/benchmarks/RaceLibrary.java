package com.segmentexport.benchmarks;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.StandardSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The race's "library alone" (issue 26): a host that calls the SDK in a JVM already warm, exporting
 * the race's file into the race's simulator, so that what the SDK costs is measured without process
 * start or reading the file.
 *
 * <p>{@code java -cp benchmarks.jar com.segmentexport.benchmarks.RaceLibrary CONNECT_LINE FILE ROUNDS}:
 * reads the file's profiles into memory (email, first_name, last_name: the race's file has no quoted
 * values), exports them {@value #WARM_UP} times to warm the JVM, then {@code ROUNDS} times measured,
 * each an export of the whole segment named as the file, and prints {@code RESULT seconds=MEDIAN
 * rounds=S,S,... cpuSeconds=MEDIAN exports=N}. Exit 1 when an export does not export every profile.
 */
public final class RaceLibrary {
  /** Exports before the measured ones. */
  static final int WARM_UP = 3;

  private RaceLibrary() {}

  /** Entry point. */
  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      System.err.println("usage: RaceLibrary CONNECT_LINE FILE ROUNDS");
      System.exit(2);
    }
    SimulatorEndpoint endpoint = SimulatorEndpoint.parse(args[0]);
    Path file = Path.of(args[1]);
    int rounds = Integer.parseInt(args[2]);
    List<Profile> profiles = read(file);
    String name = file.getFileName().toString().replaceFirst("\\.csv$", "");

    Connection.Builder b = Connection.builder(endpoint.connectorId());
    endpoint.settings().forEach(b::setting);
    endpoint.secrets().forEach((k, v) -> b.secret(k, Secret.of(v)));
    Connection c =
        b.setting(StandardSettings.REQUESTS_PER_SECOND, "100000")
            .privacyConsent(PrivacyConsent.acknowledgedBy("race", Instant.now()))
            .build();
    ExportDefinition.Builder d =
        ExportDefinition.builder(c)
            .segments(name)
            .mapping(
                FieldMapping.builder()
                    .email("email")
                    .firstName("first_name")
                    .lastName("last_name")
                    .build());
    endpoint.exportOptions().forEach(d::option);
    ExportDefinition definition = d.build();

    Connectors connectors = Connectors.load();
    double[] seconds = new double[rounds];
    double[] cpu = new double[rounds];
    try (var exporter = connectors.exporter(c)) {
      for (int i = -WARM_UP; i < rounds; i++) {
        System.gc();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        ExportResult result =
            exporter.export(
                definition,
                n -> Segment.of(n, OptionalLong.of(profiles.size()), profiles.iterator(), () -> {}),
                ExportOptions.DEFAULT);
        long t1 = System.nanoTime();
        long cpu1 = processCpuNanos();
        if (result.exported() != profiles.size()) {
          System.err.printf(
              "export %d exported %d of %d profiles%n", i, result.exported(), profiles.size());
          System.exit(1);
        }
        if (i >= 0) {
          seconds[i] = (t1 - t0) / 1e9;
          cpu[i] = (cpu1 - cpu0) / 1e9;
        }
      }
    }
    StringBuilder each = new StringBuilder();
    for (double s : seconds) {
      each.append(each.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", s));
    }
    System.out.printf(
        Locale.ROOT,
        "RESULT seconds=%.3f rounds=%s cpuSeconds=%.3f exports=%d%n",
        median(seconds),
        each,
        median(cpu),
        WARM_UP + rounds);
    System.exit(0);
  }

  private static List<Profile> read(Path file) throws IOException {
    List<Profile> profiles = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String[] header = r.readLine().split(",");
      String line;
      while ((line = r.readLine()) != null) {
        String[] v = line.split(",", -1);
        Object[] pairs = new Object[header.length * 2];
        for (int i = 0; i < header.length; i++) {
          pairs[2 * i] = header[i];
          pairs[2 * i + 1] = v[i];
        }
        profiles.add(Profile.of(pairs));
      }
    }
    return profiles;
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
