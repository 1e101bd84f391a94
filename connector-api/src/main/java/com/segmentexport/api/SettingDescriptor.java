package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Describes one setting a connector understands, so that a host application can render a
 * configuration form (kind, default, allowed values, range, length) and so that values are validated
 * before any network call, when the {@link Connection} or {@link ExportDefinition} is built.
 *
 * <pre>{@code
 * SettingDescriptor upserts = SettingDescriptor.connection("maxConcurrentUpserts", Kind.INTEGER)
 *     .description("Upserts sent and not yet answered at once")
 *     .range(Range.between(1, 64))
 *     .defaultValue(4)
 *     .build();
 * }</pre>
 *
 * <p>A value that passed {@link #check(String)} is read back typed, without parsing in the connector,
 * through {@link Connection#intSetting}, {@link Connection#longSetting}, {@link Connection#decimalSetting},
 * {@link Connection#flag} and the matching {@link ExportDefinition} accessors.
 *
 * @param name the key used in {@link Connection.Builder#setting}, {@link Connection.Builder#secret}
 *     or {@link ExportDefinition.Builder#option}
 * @param description a sentence for the form
 * @param scope whether the setting belongs to the connection or to an export
 * @param kind the kind of value
 * @param required whether a value must be given
 * @param defaultValue the value used when none is given; it passes {@link #check(String)}
 * @param allowedValues for {@link Kind#CHOICE}, the values accepted (case-insensitively)
 * @param range for {@link Kind#INTEGER} and {@link Kind#DECIMAL}, the values accepted (bounds included)
 * @param maxLength for {@link Kind#TEXT} and {@link Kind#URL}, the most characters a value may have
 */
public record SettingDescriptor(
    String name,
    String description,
    Scope scope,
    Kind kind,
    boolean required,
    Optional<String> defaultValue,
    List<String> allowedValues,
    Optional<Range> range,
    OptionalInt maxLength) {

  /** Where a setting is given. */
  public enum Scope {
    /** On the {@link Connection} (credentials, region, base URL). */
    CONNECTION,
    /** On the {@link ExportDefinition} (destination list, options). */
    EXPORT
  }

  /** The kind of value a setting takes. */
  public enum Kind {
    /** Free text. */
    TEXT,
    /** A credential, given as a {@link Secret}. */
    SECRET,
    /** One of {@link #allowedValues()}. */
    CHOICE,
    /** A whole number (within a {@code long}, and within {@link #range()} when there is one). */
    INTEGER,
    /** A positive, finite decimal number written in plain or scientific notation (within {@link #range()}). */
    DECIMAL,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** An absolute http(s) URL. */
    URL
  }

  /**
   * The values an {@link Kind#INTEGER} or {@link Kind#DECIMAL} setting accepts, both bounds included
   * (like Kafka's {@code ConfigDef.Range}). At least one bound is present.
   *
   * @param min the smallest value accepted, if bounded below
   * @param max the largest value accepted, if bounded above
   */
  public record Range(Optional<BigDecimal> min, Optional<BigDecimal> max) {
    /**
     * Checks that there is a bound and that {@code min <= max}.
     *
     * @param min the smallest value accepted, if bounded below
     * @param max the largest value accepted, if bounded above
     */
    public Range {
      requireNonNull(min, "min == null");
      requireNonNull(max, "max == null");
      if (min.isEmpty() && max.isEmpty()) {
        throw new IllegalArgumentException("a range needs a minimum or a maximum");
      }
      if (min.isPresent() && max.isPresent() && min.get().compareTo(max.get()) > 0) {
        throw new IllegalArgumentException(
            "range minimum " + min.get() + " > maximum " + max.get());
      }
    }

    /**
     * {@return whole numbers from {@code min} to {@code max}, both included}
     *
     * @param min the smallest value accepted, if bounded below
     * @param max the largest value accepted, if bounded above
     */
    public static Range between(long min, long max) {
      return new Range(Optional.of(BigDecimal.valueOf(min)), Optional.of(BigDecimal.valueOf(max)));
    }

    /**
     * Numbers from {@code min} to {@code max}, both included; both must be finite.
     *
     * @param min the smallest value accepted, if bounded below
     * @param max the largest value accepted, if bounded above
     * @return numbers from {@code min} to {@code max}, both included
     */
    public static Range between(double min, double max) {
      return new Range(Optional.of(decimal(min)), Optional.of(decimal(max)));
    }

    /**
     * {@return numbers from {@code min} up, {@code min} included}
     *
     * @param min the smallest value accepted, if bounded below
     */
    public static Range atLeast(long min) {
      return new Range(Optional.of(BigDecimal.valueOf(min)), Optional.empty());
    }

    /**
     * {@return numbers up to {@code max}, {@code max} included}
     *
     * @param max the largest value accepted, if bounded above
     */
    public static Range atMost(long max) {
      return new Range(Optional.empty(), Optional.of(BigDecimal.valueOf(max)));
    }

    /**
     * {@return whether {@code value} lies within the range}
     *
     * @param value the number to check
     */
    public boolean contains(BigDecimal value) {
      requireNonNull(value, "value == null");
      return min.map(m -> value.compareTo(m) >= 0).orElse(true)
          && max.map(m -> value.compareTo(m) <= 0).orElse(true);
    }

    /** Whether every value of the range fits in an {@code int}. */
    boolean withinInt() {
      return min.isPresent()
          && max.isPresent()
          && min.get().compareTo(BigDecimal.valueOf(Integer.MIN_VALUE)) >= 0
          && max.get().compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0;
    }

    /**
     * The range in words for a form or a problem: {@code between 1 and 64}, {@code at least 1}.
     *
     * @return the range in words for a form or a problem
     */
    public String describe() {
      if (min.isPresent() && max.isPresent()) {
        return "between " + plain(min.get()) + " and " + plain(max.get());
      }
      return min.isPresent() ? "at least " + plain(min.get()) : "at most " + plain(max.get());
    }

    /** The range in interval notation, {@code [1, 64]} or {@code [1, ∞)}. */
    @Override
    public String toString() {
      return min.map(m -> "[" + plain(m)).orElse("(-∞")
          + ", "
          + max.map(m -> plain(m) + "]").orElse("∞)");
    }

    private static BigDecimal decimal(double d) {
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("range bound is not finite: " + d);
      }
      return BigDecimal.valueOf(d);
    }

    private static String plain(BigDecimal d) {
      return d.stripTrailingZeros().toPlainString();
    }
  }

  /**
   * Checks the parts, copies the list, and checks that the default value is itself acceptable.
   *
   * @param name the setting's name
   * @param description a sentence for the form
   * @param scope whether the setting belongs to the connection or to an export
   * @param kind the kind of value
   * @param required whether a value must be given
   * @param defaultValue the value used when none is given
   * @param allowedValues the values allowed
   * @param range the range allowed
   * @param maxLength the most characters allowed
   */
  public SettingDescriptor {
    requireNonNull(name, "name == null");
    requireNonNull(description, "description == null");
    requireNonNull(scope, "scope == null");
    requireNonNull(kind, "kind == null");
    requireNonNull(defaultValue, "defaultValue == null");
    requireNonNull(range, "range == null");
    requireNonNull(maxLength, "maxLength == null");
    allowedValues = List.copyOf(allowedValues);
    if (kind == Kind.CHOICE && allowedValues.isEmpty()) {
      throw new IllegalArgumentException("a CHOICE setting needs allowed values: " + name);
    }
    if (kind != Kind.CHOICE && !allowedValues.isEmpty()) {
      throw new IllegalArgumentException("only a CHOICE setting has allowed values: " + name);
    }
    if (range.isPresent() && kind != Kind.INTEGER && kind != Kind.DECIMAL) {
      throw new IllegalArgumentException("only INTEGER and DECIMAL settings have a range: " + name);
    }
    if (kind == Kind.INTEGER
        && range.isPresent()
        && (range.get().min().filter(SettingDescriptor::fractional).isPresent()
            || range.get().max().filter(SettingDescriptor::fractional).isPresent())) {
      throw new IllegalArgumentException("an INTEGER setting's range has whole bounds: " + name);
    }
    if (maxLength.isPresent()
        && (kind != Kind.TEXT && kind != Kind.URL || maxLength.getAsInt() < 1)) {
      throw new IllegalArgumentException(
          "only TEXT and URL settings have a maximum length, of at least 1: " + name);
    }
    if (kind == Kind.SECRET && defaultValue.isPresent()) {
      throw new IllegalArgumentException("a credential has no default value: " + name);
    }
    if (defaultValue.isPresent()) {
      // The fields are not assigned yet: check the default with a copy that has none.
      new SettingDescriptor(
              name,
              description,
              scope,
              kind,
              false,
              Optional.empty(),
              allowedValues,
              range,
              maxLength)
          .check(defaultValue.get())
          .ifPresent(
              problem -> {
                throw new IllegalArgumentException(
                    "the default value of setting " + name + " is invalid: " + problem);
              });
    }
  }

  private static boolean fractional(BigDecimal d) {
    return d.stripTrailingZeros().scale() > 0;
  }

  /**
   * Starts a connection setting (not a credential: see {@link #secret} and {@link #optionalSecret}).
   *
   * @param name the setting's name
   * @param kind the kind of value
   * @return a new builder of the setting
   */
  public static Builder connection(String name, Kind kind) {
    return new Builder(name, Scope.CONNECTION, kind);
  }

  /**
   * Starts an export option.
   *
   * @param name the setting's name
   * @param kind the kind of value
   * @return a new builder of the option
   */
  public static Builder export(String name, Kind kind) {
    return new Builder(name, Scope.EXPORT, kind);
  }

  /**
   * {@return a required credential on the connection}
   *
   * @param name the secret's name
   * @param description a sentence for the form
   */
  public static SettingDescriptor secret(String name, String description) {
    return connection(name, Kind.SECRET).description(description).required().build();
  }

  /**
   * {@return an optional credential on the connection}
   *
   * @param name the secret's name
   * @param description a sentence for the form
   */
  public static SettingDescriptor optionalSecret(String name, String description) {
    return connection(name, Kind.SECRET).description(description).build();
  }

  /**
   * Checks one value against this descriptor: its kind, allowed values, range and length.
   *
   * @param value the value given, as text
   * @return a problem description naming the setting, or empty if the value is acceptable
   */
  public Optional<String> check(String value) {
    requireNonNull(value, "value == null");
    String v = value.trim();
    if (v.isEmpty()) {
      return Optional.of(name + " is empty");
    }
    switch (kind) {
      case CHOICE:
        for (String allowed : allowedValues) {
          if (allowed.equalsIgnoreCase(v)) {
            return Optional.empty();
          }
        }
        return Optional.of(name + " must be one of " + allowedValues + " but was " + quote(v));
      case INTEGER:
        return parseLong(v) == null
            ? Optional.of(name + " must be a whole number" + inRange() + " but was " + quote(v))
            : outOfRange(new BigDecimal(v), v);
      case DECIMAL:
        BigDecimal d = parseDecimal(v);
        if (d == null) {
          return Optional.of(name + " must be a number" + inRange() + " but was " + quote(v));
        }
        double x = d.doubleValue();
        if (d.signum() <= 0 || x == 0 || Double.isInfinite(x)) {
          return Optional.of(
              name + " must be a positive number" + inRange() + " but was " + quote(v));
        }
        return outOfRange(d, v);
      case BOOLEAN:
        return v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")
            ? Optional.empty()
            : Optional.of(name + " must be true or false but was " + quote(v));
      case URL:
        return tooLong(v).or(() -> UrlRules.check(name, v));
      case TEXT:
        return tooLong(v);
      default:
        return Optional.empty();
    }
  }

  /** The value as a long, for an INTEGER setting whose value passed {@link #check(String)}. */
  long longValue(String value) {
    requireKind(Kind.INTEGER);
    Long n = parseLong(value.trim());
    if (n == null || check(value).isPresent()) {
      throw new IllegalStateException("setting " + name + " holds a value that was not checked");
    }
    return n;
  }

  /** The value as an int, for an INTEGER setting whose range fits in an int. */
  int intValue(String value) {
    requireKind(Kind.INTEGER);
    if (range.isEmpty() || !range.get().withinInt()) {
      throw new IllegalStateException(
          "setting "
              + name
              + " has no range within an int "
              + range.map(r -> r + " ").orElse("")
              + "to be read as one: give it one, or read it as a long");
    }
    return (int) longValue(value);
  }

  /** The value as a double, for a DECIMAL setting whose value passed {@link #check(String)}. */
  double decimalValue(String value) {
    requireKind(Kind.DECIMAL);
    BigDecimal d = parseDecimal(value.trim());
    if (d == null || check(value).isPresent()) {
      throw new IllegalStateException("setting " + name + " holds a value that was not checked");
    }
    return d.doubleValue();
  }

  /** The value as a boolean, for a BOOLEAN setting. */
  boolean booleanValue(String value) {
    requireKind(Kind.BOOLEAN);
    return value.trim().equalsIgnoreCase("true");
  }

  /**
   * The descriptor {@code provider} declares for {@code name} in {@code scope}, of {@code kind}.
   *
   * @throws IllegalArgumentException if there is none (a typo in a connector, or a read of the wrong kind)
   */
  static SettingDescriptor declared(
      ConnectorDescriptor provider, Scope scope, String name, Kind kind) {
    for (SettingDescriptor d : provider.settings()) {
      if (d.name().equals(name) && d.scope() == scope) {
        d.requireKind(kind);
        return d;
      }
    }
    throw new IllegalArgumentException(
        "connector "
            + provider.id()
            + " declares no "
            + (scope == Scope.CONNECTION ? "connection setting" : "export option")
            + " '"
            + name
            + "'");
  }

  private void requireKind(Kind expected) {
    if (kind != expected) {
      throw new IllegalArgumentException("setting " + name + " is " + kind + ", not " + expected);
    }
  }

  private String inRange() {
    return range.map(r -> " " + r.describe()).orElse("");
  }

  private Optional<String> outOfRange(BigDecimal value, String text) {
    return range.isEmpty() || range.get().contains(value)
        ? Optional.empty()
        : Optional.of(name + " must be " + range.get().describe() + " but was " + quote(text));
  }

  private Optional<String> tooLong(String v) {
    return maxLength.isPresent() && v.length() > maxLength.getAsInt()
        ? Optional.of(
            name
                + " must be at most "
                + maxLength.getAsInt()
                + " characters long but has "
                + v.length())
        : Optional.empty();
  }

  private static Long parseLong(String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Plain or scientific notation only: no NaN, Infinity, hexadecimal or type suffixes. */
  private static BigDecimal parseDecimal(String v) {
    try {
      return new BigDecimal(v);
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  /** A value quoted for a problem, cut short when long (settings are not secrets, but may be pasted junk). */
  private static String quote(String v) {
    return "'" + (v.length() > 64 ? v.substring(0, 64) + "..." : v) + "'";
  }

  /**
   * Builds a {@link SettingDescriptor}; {@link #description(String)} is required.
   *
   * <p>{@link #build()} refuses a default value the descriptor itself would refuse, a range on a kind
   * that is not numeric and allowed values on a kind that is not {@link Kind#CHOICE}.
   */
  public static final class Builder {
    private final String name;
    private final Scope scope;
    private final Kind kind;
    private String description;
    private boolean required;
    private String defaultValue;
    private final List<String> allowedValues = new ArrayList<>();
    private Range range;
    private Integer maxLength;

    private Builder(String name, Scope scope, Kind kind) {
      this.name = requireNonNull(name, "name == null");
      this.scope = scope;
      this.kind = requireNonNull(kind, "kind == null");
    }

    /**
     * Sets the sentence shown in a form; required.
     *
     * @param description a sentence for the form
     * @return this builder
     */
    public Builder description(String description) {
      this.description = requireNonNull(description, "description == null");
      return this;
    }

    /**
     * Marks the setting as required: a connection or definition without a value is refused.
     *
     * @return this builder
     */
    public Builder required() {
      this.required = true;
      return this;
    }

    /**
     * Sets the value used when none is given.
     *
     * @param value the default, as text
     * @return this builder
     */
    public Builder defaultValue(String value) {
      this.defaultValue = requireNonNull(value, "value == null");
      return this;
    }

    /**
     * Sets a whole-number default value.
     *
     * @param value the default
     * @return this builder
     */
    public Builder defaultValue(long value) {
      return defaultValue(Long.toString(value));
    }

    /**
     * Sets a decimal default value (written without a fraction when it is whole).
     *
     * @param value the default
     * @return this builder
     */
    public Builder defaultValue(double value) {
      return defaultValue(
          value == Math.rint(value) && Math.abs(value) < 1e15
              ? Long.toString((long) value)
              : Double.toString(value));
    }

    /**
     * Sets a boolean default value.
     *
     * @param value the default
     * @return this builder
     */
    public Builder defaultValue(boolean value) {
      return defaultValue(Boolean.toString(value));
    }

    /**
     * Sets the values a {@link Kind#CHOICE} setting accepts.
     *
     * @param values the values allowed
     * @return this builder
     */
    public Builder allowedValues(String... values) {
      allowedValues.addAll(Arrays.asList(values));
      return this;
    }

    /**
     * Sets the range an {@link Kind#INTEGER} or {@link Kind#DECIMAL} setting accepts.
     *
     * @param range the range allowed
     * @return this builder
     */
    public Builder range(Range range) {
      this.range = requireNonNull(range, "range == null");
      return this;
    }

    /**
     * Sets the most characters a {@link Kind#TEXT} or {@link Kind#URL} value may have.
     *
     * @param maxLength the most characters allowed
     * @return this builder
     */
    public Builder maxLength(int maxLength) {
      this.maxLength = maxLength;
      return this;
    }

    /**
     * Builds the descriptor.
     *
     * @return the descriptor
     * @throws IllegalStateException without a description
     * @throws IllegalArgumentException if the parts do not fit the kind, or the default is invalid
     */
    public SettingDescriptor build() {
      if (description == null) {
        throw new IllegalStateException("setting " + name + " needs a description");
      }
      return new SettingDescriptor(
          name,
          description,
          scope,
          kind,
          required,
          Optional.ofNullable(defaultValue),
          allowedValues,
          Optional.ofNullable(range),
          maxLength == null ? OptionalInt.empty() : OptionalInt.of(maxLength));
    }
  }
}
