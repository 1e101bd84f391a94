package com.segmentexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A large sandbox export runs in the small heap a real export needs: the simulator keeps counts only. */
class CliSandboxMemoryTest {
  private static final int ROWS = 500_000;

  @TempDir Path dir;

  @Test
  void aLargeSandboxExportRunsInSixtyFourMebibytes() throws Exception {
    Path file = dir.resolve("large.csv");
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("email,first,last,tier\n");
      for (int i = 0; i < ROWS; i++) {
        w.write("customer" + i + "@example.org,First" + i + ",Last" + i + ",gold\n");
      }
    }
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Path out = dir.resolve("out.log");
    Path err = dir.resolve("err.log");
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                SegmentExportCli.class.getName(),
                "export",
                "-c",
                "iterable",
                "--sandbox",
                "--privacy-consent-by",
                "Test",
                "--setting",
                "requestsPerSecond=1000",
                "--no-progress",
                "--map",
                "Email=email",
                "--map",
                "FirstName=first",
                "--map",
                "LastName=last",
                "--map",
                "tier=tier",
                file.toString())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    boolean exited = p.waitFor(5, TimeUnit.MINUTES);
    if (!exited) {
      p.destroyForcibly();
    }
    String errText = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(exited).as("exited within 5 minutes").isTrue();
    assertThat(errText).doesNotContain("OutOfMemoryError");
    assertThat(p.exitValue()).as(errText).isEqualTo(ExitCodes.SUCCESS);
    String line =
        Files.readAllLines(out, StandardCharsets.UTF_8).stream()
            .filter(l -> l.startsWith("large "))
            .findFirst()
            .orElseThrow();
    String[] cells = line.trim().split("\\s+");
    assertThat(Long.parseLong(cells[2])).as("read").isEqualTo(ROWS);
    assertThat(Long.parseLong(cells[3])).as("exported").isEqualTo(ROWS);
  }
}
