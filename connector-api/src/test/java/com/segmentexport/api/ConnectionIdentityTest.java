package com.segmentexport.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import org.junit.jupiter.api.Test;

/** Which connector a connection is for, and who an exporter acts for, are explicit. */
class ConnectionIdentityTest {
  private final Connectors plugins =
      Connectors.of(TestConnectorProvider.standard()); // not on the SDK's loader

  @Test
  void aConnectorNotFoundByDiscoverySaysHowToPassTheConnectors() {
    assertThatThrownBy(
            () ->
                Connection.builder(TestConnectorProvider.ID)
                    .privacyConsent(Fixtures.CONSENT)
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("No connector with id '" + TestConnectorProvider.ID + "'")
        .hasMessageContaining(
            "Connection.builder(Connectors.load(thatClassLoader), \"" + TestConnectorProvider.ID);
  }

  @Test
  void aBuilderTakesTheConnectorsExplicitly() {
    Connection c =
        Connection.builder(plugins, TestConnectorProvider.ID)
            .setting("baseUrl", "http://127.0.0.1:9")
            .secret("apiKey", Secret.of("k"))
            .privacyConsent(Fixtures.CONSENT)
            .build();
    assertThat(c.provider()).isSameAs(plugins.provider(TestConnectorProvider.ID));
    assertThatThrownBy(() -> Connection.builder(plugins, "nosuch"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(TestConnectorProvider.ID);
  }

  @Test
  void theAdministratorExporterIsNamedForWhatItDoes() {
    Connection c =
        Connection.builder(plugins, TestConnectorProvider.ID)
            .setting("baseUrl", "http://127.0.0.1:9")
            .secret("apiKey", Secret.of("k"))
            .privacyConsent(Fixtures.CONSENT)
            .build(); // shared with administrators only (the default)
    try (SegmentExporter admin = plugins.administratorExporter(c)) {
      assertThat(admin.connection()).isSameAs(c);
    }
    assertThatThrownBy(() -> plugins.exporter(c, Role.CONTRIBUTOR))
        .isInstanceOf(AccessDeniedException.class);
  }
}
