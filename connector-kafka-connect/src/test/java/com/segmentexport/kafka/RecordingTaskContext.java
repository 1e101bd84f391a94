package com.segmentexport.kafka;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * A {@link SinkTaskContext} for driving the task the way Connect drives it but without a worker: it
 * records what the task asked of the worker (a poll timeout, offset commits) and holds an assignment
 * the test changes.
 */
final class RecordingTaskContext implements SinkTaskContext {
  private final Map<String, String> configs;
  private final AtomicInteger commitsRequested = new AtomicInteger();

  /** The task's partitions; a test removes one before it calls the task's {@code close}. */
  final Set<TopicPartition> assignment;

  /** The last poll timeout the task asked for, or -1; a test may reset it. */
  volatile long timeout = -1;

  RecordingTaskContext(Map<String, String> configs, Collection<TopicPartition> assignment) {
    this.configs = configs;
    this.assignment = new HashSet<>(assignment);
  }

  RecordingTaskContext(Map<String, String> configs, TopicPartition... assignment) {
    this(configs, List.of(assignment));
  }

  /** {@return how many offset commits the task has requested so far} */
  int commitsRequested() {
    return commitsRequested.get();
  }

  @Override
  public Map<String, String> configs() {
    return configs;
  }

  @Override
  public void offset(Map<TopicPartition, Long> offsets) {}

  @Override
  public void offset(TopicPartition tp, long offset) {}

  @Override
  public void timeout(long timeoutMs) {
    timeout = timeoutMs;
  }

  @Override
  public Set<TopicPartition> assignment() {
    return assignment;
  }

  @Override
  public void pause(TopicPartition... partitions) {}

  @Override
  public void resume(TopicPartition... partitions) {}

  @Override
  public void requestCommit() {
    commitsRequested.incrementAndGet();
  }

  @Override
  public PluginMetrics pluginMetrics() {
    return null;
  }
}
