package com.segmentexport.api;

import static com.segmentexport.testsupport.Fixtures.CONSENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.segmentexport.api.SettingDescriptor.Kind;
import com.segmentexport.api.SettingDescriptor.Range;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.ConnectorContext;
import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Descriptors with ranges, built with the builder, and the typed getters that read checked values. */
class SettingDescriptorTest {
  private static final SettingDescriptor UPSERTS =
      SettingDescriptor.connection("maxUpserts", Kind.INTEGER)
          .description("Upserts at once")
          .range(Range.between(1, 64))
          .defaultValue(4)
          .build();
  private static final SettingDescriptor TIMEOUT =
      SettingDescriptor.connection("timeoutSeconds", Kind.INTEGER)
          .description("Seconds")
          .range(Range.atLeast(1))
          .defaultValue(3600)
          .build();
  private static final SettingDescriptor RATIO =
      SettingDescriptor.connection("ratio", Kind.DECIMAL)
          .description("A share")
          .range(Range.between(0.1, 2.5))
          .build();
  private static final SettingDescriptor VERBOSE =
      SettingDescriptor.connection("verbose", Kind.BOOLEAN)
          .description("Say more")
          .defaultValue(true)
          .build();
  private static final SettingDescriptor PRIORITY =
      SettingDescriptor.export("priority", Kind.INTEGER)
          .description("Import priority")
          .range(Range.between(1, 10))
          .build();
  private static final SettingDescriptor WEIGHT =
      SettingDescriptor.export("weight", Kind.DECIMAL)
          .description("Weight")
          .defaultValue(1.5)
          .build();

  private final ConnectorProvider provider =
      new ExtraSettingsProvider(
          TestConnectorProvider.standard(),
          List.of(UPSERTS, TIMEOUT, RATIO, VERBOSE, PRIORITY, WEIGHT));

  private Connection.Builder builder() {
    return Connection.builder(provider)
        .setting("baseUrl", "https://api.vendor.invalid")
        .secret("apiKey", Secret.of("k"))
        .privacyConsent(CONSENT);
  }

  @Test
  void theBuilderMakesTheSameDescriptorTheRecordHolds() {
    assertThat(UPSERTS.name()).isEqualTo("maxUpserts");
    assertThat(UPSERTS.scope()).isEqualTo(SettingDescriptor.Scope.CONNECTION);
    assertThat(UPSERTS.kind()).isEqualTo(Kind.INTEGER);
    assertThat(UPSERTS.required()).isFalse();
    assertThat(UPSERTS.defaultValue()).hasValue("4");
    assertThat(UPSERTS.range()).hasValue(Range.between(1, 64));
    assertThat(UPSERTS.maxLength()).isEmpty();
    assertThat(PRIORITY.scope()).isEqualTo(SettingDescriptor.Scope.EXPORT);
    assertThat(WEIGHT.defaultValue()).hasValue("1.5");
    assertThat(SettingDescriptor.secret("apiKey", "The key").required()).isTrue();
    assertThat(SettingDescriptor.optionalSecret("token", "A token").required()).isFalse();
  }

  @Test
  void aRangeIsShownForAFormAndInProblems() {
    Range r = UPSERTS.range().orElseThrow();
    assertThat(r.min()).hasValue(BigDecimal.ONE);
    assertThat(r.max()).hasValue(BigDecimal.valueOf(64));
    assertThat(r.describe()).isEqualTo("between 1 and 64");
    assertThat(r).hasToString("[1, 64]");
    assertThat(Range.atLeast(1).describe()).isEqualTo("at least 1");
    assertThat(Range.atLeast(1)).hasToString("[1, ∞)");
    assertThat(Range.atMost(9).describe()).isEqualTo("at most 9");
    assertThat(Range.between(0.01, 100_000).describe()).isEqualTo("between 0.01 and 100000");
    assertThat(UPSERTS.check("65")).hasValue("maxUpserts must be between 1 and 64 but was '65'");
    assertThat(UPSERTS.check("four"))
        .hasValue("maxUpserts must be a whole number between 1 and 64 but was 'four'");
    assertThat(UPSERTS.check("64")).isEmpty();
    assertThat(RATIO.check("2.6")).hasValue("ratio must be between 0.1 and 2.5 but was '2.6'");
    assertThat(RATIO.check("0.1")).isEmpty();
  }

