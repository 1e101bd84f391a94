package com.segmentexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C on a running export: the CLI runs as a child process and gets a real SIGINT. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class CliInterruptTest {
  private static final int ROWS = 40_000;
  private static final java.util.regex.Pattern SENT =
      java.util.regex.Pattern.compile("\\] [1-9][0-9,]*/");

  @TempDir Path dir;

  private Process process;

  @AfterEach
  void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
  }

  /** A child exporting ROWS profiles into the Iterable sandbox at one request a second, one at a time. */
  private Child start() throws IOException {
    Path file = dir.resolve("big.csv");
    List<String> lines = new ArrayList<>();
    lines.add("email,first");
    lines.add("not-an-address,Bad");
    for (int i = 0; i < ROWS; i++) {
      lines.add("p" + i + "@example.org,P" + i);
    }
    Files.write(file, lines, StandardCharsets.UTF_8);
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx256m",
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
            "requestsPerSecond=1",
            "--setting",
            "maxConcurrentBatches=1",
            "--map",
            "Email=email",
            "--map",
            "FirstName=first",
            "--rejected",
            dir.resolve("rejected.csv").toString(),
            file.toString());
    pb.environment().keySet().removeIf(k -> k.startsWith("SEGMENT_EXPORT_"));
    process = pb.start();
    return new Child(process);
  }

  private void sigint(long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  @Test
  void firstSigintCancelsPrintsThePartialSummaryAndKeepsTheRejectedFileWhole() throws Exception {
    Child child = start();
    // the progress line (a line every few seconds, stderr being no terminal) shows profiles sent
    assertThat(child.awaitErr(l -> SENT.matcher(l).find(), 90)).as(child.err()).isTrue();
    sigint(process.pid());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
    child.drain();

    assertThat(process.exitValue()).as(child.err()).isEqualTo(Interrupts.EXIT_CODE);
    assertThat(child.err()).contains("interrupted: stopping the export");
    String out = child.out();
    assertThat(out)
        .contains("unconfirmed")
        .contains("not attempted")
        .contains("CANCELLED")
        .contains("big");
    List<CSVRecord> rows;
    try (CSVParser p =
        CSVFormat.RFC4180
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .get()
            .parse(Files.newBufferedReader(dir.resolve("rejected.csv"), StandardCharsets.UTF_8))) {
      assertThat(p.getHeaderNames())
          .containsExactly(
              "segment", "row", "masked_identifier", "reason", "vendor_code", "message");
      rows = p.getRecords();
    }
    assertThat(rows).isNotEmpty().allSatisfy(r -> assertThat(r.isConsistent()).isTrue());
    assertThat(rows.get(0).get("reason")).isEqualTo("INVALID_EMAIL");
    try (var listing = Files.list(dir)) {
      assertThat(listing.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("big.csv", "rejected.csv");
    }
    String totalLine = out.lines().filter(l -> l.startsWith("big ")).findFirst().orElseThrow();
    String[] cells = totalLine.trim().split("\\s+");
    long read = Long.parseLong(cells[2]);
    long exported = Long.parseLong(cells[3]);
    long notAttempted = Long.parseLong(cells[cells.length - 1]);
    assertThat(exported).as(out).isLessThan(ROWS);
    assertThat(notAttempted).as(out).isPositive();
    assertThat(read).isPositive();
  }

  @Test
  void aSecondSigintExitsAtOnce() throws Exception {
    Child child = start();
    assertThat(child.awaitErr(l -> l.startsWith("sandbox: exporting"), 60))
        .as(child.err())
        .isTrue();
    sigint(process.pid());
    assertThat(child.awaitErr(l -> l.startsWith("interrupted: stopping"), 30))
        .as(child.err())
        .isTrue();
    sigint(process.pid());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
    child.drain();
    assertThat(process.exitValue()).as(child.err()).isEqualTo(Interrupts.EXIT_CODE);
  }

  /** Reads a child's stdout and stderr on their own threads. */
  private static final class Child {
    private final StringBuffer out = new StringBuffer();
    private final StringBuffer err = new StringBuffer();
    private final List<String> errLines = new ArrayList<>();
    private final Thread outReader;
    private final Thread errReader;

    Child(Process p) {
      outReader = pump(p.getInputStream(), line -> out.append(line).append('\n'));
      errReader =
          pump(
              p.getErrorStream(),
              line -> {
                err.append(line).append('\n');
                synchronized (errLines) {
                  errLines.add(line);
                  errLines.notifyAll();
                }
              });
    }

    private static Thread pump(InputStream in, java.util.function.Consumer<String> sink) {
      Thread t =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    sink.accept(line);
                  }
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      t.setDaemon(true);
      t.start();
      return t;
    }

    /** Waits at most {@code seconds} for a stderr line matching {@code p}. */
    boolean awaitErr(Predicate<String> p, long seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      synchronized (errLines) {
        while (true) {
          if (errLines.stream().anyMatch(p)) {
            return true;
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          errLines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      }
    }

    void drain() throws InterruptedException {
      outReader.join(10_000);
      errReader.join(10_000);
    }

    String out() {
      return out.toString();
    }

    String err() {
      return err.toString();
    }
  }
}
