package com.segmentexport.benchmarks;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Secret;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.internal.EngineBenchmarkHooks;
import com.segmentexport.testkit.HeapSampler;
import com.segmentexport.testkit.ProfileGenerator;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Many exports in one JVM (issue 28): {@code N} exports started at once, each of its own generated
 * segment on its own connection, export definition and destination list, against the vendor's
 * simulator running in another JVM ({@link SimulatorServer}, limits off: no rate limit, dotdigital's
 * imports done at once). Meant for a JVM started with {@code -Xmx512m}.
 *
 * <pre>
 * java -Xmx512m -XX:+UseSerialGC -cp benchmarks.jar com.segmentexport.benchmarks.ManyExportsBenchmark CONNECTOR N
 * </pre>
 *
 * <ol>
 *   <li>Untimed warm-up (unless {@code -Dwarmup=false}): 10 exports of {@code profiles} at once, and
 *       one of 20,000.
 *   <li>One export of {@code N × profiles} profiles (cut to the connector's per-export limit:
 *       Autopilot's 100,000), its profiles per second the reference.
 *   <li>The {@code N} exports, every one {@linkplain SegmentExporter#start started} before any is
 *       awaited; the wall time from the first start to the last end. Before them a full collection,
 *       {@link ThreadMXBean#resetPeakThreadCount()} and a {@link HeapSampler}; after them the JVM's
 *       peak thread count and the most heap found live after a collection.
 *   <li>Checks: every export {@code SUCCEEDED} with {@code profiles} exported, and every list at the
 *       simulator holds exactly its export's profiles. Then the exporters are closed and the live
 *       threads counted again (threads still alive 10 s after the last export ended are printed on
 *       stderr, grouped by name).
 * </ol>
 *
 * <p>Prints one {@code RESULT} line of {@code key=value} pairs, and the issue's goals beside the
 * figures ({@code threadsGoal}: peak threads ≤ 64 + N, or ≤ 64 + {@value #NON_BLOCKING_CONSTANT} with
 * {@code -DnonBlocking=true}, sources that never block; {@code heapOk}: every export completed in this
 * heap; {@code ratioGoal}: aggregate ÷ one ≥ 0.8). Exit status 0 when every check passed, 1 when one
 * did not (the {@code RESULT} line is printed all the same), 2 for a usage error.
 *
 * <p>Properties: {@code -Dprofiles=1000} per export, {@code -DtimeoutSeconds=1800} for the N exports
 * (then they are cancelled and counted as not done), {@code -DsimulatorHeap=3g} (the simulator keeps
 * every contact to count the lists' members: up to a million), {@code -DsimulatorCpu=-1} (a CPU to
 * pin the simulator to with {@code taskset}; unpinned by default), {@code -DmaxRunningExports=M}
 * ({@link Connectors#withMaxRunningExports}: exports started beyond M wait for one to end; every
 * export runs at once by default), {@code -DcallProfile=true} (the calls of the one export and of the
 * N, counted and timed by kind, with the TCP connections opened, on stderr), {@code
 * -DsimulatorJavaOpts="..."} (more options for the simulator's JVM, split at spaces, such as a flight
 * recording's). The engine's pool is sized as the engine sizes it ({@code
 * -Dsegmentexport.engineThreads=T}).
 *
 * <p>Every export runs on one {@link Connectors} instance, as a host shares one.
 */
public final class ManyExportsBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final double RATIO_GOAL = 0.8;
  private static final int THREADS_GOAL_BASE = 64;

  /**
   * Issue 28's "small constant" over 64 for exports whose sources never block: the engine's set-up
   * threads (8 with the default pool) and a few of OkHttp's and the benchmark's own.
   */
  private static final int NON_BLOCKING_CONSTANT = 16;

  /** Whether every export's source says it never blocks ({@code -DnonBlocking=true}). */
  private static final boolean NON_BLOCKING = Boolean.getBoolean("nonBlocking");

  private ManyExportsBenchmark() {}

  /** Entry point: {@code ManyExportsBenchmark CONNECTOR N}. */
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println(
          "usage: ManyExportsBenchmark CONNECTOR EXPORTS   "
              + "(-Dprofiles=1000 -DtimeoutSeconds=1800 -Dwarmup=true -DsimulatorHeap=3g)");
      System.exit(2);
    }
    String connector = args[0];
    int exports = Integer.parseInt(args[1]);
    long profiles = Long.getLong("profiles", 1000);
    long timeoutSeconds = Long.getLong("timeoutSeconds", 1800);
    String simulatorHeap = System.getProperty("simulatorHeap", "3g");
    List<String> simulatorOptions = new ArrayList<>(List.of("-Xmx" + simulatorHeap));
    String extra = System.getProperty("simulatorJavaOpts", "").trim();
    if (!extra.isEmpty()) {
      simulatorOptions.addAll(List.of(extra.split("\\s+")));
    }
    boolean ok;
    try (RemoteSimulator simulator =
        RemoteSimulator.launch(
            connector, Integer.getInteger("simulatorCpu", -1), simulatorOptions)) {
      simulator.command("retain-contacts");
      ok = run(simulator, connector, exports, profiles, timeoutSeconds);
    }
    System.exit(ok ? 0 : 1);
  }

  private static boolean run(
      RemoteSimulator simulator, String connector, int exports, long profiles, long timeoutSeconds)
      throws Exception {
    SimulatorEndpoint endpoint = simulator.endpoint();
    Connectors connectors = Connectors.load(); // one per JVM, shared by every export
    CallProfile profile = null;
    if (Boolean.getBoolean("callProfile")) {
      profile = new CallProfile();
      // The SDK's own client (its pool, timeouts and sockets), with the listener that counts.
      connectors =
          connectors.withHttpClient(
              EngineBenchmarkHooks.sdkHttpClient()
                  .newBuilder()
                  .eventListenerFactory(profile)
                  .build());
    }
    Integer maxRunning = Integer.getInteger("maxRunningExports");
    if (maxRunning != null) {
      connectors = connectors.withMaxRunningExports(maxRunning);
    }
    long limit =
        connectors.provider(connector).limits().maxProfilesPerExport().orElse(Long.MAX_VALUE);
    if (!"false".equals(System.getProperty("warmup"))) {
      Phase w1 =
          Phase.run(connectors, simulator, endpoint, names("warmup", 10), profiles, 500, 600);
      Phase w2 =
          Phase.run(
              connectors,
              simulator,
              endpoint,
              List.of("warmup-one"),
              Math.min(20_000, limit),
              600,
              600);
      System.err.printf(
          Locale.ROOT, "warm-up: %s / %s%n", w1.problems().isEmpty(), w2.problems().isEmpty());
    }

    long oneProfiles = Math.min(exports * profiles, limit);
    resetProfile(profile);
    Phase one =
        Phase.run(
            connectors, simulator, endpoint, List.of("one"), oneProfiles, 700, timeoutSeconds);
    printProfile(profile, "one export");
    Phase many =
        Phase.run(
            connectors,
            simulator,
            endpoint,
            names("many", exports),
            profiles,
            1000,
            timeoutSeconds);
    printProfile(profile, exports + " exports");

    double onePerSecond = one.exported / one.seconds;
    double perSecond = many.exported / many.seconds;
    double ratio = perSecond / onePerSecond;
    int threadsGoal = THREADS_GOAL_BASE + (NON_BLOCKING ? NON_BLOCKING_CONSTANT : exports);
    boolean checked = one.problems().isEmpty() && many.problems().isEmpty();
    for (String p : one.problems()) {
      System.err.println("one export: " + p);
    }
    for (String p : many.problems()) {
      System.err.println(exports + " exports: " + p);
    }
    System.out.printf(
        Locale.ROOT,
        "RESULT mode=many connector=%s sources=%s exports=%d profilesEach=%d succeeded=%d failed=%d notDone=%d "
            + "exportedOk=%d listsOk=%d checked=%s seconds=%.2f perSecond=%.0f oneProfiles=%d "
            + "oneSeconds=%.2f onePerSecond=%.0f ratio=%.3f ratioGoal=%s peakThreads=%d "
            + "threadsGoal=%d threadsOk=%s threadsBefore=%d threadsAfter=%d onePeakThreads=%d "
            + "peakLiveMiB=%.1f onePeakLiveMiB=%.1f peakHeapMiB=%.1f maxHeapMiB=%.0f heapOk=%s "
            + "httpCalls=%d startSeconds=%.2f exportSeconds=%s cpuSeconds=%.1f gcSeconds=%.1f "
            + "oneCpuSeconds=%.1f oneGcSeconds=%.1f peakThreadsBy=%s simulatorCpuSeconds=%.1f "
            + "simulatorGcSeconds=%.1f simulatorPeakThreads=%s oneSimulatorCpuSeconds=%.1f "
            + "oneSimulatorGcSeconds=%.1f maxRunningExports=%s engineThreads=%s firstProblem=%s%n",
        connector,
        NON_BLOCKING ? "nonBlocking" : "blocking",
        exports,
        profiles,
        many.succeeded,
        many.failed,
        many.notDone,
        many.exportedOk,
        many.listsOk,
        checked,
        many.seconds,
        perSecond,
        oneProfiles,
        one.seconds,
        onePerSecond,
        ratio,
        ratio >= RATIO_GOAL,
        many.peakThreads,
        threadsGoal,
        many.peakThreads <= threadsGoal,
        many.threadsBefore,
        many.threadsAfter,
        one.peakThreads,
        many.peakLiveBytes / 1048576.0,
        one.peakLiveBytes / 1048576.0,
        HeapSampler.peakHeapBytes() / 1048576.0,
        Runtime.getRuntime().maxMemory() / 1048576.0,
        many.succeeded == exports,
        many.httpCalls,
        many.startSeconds,
        medianAndMax(many.exportSeconds),
        many.cpuSeconds,
        many.gcSeconds,
        one.cpuSeconds,
        one.gcSeconds,
        many.peakCensus,
        many.simulatorCpuSeconds,
        many.simulatorGcSeconds,
        many.simulatorPeakThreads,
        one.simulatorCpuSeconds,
        one.simulatorGcSeconds,
        maxRunning == null ? "-" : maxRunning,
        System.getProperty("segmentexport.engineThreads", "-"),
        many.problems().isEmpty() ? "-" : token(many.problems().get(0)));
    return checked;
  }

  private static void resetProfile(CallProfile profile) {
    if (profile != null) {
      profile.reset();
    }
  }

  /** With {@code -DcallProfile=true}: the phase's calls by kind on stderr, then a fresh count. */
  private static void printProfile(CallProfile profile, String phase) {
    if (profile != null) {
      System.err.print("calls of " + phase + ":\n" + profile.summary());
      profile.reset();
    }
  }

  /** {@code prefix-0001} to {@code prefix-N}: segment names, and the lists named after them. */
  private static List<String> names(String prefix, int n) {
    List<String> names = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      names.add(String.format(Locale.ROOT, "%s-%04d", prefix, i));
    }
    return names;
  }

  /** A problem's text as one {@code RESULT} value: no spaces, at most 100 characters. */
  private static String token(String text) {
    String t = text.replaceAll("\\s+", "_");
    return t.length() > 100 ? t.substring(0, 100) : t;
  }

  /** One group of exports started together, and what came of them. */
  private static final class Phase {
    long exported;
    double seconds;
    int succeeded;
    int failed;
    int notDone;
    int exportedOk;
    int listsOk;
    int peakThreads;
    int threadsBefore;
    int threadsAfter;
    long peakLiveBytes;
    long httpCalls;
    double startSeconds;
    double cpuSeconds;
    double gcSeconds;
    String peakCensus = "";
    double simulatorCpuSeconds;
    double simulatorGcSeconds;
    String simulatorPeakThreads = "";
    final List<Double> exportSeconds = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    List<String> problems() {
      return problems;
    }

    /**
     * Starts one export per name ({@code profiles} generated profiles each, seeds from {@code seed}),
     * all before any is awaited, waits for them all and checks them.
     */
    static Phase run(
        Connectors connectors,
        RemoteSimulator simulator,
        SimulatorEndpoint endpoint,
        List<String> names,
        long profiles,
        long seed,
        long timeoutSeconds)
        throws Exception {
      Phase phase = new Phase();
      Map<String, String> ids = destinations(simulator, names);
      String option = ids.remove("option");
      List<ExportDefinition> definitions = new ArrayList<>(names.size());
      for (String name : names) {
        Connection c = connection(endpoint);
        ExportDefinition.Builder d =
            ExportDefinition.builder(c)
                .name(name)
                .segments(name)
                .mapping(
                    FieldMapping.builder()
                        .email(ProfileGenerator.EMAIL)
                        .firstName(ProfileGenerator.FIRST_NAME)
                        .lastName(ProfileGenerator.LAST_NAME)
                        .custom("tier", ProfileGenerator.TIER)
                        .custom("orders", ProfileGenerator.ORDERS, FieldType.INTEGER)
                        .build());
        if (!option.isEmpty()) {
          d.option(option, ids.get(name));
        }
        definitions.add(d.build());
      }

      System.gc();
      Map<String, String> simulatorBefore = pairs(simulator.command("stats"));
      List<SegmentExporter> exporters = new ArrayList<>(names.size());
      List<ExportHandle> handles = new ArrayList<>(names.size());
      List<CompletableFuture<ExportResult>> completions = new ArrayList<>(names.size());
      int startFailures = 0;
      long t0;
      try (HeapSampler heap = HeapSampler.start();
          ThreadCensus census = ThreadCensus.start()) {
        phase.threadsBefore = THREADS.getThreadCount();
        THREADS.resetPeakThreadCount();
        long cpu0 = processCpuNanos();
        long gc0 = gcMillis();
        t0 = System.nanoTime();
        for (int i = 0; i < names.size(); i++) {
          ProfileGenerator generator = ProfileGenerator.builder().seed(seed + i).build();
          SegmentSource source = name -> generator.segment(name, profiles);
          try {
            SegmentExporter exporter = connectors.exporter(definitions.get(i).connection());
            exporters.add(exporter);
            ExportHandle handle =
                exporter.start(
                    definitions.get(i),
                    NON_BLOCKING ? SegmentSource.nonBlocking(source) : source,
                    ExportOptions.DEFAULT);
            handles.add(handle);
            completions.add(handle.completion());
          } catch (RuntimeException | Error e) {
            handles.add(null);
            if (startFailures++ == 0) {
              phase.problems.add(names.get(i) + " did not start: " + e);
            }
          }
        }
        phase.startSeconds = (System.nanoTime() - t0) / 1e9;
        try {
          CompletableFuture.allOf(completions.toArray(CompletableFuture[]::new))
              .exceptionally(e -> null)
              .get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          phase.problems.add("not all done after " + timeoutSeconds + " s: cancelled");
        }
        phase.seconds = (System.nanoTime() - t0) / 1e9;
        phase.peakThreads = THREADS.getPeakThreadCount();
        phase.peakLiveBytes = heap.peakLiveBytes();
        phase.cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
        phase.gcSeconds = (gcMillis() - gc0) / 1e3;
        phase.peakCensus = census.atPeak();
      }
      Map<String, String> simulatorAfter = pairs(simulator.command("stats"));
      phase.simulatorCpuSeconds =
          Double.parseDouble(simulatorAfter.get("cpuSeconds"))
              - Double.parseDouble(simulatorBefore.get("cpuSeconds"));
      phase.simulatorGcSeconds =
          Double.parseDouble(simulatorAfter.get("gcSeconds"))
              - Double.parseDouble(simulatorBefore.get("gcSeconds"));
      phase.simulatorPeakThreads = simulatorAfter.get("peakThreads");
      if (startFailures > 1) {
        phase.problems.add(startFailures + " exports did not start");
      }

      Map<String, Long> members = members(simulator, names);
      Map<String, Integer> failures = new TreeMap<>();
      String firstShortExport = null;
      String firstShortList = null;
      for (int i = 0; i < names.size(); i++) {
        ExportHandle h = handles.get(i);
        String name = names.get(i);
        if (h == null) {
          phase.failed++;
          continue;
        }
        if (!h.isDone()) {
          h.cancel();
          phase.notDone++;
          continue;
        }
        ExportResult r;
        try {
          r = h.await();
        } catch (ExportException e) {
          phase.failed++;
          failures.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1, Integer::sum);
          continue;
        }
        phase.httpCalls += r.httpCalls();
        phase.exportSeconds.add(r.duration().toNanos() / 1e9);
        phase.exported += r.exported();
        if (r.status() == ExportStatus.SUCCEEDED) {
          phase.succeeded++;
        } else {
          phase.failed++;
          failures.merge(r.status() + ": " + r.failure().orElse(""), 1, Integer::sum);
        }
        SegmentResult s = r.segments().isEmpty() ? null : r.segments().get(0);
        if (r.exported() == profiles && s != null && s.exported() == profiles) {
          phase.exportedOk++;
        } else if (firstShortExport == null) {
          firstShortExport = name + " exported " + r.exported() + ", not " + profiles;
        }
        Long count = members.get(name);
        if (count != null && count == profiles) {
          phase.listsOk++;
        } else if (firstShortList == null) {
          firstShortList = name + "'s list holds " + count + " members, not " + profiles;
        }
      }
      if (firstShortExport != null) {
        phase.problems.add(
            (names.size() - phase.exportedOk) + " did not export all, first: " + firstShortExport);
      }
      if (firstShortList != null) {
        phase.problems.add(
            (names.size() - phase.listsOk) + " lists short, first: " + firstShortList);
      }
      failures.forEach((why, n) -> phase.problems.add(n + " failed: " + why));
      if (phase.notDone > 0) {
        phase.problems.add(phase.notDone + " not done");
      }
      for (SegmentExporter e : exporters) {
        e.close();
      }
      phase.threadsAfter = threadsAfterSettling(phase.threadsBefore);
      return phase;
    }
  }

  /** The median and the largest of the exports' own durations, as {@code median/max} seconds. */
  private static String medianAndMax(List<Double> seconds) {
    if (seconds.isEmpty()) {
      return "-";
    }
    List<Double> sorted = new ArrayList<>(seconds);
    sorted.sort(null);
    return String.format(
        Locale.ROOT, "%.2f/%.2f", sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
  }

  /** CPU time this JVM has used, all of its threads. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Time spent in collections since the JVM started, all collectors. */
  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  /**
   * Counts this JVM's live threads by name (digits left out) every 50 ms on a daemon thread, keeping
   * the count taken when the most threads were alive: which threads make up the peak.
   */
  private static final class ThreadCensus implements AutoCloseable {
    private final Thread thread = new Thread(this::sample, "thread-census");
    private int peak;
    private Map<String, Integer> atPeak = Map.of();

    static ThreadCensus start() {
      ThreadCensus c = new ThreadCensus();
      c.thread.setDaemon(true);
      c.thread.start();
      return c;
    }

    /** The four commonest names at the peak, {@code name:count} separated by commas. */
    synchronized String atPeak() {
      StringBuilder b = new StringBuilder();
      atPeak.entrySet().stream()
          .sorted((x, y) -> y.getValue() - x.getValue())
          .limit(4)
          .forEach(
              e ->
                  b.append(b.length() == 0 ? "" : ",")
                      .append(e.getKey().replace(' ', '_'))
                      .append(':')
                      .append(e.getValue()));
      return b.toString();
    }

    @Override
    public void close() {
      thread.interrupt();
    }

    private void sample() {
      ThreadGroup root = Thread.currentThread().getThreadGroup();
      while (root.getParent() != null) {
        root = root.getParent();
      }
      while (!Thread.currentThread().isInterrupted()) {
        Thread[] all = new Thread[root.activeCount() + 64];
        int n = root.enumerate(all, true);
        synchronized (this) {
          if (n > peak) {
            peak = n;
            Map<String, Integer> byName = new HashMap<>();
            for (int i = 0; i < n; i++) {
              byName.merge(all[i].getName().replaceAll("[0-9]+", "#"), 1, Integer::sum);
            }
            atPeak = byName;
          }
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /**
   * The live threads once they are back to {@code before} or 10 s have passed; threads left over
   * then are printed on stderr, counted by name (digits left out).
   */
  private static int threadsAfterSettling(int before) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int now = THREADS.getThreadCount();
    while (now > before && System.nanoTime() < until) {
      Thread.sleep(100);
      now = THREADS.getThreadCount();
    }
    if (now > before) {
      Map<String, Integer> byName = new TreeMap<>();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        byName.merge(t.getName().replaceAll("[0-9]+", "#"), 1, Integer::sum);
      }
      System.err.println(
          "threads alive 10 s after the exports ended: " + now + " (before: " + before + ")");
      byName.forEach((name, n) -> System.err.println("  " + n + " x " + name));
    }
    return now;
  }

  private static Connection connection(SimulatorEndpoint endpoint) {
    Connection.Builder b = Connection.builder(endpoint.connectorId());
    endpoint.settings().forEach(b::setting);
    endpoint.secrets().forEach((k, v) -> b.secret(k, Secret.of(v)));
    return b.setting(StandardSettings.REQUESTS_PER_SECOND, "1000000")
        .privacyConsent(PrivacyConsent.acknowledgedBy("benchmark", Instant.now()))
        .build();
  }

  /**
   * Creates the destinations named so at the simulator where the connector takes one by id; the map
   * holds the option's name under {@code option} (empty when none is needed) and each name's id.
   */
  private static Map<String, String> destinations(RemoteSimulator simulator, List<String> names)
      throws Exception {
    Map<String, String> out = pairs(simulator.command(command("destinations", names)));
    out.putIfAbsent("option", "");
    return out;
  }

  /** The member count of each destination named so, as the simulator holds it (-1: no such list). */
  private static Map<String, Long> members(RemoteSimulator simulator, List<String> names)
      throws Exception {
    Map<String, Long> out = new HashMap<>();
    // A line per 200 names keeps each command's answer short.
    for (int from = 0; from < names.size(); from += 200) {
      List<String> part = names.subList(from, Math.min(names.size(), from + 200));
      pairs(simulator.command(command("members", part)))
          .forEach((k, v) -> out.put(k, Long.parseLong(v)));
    }
    return out;
  }

  private static String command(String verb, List<String> names) {
    StringBuilder b = new StringBuilder(verb);
    names.forEach(n -> b.append(' ').append(SimulatorServer.encode(n)));
    return b.toString();
  }

  private static Map<String, String> pairs(String reply) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : reply.trim().split(" +")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(
            SimulatorServer.decode(pair.substring(0, eq)),
            SimulatorServer.decode(pair.substring(eq + 1)));
      }
    }
    return out;
  }
}
