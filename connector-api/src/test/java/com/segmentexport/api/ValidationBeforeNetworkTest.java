package com.segmentexport.api;

import static com.segmentexport.testsupport.Fixtures.CONSENT;
import static com.segmentexport.testsupport.Fixtures.connection;
import static com.segmentexport.testsupport.Fixtures.connectionBuilder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** §5 rule 1: everything that can be validated is validated before the first HTTP call. */
class ValidationBeforeNetworkTest {
  private final FakeVendor vendor = new FakeVendor();
  private final TestConnectorProvider provider = TestConnectorProvider.standard();

  @AfterEach
  void noRequestReachedTheVendor() {
    try {
      assertThat(vendor.requestCount()).as("requests that reached the vendor").isZero();
    } finally {
      vendor.close();
    }
  }

  @Test
  void aConnectionNeedsPrivacyConsent() {
    Connection.Builder b =
        Connection.builder(provider)
            .setting("baseUrl", vendor.baseUrl())
            .secret("apiKey", Secret.of(FakeVendor.API_KEY));
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, b::build);
    assertThat(e.problems()).singleElement().asString().contains("privacy consent");
    // With consent the same builder succeeds, and still sends nothing.
    assertThat(b.privacyConsent(CONSENT).build().connectorId()).isEqualTo(TestConnectorProvider.ID);
  }

  @Test
  void unknownMissingAndInvalidSettingsAndSecretsAreAllReported() {
    Connection.Builder b =
        Connection.builder(provider)
            .setting("colour", "blue") // unknown setting
            .setting("region", "mars") // not an allowed choice
            .setting("apiKey", "typed-into-the-wrong-box") // a secret given as a plain setting
            .secret("token", Secret.of("t0k3n-value")) // unknown credential
            .privacyConsent(CONSENT); // baseUrl missing; apiKey secret missing
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, b::build);
    assertThat(e.problems()).hasSize(6);
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("unknown setting 'colour'"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("region").contains("mars"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("unknown setting 'apiKey'"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("unknown credential 'token'"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("setting baseUrl is required"));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("credential apiKey is required"));
    assertThat(e.getMessage()).doesNotContain("typed-into-the-wrong-box", "t0k3n-value");
  }

  @Test
  void aMappingNeedsEmail() {
    assertThatThrownBy(() -> FieldMapping.builder().firstName("first").build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("Email");
  }

  @Test
  void emailMappedTwiceIsRefusedLikeAnyFieldMappedTwice() {
    // build()'s javadoc: a destination mapped twice is refused. Email was kept silently from the
    // last call, so a host's "Email=email,Email=other" sent one of the two columns unnoticed.
    assertThatThrownBy(() -> FieldMapping.builder().email("email").email("work_email").build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'Email' is mapped more than once");
    assertThatThrownBy(() -> FieldMapping.builder().email("email").map("Email", "other").build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'Email' is mapped more than once");
  }

  @Test
  void unknownDestinationFieldsAreRefused() {
    Connection c = connection(provider, vendor);
    FieldMapping mapping = FieldMapping.builder().email("email").map("Nickname", "nick").build();
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () -> ExportDefinition.builder(c).segments("VIP").mapping(mapping).build());
    assertThat(e.problems()).singleElement().asString().contains("'Nickname' does not exist");
  }

  @Test
  void customFieldsAreRefusedWhereTheConnectorDoesNotSupportThem() {
    FieldMapping mapping =
        FieldMapping.builder().email("email").custom("tier", "loyaltyTier").build();
    TestConnectorProvider noCustom = TestConnectorProvider.builder().customFields(false).build();
    Connection c = connection(noCustom, vendor);
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () -> ExportDefinition.builder(c).segments("VIP").mapping(mapping).build());
    assertThat(e.problems()).singleElement().asString().contains("does not support custom fields");
    // The same mapping is fine on a connector that supports custom fields.
    Connection ok = connection(provider, vendor);
    assertThat(ExportDefinition.builder(ok).segments("VIP").mapping(mapping).build().mapping())
        .isEqualTo(mapping);
  }

  @Test
  void unknownAndInvalidExportOptionsAreRefused() {
    Connection c = connection(provider, vendor);
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                ExportDefinition.builder(c)
                    .segments("VIP")
                    .mapping(Fixtures.mapping())
                    .option("listId", "123")
                    .option("doubleOptIn", "perhaps")
                    .build());
    assertThat(e.problems()).hasSize(2);
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("unknown export option 'listId'"));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("doubleOptIn must be true or false"));
  }

  @Test
  void aDefinitionNeedsSegmentsAndAMapping() {
    Connection c = connection(provider, vendor);
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () -> ExportDefinition.builder(c).segments("A", "A", " ").build());
    assertThat(e.problems()).hasSize(3);
  }

  @Test
  void aDefinitionForAnotherConnectionIsRefusedByTheExporter() {
    Connection mine = connection(provider, vendor);
    Connection other = connectionBuilder(provider, vendor).displayName("Other account").build();
    ExportDefinition foreign = Fixtures.definition(other, "VIP");
    try (SegmentExporter exporter = Connectors.of(provider).exporter(mine)) {
      assertThatThrownBy(
              () ->
                  exporter.start(
                      foreign,
                      Fixtures.streaming("VIP", Fixtures.valid("a", 3)),
                      ExportOptions.DEFAULT))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("is for connection " + other.id());
    }
  }

  @Test
  void connectorSpecificRulesRunWhenTheDefinitionIsBuilt() {
    ConnectorProvider strict =
        new DelegatingProvider(provider) {
          @Override
          public List<String> validate(ExportDefinition definition) {
            return definition.segments().stream()
                .filter(s -> s.length() > 5)
                .map(s -> "list name '" + s + "' is longer than 5 characters")
                .toList();
          }
        };
    Connection c = connection(strict, vendor);
    assertThatThrownBy(() -> Fixtures.definition(c, "Lapsed 90 days"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("longer than 5 characters");
  }

  /** Forwards everything to another provider. */
  private static class DelegatingProvider implements ConnectorProvider {
    private final ConnectorProvider d;

    DelegatingProvider(ConnectorProvider d) {
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
      return d.settings();
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
    public com.segmentexport.spi.Connector create(com.segmentexport.spi.ConnectorContext context) {
      return d.create(context);
    }
  }
}
