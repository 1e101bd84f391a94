package com.segmentexport.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The edges between the SDK's layers, checked over every module's sources (main and test, comments and
 * string literals left out, imports and qualified names both counted), so that a new dependency across
 * a layer fails the build instead of creeping in. The layering:
 * <pre>
 *   host API (api)  &lt;--  SPI (spi)  &lt;--  vendor modules (autopilot, campaignmonitor, dotdigital, iterable)
 *        ^                  ^
 *        +---- engine (internal) ----+      built by api.Connectors, the one place the three meet
 * </pre>
 * <ul>
 *   <li>The SPI builds on the host API and never uses the engine.
 *   <li>The host API uses neither the SPI nor the engine, but for the classes listed here, which load
 *       providers and build the engine.
 *   <li>The engine ({@code com.segmentexport.internal}) is used only by its own package, those host-API
 *       classes, and, for its one benchmark hook class, the benchmarks; only the classes listed here are
 *       public in it.
 *   <li>A vendor module's code uses only the host API, the SPI and its own package; no vendor module uses
 *       another, in main or test code.
 *   <li>The testkit and the simulators never use a vendor module; hosts (the CLI, micrometer, the
 *       Kafka Connect sink, the samples) use the host API, never the SPI.
 *   <li>Only connector-api declares classes in the {@code api}, {@code spi} and {@code internal} packages
 *       (another module putting a class there would reach package-private code).
 * </ul>
 */
class ModuleBoundaryTest {
  /** The repository, from connector-api (Surefire runs in the module's folder). */
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  private static final Pattern PACKAGE =
      Pattern.compile("^package (com\\.segmentexport\\.[a-z0-9.]+);", Pattern.MULTILINE);

  /** A reference to one of our types: an import (single or on demand) or a qualified name in code. */
  private static final Pattern REFERENCE =
      Pattern.compile(
          "\\bcom\\.segmentexport\\.([a-z][a-z0-9]*(?:\\.[a-z][a-z0-9]*)*)\\.([A-Z]\\w*|\\*)");

  private static final String API = "api";
  private static final String SPI = "spi";
  private static final String ENGINE = "internal";
  private static final String API_SOURCES = "connector-api/src/main/java/com/segmentexport/api/";

  /**
   * Host-API classes that reach the SPI or the engine, and which of the two each may use: they load
   * providers and build the engine, or apply one of its rules.
   */
  private static final Map<String, Set<String>> API_CLASSES_THAT_BUILD_THE_ENGINE =
      Map.of(
          // Loads ConnectorProviders (ServiceLoader), creates their connectors, builds the engine's
          // exporters.
          API_SOURCES + "Connectors.java", Set.of(SPI, ENGINE),
          // Checks a base URL with the loopback rule the engine's HTTP client applies on the wire.
          API_SOURCES + "UrlRules.java", Set.of(ENGINE));

  /** The engine's public classes, each public for the reason in its javadoc. */
  private static final Set<String> PUBLIC_ENGINE_CLASSES =
      Set.of(
          "DefaultSegmentExporter", // built by api.Connectors
          "HttpClients", // api.Connectors builds its client with it; api.UrlRules asks its loopback
          // rule
          "RateLimiters", // api.Connectors hands the JVM's registry to each exporter
          "EngineThreads", // api.Connectors hands its thread pool to each exporter
          "ExportRunners", // api.Connectors hands its export runners to each exporter
          "EngineBenchmarkHooks"); // for connector-benchmarks

  /** The engine class another module may use, and the module that may. */
  private static final String BENCHMARK_HOOKS = "EngineBenchmarkHooks";

  private static final String BENCHMARKS = "connector-benchmarks";

  /** Vendor simulators and the contract live in these modules; neither may know a vendor module. */
  private static final Set<String> TESTKIT_MODULES =
      Set.of("connector-testkit", "connector-simulators");

  /** The vendor ids: modules {@code connector-<id>} that register a ConnectorProvider. */
  private static final Set<String> VENDORS = vendors();

