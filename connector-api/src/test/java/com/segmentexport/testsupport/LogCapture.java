package com.segmentexport.testsupport;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures everything the SDK logs (slf4j-jdk14 routes it to java.util.logging) at every level, as
 * formatted text including any stack trace.
 */
public final class LogCapture extends Handler implements AutoCloseable {
  private static final Logger ROOT = Logger.getLogger("com.segmentexport"); // strong reference
  private final SimpleFormatter formatter = new SimpleFormatter();
  private final List<String> lines = new ArrayList<>();
  private final Level previous;

  private LogCapture() {
    setLevel(Level.ALL);
    previous = ROOT.getLevel();
    ROOT.setLevel(Level.ALL);
    ROOT.addHandler(this);
  }

  /** Starts capturing. */
  public static LogCapture start() {
    return new LogCapture();
  }

  @Override
  public synchronized void publish(LogRecord record) {
    StringBuilder sb = new StringBuilder();
    sb.append(record.getLevel())
        .append(' ')
        .append(record.getLoggerName())
        .append(": ")
        .append(formatter.formatMessage(record));
    if (record.getThrown() != null) {
      StringWriter w = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(w));
      sb.append('\n').append(w);
    }
    lines.add(sb.toString());
  }

  /** Every captured line so far. */
  public synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /** Everything captured, joined. */
  public synchronized String text() {
    return String.join("\n", lines);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    ROOT.removeHandler(this);
    ROOT.setLevel(previous);
  }
}
