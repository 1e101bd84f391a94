package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/** The sink's configuration: every connector's keys, secrets as passwords, all problems at once. */
class SinkConfigTest {
  private final SegmentExportSinkConnector connector = new SegmentExportSinkConnector();

  private static Map<String, String> iterable() {
    Map<String, String> c = new HashMap<>();
    c.put("connector.class", SegmentExportSinkConnector.class.getName());
    c.put("topics", "vip");
    c.put("export.connector", "iterable");
    c.put("export.secret.apiKey", "a-secret-key");
    c.put("export.privacy.consent.by", "Jane Ops");
    c.put("export.mapping", "Email=email,FirstName=first,tier:TEXT=loyalty");
    return c;
  }

  private static Map<String, List<String>> errors(Config config) {
    return config.configValues().stream()
        .filter(v -> !v.errorMessages().isEmpty())
        .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
  }

  @Test
  void everyConnectorsSettingsAreKeysAndSecretsArePasswords() {
    ConfigDef def = connector.config();
    assertThat(def.configKeys()).containsKeys("export.secret.apiKey", "export.setting.baseUrl");
    assertThat(def.configKeys().get("export.secret.apiKey").type)
        .isEqualTo(ConfigDef.Type.PASSWORD);
    assertThat(def.configKeys().get("export.secret.password").type)
        .as("dotdigital's password")
        .isEqualTo(ConfigDef.Type.PASSWORD);
    assertThat(def.configKeys())
        .containsKeys("export.option.listId", "export.option.addressBookId");
  }

  @Test
  void aGoodConfigurationHasNoProblem() {
    assertThat(errors(connector.validate(iterable()))).isEmpty();
  }

  @Test
  void everyProblemIsReportedAtOnceOnItsKey() {
    Map<String, String> c = iterable();
    c.remove("export.secret.apiKey");
    c.put("export.mapping", "FirstName=first");
    c.put("export.option.listId", "0123");
    c.put("export.segment.source", "field");
    c.put("export.state.jdbc.url", "jdbc:mysql://db/x");
    Map<String, List<String>> errors = errors(connector.validate(c));
    assertThat(errors)
        .containsKeys(
            "export.secret.apiKey",
            "export.mapping",
            "export.option.listId",
            "export.segment.name",
            "export.state.jdbc.url");
    assertThat(errors.get("export.mapping").toString()).contains("Email");
  }

  @Test
  void aKeyTheDefinitionDoesNotHoldIsReportedByValidateAsStartWouldRefuseIt() {
    // A setting no connector has, a credential given as a setting and a setting given as a
    // credential: start() refuses each, so validate() (the REST API's check) must report them too.
    Map<String, String> c = iterable();
    c.put("export.setting.requestPerSecond", "2");
    c.put("export.setting.apiKey", "a-secret-key");
    c.put("export.secret.baseUrl", "https://api.example/a-secret-key");
    assertThatThrownBy(() -> connector.start(c)).isInstanceOf(ConfigException.class);
    Map<String, List<String>> errors = errors(connector.validate(c));
    assertThat(errors)
        .containsKeys(
            "export.setting.requestPerSecond", "export.setting.apiKey", "export.secret.baseUrl");
    assertThat(errors.get("export.setting.apiKey").toString()).contains("export.secret.apiKey");
    assertThat(errors.toString()).doesNotContain("a-secret-key");
  }

  @Test
  void emailMappedTwiceIsAProblemOfTheMapping() {
    Map<String, String> c = iterable();
    c.put("export.mapping", "Email=email,FirstName=first,Email=work_email");
    assertThat(errors(connector.validate(c)).get("export.mapping").toString())
        .contains("'Email' is mapped more than once");
  }

  @Test
  void keysThatWouldBeIgnoredAreProblemsOnTheirKey() {
    // A segment field given without export.segment.source=field sent every record to the list
    // named after the topic; a state user without a state URL ran without any state. Both silently.
    Map<String, String> c = iterable();
    c.put("export.segment.name", "segment");
    c.put("export.state.jdbc.user", "segment_export");
    Map<String, List<String>> errors = errors(connector.validate(c));
    assertThat(errors.get("export.segment.name").toString()).contains("export.segment.source");
    assertThat(errors.get("export.state.jdbc.user").toString()).contains("export.state.jdbc.url");
  }

  @Test
  void theAddressFieldCannotNameTheSegment() {
    // Every profile would be a segment of its own: a list per person at the vendor, named after
    // the person's address, and the address in every log line that names a segment.
    Map<String, String> c = iterable();
    c.put("export.segment.source", "field");
    c.put("export.segment.name", "email");
    assertThat(errors(connector.validate(c)).get("export.segment.name").toString())
        .contains("Email");
  }

  @Test
  void aWindowLargerThanTheVendorsPerExportCapIsRefused() {
    Map<String, String> c = iterable();
    c.put("export.connector", "autopilot");
    c.put("export.mapping", "Email=email");
    c.put("export.window.max.records", "100001");
    assertThat(errors(connector.validate(c))).containsKey("export.window.max.records");
    c.put("export.window.max.records", "100000");
    assertThat(errors(connector.validate(c))).doesNotContainKey("export.window.max.records");
  }

  @Test
  void anUnknownConnectorIsRefusedByItsKey() {
    Map<String, String> c = iterable();
    c.put("export.connector", "mailchimp");
    assertThat(errors(connector.validate(c))).containsKey("export.connector");
  }

  @Test
  void startingWithABadConfigurationFailsWithEveryProblemAndNoSecret() {
    Map<String, String> c = iterable();
    c.put("export.mapping", "FirstName=first");
    c.put("export.setting.requestsPerSecond", "0");
    assertThatThrownBy(() -> connector.start(c))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("export.mapping")
        .hasMessageContaining("requestsPerSecond")
        .hasMessageNotContaining("a-secret-key");
  }

  @Test
  void connectFindsTheSinkThroughItsServiceFile() {
    assertThat(java.util.ServiceLoader.load(org.apache.kafka.connect.sink.SinkConnector.class))
        .anySatisfy(c -> assertThat(c).isInstanceOf(SegmentExportSinkConnector.class));
  }

  @Test
  void eachTaskKnowsTheTaskCountItDividesTheRateBy() {
    connector.start(iterable());
    List<Map<String, String>> tasks = connector.taskConfigs(3);
    assertThat(tasks)
        .hasSize(3)
        .allSatisfy(t -> assertThat(t).containsEntry(SinkConfig.TASK_COUNT, "3"));
  }
}