  /** Host applications: they see connectors through the host API alone. */
  private static final Set<String> HOST_MODULES =
      Set.of(
          "connector-cli",
          "connector-micrometer",
          "connector-kafka-connect",
          "samples/bom-consumer",
          "samples/host-example");

  @Test
  void theSpiNeverUsesTheEngine() {
    List<String> violations = new ArrayList<>();
    for (Source s : sources()) {
      if (s.isMain() && s.module().equals("connector-api") && s.pkg().equals(core(SPI))) {
        s.references().stream()
            .filter(r -> layer(r).equals(ENGINE))
            .forEach(r -> violations.add(s.name() + " uses the engine: " + r));
      }
    }
    assertThat(violations).as("the SPI's uses of the engine").isEmpty();
  }

  @Test
  void theHostApiUsesTheSpiAndTheEngineOnlyWhereItBuildsTheEngine() {
    List<String> violations = new ArrayList<>();
    for (Source s : sources()) {
      if (s.isMain() && s.module().equals("connector-api") && s.pkg().equals(core(API))) {
        Set<String> allowed = API_CLASSES_THAT_BUILD_THE_ENGINE.getOrDefault(s.name(), Set.of());
        for (String r : s.references()) {
          String layer = layer(r);
          if ((layer.equals(SPI) || layer.equals(ENGINE)) && !allowed.contains(layer)) {
            violations.add(
                s.name() + " uses the " + (layer.equals(SPI) ? "SPI" : "engine") + ": " + r);
          }
        }
      }
    }
    assertThat(violations)
        .as(
            "the host API's uses of the SPI and the engine, beyond %s",
            API_CLASSES_THAT_BUILD_THE_ENGINE.keySet())
        .isEmpty();
    assertThat(API_CLASSES_THAT_BUILD_THE_ENGINE.keySet())
        .allSatisfy(
            listed ->
                assertThat(ROOT.resolve(listed))
                    .as("a listed class that no longer exists: remove it from the list")
                    .exists());
  }

  @Test
  void theEngineIsUsedOnlyByTheClassesThatBuildItAndItsBenchmarkHooksOnlyByTheBenchmarks() {
    List<String> violations = new ArrayList<>();
    for (Source s : sources()) {
      if (s.pkg().equals(core(ENGINE))) {
        continue;
      }
      for (String r : s.references()) {
        if (!layer(r).equals(ENGINE)) {
          continue;
        }
        boolean buildsTheEngine =
            s.isMain()
                && API_CLASSES_THAT_BUILD_THE_ENGINE
                    .getOrDefault(s.name(), Set.of())
                    .contains(ENGINE);
        boolean benchmarkHook =
            s.module().equals(BENCHMARKS) && r.equals(core(ENGINE) + "." + BENCHMARK_HOOKS);
        if (!buildsTheEngine && !benchmarkHook) {
          violations.add(s.name() + " uses the engine: " + r);
        }
      }
    }
    assertThat(violations).as("uses of com.segmentexport.internal from outside it").isEmpty();
  }

  @Test
  void onlyTheListedEngineClassesArePublic() {
    Pattern publicType =
        Pattern.compile(
            "^public (?:final |abstract |sealed |non-sealed )*"
                + "(?:class|interface|record|enum|@interface) (\\w+)",
            Pattern.MULTILINE);
    Set<String> found = new TreeSet<>();
    for (Source s : sources()) {
      if (s.isMain() && s.module().equals("connector-api") && s.pkg().equals(core(ENGINE))) {
        Matcher m = publicType.matcher(s.code());
        while (m.find()) {
          found.add(m.group(1));
        }
      }
    }
    assertThat(found)
        .as(
            "public classes of com.segmentexport.internal (make a new one package-private, or list"
                + " it here with the reason it must be public)")
        .containsExactlyInAnyOrderElementsOf(PUBLIC_ENGINE_CLASSES);
  }

