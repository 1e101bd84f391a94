package com.segmentexport.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import static java.util.Objects.requireNonNull;

/**
 * A saved export: which segments go through which connection, with which field mapping and
 * destination options. Building a definition validates it against the connector and runs nothing.
 *
 * <pre>{@code
 * ExportDefinition vip = ExportDefinition.builder(connection)
 *     .segments("VIP customers", "Lapsed 90 days")
 *     .mapping(FieldMapping.builder().email("EmailAddress").firstName("GivenName").build())
 *     .build();
 * }</pre>
 */
public final class ExportDefinition {
  private final String name;
  private final Connection connection;
  private final List<String> segments;
  private final FieldMapping mapping;
  private final Map<String, String> options;
  private final SyncMode syncMode;

  private ExportDefinition(Builder b) {
    this.connection = b.connection;
    this.segments = List.copyOf(b.segments);
    this.name = b.name != null ? b.name : String.join(", ", segments);
    this.mapping = b.mapping;
    this.options = Collections.unmodifiableMap(new LinkedHashMap<>(b.options));
    this.syncMode = b.syncMode;
  }

  /** Starts a definition on this connection. */
  public static Builder builder(Connection connection) {
    return new Builder(requireNonNull(connection, "connection == null"));
  }

  /** A name for logs and results; the segment names joined by default. */
  public String name() {
    return name;
  }

  /** The connection the export runs on. */
  public Connection connection() {
    return connection;
  }

  /** The segment names, in run order, without duplicates. */
  public List<String> segments() {
    return segments;
  }

  /** The field mapping. */
  public FieldMapping mapping() {
    return mapping;
  }

  /** The export options given explicitly. */
  public Map<String, String> options() {
    return options;
  }

  /** An export option: the one given, else the connector's default. */
  public Optional<String> option(String name) {
    requireNonNull(name, "name == null");
    String value = options.get(name);
    if (value != null) {
      return Optional.of(value);
    }
    return connection.provider().settings().stream()
        .filter(d -> d.name().equals(name) && d.scope() == SettingDescriptor.Scope.EXPORT)
        .findFirst()
        .flatMap(SettingDescriptor::defaultValue);
  }

  /** A boolean export option, false when absent. */
  public boolean flag(String name) {
    return option(name).map(v -> v.trim().equalsIgnoreCase("true")).orElse(false);
  }

  /** The sync mode. */
  public SyncMode syncMode() {
    return syncMode;
  }

  @Override
  public String toString() {
    return "ExportDefinition{name=" + name + ", connection=" + connection.id() + ", segments=" + segments
        + ", mapping=" + mapping + ", options=" + options + ", syncMode=" + syncMode + "}";
  }

  /** Builds an {@link ExportDefinition}. */
  public static final class Builder {
    private final Connection connection;
    private String name;
    private final Set<String> segments = new LinkedHashSet<>();
    private final List<String> duplicateSegments = new ArrayList<>();
    private FieldMapping mapping;
    private final Map<String, String> options = new LinkedHashMap<>();
    private SyncMode syncMode = SyncMode.ADD_AND_UPDATE;

    private Builder(Connection connection) {
      this.connection = connection;
    }

    /** Names the export. */
    public Builder name(String name) {
      this.name = requireNonNull(name, "name == null");
      return this;
    }

    /** Adds segments by name. */
    public Builder segments(String... names) {
      return segments(Arrays.asList(names));
    }

    /** Adds segments by name. */
    public Builder segments(List<String> names) {
      for (String n : names) {
        requireNonNull(n, "segment name == null");
        if (!segments.add(n)) {
          duplicateSegments.add(n);
        }
      }
      return this;
    }

    /** Sets the field mapping (required). */
    public Builder mapping(FieldMapping mapping) {
      this.mapping = requireNonNull(mapping, "mapping == null");
      return this;
    }

    /** Sets an export option of the connector, such as Campaign Monitor's {@code listId}. */
    public Builder option(String name, String value) {
      requireNonNull(name, "name == null");
      requireNonNull(value, "value == null");
      options.put(name, value);
      return this;
    }

    /** Sets the sync mode; {@link SyncMode#ADD_AND_UPDATE} by default. */
    public Builder syncMode(SyncMode mode) {
      this.syncMode = requireNonNull(mode, "mode == null");
      return this;
    }

    /**
     * Validates the definition against the connection's connector and builds it. Runs nothing.
     *
     * @throws ConfigurationException listing every problem found
     */
    public ExportDefinition build() {
      ConnectorProvider provider = connection.provider();
      List<String> problems = new ArrayList<>();
      if (segments.isEmpty()) {
        problems.add("at least one segment is required");
      }
      for (String s : segments) {
        if (s.isBlank()) {
          problems.add("a segment name is blank");
        }
      }
      for (String d : duplicateSegments) {
        problems.add("segment '" + d + "' is listed more than once");
      }
      if (mapping == null) {
        problems.add("a field mapping is required (with at least the Email field)");
      } else {
        problems.addAll(mapping.problemsFor(provider));
      }
      Map<String, SettingDescriptor> known = new LinkedHashMap<>();
      for (SettingDescriptor d : provider.settings()) {
        if (d.scope() == SettingDescriptor.Scope.EXPORT) {
          known.put(d.name(), d);
        }
      }
      for (Map.Entry<String, String> e : options.entrySet()) {
        SettingDescriptor d = known.get(e.getKey());
        if (d == null) {
          problems.add("unknown export option '" + e.getKey() + "' for connector " + provider.id()
              + " (known: " + (known.isEmpty() ? "none" : String.join(", ", known.keySet())) + ")");
        } else {
          d.check(e.getValue()).ifPresent(problems::add);
        }
      }
      for (SettingDescriptor d : known.values()) {
        if (d.required() && !options.containsKey(d.name()) && d.defaultValue().isEmpty()) {
          problems.add("export option " + d.name() + " is required (" + d.description() + ")");
        }
      }
      if (!problems.isEmpty()) {
        throw new ConfigurationException("Invalid export definition", problems);
      }
      ExportDefinition definition = new ExportDefinition(this);
      List<String> vendorProblems = provider.validate(definition);
      if (!vendorProblems.isEmpty()) {
        throw new ConfigurationException("Invalid export definition", vendorProblems);
      }
      return definition;
    }
  }
}