  @Test
  void decimalsAreWrittenPlainlyOrScientifically() {
    SettingDescriptor any =
        SettingDescriptor.connection("d", Kind.DECIMAL).description("d").build();
    for (String good : List.of("1", "2.5", "1e3", "1.0E7", "+3", ".5")) {
      assertThat(any.check(good)).as(good).isEmpty();
    }
    for (String bad :
        List.of(
            "NaN",
            "Infinity",
            "-Infinity",
            "0x1p3",
            "5d",
            "2f",
            "1e999999999",
            "1e-999999999",
            "0",
            "-2")) {
      assertThat(any.check(bad)).as(bad).isPresent();
    }
  }

  @Test
  void textAndUrlsMayHaveAMaximumLength() {
    SettingDescriptor text =
        SettingDescriptor.export("prefix", Kind.TEXT).description("p").maxLength(3).build();
    assertThat(text.check("abc")).isEmpty();
    assertThat(text.check("abcd")).hasValue("prefix must be at most 3 characters long but has 4");
    assertThat(
            StandardSettings.baseUrl("https://api.example.com")
                .check("https://api.example.com/" + "a".repeat(2000)))
        .hasValueSatisfying(p -> assertThat(p).contains("at most 2000 characters"));
  }

  @Test
  void aDescriptorThatContradictsItselfIsRefused() {
    assertThatThrownBy(
            () ->
                SettingDescriptor.connection("n", Kind.INTEGER)
                    .range(Range.between(1, 64))
                    .defaultValue(0)
                    .description("n")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("default value of setting n is invalid")
        .hasMessageContaining("between 1 and 64");
    assertThatThrownBy(
            () ->
                SettingDescriptor.connection("n", Kind.TEXT)
                    .description("n")
                    .range(Range.atLeast(1))
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                SettingDescriptor.connection("n", Kind.INTEGER)
                    .description("n")
                    .range(Range.between(0.5, 3))
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                SettingDescriptor.connection("n", Kind.INTEGER)
                    .description("n")
                    .maxLength(3)
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> SettingDescriptor.connection("n", Kind.CHOICE).description("n").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                SettingDescriptor.connection("n", Kind.TEXT)
                    .description("n")
                    .allowedValues("a")
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                SettingDescriptor.connection("n", Kind.CHOICE)
                    .allowedValues("a", "b")
                    .defaultValue("c")
                    .description("n")
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SettingDescriptor.connection("n", Kind.TEXT).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("description");
    assertThatThrownBy(() -> Range.between(5, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Range.between(Double.NaN, 1.0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StandardSettings.maxConcurrentBatches(5, 65))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void typedGettersReturnTheValueGivenOrTheDefault() {
    Connection given =
        builder()
            .setting("maxUpserts", " 12 ")
            .setting("timeoutSeconds", "9999999999")
            .setting("ratio", "0.25")
            .setting("verbose", "FALSE")
            .build();
    assertThat(given.intSetting("maxUpserts")).isEqualTo(OptionalInt.of(12));
    assertThat(given.longSetting("timeoutSeconds")).isEqualTo(OptionalLong.of(9_999_999_999L));
    assertThat(given.decimalSetting("ratio")).hasValue(0.25);
    assertThat(given.flag("verbose")).isFalse();

    Connection defaults = builder().build();
    assertThat(defaults.intSetting("maxUpserts")).isEqualTo(OptionalInt.of(4));
    assertThat(defaults.longSetting("timeoutSeconds")).isEqualTo(OptionalLong.of(3600));
    assertThat(defaults.decimalSetting("ratio")).isEmpty();
    assertThat(defaults.flag("verbose")).isTrue();
  }

  @Test
  void typedGettersRefuseWhatTheConnectorDoesNotDeclareAsThatKind() {
    Connection c = builder().build();
    assertThatThrownBy(() -> c.intSetting("maxUpsert"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("declares no connection setting 'maxUpsert'");
    assertThatThrownBy(() -> c.decimalSetting("maxUpserts"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("INTEGER");
    assertThatThrownBy(() -> c.longSetting("priority"))
        .as("an export option, not a connection setting")
        .isInstanceOf(IllegalArgumentException.class);
    // A range reaching beyond an int cannot be read as one, whatever the value: found by the first
    // test.
    assertThatThrownBy(() -> c.intSetting("timeoutSeconds"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("read it as a long");
  }

  @Test
  void anExportOptionOutOfRangeIsRefusedWhenTheDefinitionIsBuilt() {
    Connection c = builder().build();
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                ExportDefinition.builder(c)
                    .segments("VIP")
                    .mapping(Fixtures.mapping())
                    .option("priority", "11")
                    .option("weight", "-1")
                    .build());
    assertThat(e.problems())
        .containsExactlyInAnyOrder(
            "priority must be between 1 and 10 but was '11'",
            "weight must be a positive number but was '-1'");
    ExportDefinition d =
        ExportDefinition.builder(c)
            .segments("VIP")
            .mapping(Fixtures.mapping())
            .option("priority", "10")
            .build();
    assertThat(d.intOption("priority")).isEqualTo(OptionalInt.of(10));
    assertThat(d.longOption("priority")).isEqualTo(OptionalLong.of(10));
    assertThat(d.decimalOption("weight")).hasValue(1.5);
    assertThatThrownBy(() -> d.longOption("maxUpserts"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theConnectorsConnectionRulesAreListedWithTheOtherProblemsOnceTheValuesAreSound() {
    ConnectorProvider strict =
        new ExtraSettingsProvider(TestConnectorProvider.standard(), List.of(UPSERTS)) {
          @Override
          public List<String> validate(Connection connection) {
            return connection.intSetting("maxUpserts").getAsInt() > 8
                ? List.of("maxUpserts above 8 needs a paid plan")
                : List.of();
          }
        };
    Connection.Builder b =
        Connection.builder(strict)
            .setting("baseUrl", "https://api.vendor.invalid")
            .secret("apiKey", Secret.of("k"))
            .setting("maxUpserts", "9");
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, b::build);
    assertThat(e.problems())
        .hasSize(2)
        .anySatisfy(p -> assertThat(p).contains("privacy consent"))
        .contains("maxUpserts above 8 needs a paid plan");
    // With a value its descriptor refuses, the connector's rules (which read it typed) do not run.
    ConfigurationException bad =
        catchThrowableOfType(
            ConfigurationException.class,
            () -> b.setting("maxUpserts", "65").privacyConsent(CONSENT).build());
    assertThat(bad.problems()).containsExactly("maxUpserts must be between 1 and 64 but was '65'");
    assertThat(b.setting("maxUpserts", "8").build().intSetting("maxUpserts")).hasValue(8);
  }

  @Test
  void aMissingSecretRevealsNothingAndSaysSo() {
    Secret missing = Secret.of(null);
    assertThat(missing.isMissing()).isTrue();
    assertThat(Secret.of(" \t").isMissing()).isTrue();
    assertThat(Secret.of("k").isMissing()).isFalse();
    assertThat(missing)
        .hasToString("Secret[missing]")
        .isEqualTo(Secret.of(""))
        .isNotEqualTo(Secret.of("k"));
    assertThat(Secret.of("k")).isNotEqualTo(missing);
    assertThatThrownBy(missing::reveal)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("missing");
  }

  /** Adds settings to another provider. */
  private static class ExtraSettingsProvider implements ConnectorProvider {
    private final ConnectorProvider d;
    private final List<SettingDescriptor> extra;

    ExtraSettingsProvider(ConnectorProvider d, List<SettingDescriptor> extra) {
      this.d = d;
      this.extra = extra;
    }

    @Override
    public String id() {
      return d.id();
    }

    @Override
    public String displayName() {
      return d.displayName();
    }

    @Override
    public List<SettingDescriptor> settings() {
      List<SettingDescriptor> all = new ArrayList<>(d.settings());
      all.addAll(extra);
      return all;
    }

    @Override
    public List<DestinationField> destinationFields() {
      return d.destinationFields();
    }

    @Override
    public boolean supportsCustomFields() {
      return d.supportsCustomFields();
    }

    @Override
    public ConnectorLimits limits() {
      return d.limits();
    }

    @Override
    public Connector create(ConnectorContext context) {
      return d.create(context);
    }
  }
}