  @Test
  void vendorModulesUseOnlyTheHostApiTheSpiAndTheirOwnPackage() {
    List<String> violations = new ArrayList<>();
    for (Source s : sources()) {
      String vendor = vendorOf(s.module());
      if (vendor == null || !s.isMain()) {
        continue;
      }
      Set<String> allowed = Set.of(core(API), core(SPI), "com.segmentexport." + vendor);
      s.references().stream()
          .filter(r -> !allowed.contains(packageOf(r)))
          .forEach(r -> violations.add(s.name() + " uses " + r));
    }
    assertThat(violations)
        .as("vendor modules' uses of anything but the host API, the SPI and their own package")
        .isEmpty();
  }

  @Test
  void noVendorModuleUsesAnother() {
    List<String> violations = new ArrayList<>();
    Set<String> vendors = VENDORS;
    for (Source s : sources()) {
      String vendor = vendorOf(s.module());
      if (vendor == null) {
        continue;
      }
      s.references().stream()
          .filter(r -> vendors.contains(layer(r)) && !layer(r).equals(vendor))
          .forEach(r -> violations.add(s.name() + " uses another vendor module: " + r));
    }
    assertThat(violations).as("vendor modules using each other").isEmpty();
  }

  @Test
  void theTestkitAndTheSimulatorsNeverUseAVendorModule() {
    List<String> violations = new ArrayList<>();
    Set<String> vendors = VENDORS;
    for (Source s : sources()) {
      if (TESTKIT_MODULES.contains(s.module())) {
        s.references().stream()
            .filter(r -> vendors.contains(layer(r)))
            .forEach(r -> violations.add(s.name() + " uses a vendor module: " + r));
      }
    }
    assertThat(violations).as("the testkit's and the simulators' uses of vendor modules").isEmpty();
  }

  @Test
  void hostsNeverUseTheSpi() {
    List<String> violations = new ArrayList<>();
    for (Source s : sources()) {
      if (HOST_MODULES.contains(s.module())) {
        s.references().stream()
            .filter(r -> layer(r).equals(SPI))
            .forEach(r -> violations.add(s.name() + " uses the SPI: " + r));
      }
    }
    assertThat(violations)
        .as("host applications' uses of the SPI (they see connectors as ConnectorDescriptors)")
        .isEmpty();
  }

  @Test
  void onlyConnectorApiDeclaresClassesInTheSdksCorePackages() {
    List<String> violations = new ArrayList<>();
    Set<String> corePackages = Set.of(core(API), core(SPI), core(ENGINE));
    for (Source s : sources()) {
      if (corePackages.contains(s.pkg()) && !s.module().equals("connector-api")) {
        violations.add(s.name() + " declares a class in " + s.pkg());
      }
    }
    assertThat(violations).as("classes in connector-api's packages from other modules").isEmpty();
  }

  @Test
  void theCheckSeesEveryModule() {
    Set<String> modules = new TreeSet<>();
    sources().forEach(s -> modules.add(s.module()));
    assertThat(modules)
        .contains(
            "connector-api",
            "connector-simulators",
            "connector-testkit",
            "connector-autopilot",
            "connector-campaignmonitor",
            "connector-dotdigital",
            "connector-iterable",
            "connector-cli",
            "connector-micrometer",
            "connector-kafka-connect",
            "connector-state",
            "connector-benchmarks",
            "samples/bom-consumer",
            "samples/host-example");
    assertThat(VENDORS)
        .as("vendor modules: those that register a ConnectorProvider")
        .containsExactlyInAnyOrder("autopilot", "campaignmonitor", "dotdigital", "iterable");
  }

  @Test
  void theReaderSeesQualifiedNamesAndImportsButNotCommentsOrStrings() {
    Source s =
        new Source(
            "x/src/main/java/X.java",
            """
        package com.segmentexport.x;

        import com.segmentexport.api.Connection;
        import com.segmentexport.spi.*;
        import static com.segmentexport.testkit.iterable.IterableSimulator.of;
        /** {@link com.segmentexport.internal.ExportRun} */
        class X { // com.segmentexport.internal.RunControl
          Object o = com.segmentexport.internal.HttpClients.newClient();
          String s = "com.segmentexport.internal.RateLimiters";
        }
        """);
    assertThat(s.pkg()).isEqualTo("com.segmentexport.x");
    assertThat(s.references())
        .containsExactlyInAnyOrder(
            "com.segmentexport.api.Connection",
            "com.segmentexport.spi.*",
            "com.segmentexport.testkit.iterable.IterableSimulator",
            "com.segmentexport.internal.HttpClients");
  }

