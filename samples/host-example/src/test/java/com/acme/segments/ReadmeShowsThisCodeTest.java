package com.acme.segments;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * README.md shows the host example from the code the build compiles and runs, not a copy that can drift:
 * each fenced block between {@code <!-- NAME:begin -->} and {@code <!-- NAME:end -->} in README.md is the
 * region between {@code // README:NAME:begin} and {@code // README:NAME:end} (or {@code // README:begin}
 * and {@code // README:end} for {@code host-example}) in the source, without its indentation.
 */
class ReadmeShowsThisCodeTest {
  private static final Path ROOT =
      Path.of("").toAbsolutePath().getParent().getParent(); // samples/host-example

  @Test
  void theHostExampleInTheReadmeIsVipExport() throws IOException {
    assertThat(readme("host-example"))
        .as("README.md's host example must be VipExport.java's README region; copy it over")
        .isEqualTo(region(Path.of("src/main/java/com/acme/segments/VipExport.java"), "README"));
  }

  @Test
  void theSandboxWiringInTheReadmeIsTheTests() throws IOException {
    assertThat(readme("sandbox-example"))
        .as(
            "README.md's sandbox example must be VipExportTest.java's README:sandbox region; copy it over")
        .isEqualTo(
            region(
                Path.of("src/test/java/com/acme/segments/VipExportTest.java"), "README:sandbox"));
  }

  @Test
  void theIncrementalExampleInTheReadmeIsVipExport() throws IOException {
    assertThat(readme("incremental-example"))
        .as(
            "README.md's incremental example must be VipExport.java's README:incremental region; copy it over")
        .isEqualTo(
            region(
                Path.of("src/main/java/com/acme/segments/VipExport.java"), "README:incremental"));
  }

  private static String readme(String name) throws IOException {
    String text = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
    String begin = "<!-- " + name + ":begin -->";
    int from = text.indexOf(begin);
    int to = text.indexOf("<!-- " + name + ":end -->");
    assertThat(from).as("README.md has %s", begin).isNotNegative();
    assertThat(to).isGreaterThan(from);
    List<String> lines =
        text.substring(from + begin.length(), to).strip().lines().collect(Collectors.toList());
    assertThat(lines.get(0)).isEqualTo("```java");
    assertThat(lines.get(lines.size() - 1)).isEqualTo("```");
    return String.join("\n", lines.subList(1, lines.size() - 1));
  }

  private static String region(Path source, String marker) throws IOException {
    List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
    int from = -1;
    int to = -1;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.equals("// " + marker + ":begin")) {
        from = i + 1;
      } else if (l.equals("// " + marker + ":end")) {
        to = i;
      }
    }
    assertThat(from).as("%s has // %s:begin", source, marker).isPositive();
    List<String> region = lines.subList(from, to);
    int indent =
        region.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    return region.stream()
        .map(l -> l.isBlank() ? "" : l.substring(indent))
        .collect(Collectors.joining("\n"));
  }
}
