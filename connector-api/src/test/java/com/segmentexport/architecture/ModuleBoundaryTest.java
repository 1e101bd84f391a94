package com.segmentexport.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The edges between the SDK's layers, checked over every module's sources (main and test), so that a new
 * dependency on the engine's internals fails the build instead of creeping in:
 * <ul>
 *   <li>{@code com.segmentexport.internal} is the engine's: no other module imports it, and the SPI
 *       never does; in the host API only the classes listed here may (they construct the engine).
 *   <li>Only connector-api declares classes in the {@code api}, {@code spi} and {@code internal} packages
 *       (another module putting a class there reaches package-private code), but for the exceptions
 *       listed here, each to be removed.
 * </ul>
 */
class ModuleBoundaryTest {
  /** The repository, from connector-api (Surefire runs in the module's folder). */
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Pattern PACKAGE = Pattern.compile("^package (com\\.segmentexport\\.[a-z.]+);", Pattern.MULTILINE);
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(com\\.segmentexport\\.[a-z]+)\\.",
      Pattern.MULTILINE);

  /** Host-API classes that build the engine, and so may import it. */
  private static final Set<String> API_CLASSES_USING_THE_ENGINE = Set.of(
      "connector-api/src/main/java/com/segmentexport/api/Connectors.java",
      "connector-api/src/main/java/com/segmentexport/api/UrlRules.java");

  /** Classes outside connector-api in its packages, to reach package-private engine code. To be removed. */
  private static final Set<String> KNOWN_SPLIT_PACKAGES = Set.of(
      "connector-benchmarks/src/main/java/com/segmentexport/internal/EngineCpuBenchmark.java",
      "connector-benchmarks/src/main/java/com/segmentexport/internal/ReplayHttp.java");

  @Test
  void theEngineIsImportedOnlyByTheClassesThatBuildIt() {
    List<String> violations = new ArrayList<>();
    for (Path file : sources()) {
      String name = ROOT.relativize(file).toString().replace('\\', '/');
      String text = read(file);
      String pkg = packageOf(text);
      boolean inEngine = pkg.equals("com.segmentexport.internal");
      Matcher m = IMPORT.matcher(text);
      while (m.find()) {
        if (m.group(1).equals("com.segmentexport.internal") && !inEngine
            && !API_CLASSES_USING_THE_ENGINE.contains(name)) {
          violations.add(name + " imports the engine (com.segmentexport.internal)");
        }
      }
    }
    assertThat(violations).as("imports across the layers' boundary").isEmpty();
  }

  @Test
  void onlyConnectorApiDeclaresClassesInTheSdksCorePackages() {
    List<String> violations = new ArrayList<>();
    for (Path file : sources()) {
      String name = ROOT.relativize(file).toString().replace('\\', '/');
      String pkg = packageOf(read(file));
      boolean core = pkg.equals("com.segmentexport.api") || pkg.equals("com.segmentexport.spi")
          || pkg.equals("com.segmentexport.internal");
      if (core && !name.startsWith("connector-api/") && !KNOWN_SPLIT_PACKAGES.contains(name)) {
        violations.add(name + " declares a class in " + pkg);
      }
    }
    assertThat(violations).as("classes in connector-api's packages from other modules").isEmpty();
    assertThat(KNOWN_SPLIT_PACKAGES).allSatisfy(known -> assertThat(ROOT.resolve(known))
        .as("a known exception that no longer exists: remove it from the list").exists());
  }

  @Test
  void theCheckSeesEveryModule() {
    assertThat(sources()).extracting(f -> ROOT.relativize(f).getName(0).toString()).contains(
        "connector-api", "connector-simulators", "connector-testkit", "connector-autopilot",
        "connector-campaignmonitor", "connector-dotdigital", "connector-iterable", "connector-cli",
        "connector-micrometer", "connector-state", "connector-benchmarks", "samples");
  }

  private static List<Path> sources() {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> p.toString().contains("/src/"))
          .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String packageOf(String text) {
    Matcher m = PACKAGE.matcher(text);
    return m.find() ? m.group(1) : "";
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
