package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

/**
 * What a worker logs of the sink's configuration at its usual INFO level: no e-mail address (the
 * consent's {@code export.privacy.consent.by} is often one) and no credential.
 */
class SinkConfigLogTest {
  @Test
  void parsingTheConfigurationLogsNoAddressAtInfo() {
    Map<String, String> c = new HashMap<>();
    c.put("connector.class", SegmentExportSinkConnector.class.getName());
    c.put("topics", "vip");
    c.put("export.connector", "iterable");
    c.put("export.secret.apiKey", "a-secret-key");
    c.put("export.privacy.consent.by", "dpo@acme.example");
    c.put("export.mapping", "Email=email");
    List<String> lines = new CopyOnWriteArrayList<>();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    Configuration configuration = context.getConfiguration();
    AbstractAppender capture =
        new AbstractAppender("capture-sink-config", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            lines.add(event.getMessage().getFormattedMessage());
          }
        };
    capture.start();
    // Kafka's own logger for configurations, at the INFO a Connect worker runs with.
    LoggerConfig logger = new LoggerConfig("org.apache.kafka.common.config", Level.INFO, false);
    logger.addAppender(capture, Level.INFO, null);
    configuration.addLogger(logger.getName(), logger);
    context.updateLoggers();
    try {
      SegmentExportSinkConnector connector = new SegmentExportSinkConnector();
      connector.validate(c);
      connector.start(c);
      connector.stop();
    } finally {
      configuration.removeLogger(logger.getName());
      context.updateLoggers();
      capture.stop();
    }
    assertThat(String.join("\n", lines)).doesNotContain("dpo@acme.example", "a-secret-key");
  }
}
