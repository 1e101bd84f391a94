package com.segmentexport.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Whether the progress bar redraws one line depends on stderr, where it is drawn. */
class CliProgressTest {
  @TempDir Path dir;

  @Test
  void terminalDevicesAreToldFromFiles() {
    assertThat(ProgressBar.isTerminalDevice("/dev/pts/3")).isTrue();
    assertThat(ProgressBar.isTerminalDevice("/dev/tty1")).isTrue();
    assertThat(ProgressBar.isTerminalDevice("/home/ops/export-err.log")).isFalse();
    assertThat(ProgressBar.isTerminalDevice("pipe:[123456]")).isFalse();
  }

  @Test
  void theProgressLineCountsTheMembersAMirroringRunRemoved() {
    java.io.StringWriter text = new java.io.StringWriter();
    ProgressBar bar = new ProgressBar(new java.io.PrintWriter(text, true), false, 100);
    // The CLI hands the bar its events through the tally of what was sent.
    SentTally tally = new SentTally(bar);
    try {
      assertThat(bar.line()).doesNotContain("removed");
      tally.membersRemoved("VIP", 1000, 0, 1000);
      tally.membersRemoved("VIP", 234, 2, 1234);
      assertThat(bar.line()).contains("1,234 removed (2 failed)");
    } finally {
      bar.close();
    }
  }

  /** stdin and stdout on a terminal (script(1) gives the child one), stderr into a file: no redraws. */
  @Test
  @EnabledOnOs(OS.LINUX)
  void stderrRedirectedToAFileGetsLinesNotRedrawsEvenOnATerminal() throws Exception {
    Path script = Path.of("/usr/bin/script");
    assumeTrue(Files.isExecutable(script), "script(1) is needed to run the CLI on a terminal");
    Path file = dir.resolve("p.csv");
    Files.write(
        file, List.of("email,first", "a@example.org,A", "b@example.org,B"), StandardCharsets.UTF_8);
    Path errLog = dir.resolve("err.log");
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    String command =
        List.of(
                    java,
                    "-cp",
                    System.getProperty("java.class.path"),
                    SegmentExportCli.class.getName(),
                    "export",
                    "-c",
                    "dotdigital",
                    "--sandbox",
                    "--privacy-consent-by",
                    "Test",
                    "--map",
                    "Email=email",
                    file.toString())
                .stream()
                .map(CliProgressTest::quote)
                .collect(Collectors.joining(" "))
            + " 2>"
            + quote(errLog.toString());
    Process p =
        new ProcessBuilder(script.toString(), "-qec", command, "/dev/null")
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(dir.resolve("out.log").toFile())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("exited").isTrue();
    String err = Files.readString(errLog, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(err).isZero();
    assertThat(err).contains("2/2 sent").doesNotContain("\r");
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
