package com.segmentexport.benchmarks;

import com.segmentexport.api.DestinationKey;
import com.segmentexport.spi.DestinationState;
import com.segmentexport.spi.MemberOutcome;
import com.segmentexport.spi.MemberState;
import com.segmentexport.state.JdbcSyncStateStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The sync-state store on an SQLite file, as an export uses it: fills one destination with MEMBERS
 * confirmed members in batches of 1,000 (as batch workers record them), records them all again with new
 * hashes (an export where every profile changed), then looks every member up in groups of 128 (as the
 * reader does before batching) and checks that each is unchanged. Single-threaded; run it pinned to one
 * core ({@code taskset -c 0}) and with {@code -Xmx64m} to show the store keeps nothing per member on the
 * heap.
 *
 * <pre>{@code
 * java -Xmx64m -cp connector-benchmarks/target/benchmarks.jar com.segmentexport.benchmarks.SyncStateBenchmark 1000000
 * }</pre>
 *
 * Prints one {@code RESULT} line: {@code inserted}/{@code updated} (members recorded per second into a
 * new, then into a full destination), {@code lookups} (members looked up per second, first pass and a
 * second pass), each also per second of the benchmark thread's CPU time (SQLite runs in the calling
 * thread: this is the rate on one otherwise idle core, and it does not count the wait for the disk), the
 * size of the file and its log, the most heap ever used (garbage included) and the heap still live
 * after a full collection at the end. Member keys are scrambled so
 * that their order in the file is unrelated to the order they are recorded and looked up in, as for real
 * addresses; generating them is part of the measured time.
 */
public final class SyncStateBenchmark {
  private static final DestinationKey DESTINATION =
      new DestinationKey("iterable", "benchmark-account", "list-1");
  private static final int RECORD_BATCH = 1_000;
  private static final int LOOKUP_GROUP = 128;
  private static final Instant AT = Instant.parse("2026-12-01T00:00:00Z");
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private SyncStateBenchmark() {}

  /**
   * Entry point.
   *
   * @param args the number of members (default 1,000,000), and optionally the directory for the file
   * @throws IOException if the temporary directory cannot be made
   */
  public static void main(String[] args) throws IOException {
    int members = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path dir =
        args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("sync-state-benchmark");
    Path file = dir.resolve("state-" + System.nanoTime() + ".db");
    try (JdbcSyncStateStore store = JdbcSyncStateStore.sqlite(file)) {
      DestinationState state = store.open(DESTINATION);

      Rate inserted = record(state, members, 0);
      Rate updated = record(state, members, 1);
      Rate lookups = lookUp(state, members, 1);
      Rate lookupsAgain = lookUp(state, members, 1);
      long bytes = Files.size(file) + sizeIfExists(dir.resolve(file.getFileName() + "-wal"));
      System.out.printf(
          Locale.ROOT,
          "RESULT mode=sqlite members=%d inserted=%.0f insertedPerCpu=%.0f updated=%.0f "
              + "updatedPerCpu=%.0f lookups=%.0f lookupsPerCpu=%.0f lookupsAgain=%.0f lookupsAgainPerCpu=%.0f "
              + "fileMiB=%.1f peakHeapMiB=%.1f liveHeapMiB=%.1f maxHeapMiB=%.0f%n",
          members,
          inserted.perSecond(),
          inserted.perCpuSecond(),
          updated.perSecond(),
          updated.perCpuSecond(),
          lookups.perSecond(),
          lookups.perCpuSecond(),
          lookupsAgain.perSecond(),
          lookupsAgain.perCpuSecond(),
          bytes / 1048576.0,
          peakHeapUsed() / 1048576.0,
          liveHeap() / 1048576.0,
          Runtime.getRuntime().maxMemory() / 1048576.0);
    } finally {
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        Files.deleteIfExists(dir.resolve(file.getFileName() + suffix));
      }
      if (args.length <= 1) {
        Files.deleteIfExists(dir);
      }
    }
    System.exit(0);
  }

  /** Records every member as confirmed with the hash of this round; returns members per second. */
  private static Rate record(DestinationState state, int members, int round) {
    long start = System.nanoTime();
    long cpuStart = THREADS.getCurrentThreadCpuTime();
    List<MemberOutcome> batch = new ArrayList<>(RECORD_BATCH);
    for (int i = 0; i < members; i++) {
      String email = email(i);
      batch.add(
          new MemberOutcome(
              "email:" + email,
              email,
              hash(i, round),
              MemberOutcome.Kind.CONFIRMED,
              Optional.empty(),
              Optional.empty(),
              AT));
      if (batch.size() == RECORD_BATCH || i == members - 1) {
        state.record(batch);
        batch.clear();
      }
    }
    Rate rate = Rate.since(members, start, cpuStart);
    System.err.printf(Locale.ROOT, "recorded %d members (round %d): %s%n", members, round, rate);
    return rate;
  }

  /** Looks every member up in groups and checks each is unchanged since round; returns lookups per second. */
  private static Rate lookUp(DestinationState state, int members, int round) {
    long start = System.nanoTime();
    long cpuStart = THREADS.getCurrentThreadCpuTime();
    List<String> group = new ArrayList<>(LOOKUP_GROUP);
    long unchanged = 0;
    for (int from = 0; from < members; from += LOOKUP_GROUP) {
      int to = Math.min(members, from + LOOKUP_GROUP);
      group.clear();
      for (int i = from; i < to; i++) {
        group.add("email:" + email(i));
      }
      Map<String, MemberState> found = state.lookup(group);
      for (int i = from; i < to; i++) {
        MemberState member = found.get(group.get(i - from));
        if (member != null && member.isUnchanged(hash(i, round))) {
          unchanged++;
        }
      }
    }
    Rate rate = Rate.since(members, start, cpuStart);
    if (unchanged != members) {
      throw new IllegalStateException(
          "only " + unchanged + " of " + members + " members were found unchanged");
    }
    System.err.printf(Locale.ROOT, "looked up %d members: %s%n", members, rate);
    return rate;
  }

  /** A phase's rate: members per second of wall time and per second of this thread's CPU time. */
  private record Rate(double perSecond, double perCpuSecond, double seconds, double cpuSeconds) {
    static Rate since(int members, long start, long cpuStart) {
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpuSeconds = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9;
      return new Rate(members / seconds, members / cpuSeconds, seconds, cpuSeconds);
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%.2f s (%.2f s CPU): %.0f/s, %.0f per CPU second",
          seconds,
          cpuSeconds,
          perSecond,
          perCpuSecond);
    }
  }

  private static String email(int i) {
    return Long.toHexString(hash(i, 7) >>> 16) + "." + i + "@example.com";
  }

  private static long hash(int i, int round) {
    long h = (i + 1L) * 0x9E3779B97F4A7C15L + round;
    h ^= h >>> 31;
    h *= 0xBF58476D1CE4E5B9L;
    return h ^ (h >>> 29);
  }

  private static long sizeIfExists(Path path) throws IOException {
    return Files.exists(path) ? Files.size(path) : 0;
  }

  /** The most heap used at any time (garbage included), summed over the heap's pools. */
  private static long peakHeapUsed() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  /** The heap still in use after a full collection, with the store open. */
  private static long liveHeap() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
