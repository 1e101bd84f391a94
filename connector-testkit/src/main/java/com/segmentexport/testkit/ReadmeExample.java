package com.segmentexport.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The Java example of a README, read from the Markdown file itself, compiled with {@code javax.tools}
 * and run, so that a README cannot drift from what its test proves.
 *
 * <p>The example is compiled as it is written, as the body of a method, with {@code
 * com.segmentexport.api.*}, {@code java.time.*} and {@code java.util.*} imported. What a test must
 * change to run it offline (the base URL of a simulator, a credential read from the environment, an id
 * the simulator gave) is an explicit {@link #replacing} of a fragment that must occur exactly once, and
 * the host's objects the example uses (such as {@code warehouse}) are {@link #given} as parameters.
 *
 * <pre>{@code
 * ReadmeExample.javaBlock(Path.of("README.md"))
 *     .replacing("System.getenv(\"ITERABLE_API_KEY\")", "\"test-key\"")
 *     .given("warehouse", ReadmeExample.Warehouse.class, name -> Segment.of(name, profiles))
 *     .run();
 * }</pre>
 */
public final class ReadmeExample {
  private static final Pattern JAVA_BLOCK =
      Pattern.compile("^```java\\s*\\n(.*?)^```\\s*$", Pattern.MULTILINE | Pattern.DOTALL);

  /** The host's source of segments the README examples use, as {@code warehouse.segment(name)}. */
  @FunctionalInterface
  public interface Warehouse {
    /** The segment of that name. */
    com.segmentexport.api.Segment segment(String name);
  }

  private final String source;
  private final String code;
  private final Map<String, Object> values = new LinkedHashMap<>();
  private final Map<String, Class<?>> types = new LinkedHashMap<>();

  private ReadmeExample(String source, String code) {
    this.source = source;
    this.code = code;
  }

  /**
   * The first fenced {@code java} block of a Markdown file.
   *
   * @throws IllegalArgumentException when the file has none
   */
  public static ReadmeExample javaBlock(Path markdown) {
    String text;
    try {
      text = Files.readString(markdown, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + markdown, e);
    }
    Matcher m = JAVA_BLOCK.matcher(text);
    if (!m.find()) {
      throw new IllegalArgumentException(markdown + " has no ```java block");
    }
    return new ReadmeExample(markdown.toString(), m.group(1));
  }

  /** The example's code as the README shows it, with the replacements made so far. */
  public String code() {
    return code;
  }

  /**
   * The example with one fragment replaced.
   *
   * @throws IllegalArgumentException unless {@code fragment} occurs exactly once (the README changed)
   */
  public ReadmeExample replacing(String fragment, String replacement) {
    int first = code.indexOf(fragment);
    if (first < 0 || code.indexOf(fragment, first + 1) >= 0) {
      throw new IllegalArgumentException(
          "the example of "
              + source
              + " must contain '"
              + fragment
              + "' exactly once: "
              + (first < 0 ? "it does not" : "it does more than once"));
    }
    ReadmeExample copy =
        new ReadmeExample(
            source,
            code.substring(0, first) + replacement + code.substring(first + fragment.length()));
    copy.values.putAll(values);
    copy.types.putAll(types);
    return copy;
  }

  /** A Java string literal of a value, for a {@link #replacing} replacement. */
  public static String literal(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** The example with a variable it uses but does not declare (a host's object), of a public type. */
  public <T> ReadmeExample given(String name, Class<T> type, T value) {
    types.put(name, type);
    values.put(name, value);
    return this;
  }

  /**
   * Compiles the example and runs it once.
   *
   * @throws AssertionError when it does not compile (with the compiler's messages)
   * @throws RuntimeException what the example threw, unwrapped
   */
  public void run() {
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    if (compiler == null) {
      throw new IllegalStateException("no Java compiler: run the tests on a JDK");
    }
    List<String> parameters = new ArrayList<>();
    types.forEach((name, type) -> parameters.add(type.getCanonicalName() + " " + name));
    String unit =
        "package readme;\n"
            + "import com.segmentexport.api.*;\nimport java.time.*;\nimport java.util.*;\n"
            + "public final class Example {\n"
            + "  public static void run("
            + String.join(", ", parameters)
            + ") throws Exception {\n"
            + code
            + "\n  }\n}\n";
    try {
      Path dir = Files.createTempDirectory("readme-example");
      Path file = dir.resolve("readme/Example.java");
      Files.createDirectories(file.getParent());
      Files.writeString(file, unit, StandardCharsets.UTF_8);
      StringWriter messages = new StringWriter();
      String classPath =
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      boolean ok =
          compiler
              .getTask(
                  messages,
                  null,
                  null,
                  List.of(
                      "-classpath", classPath, "-d", dir.toString(), "-proc:none", "-Xlint:none"),
                  null,
                  compiler
                      .getStandardFileManager(null, null, StandardCharsets.UTF_8)
                      .getJavaFileObjects(file.toFile()))
              .call();
      if (!ok) {
        throw new AssertionError(
            "the example of " + source + " does not compile:\n" + messages + "\n" + unit);
      }
      try (URLClassLoader loader =
          new URLClassLoader(
              new URL[] {dir.toUri().toURL()}, Thread.currentThread().getContextClassLoader())) {
        Class<?> example = loader.loadClass("readme.Example");
        Method run = example.getMethod("run", types.values().toArray(new Class<?>[0]));
        run.invoke(null, values.values().toArray());
      }
    } catch (IOException | ReflectiveOperationException e) {
      if (e instanceof InvocationTargetException ite) {
        Throwable cause = ite.getCause();
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException("the example of " + source + " failed", cause);
      }
      throw new IllegalStateException("cannot compile and run the example of " + source, e);
    }
  }
}
