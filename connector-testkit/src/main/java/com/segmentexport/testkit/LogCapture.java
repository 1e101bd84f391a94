package com.segmentexport.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures every log record the SDK writes, at every level, through SLF4J's
 * {@code java.util.logging} binding ({@code slf4j-jdk14}, which a module's tests must have on their
 * class path for this to see anything: {@link #isBound()} tells).
 */
public final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final Level previousLevel;
  private final List<String> messages = new ArrayList<>();
  private final Handler handler =
      new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
          String text = formatter.format(record);
          synchronized (messages) {
            messages.add(text);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private LogCapture(String loggerName) {
    logger = Logger.getLogger(loggerName);
    previousLevel = logger.getLevel();
    logger.setLevel(Level.ALL);
    handler.setLevel(Level.ALL);
    logger.addHandler(handler);
  }

  /** Starts capturing the SDK's loggers ({@code com.segmentexport.*}). */
  public static LogCapture start() {
    return new LogCapture("com.segmentexport");
  }

  /** True if SLF4J writes to {@code java.util.logging} here, so that capture works. */
  public static boolean isBound() {
    return org.slf4j.LoggerFactory.getILoggerFactory().getClass().getName().contains("JDK14");
  }

  /** The formatted records captured so far (message, arguments and stack traces). */
  public List<String> messages() {
    synchronized (messages) {
      return List.copyOf(messages);
    }
  }

  /** Stops capturing. */
  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setLevel(previousLevel);
  }
}
