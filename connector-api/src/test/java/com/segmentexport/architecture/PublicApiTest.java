package com.segmentexport.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.segmentexport.api.ConnectorDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API of connector-api ({@code com.segmentexport.api} and {@code com.segmentexport.spi}), as
 * dumped from the compiled classes, against the recorded {@code connector-api/api/connector-api.api}, as
 * OkHttp does with its {@code .api} files: every public type with its supertypes, and its public and
 * protected constructors, methods (generic signatures), fields, enum constants and record components.
 * Sorted, so that the dump changes only when the API does.
 *
 * <p>A difference fails with the lines removed ({@code -}) and added ({@code +}), type by type. After an
 * intended change, re-record with {@code -Dsegmentexport.api.record=true} and review the file's diff:
 * once the SDK is released, a removed or changed line is a breaking change.
 */
class PublicApiTest {
  /** The recorded API, from connector-api (Surefire runs in the module's folder). */
  static final Path RECORDED = Path.of("api", "connector-api.api");

  private static final String RECORD_PROPERTY = "segmentexport.api.record";
  private static final List<String> PACKAGES =
      List.of("com.segmentexport.api", "com.segmentexport.spi");
  private static final String HEADER =
      """
      # The public API of connector-api: the packages com.segmentexport.api (host API) and
      # com.segmentexport.spi (connector SPI), dumped from the compiled classes by PublicApiTest. Every
      # public type with its supertypes, public and protected constructors, methods (generic signatures),
      # fields, enum constants and record components, sorted.
      #
      # The build fails when the classes and this file differ. After an intended change, re-record it with
      #   mvn -pl connector-api -am test -Dtest=PublicApiTest -Dsurefire.failIfNoSpecifiedTests=false \\
      #       -Dsegmentexport.api.record=true
      # and review its diff with the change. Before the first release the API may change freely. After
      # it, a removed or changed line is a breaking change (a new major version); an added line is not.
      """;

  @Test
  void theApiIsTheRecordedOne() throws IOException {
    String dump = dump();
    if (Boolean.getBoolean(RECORD_PROPERTY)) {
      Files.createDirectories(RECORDED.toAbsolutePath().getParent());
      Files.writeString(RECORDED, HEADER + "\n" + dump, StandardCharsets.UTF_8);
      System.out.println("Recorded the public API in " + RECORDED.toAbsolutePath());
      return;
    }
    assertThat(RECORDED).as("the recorded API; record it with -D%s=true", RECORD_PROPERTY).exists();
    String recorded =
        Files.readString(RECORDED, StandardCharsets.UTF_8)
            .lines()
            .filter(l -> !l.startsWith("#"))
            .collect(Collectors.joining("\n"))
            .strip();
    String difference = difference(recorded, dump.strip());
    if (!difference.isEmpty()) {
      fail(
          "The public API of connector-api differs from "
              + RECORDED
              + " (- recorded, + now):\n"
              + difference
              + "\nIf the change is intended, re-record the file with -D"
              + RECORD_PROPERTY
              + "=true (see its header)"
              + " and commit it with the change; once the SDK is released, a removed or changed line breaks hosts"
              + " or connectors built against the previous version.");
    }
  }

  @Test
  void theDumpShowsSignaturesAndLeavesOutWhatIsNotApi() {
    String dump = dump();
    assertThat(dump)
        .contains(
            "public abstract interface com.segmentexport.spi.ConnectorProvider\n"
                + "  implements com.segmentexport.api.ConnectorDescriptor\n"
                + "  method public abstract com.segmentexport.spi.Connector create(com.segmentexport.spi.ConnectorContext)\n")
        .contains(
            "  method public default java.util.List<java.lang.String> validate(com.segmentexport.api.Connection)")
        .contains(
            "public final record com.segmentexport.spi.ConnectorContext\n  extends java.lang.Record\n"
                + "  component com.segmentexport.api.Connection connection\n")
        .doesNotContain("com.segmentexport.internal.")
        .doesNotContain("UrlRules") // package-private
        .doesNotContain("private ");
  }

