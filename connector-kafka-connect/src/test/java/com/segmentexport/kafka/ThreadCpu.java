package com.segmentexport.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The CPU time of this JVM's threads by what they run, for SinkBenchmark's {@code -DthreadCpu=true}:
 * Java and native threads alike (the collectors', the JIT compilers'), read from {@code
 * /proc/self/task} (Linux; in clock ticks of 10 ms, the kernel's usual {@code USER_HZ} of 100).
 * Threads are known by id, and grouped by their native name (the thread's name cut to 15
 * characters) as it was last seen: Connect's pool threads take their task's name while they run it.
 */
final class ThreadCpu {
  private static final long TICK_NANOS = 10_000_000L;

  /** Native name prefixes, first match wins, and the group each belongs to. */
  private static final Map<String, String> GROUPS = new LinkedHashMap<>();

  static {
    group("task", "task-thread");
    group("broker", "data-plane-kaf", "kafka-request");
    group(
        "broker-other",
        "group-coordinat",
        "kafka-0-",
        "quorum",
        "raft",
        "broker-0",
        "controller-0",
        "kafka-schedul",
        "executor-",
        "share-",
        "persister",
        "ExpirationRea",
        "kafka-log",
        "client-metrics",
        "transaction-");
    group("worker-other", "KafkaBasedLog", "DistributedHer", "StartAndStop", "metrics-meter");
    group("clients", "kafka-producer", "kafka-coordin", "kafka-admin");
    group("engine", "segment-export", "OkHttp", "Okio");
    group("simulator", "MockWebServer");
    group("gc-pause", "GC Thread");
    group("gc-concurrent", "G1 Conc", "G1 Main", "G1 Refine", "G1 Service");
    group("jit", "C2 Compiler", "C1 Compiler");
    // The benchmark's main thread (named "java", or after the main class under exec:java), polling
    // the offsets and metrics.
    group("benchmark", "java", "com.segmentexp");
  }

  /** The native name of each thread id seen. */
  private static final Map<String, String> NAMES = new ConcurrentHashMap<>();

  private ThreadCpu() {}

  private static void group(String group, String... prefixes) {
    for (String p : prefixes) {
      GROUPS.put(p, group);
    }
  }

  /** The CPU nanoseconds each thread of this JVM used so far, by thread id. */
  static Map<String, Long> snapshot() {
    Map<String, Long> out = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      tasks.forEach(
          t -> {
            try {
              String stat = Files.readString(t.resolve("stat"));
              int close = stat.lastIndexOf(')');
              String[] f = stat.substring(close + 2).split(" ");
              long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
              String id = t.getFileName().toString();
              out.put(id, ticks * TICK_NANOS);
              NAMES.put(id, stat.substring(stat.indexOf('(') + 1, close));
            } catch (IOException | RuntimeException e) {
              // the thread ended meanwhile
            }
          });
    } catch (IOException e) {
      // not Linux: nothing to report
    }
    return out;
  }

  /** The CPU nanoseconds used between two snapshots, by group. */
  static Map<String, Long> byGroup(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> out = new HashMap<>();
    after.forEach(
        (id, cpu) -> {
          long used = cpu - before.getOrDefault(id, 0L);
          if (used > 0) {
            out.merge(group(NAMES.getOrDefault(id, "?")), used, Long::sum);
          }
        });
    return out;
  }

  private static String group(String name) {
    for (Map.Entry<String, String> e : GROUPS.entrySet()) {
      if (name.startsWith(e.getKey())) {
        return e.getValue();
      }
    }
    return "other";
  }
}
