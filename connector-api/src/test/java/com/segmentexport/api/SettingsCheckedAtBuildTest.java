package com.segmentexport.api;

import static com.segmentexport.testsupport.Fixtures.CONSENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.segmentexport.spi.Connector;
import com.segmentexport.spi.ConnectorContext;
import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 20 items 8 and 10: every setting, its range included, and every credential is checked when the
 * connection is built, and every problem is listed in one {@link ConfigurationException}, before any
 * connector exists.
 */
class SettingsCheckedAtBuildTest {
  private static final String BASE_URL = "https://api.vendor.invalid";
  private static final String KEY = "sk_test_0123456789abcdef";

  /** The test connector with the standard settings a real one declares. */
  private final ConnectorProvider provider =
      new StandardSettingsProvider(TestConnectorProvider.standard());

  private Connection.Builder builder() {
    return Connection.builder(provider)
        .setting("baseUrl", BASE_URL)
        .secret("apiKey", Secret.of(KEY))
        .privacyConsent(CONSENT);
  }

  private List<String> problems(Connection.Builder b) {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, b::build);
    assertThat(e).as("build() must refuse the connection").isNotNull();
    return e.problems();
  }

  @Test
  void maxConcurrentBatchesOutOfRangeIsRefusedWhenTheConnectionIsBuilt() {
    // 3000000000 used to pass build() and fail in exporter(...) with a NumberFormatException; 0 and
    // 100
    // were refused only there.
    for (String bad : List.of("3000000000", "0", "100", "-1", "65", "99999999999999999999999")) {
      assertThat(problems(builder().setting(StandardSettings.MAX_CONCURRENT_BATCHES, bad)))
          .as(bad)
          .singleElement()
          .asString()
          .contains("maxConcurrentBatches", "between 1 and 64");
    }
    for (String good : List.of("1", "64", " 8 ")) {
      assertThat(
              builder()
                  .setting(StandardSettings.MAX_CONCURRENT_BATCHES, good)
                  .build()
                  .setting(StandardSettings.MAX_CONCURRENT_BATCHES))
          .hasValue(good);
    }
  }

  @Test
  void requestsPerSecondMustBeAPositiveFiniteRateWithinTheRange() {
    for (String bad :
        List.of("NaN", "-1", "0", "1e10", "Infinity", "1000000.5", "0.001", "0x10", "5d")) {
      assertThat(problems(builder().setting(StandardSettings.REQUESTS_PER_SECOND, bad)))
          .as(bad)
          .singleElement()
          .asString()
          .contains("requestsPerSecond", "between 0.01 and 1000000");
    }
    for (String good : List.of("0.01", "2.5", "1e3", "1000000", "1000000.0")) {
      assertThat(
              builder()
                  .setting(StandardSettings.REQUESTS_PER_SECOND, good)
                  .build()
                  .setting(StandardSettings.REQUESTS_PER_SECOND))
          .hasValue(good);
    }
  }

  @Test
  void everyBadSettingIsListedInOneException() {
    List<String> problems =
        problems(
            builder()
                .setting(StandardSettings.MAX_CONCURRENT_BATCHES, "3000000000")
                .setting(StandardSettings.REQUESTS_PER_SECOND, "1e10")
                .setting("region", "mars")
                .setting("colour", "blue"));
    assertThat(problems).hasSize(4);
    assertThat(problems)
        .anySatisfy(p -> assertThat(p).contains("maxConcurrentBatches", "3000000000"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("requestsPerSecond", "1e10"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("region", "mars"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("unknown setting 'colour'"));
  }

  @Test
  void aMissingSecretAsInTheReadmeIsAConfigurationErrorNamingTheCredential() {
    // The README's pattern with the environment variable unset: System.getenv(...) returns null.
    String unset = null;
    Connection.Builder b =
        Connection.builder(provider)
            .setting("baseUrl", BASE_URL)
            .secret("apiKey", Secret.of(unset))
            .privacyConsent(CONSENT);
    assertThat(problems(b)).singleElement().asString().contains("credential 'apiKey' is missing");
  }

  @Test
  void aMissingSecretIsListedWithTheOtherProblems() {
    Connection.Builder b =
        Connection.builder(provider)
            .setting("baseUrl", BASE_URL)
            .setting(StandardSettings.MAX_CONCURRENT_BATCHES, "0")
            .secret("apiKey", Secret.of("   "))
            .privacyConsent(CONSENT);
    List<String> problems = problems(b);
    assertThat(problems).hasSize(2);
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("credential 'apiKey' is missing"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("maxConcurrentBatches"));
  }

  @Test
  void problemsNeverShowAPresentSecret() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                Connection.builder(provider)
                    .setting("baseUrl", BASE_URL)
                    .setting(StandardSettings.MAX_CONCURRENT_BATCHES, "0")
                    .secret("apiKey", Secret.of(KEY))
                    .secret("token", Secret.of(KEY + "-other"))
                    .privacyConsent(CONSENT)
                    .build());
    assertThat(e.problems()).hasSize(2);
    assertThat(e.getMessage()).doesNotContain(KEY).doesNotContain("0123456789abcdef");
  }

  @Test
  void anExportOptionOutOfLengthIsRefusedWhenTheDefinitionIsBuilt() {
    Connection c = builder().build();
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                ExportDefinition.builder(c)
                    .segments("VIP")
                    .mapping(Fixtures.mapping())
                    .option("listPrefix", "x".repeat(21))
                    .build());
    assertThat(e.problems())
        .singleElement()
        .asString()
        .contains("listPrefix", "at most 20 characters");
  }

  @Test
  void theConnectorsOwnRulesAreListedWithTheGenericProblems() {
    ConnectorProvider strict =
        new StandardSettingsProvider(TestConnectorProvider.standard()) {
          @Override
          public List<String> validate(ExportDefinition definition) {
            return List.of("this vendor refuses every definition");
          }
        };
    Connection c =
        Connection.builder(strict)
            .setting("baseUrl", BASE_URL)
            .secret("apiKey", Secret.of(KEY))
            .privacyConsent(CONSENT)
            .build();
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                ExportDefinition.builder(c)
                    .segments("VIP", "VIP")
                    .mapping(Fixtures.mapping())
                    .build());
    assertThat(e.problems())
        .containsExactlyInAnyOrder(
            "segment 'VIP' is listed more than once", "this vendor refuses every definition");
  }

  /** Adds the standard settings to another provider, and applies them as a real connector does. */
  private static class StandardSettingsProvider implements ConnectorProvider {
    private final ConnectorProvider d;

    StandardSettingsProvider(ConnectorProvider d) {
      this.d = d;
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
      all.add(StandardSettings.requestsPerSecond(1000, "the test vendor's"));
      all.add(StandardSettings.maxConcurrentBatches(2));
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
      StandardSettings.applyTo(d.limits(), context.connection());
      return d.create(context);
    }
  }
}