  @Test
  void aDifferenceNamesEachTypesRemovedAndAddedLines() {
    String before =
        "public final class a.A\n  method public void f()\n  method public void g()\n\n"
            + "public final class a.B\n  method public void h()";
    String after =
        "public final class a.A\n  method public void f()\n  method public int g()\n\n"
            + "public final class a.C\n  method public void h()";
    assertThat(difference(before, after))
        .isEqualTo(
            """
        a.A
        -   method public void g()
        +   method public int g()
        a.B
        - public final class a.B
        -   method public void h()
        a.C
        + public final class a.C
        +   method public void h()
        """);
    assertThat(difference(before, before)).isEmpty();
  }

  /** The API of the two packages: a block per type, sorted by name, blank lines between. */
  static String dump() {
    return types().stream().map(PublicApiTest::describe).collect(Collectors.joining("\n"));
  }

  /** Every public type of the packages, nested ones too when every enclosing type is public. */
  private static List<Class<?>> types() {
    Path classes;
    try {
      classes =
          Path.of(
              ConnectorDescriptor.class
                  .getProtectionDomain()
                  .getCodeSource()
                  .getLocation()
                  .toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    List<Class<?>> types = new ArrayList<>();
    for (String pkg : PACKAGES) {
      try (Stream<Path> files = Files.list(classes.resolve(pkg.replace('.', '/')))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
          String simple = f.getFileName().toString().replace(".class", "");
          if (simple.equals("package-info")) {
            continue;
          }
          Class<?> type =
              Class.forName(pkg + "." + simple, false, PublicApiTest.class.getClassLoader());
          if (exported(type)) {
            types.add(type);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    }
    types.sort((a, b) -> a.getName().compareTo(b.getName()));
    return types;
  }

  private static boolean exported(Class<?> type) {
    if (type.isSynthetic() || type.isAnonymousClass() || type.isLocalClass()) {
      return false;
    }
    for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
      boolean visible =
          t.getDeclaringClass() == null
              ? Modifier.isPublic(t.getModifiers())
              : api(t.getModifiers());
      if (!visible) {
        return false;
      }
    }
    return true;
  }

  private static boolean api(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static String describe(Class<?> type) {
    StringBuilder out = new StringBuilder();
    int mods =
        type.getModifiers()
            & (type.isInterface() ? Modifier.interfaceModifiers() : Modifier.classModifiers());
    String kind =
        type.isAnnotation()
            ? "@interface"
            : type.isInterface()
                ? "interface"
                : type.isEnum() ? "enum" : type.isRecord() ? "record" : "class";
    out.append(Modifier.toString(mods))
        .append(type.isSealed() ? " sealed " : " ")
        .append(kind)
        .append(' ')
        .append(type.getName())
        .append(typeParameters(type.getTypeParameters()))
        .append('\n');
    if (type.getGenericSuperclass() != null) {
      out.append("  extends ").append(name(type.getGenericSuperclass())).append('\n');
    }
    Arrays.stream(type.getGenericInterfaces())
        .map(PublicApiTest::name)
        .sorted()
        .forEach(i -> out.append("  implements ").append(i).append('\n'));
    if (type.isSealed()) {
      Arrays.stream(type.getPermittedSubclasses())
          .map(Class::getName)
          .sorted()
          .forEach(p -> out.append("  permits ").append(p).append('\n'));
    }
    if (type.isRecord()) {
      for (RecordComponent c :
          type.getRecordComponents()) { // declaration order: it is the canonical constructor's
        out.append("  component ")
            .append(name(c.getGenericType()))
            .append(' ')
            .append(c.getName())
            .append('\n');
      }
    }
    List<String> members = new ArrayList<>();
    for (Field f : type.getDeclaredFields()) {
      if (f.isSynthetic() || !api(f.getModifiers())) {
        continue;
      }
      members.add(
          f.isEnumConstant()
              ? "constant " + f.getName()
              : "field "
                  + Modifier.toString(f.getModifiers() & Modifier.fieldModifiers())
                  + " "
                  + name(f.getGenericType())
                  + " "
                  + f.getName());
    }
    for (Constructor<?> c : type.getDeclaredConstructors()) {
      if (!c.isSynthetic() && api(c.getModifiers())) {
        members.add(
            "constructor "
                + Modifier.toString(c.getModifiers() & Modifier.constructorModifiers())
                + " "
                + typeParameters(c.getTypeParameters())
                + parameters(c)
                + exceptions(c));
      }
    }
    for (Method m : type.getDeclaredMethods()) {
      if (m.isSynthetic() || m.isBridge() || !api(m.getModifiers())) {
        continue;
      }
      String typeParameters = typeParameters(m.getTypeParameters());
      members.add(
          "method "
              + Modifier.toString(m.getModifiers() & Modifier.methodModifiers())
              + (m.isDefault() ? " default" : "")
              + (typeParameters.isEmpty() ? "" : " " + typeParameters)
              + " "
              + name(m.getGenericReturnType())
              + " "
              + m.getName()
              + parameters(m)
              + exceptions(m));
    }
    members.stream().sorted().forEach(m -> out.append("  ").append(m).append('\n'));
    return out.toString();
  }

  private static String parameters(Executable e) {
    Type[] types = e.getGenericParameterTypes();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < types.length; i++) {
      String n = name(types[i]);
      names.add(
          e.isVarArgs() && i == types.length - 1 ? n.substring(0, n.length() - 2) + "..." : n);
    }
    return "(" + String.join(", ", names) + ")";
  }

  private static String exceptions(Executable e) {
    List<String> thrown =
        Arrays.stream(e.getGenericExceptionTypes()).map(PublicApiTest::name).sorted().toList();
    return thrown.isEmpty() ? "" : " throws " + String.join(", ", thrown);
  }

  private static String typeParameters(TypeVariable<?>[] variables) {
    if (variables.length == 0) {
      return "";
    }
    List<String> out = new ArrayList<>();
    for (TypeVariable<?> v : variables) {
      List<String> bounds =
          Arrays.stream(v.getBounds())
              .map(PublicApiTest::name)
              .filter(b -> !b.equals("java.lang.Object"))
              .toList();
      out.add(v.getName() + (bounds.isEmpty() ? "" : " extends " + String.join(" & ", bounds)));
    }
    return "<" + String.join(", ", out) + ">";
  }

  private static String name(Type type) {
    return type.getTypeName();
  }

  /** Removed and added lines, type by type (a type is a block that starts at an unindented line). */
  static String difference(String recorded, String now) {
    Map<String, List<String>> before = blocks(recorded);
    Map<String, List<String>> after = blocks(now);
    Set<String> names = new LinkedHashSet<>(before.keySet());
    names.addAll(after.keySet());
    StringBuilder out = new StringBuilder();
    names.stream()
        .sorted()
        .forEach(
            name -> {
              List<String> was = before.getOrDefault(name, List.of());
              List<String> is = after.getOrDefault(name, List.of());
              List<String> removed = was.stream().filter(l -> !is.contains(l)).toList();
              List<String> added = is.stream().filter(l -> !was.contains(l)).toList();
              if (!removed.isEmpty() || !added.isEmpty()) {
                out.append(name).append('\n');
                removed.forEach(l -> out.append("- ").append(l).append('\n'));
                added.forEach(l -> out.append("+ ").append(l).append('\n'));
              }
            });
    return out.toString();
  }

  private static Map<String, List<String>> blocks(String dump) {
    Map<String, List<String>> blocks = new TreeMap<>();
    List<String> current = null;
    for (String line : dump.lines().toList()) {
      if (line.isBlank()) {
        continue;
      }
      if (!line.startsWith(" ")) {
        String name =
            Arrays.stream(line.split(" ")).filter(t -> t.contains(".")).findFirst().orElse(line);
        int generic = name.indexOf('<');
        current = new ArrayList<>();
        blocks.put(generic < 0 ? name : name.substring(0, generic), current);
      }
      if (current != null) {
        current.add(line);
      }
    }
    return blocks;
  }
}
