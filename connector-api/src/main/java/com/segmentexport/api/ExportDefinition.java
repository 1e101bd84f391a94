package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

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

  /**
   * Starts a definition on this connection.
   *
   * @param connection the connection
   * @return a new builder
   */
  public static Builder builder(Connection connection) {
    return new Builder(requireNonNull(connection, "connection == null"));
  }

  /**
   * A name for logs and results; the segment names joined by default.
   *
   * @return a name for logs and results
   */
  public String name() {
    return name;
  }

  /** {@return the connection the export runs on} */
  public Connection connection() {
    return connection;
  }

  /** {@return the segment names, in run order, without duplicates} */
  public List<String> segments() {
    return segments;
  }

  /** {@return the field mapping} */
  public FieldMapping mapping() {
    return mapping;
  }

  /** {@return the export options given explicitly} */
  public Map<String, String> options() {
    return options;
  }

  /**
   * An export option: the one given, else the connector's default.
   *
   * @param name the option's name
   * @return an export option
   */
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

  /**
   * A boolean export option: the one given, else the connector's default; false when neither.
   *
   * @param name the option's name
   * @return a boolean export option
   */
  public boolean flag(String name) {
    return option(name).map(v -> v.trim().equalsIgnoreCase("true")).orElse(false);
  }

  /**
   * An {@link SettingDescriptor.Kind#INTEGER} export option as a long: the one given, else the
   * connector's default; empty when neither. Never fails to parse: the value passed its descriptor
   * when the definition was built.
   *
   * @param name the option's name
   * @return an {@link SettingDescriptor.Kind#INTEGER} export option as a long
   * @throws IllegalArgumentException if the connector declares no such INTEGER export option
   */
  public OptionalLong longOption(String name) {
    SettingDescriptor d = declared(name, SettingDescriptor.Kind.INTEGER);
    return option(name).map(v -> OptionalLong.of(d.longValue(v))).orElse(OptionalLong.empty());
  }

  /**
   * An {@link SettingDescriptor.Kind#INTEGER} export option whose range fits in an int: the one given,
   * else the connector's default; empty when neither.
   *
   * @param name the option's name
   * @return an {@link SettingDescriptor.Kind#INTEGER} export option whose range fits in an int
   * @throws IllegalArgumentException if the connector declares no such INTEGER export option
   * @throws IllegalStateException if the option's range does not fit in an int (read it as a long)
   */
  public OptionalInt intOption(String name) {
    SettingDescriptor d = declared(name, SettingDescriptor.Kind.INTEGER);
    return option(name).map(v -> OptionalInt.of(d.intValue(v))).orElse(OptionalInt.empty());
  }

  /**
   * A {@link SettingDescriptor.Kind#DECIMAL} export option: the one given, else the connector's
   * default; empty when neither.
   *
   * @param name the option's name
   * @return a {@link SettingDescriptor.Kind#DECIMAL} export option
   * @throws IllegalArgumentException if the connector declares no such DECIMAL export option
   */
  public OptionalDouble decimalOption(String name) {
    SettingDescriptor d = declared(name, SettingDescriptor.Kind.DECIMAL);
    return option(name)
        .map(v -> OptionalDouble.of(d.decimalValue(v)))
        .orElse(OptionalDouble.empty());
  }

  private SettingDescriptor declared(String name, SettingDescriptor.Kind kind) {
    requireNonNull(name, "name == null");
    return SettingDescriptor.declared(
        connection.provider(), SettingDescriptor.Scope.EXPORT, name, kind);
  }

  /**
   * {@return the sync mode, when the definition sets one} When it sets none, a run with a
   * {@linkplain ExportOptions#syncState() sync state} is {@link SyncMode#INCREMENTAL}, a run without one
   * {@link SyncMode#ADD_AND_UPDATE}.
   */
  public Optional<SyncMode> syncMode() {
    return Optional.ofNullable(syncMode);
  }

  @Override
  public String toString() {
    return "ExportDefinition{name="
        + name
        + ", connection="
        + connection.id()
        + ", segments="
        + segments
        + ", mapping="
        + mapping
        + ", options="
        + options
        + ", syncMode="
        + (syncMode == null ? "default" : syncMode)
        + "}";
  }

  /** Builds an {@link ExportDefinition}. */
  public static final class Builder {
    private final Connection connection;
    private String name;
    private final Set<String> segments = new LinkedHashSet<>();
    private final List<String> duplicateSegments = new ArrayList<>();
    private FieldMapping mapping;
    private final Map<String, String> options = new LinkedHashMap<>();
    private SyncMode syncMode;

    private Builder(Connection connection) {
      this.connection = connection;
    }

    /**
     * Names the export, for logs and results.
     *
     * @param name the export's name
     * @return this builder
     */
    public Builder name(String name) {
      this.name = requireNonNull(name, "name == null");
      return this;
    }

    /**
     * Adds segments by name.
     *
     * @param names the segments' names, as the {@link SegmentSource} knows them
     * @return this builder
     */
    public Builder segments(String... names) {
      return segments(Arrays.asList(names));
    }

    /**
     * Adds segments by name.
     *
     * @param names the segments' names, as the {@link SegmentSource} knows them
     * @return this builder
     */
    public Builder segments(List<String> names) {
      for (String n : names) {
        requireNonNull(n, "segment name == null");
        if (!segments.add(n)) {
          duplicateSegments.add(n);
        }
      }
      return this;
    }

    /**
     * Sets the field mapping (required).
     *
     * @param mapping how profile fields map to destination fields
     * @return this builder
     */
    public Builder mapping(FieldMapping mapping) {
      this.mapping = requireNonNull(mapping, "mapping == null");
      return this;
    }

    /**
     * Sets an export option of the connector, such as Campaign Monitor's {@code listId}.
     *
     * @param name the option's name
     * @param value its value, checked against the option's descriptor when the definition is built
     * @return this builder
     */
    public Builder option(String name, String value) {
      requireNonNull(name, "name == null");
      requireNonNull(value, "value == null");
      options.put(name, value);
      return this;
    }

    /**
     * Sets the sync mode. By default a run with a {@linkplain ExportOptions#syncState() sync state} is
     * {@link SyncMode#INCREMENTAL} and a run without one {@link SyncMode#ADD_AND_UPDATE}.
     *
     * @param mode the sync mode
     * @return this builder
     */
    public Builder syncMode(SyncMode mode) {
      this.syncMode = requireNonNull(mode, "mode == null");
      return this;
    }

    /**
     * Validates the definition against the connection's connector and builds it. Runs nothing.
     *
     * <p>Every export option is checked against its descriptor (kind, allowed values, range, length);
     * the connector's own rules ({@link ConnectorDescriptor#validate}) run when the mapping and the
     * options are sound. Every problem found is reported at once.
     *
     * @return the definition
     * @throws ConfigurationException listing every problem found
     */
    public ExportDefinition build() {
      ConnectorDescriptor provider = connection.provider();
      Problems problems = new Problems();
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
      List<SettingDescriptor> known = new ArrayList<>();
      for (SettingDescriptor d : provider.settings()) {
        if (d.scope() == SettingDescriptor.Scope.EXPORT) {
          known.add(d);
        }
      }
      int before = problems.size();
      problems.checkValues("export option", options, known, provider.id());
      if (syncMode == SyncMode.MIRROR && !provider.supportsRemoval()) {
        problems.add(
            provider.displayName()
                + " cannot remove members from its lists, which SyncMode.MIRROR needs");
      }
      // The connector's own rules read the mapping and the options: they run when those are sound,
      // and
      // their problems are listed with the others.
      if (mapping != null && problems.size() == before) {
        problems.addAll(provider.validate(new ExportDefinition(this)));
      }
      problems.throwIfAny("Invalid export definition");
      return new ExportDefinition(this);
    }
  }
}