  private static String core(String layer) {
    return "com.segmentexport." + layer;
  }

  /** The first package segment under {@code com.segmentexport} of a reference: api, spi, iterable, testkit. */
  private static String layer(String reference) {
    String rest = reference.substring("com.segmentexport.".length());
    int dot = rest.indexOf('.');
    return dot < 0 ? rest : rest.substring(0, dot);
  }

  /** The package of a reference to a type or to a package's types ({@code .*}). */
  private static String packageOf(String reference) {
    return reference.substring(0, reference.lastIndexOf('.'));
  }

  private static Set<String> vendors() {
    Set<String> vendors = new TreeSet<>();
    try (Stream<Path> dirs = Files.list(ROOT)) {
      dirs.filter(d -> d.getFileName().toString().startsWith("connector-"))
          .filter(
              d ->
                  Files.exists(
                      d.resolve(
                          "src/main/resources/META-INF/services/"
                              + "com.segmentexport.spi.ConnectorProvider")))
          .forEach(d -> vendors.add(d.getFileName().toString().substring("connector-".length())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return vendors;
  }

  private static String vendorOf(String module) {
    String id = module.startsWith("connector-") ? module.substring("connector-".length()) : "";
    return VENDORS.contains(id) ? id : null;
  }

  private static List<Source> sources() {
    try (Stream<Path> files = Files.walk(ROOT)) {
      Predicate<Path> built =
          p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/");
      return files
          .filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/"))
          .filter(built)
          .map(p -> new Source(ROOT.relativize(p).toString().replace('\\', '/'), read(p)))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One source file: where it is, its package, and its code without comments and string literals. */
  private record Source(String name, String pkg, String code) {
    Source(String name, String text) {
      this(name, packageIn(text), withoutCommentsAndStrings(text));
    }

    /** {@return the module: the path before {@code /src/}, such as connector-api or samples/host-example} */
    String module() {
      return name.substring(0, name.indexOf("/src/"));
    }

    boolean isMain() {
      return name.contains("/src/main/");
    }

    /** {@return every reference to one of our types, other than the package declaration} */
    Set<String> references() {
      Set<String> found = new LinkedHashSet<>();
      Matcher m = REFERENCE.matcher(PACKAGE.matcher(code).replaceAll(""));
      while (m.find()) {
        found.add("com.segmentexport." + m.group(1) + "." + m.group(2));
      }
      return found;
    }

    private static String packageIn(String text) {
      Matcher m = PACKAGE.matcher(text);
      return m.find() ? m.group(1) : "";
    }

    /** Blanks comments, string and character literals and text blocks, keeping line breaks. */
    private static String withoutCommentsAndStrings(String text) {
      StringBuilder out = new StringBuilder(text.length());
      int i = 0;
      int n = text.length();
      while (i < n) {
        char c = text.charAt(i);
        if (text.startsWith("//", i)) {
          while (i < n && text.charAt(i) != '\n') {
            i++;
          }
        } else if (text.startsWith("/*", i)) {
          int end = text.indexOf("*/", i + 2);
          i = end < 0 ? n : end + 2;
          out.append(' ');
        } else if (text.startsWith("\"\"\"", i)) {
          int end = text.indexOf("\"\"\"", i + 3);
          i = end < 0 ? n : end + 3;
          out.append("\"\"");
        } else if (c == '"' || c == '\'') {
          i++;
          while (i < n && text.charAt(i) != c) {
            i += text.charAt(i) == '\\' ? 2 : 1;
          }
          i++;
          out.append(c).append(c);
        } else {
          out.append(c);
          i++;
        }
      }
      return out.toString();
    }
  }
}
