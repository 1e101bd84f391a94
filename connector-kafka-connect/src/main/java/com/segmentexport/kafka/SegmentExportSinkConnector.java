package com.segmentexport.kafka;

import com.segmentexport.api.Connectors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * A Kafka Connect sink that exports records, as profiles, into any connector of the Segment Export
 * SDK found on the plugin's class path (Autopilot, Campaign Monitor, dotdigital, Iterable): the
 * vendor's list named after each record's segment (or the list or address book given as an option).
 * See {@link SegmentExportSinkTask} for what a task does, and the module's README for the settings.
 *
 * <p>{@link #validate} reports every problem at once, each on its key: a key's own value (Connect's
 * validators), and what only the SDK can check without the network: the connection (settings,
 * credentials given, privacy consent), the mapping against the connector's fields, the destination
 * options, the segment naming and the sync state's URL.
 */
public final class SegmentExportSinkConnector extends SinkConnector {
  /** The version of the sink (the SDK's). */
  static final String VERSION = implementationVersion();

  private Map<String, String> props;

  /** Connect's no-argument constructor. */
  public SegmentExportSinkConnector() {}

  private static String implementationVersion() {
    String v = SegmentExportSinkConnector.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-SNAPSHOT" : v;
  }

  private static Connectors connectors() {
    return Connectors.load(SegmentExportSinkConnector.class.getClassLoader());
  }

  @Override
  public String version() {
    return VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    SinkConfig.parse(connectors(), props);
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return SegmentExportSinkTask.class;
  }

  /** Every task gets the configuration and the task count, by which it divides the account's rate. */
  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = new ArrayList<>();
    for (int i = 0; i < maxTasks; i++) {
      Map<String, String> task = new HashMap<>(props);
      task.put(SinkConfig.TASK_COUNT, Integer.toString(maxTasks));
      configs.add(task);
    }
    return configs;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return SinkConfig.definition(connectors());
  }

  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config config = super.validate(connectorConfigs);
    boolean keysValid = config.configValues().stream().allMatch(v -> v.errorMessages().isEmpty());
    if (!keysValid) {
      return config;
    }
    Map<String, List<String>> problems =
        new SinkConfig(connectors(), connectorConfigs).crossProblems();
    List<ConfigValue> values = new ArrayList<>(config.configValues());
    for (ConfigValue v : values) {
      List<String> own = problems.remove(v.name());
      if (own != null) {
        own.forEach(v::addErrorMessage);
      }
    }
    // Keys the definition does not hold (a setting no connector has, a credential given as a
    // setting): start() refuses them, so they are reported too, each on its own key. Their values
    // are left out, as a credential's would be shown.
    problems.forEach(
        (key, messages) -> {
          ConfigValue v = new ConfigValue(key);
          messages.forEach(v::addErrorMessage);
          values.add(v);
        });
    return new Config(values);
  }
}
