package com.segmentexport.benchmarks;

import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Secret;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.internal.EngineBenchmarkHooks;
import com.segmentexport.spi.ConnectorContext;
import com.segmentexport.testkit.HeapSampler;
import com.segmentexport.testkit.ProfileGenerator;
import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import com.segmentexport.testkit.VendorSimulator;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;

/**
 * End-to-end benchmarks against the vendor simulators over loopback HTTP, in process (or, for
 * {@code overhead-isolated}, in a child JVM).
 *
 * <ul>
 *   <li>{@code ceiling CONNECTOR PROFILES}: the simulator enforces the vendor's rate limit (scaled up
 *       where the real one would make a run take too long, see {@link VendorProfile}); prints achieved
 *       throughput ÷ the theoretical ceiling. {@code -DlatencyMillis=N} delays each write's answer by N
 *       ms (none by default: no vendor documents its latency), and {@code -Dsettings=k=v,k=v} adds
 *       connection settings (such as {@code maxConcurrentUpserts=1}).
 *   <li>{@code overhead CONNECTOR PROFILES}: no limits; the SDK's export time against a raw OkHttp loop
 *       sending the very requests the SDK sent (captured, pre-serialised), as many at once as the SDK
 *       had in flight at most. The two alternate for {@code -Drounds=N} rounds (3 by default; more, up to 25, where
 *       {@code -DminSeconds=S} asks for about S seconds of SDK time in all), each
 *       after a full collection; the median of the rounds' ratios is reported, with the median times and
 *       the JVM's CPU time. One more, untimed, run of each records OkHttp's events ({@link RequestTimeline}):
 *       {@code sdkAnswerMicros}/{@code rawAnswerMicros}, the mean wait from a request written to its
 *       answer read, and {@code sdkIdleShare}/{@code rawIdleShare}, the share of the run with no request in
 *       flight.
 *   <li>{@code overhead-isolated CONNECTOR PROFILES}: the same, against the simulator in a child JVM
 *       ({@link SimulatorServer}) pinned to CPU 1 with {@code taskset}; run this JVM pinned to CPU 0
 *       ({@code taskset -c 0 java ...}) so that the SDK and the simulator do not share cores, as they do
 *       not in production. Its line adds {@code pinned} (false if {@code taskset} was missing) and
 *       {@code driverCpus} (the CPUs this JVM may use).
 *   <li>{@code memory CONNECTOR PROFILES}: one export, printing its time and the most heap still live
 *       after a collection (run it with a small {@code -Xmx}).
 *   <li>{@code slowpath autopilot|iterable PROFILES}: one export at the vendor's (scaled) rate where 1% of
 *       the profiles take the connector's slow path: for Autopilot, contacts the account has but the
 *       list does not (the upsert does not add them, so the membership count falls short); for
 *       Iterable, a value whose type clashes with the project's type for its field. Prints the HTTP
 *       calls per profile and the seconds.
 * </ul>
 * Each prints one {@code RESULT} line of {@code key=value} pairs.
 */
public final class EndToEndBenchmark {
  private EndToEndBenchmark() {}

