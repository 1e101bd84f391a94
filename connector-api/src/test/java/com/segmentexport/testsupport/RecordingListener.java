package com.segmentexport.testsupport;

import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.SegmentResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Records every event, thread-safely, in order. */
public class RecordingListener extends ExportListener {
  /** One event: its name and arguments. */
  public record Event(String name, List<Object> args) {
    /** Argument {@code i}. */
    public Object arg(int i) {
      return args.get(i);
    }
  }

  private final List<Event> events = new ArrayList<>();

  /** Records an event. */
  protected synchronized void record(String name, Object... args) {
    events.add(new Event(name, java.util.Arrays.asList(args)));
  }

  /** Every event so far. */
  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** The events with this name. */
  public synchronized List<Event> events(String name) {
    return events.stream().filter(e -> e.name().equals(name)).toList();
  }

  /** The event names, in order. */
  public synchronized List<String> names() {
    return events.stream().map(Event::name).toList();
  }

  @Override
  public void exportStarted(ExportDefinition definition) {
    record("exportStarted", definition);
  }

  @Override
  public void segmentStarted(String segment, String destinationId, OptionalLong sizeHint) {
    record("segmentStarted", segment, destinationId, sizeHint);
  }

  @Override
  public void batchAcknowledged(
      String segment, int records, int exported, int rejected, long soFar) {
    record("batchAcknowledged", segment, records, exported, rejected, soFar);
  }

  @Override
  public void membersRemoved(String segment, int removed, int failed, long soFar) {
    record("membersRemoved", segment, removed, failed, soFar);
  }

  @Override
  public void throttled(Duration wait, String reason) {
    record("throttled", wait, reason);
  }

  @Override
  public void retrying(String call, int attempt, Duration delay, String reason) {
    record("retrying", call, attempt, delay, reason);
  }

  @Override
  public void segmentFinished(SegmentResult result) {
    record("segmentFinished", result);
  }

  @Override
  public void exportFinished(ExportResult result) {
    record("exportFinished", result);
  }
}