  /**
   * The vendor's limits as the ceiling benchmark applies them.
   *
   * @param requestsPerSecond the simulator's (and the connection's) rate limit
   * @param scale how much faster than the vendor's documented figure, so a run fits in minutes
   * @param importSeconds for asynchronous vendors, the simulated processing time of one import
   */
  record VendorProfile(double requestsPerSecond, double scale, double importSeconds) {
    static VendorProfile of(String connector) {
      switch (connector) {
        case "autopilot":
          return new VendorProfile(50, 10, 0); // documented 5 requests/s, scaled ×10
        case "dotdigital":
          return new VendorProfile(0, 1, 0.25); // asynchronous imports, 0.25 s each
        default:
          return new VendorProfile(50, 1, 0); // a configured limit of 50 requests/s
      }
    }
  }

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println(
          "usage: EndToEndBenchmark ceiling|overhead|overhead-isolated|memory|slowpath CONNECTOR "
              + "PROFILES");
      System.exit(2);
    }
    String mode = args[0];
    String connector = args[1];
    long profiles = Long.parseLong(args[2]);
    switch (mode) {
      case "ceiling":
        ceiling(connector, profiles);
        break;
      case "overhead":
        overhead(connector, profiles);
        break;
      case "overhead-isolated":
        overheadIsolated(connector, profiles);
        break;
      case "memory":
        memory(connector, profiles);
        break;
      case "slowpath":
        slowPath(connector, profiles);
        break;
      default:
        System.err.println("unknown mode " + mode);
        System.exit(2);
    }
    System.exit(0);
  }

  private static Connection connection(SimulatorEndpoint endpoint, double rate) {
    return connection(endpoint, rate, "");
  }

  /** A connection to the endpoint at this rate, with {@code extra} settings ({@code k=v,k=v}) on top. */
  private static Connection connection(SimulatorEndpoint endpoint, double rate, String extra) {
    Connection.Builder b = Connection.builder(endpoint.connectorId());
    endpoint.settings().forEach(b::setting);
    for (String pair : extra.split(",")) {
      if (!pair.isBlank()) {
        String[] kv = pair.split("=", 2);
        b.setting(kv[0].trim(), kv.length > 1 ? kv[1].trim() : "");
      }
    }
    endpoint.secrets().forEach((k, v) -> b.secret(k, Secret.of(v)));
    return b.setting(StandardSettings.REQUESTS_PER_SECOND, Double.toString(rate))
        .privacyConsent(PrivacyConsent.acknowledgedBy("benchmark", Instant.now()))
        .build();
  }

  private static ExportDefinition definition(SimulatorEndpoint endpoint, Connection c) {
    ExportDefinition.Builder d =
        ExportDefinition.builder(c)
            .segments("Benchmark")
            .mapping(
                FieldMapping.builder()
                    .email(ProfileGenerator.EMAIL)
                    .firstName(ProfileGenerator.FIRST_NAME)
                    .lastName(ProfileGenerator.LAST_NAME)
                    .custom("tier", ProfileGenerator.TIER)
                    .custom("orders", ProfileGenerator.ORDERS, FieldType.INTEGER)
                    .build());
    endpoint.exportOptions().forEach(d::option);
    return d.build();
  }

  /**
   * One export of a generated segment. With {@code -Dstate=true}, through a new SQLite sync state (every
   * profile new to it, so every one is sent and recorded): what the state costs a full export.
   */
  private static ExportResult export(
      Connectors connectors, Connection c, ExportDefinition d, long profiles) {
    ProfileGenerator generator = ProfileGenerator.builder().seed(5).build();
    if (!Boolean.getBoolean("state")) {
      try (var exporter = connectors.exporter(c)) {
        return exporter.export(
            d, name -> generator.segmentOfUnknownSize(name, profiles), ExportOptions.DEFAULT);
      }
    }
    try {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("benchmark-state");
      try (var exporter = connectors.exporter(c);
          var state = com.segmentexport.state.JdbcSyncStateStore.sqlite(dir.resolve("state.db"))) {
        return exporter.export(
            d,
            name -> generator.segmentOfUnknownSize(name, profiles),
            ExportOptions.DEFAULT.withSyncState(state));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void configure(String connector, VendorSimulator sim, VendorProfile p) {
    if (p.requestsPerSecond() > 0) {
      sim.rateLimit(p.requestsPerSecond(), Math.max(1, Math.ceil(p.requestsPerSecond() * 0.2)));
    }
    if (p.importSeconds() > 0
        && sim instanceof com.segmentexport.testkit.dotdigital.DotdigitalSimulator) {
      ((com.segmentexport.testkit.dotdigital.DotdigitalSimulator) sim)
          .importProcessingTime(java.time.Duration.ofMillis((long) (p.importSeconds() * 1000)));
    }
  }

  static void ceiling(String connector, long profiles) {
    VendorProfile p = VendorProfile.of(connector);
    long latencyMillis = Long.getLong("latencyMillis", 0);
    try (Sandbox sandbox = Sandboxes.start(connector)) {
      VendorSimulator sim = sandbox.simulator().retainContacts(false);
      configure(connector, sim, p);
      sim.latency(java.time.Duration.ofMillis(latencyMillis));
      SimulatorEndpoint endpoint = SimulatorEndpoint.of(sandbox);
      Connection c =
          connection(
              endpoint,
              p.requestsPerSecond() > 0 ? p.requestsPerSecond() : 100_000,
              System.getProperty("settings", ""));
      Connectors connectors = Connectors.load();
      ConnectorLimits limits = Providers.find(connector).create(new ConnectorContext(c)).limits();
      ExportResult r = export(connectors, c, definition(endpoint, c), profiles);
      double seconds = r.duration().toNanos() / 1e9;
      double achieved = r.exported() / seconds;
      double ceiling =
          p.importSeconds() > 0
              ? limits.maxConcurrentBatches() * limits.maxBatchRecords() / p.importSeconds()
              : p.requestsPerSecond() * limits.maxBatchRecords();
      System.out.printf(
          Locale.ROOT,
          "RESULT mode=ceiling connector=%s exported=%d seconds=%.2f achieved=%.0f "
              + "ceiling=%.0f ratio=%.3f httpCalls=%d throttled429=%d scale=%s latencyMillis=%d state=%s%n",
          connector,
          r.exported(),
          seconds,
          achieved,
          ceiling,
          achieved / ceiling,
          r.httpCalls(),
          sim.throttledCount(),
          p.scale(),
          latencyMillis,
          Boolean.getBoolean("state"));
    }
  }

  static void overhead(String connector, long profiles) throws Exception {
    try (Sandbox sandbox = SimulatorServer.startUnlimited(connector)) {
      overhead("overhead", SimulatorEndpoint.of(sandbox), profiles, "");
    }
  }

  static void overheadIsolated(String connector, long profiles) throws Exception {
    try (RemoteSimulator simulator = RemoteSimulator.launch(connector, 1)) {
      overhead(
          "overhead-isolated",
          simulator.endpoint(),
          profiles,
          " pinned="
              + simulator.pinned()
              + " driverCpus="
              + Runtime.getRuntime().availableProcessors());
    }
  }

  /**
   * The overhead measurement against a running, unlimited simulator; prints its {@code RESULT} line,
   * with {@link RequestTimeline}'s pairs for one more (untimed) run of each, and {@code extra} (a
   * leading space and more pairs, or nothing) at its end.
   */
  private static void overhead(String mode, SimulatorEndpoint endpoint, long profiles, String extra)
      throws Exception {
    String connector = endpoint.connectorId();
    Connection c = connection(endpoint, 1_000_000);
    // The profiles are generated up front: reading the host's source is the host's cost, not the
    // SDK's,
    // and the raw loop below has no such cost either. A segment of known size beyond the
    // connector's
    // per-export limit would be refused, so it is cut to the limit (Autopilot: 100,000).
    long limit =
        Connectors.load()
            .provider(connector)
            .limits()
            .maxProfilesPerExport()
            .orElse(Long.MAX_VALUE);
    ProfileGenerator generator = ProfileGenerator.builder().seed(5).build();
    List<com.segmentexport.api.Profile> segment = new ArrayList<>();
    generator.profiles(Math.min(profiles, limit)).forEachRemaining(segment::add);
    ExportDefinition d = definition(endpoint, c);

    // 1. An untimed run through a capturing client records the very requests the SDK sends, and how
    // many it had in flight at most (fewer than its batches in flight where a connector sends one
    // request at a time, as Autopilot does to one list).
    List<Request> captured = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    OkHttpClient capturing =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain -> {
                  Request req = chain.request();
                  captured.add(copy(req));
                  maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                  try {
                    return chain.proceed(req);
                  } finally {
                    inFlight.decrementAndGet();
                  }
                })
            .build();
    exportList(Connectors.load().withHttpClient(capturing), c, d, segment);
    List<Request> requests = new ArrayList<>(captured);

    // 2. Warm-up: one SDK export of up to 50,000 profiles with a plain client, and 60 raw requests.
    Connectors connectors = Connectors.load();
    int concurrency = maxInFlight.get();
    exportList(connectors, c, d, segment.subList(0, Math.min(segment.size(), 50_000)));
    OkHttpClient raw =
        new OkHttpClient.Builder()
            .retryOnConnectionFailure(false)
            .socketFactory(EngineBenchmarkHooks.noDelaySocketFactory())
            .build();
    replay(raw, requests.subList(0, Math.min(requests.size(), 60)), concurrency);

    // 3. Timed rounds, each an SDK export of the whole segment, then the raw loop: the captured
    // requests,
    // pre-serialised, as many at once as the SDK had in flight. Each round's two runs are next to
    // each
    // other in time, so their ratio is little moved by the machine's drifts; the median round is
    // reported.
    // At least -Drounds rounds, and more (up to 25) while less than -DminSeconds (default 0) of SDK
    // time
    // has been measured: Autopilot's 100,000-profile export takes well under a second.
    int minRounds = Integer.getInteger("rounds", 3);
    double minSeconds = Integer.getInteger("minSeconds", 0);
    double[] sdkSeconds = new double[25];
    double[] rawSeconds = new double[25];
    double[] sdkCpu = new double[25];
    double[] rawCpu = new double[25];
    double[] ratios = new double[25];
    double measured = 0;
    int rounds = 0;
    long exported = -1;
    StringBuilder perRound = new StringBuilder();
    for (int i = 0; i < 25 && (i < minRounds || measured < minSeconds); i++, rounds++) {
      settleHeap();
      long cpu0 = processCpuNanos();
      ExportResult r = exportList(connectors, c, d, segment);
      sdkCpu[i] = (processCpuNanos() - cpu0) / 1e9;
      sdkSeconds[i] = r.duration().toNanos() / 1e9;
      measured += sdkSeconds[i];
      if (exported >= 0 && r.exported() != exported) {
        throw new IllegalStateException(
            "round " + (i + 1) + " exported " + r.exported() + ", not " + exported);
      }
      exported = r.exported();

      settleHeap();
      cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      replay(raw, requests, concurrency);
      rawSeconds[i] = (System.nanoTime() - t0) / 1e9;
      rawCpu[i] = (processCpuNanos() - cpu0) / 1e9;
      ratios[i] = rawSeconds[i] / sdkSeconds[i];
      perRound.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", ratios[i]));
    }
    sdkSeconds = java.util.Arrays.copyOf(sdkSeconds, rounds);
    rawSeconds = java.util.Arrays.copyOf(rawSeconds, rounds);
    sdkCpu = java.util.Arrays.copyOf(sdkCpu, rounds);
    rawCpu = java.util.Arrays.copyOf(rawCpu, rounds);
    ratios = java.util.Arrays.copyOf(ratios, rounds);
    double sdk = median(sdkSeconds);
    double rawMedian = median(rawSeconds);

    // 4. Untimed, one more pair of runs with OkHttp's events recorded: where the time went between
    // the
    // requests (a listener on every call is a cost of its own, so these runs are not in the ratio).
    RequestTimeline sdkTimeline = new RequestTimeline();
    settleHeap();
    exportList(
        Connectors.load()
            .withHttpClient(
                new OkHttpClient.Builder()
                    .socketFactory(EngineBenchmarkHooks.noDelaySocketFactory())
                    .eventListenerFactory(sdkTimeline)
                    .build()),
        c,
        d,
        segment);
    RequestTimeline rawTimeline = new RequestTimeline();
    settleHeap();
    replay(raw.newBuilder().eventListenerFactory(rawTimeline).build(), requests, concurrency);
    String timeline = sdkTimeline.summary("sdk") + rawTimeline.summary("raw");
    System.out.printf(
        Locale.ROOT,
        "RESULT mode=%s connector=%s exported=%d requests=%d concurrency=%d rounds=%d "
            + "sdkSeconds=%.3f rawSeconds=%.3f sdkPerSecond=%.0f rawPerSecond=%.0f ratio=%.3f roundRatios=%s "
            + "sdkCpuSeconds=%.3f rawCpuSeconds=%.3f%s%s%n",
        mode,
        connector,
        exported,
        requests.size(),
        concurrency,
        rounds,
        sdk,
        rawMedian,
        exported / sdk,
        exported / rawMedian,
        median(ratios),
        perRound,
        median(sdkCpu),
        median(rawCpu),
        timeline,
        extra);
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** CPU time this JVM has used, all of its threads (the simulator's too, where it runs in this JVM). */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * A full collection before a timed run. The generated profiles and the captured requests (hundreds of
   * megabytes, alive for the whole benchmark) would otherwise still be in the young generation, and the
   * collection that copies them into the old one (over a second with the serial collector, which a JVM
   * pinned to one CPU uses) would land inside whichever timed run fills the young generation.
   */
  private static void settleHeap() {
    System.gc();
  }

  private static ExportResult exportList(
      Connectors connectors,
      Connection c,
      ExportDefinition d,
      List<com.segmentexport.api.Profile> profiles) {
    try (var exporter = connectors.exporter(c)) {
      return exporter.export(
          d, name -> com.segmentexport.api.Segment.of(name, profiles), ExportOptions.DEFAULT);
    }
  }

  private static Request copy(Request req) throws IOException {
    if (req.body() == null) {
      return req;
    }
    Buffer b = new Buffer();
    req.body().writeTo(b);
    return req.newBuilder()
        .method(req.method(), RequestBody.create(b.readByteString(), req.body().contentType()))
        .build();
  }

  private static void replay(OkHttpClient client, List<Request> requests, int concurrency)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      workers.add(
          pool.submit(
              () -> {
                int i;
                while ((i = next.getAndIncrement()) < requests.size()) {
                  try (Response resp = client.newCall(requests.get(i)).execute()) {
                    resp.body().bytes();
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : workers) {
      f.get();
    }
    pool.shutdown();
    pool.awaitTermination(1, TimeUnit.MINUTES);
  }

  static void slowPath(String connector, long profiles) {
    VendorProfile p = VendorProfile.of(connector);
    try (Sandbox sandbox = Sandboxes.start(connector)) {
      VendorSimulator sim = sandbox.simulator();
      configure(connector, sim, p);
      SimulatorEndpoint endpoint = SimulatorEndpoint.of(sandbox);
      Connection c = connection(endpoint, p.requestsPerSecond());
      ProfileGenerator generator = ProfileGenerator.builder().seed(5).build();
      List<com.segmentexport.api.Profile> segment = new ArrayList<>();
      java.util.Iterator<com.segmentexport.api.Profile> it = generator.profiles(profiles);
      long triggering = 0;
      for (int i = 0; it.hasNext(); i++) {
        com.segmentexport.api.Profile profile = it.next();
        boolean trigger = i % 100 == 50;
        triggering += trigger ? 1 : 0;
        String email = (String) profile.get(ProfileGenerator.EMAIL);
        switch (connector) {
          case "autopilot":
            if (trigger) { // known to the account, not on the list
              ((com.segmentexport.testkit.autopilot.AutopilotSimulator) sim)
                  .addContact(email, java.util.Map.of());
            }
            break;
          case "iterable": // the project types tier as a date; 1% of the values are not dates
            java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>(profile.fields());
            fields.put(ProfileGenerator.TIER, trigger ? "gold" : "2024-01-02");
            profile = com.segmentexport.api.Profile.of(fields);
            break;
          default:
            throw new IllegalArgumentException("slowpath: autopilot or iterable, not " + connector);
        }
        segment.add(profile);
      }
      if (connector.equals("iterable")) {
        ((com.segmentexport.testkit.iterable.IterableSimulator) sim).fieldType("tier", "date");
      }
      ExportResult r = exportList(Connectors.load(), c, definition(endpoint, c), segment);
      double seconds = r.duration().toNanos() / 1e9;
      System.out.printf(
          Locale.ROOT,
          "RESULT mode=slowpath connector=%s profiles=%d triggering=%d exported=%d "
              + "rejected=%d httpCalls=%d callsPerProfile=%.4f seconds=%.2f requestsPerSecond=%s scale=%s "
              + "secondsAtVendorRate=%.1f%n",
          connector,
          segment.size(),
          triggering,
          r.exported(),
          r.rejected(),
          r.httpCalls(),
          (double) r.httpCalls() / segment.size(),
          seconds,
          p.requestsPerSecond(),
          p.scale(),
          seconds * p.scale());
    }
  }

  static void memory(String connector, long profiles) {
    try (Sandbox sandbox = SimulatorServer.startUnlimited(connector)) {
      SimulatorEndpoint endpoint = SimulatorEndpoint.of(sandbox);
      Connection c = connection(endpoint, 1_000_000);
      ExportResult r;
      long peakLive;
      try (HeapSampler heap = HeapSampler.start()) {
        r = export(Connectors.load(), c, definition(endpoint, c), profiles);
        peakLive = heap.peakLiveBytes();
      }
      long peakHeap = HeapSampler.peakHeapBytes();
      System.out.printf(
          Locale.ROOT,
          "RESULT mode=memory connector=%s profiles=%d exported=%d notAttempted=%d "
              + "seconds=%.2f peakLiveMiB=%.1f peakHeapMiB=%.1f maxHeapMiB=%.0f%n",
          connector,
          profiles,
          r.exported(),
          r.notAttempted(),
          r.duration().toNanos() / 1e9,
          peakLive / 1048576.0,
          peakHeap / 1048576.0,
          Runtime.getRuntime().maxMemory() / 1048576.0);
    }
  }
}
