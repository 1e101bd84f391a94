package com.segmentexport.benchmarks;

import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import com.segmentexport.testkit.VendorSimulator;
import com.segmentexport.testkit.autopilot.AutopilotSimulator;
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator;
import com.segmentexport.testkit.dotdigital.DotdigitalSimulator;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one connector's sandbox simulator in its own JVM, configured as the overhead benchmark
 * configures it, so that the benchmark can keep the simulator off the SDK's cores.
 *
 * <ol>
 *   <li>{@code java -cp benchmarks.jar com.segmentexport.benchmarks.SimulatorServer CONNECTOR} starts
 *       {@code Sandboxes.start(CONNECTOR)} with contacts not retained, no rate limit and (dotdigital)
 *       imports that complete at once.
 *   <li>It prints one line to stdout, {@code SIMULATOR connector=... setting.baseUrl=... secret.K=V
 *       option.K=V}, every key and value URL-encoded; nothing else goes to stdout.
 *   <li>It serves until its stdin closes (the parent closed it or died), then stops the simulator and
 *       exits 0. Killing it works too.
 *   <li>Each line the parent writes to its stdin is a command, answered with one line to stdout that
 *       starts with {@value #REPLY}; the parent of a benchmark that needs none writes nothing. Names are
 *       URL-encoded (UTF-8), separated by spaces:
 *       <ul>
 *         <li>{@code retain-contacts}: keep contacts and list members from now on (for checking list
 *             counts), but not the log of every address received ({@link
 *             VendorSimulator#recordReceivedEmails}), answered {@code REPLY ok}.
 *         <li>{@code destinations NAME...}: creates a destination of each name where the connector
 *             takes one by id (Campaign Monitor lists, dotdigital address books), answered {@code REPLY
 *             option=OPTION NAME=ID ...} ({@code REPLY option=} for Iterable and Autopilot, whose
 *             connectors find or create the list named as the segment).
 *         <li>{@code members NAME...}: the number of members of each destination of that name (a
 *             destination created above, or the list named so for Iterable and Autopilot), answered
 *             {@code REPLY NAME=COUNT ...}; -1 for a name it does not know.
 *         <li>{@code stats}: this JVM's CPU and collection time so far, and its peak thread count since
 *             the previous {@code stats} (then reset), answered {@code REPLY cpuSeconds=S gcSeconds=S
 *             peakThreads=N heapUsedMiB=M}: whether the simulator kept up with a benchmark.
 *       </ul>
 *       Anything else is answered {@code REPLY error=...}.
 * </ol>
 * Exit code 2 means a usage error; 1 that the sandbox did not start (the reason is on stderr).
 */
public final class SimulatorServer {
  /** The first word of every answer to a command. */
  static final String REPLY = "REPLY ";

  private SimulatorServer() {}

  /** Entry point: {@code SimulatorServer CONNECTOR}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println(
          "usage: SimulatorServer CONNECTOR   (one of " + Sandboxes.supported() + ")");
      System.exit(2);
    }
    Sandbox sandbox;
    try {
      sandbox = startUnlimited(args[0]);
    } catch (RuntimeException e) {
      System.err.println("SimulatorServer: cannot start the " + args[0] + " sandbox:");
      e.printStackTrace();
      System.exit(1);
      return;
    }
    try (sandbox) {
      System.out.println(SimulatorEndpoint.of(sandbox).toLine());
      System.out.flush();
      serveCommands(sandbox, System.in);
    }
    System.exit(0);
  }

  /**
   * Starts a connector's sandbox as the overhead and memory benchmarks use it: contacts not retained
   * (only counts matter at a million profiles), no rate limit, and for dotdigital imports that
   * complete at once, so that only the SDK and the HTTP exchange are measured.
   */
  static Sandbox startUnlimited(String connector) {
    Sandbox sandbox = Sandboxes.start(connector);
    VendorSimulator sim = sandbox.simulator().retainContacts(false);
    if (sim instanceof DotdigitalSimulator) {
      ((DotdigitalSimulator) sim).importProcessingTime(Duration.ZERO);
    }
    return sandbox;
  }

  /** Answers the commands on {@code in} until it ends. */
  private static void serveCommands(Sandbox sandbox, InputStream in) throws IOException {
    Map<String, String> destinations = new HashMap<>();
    BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String line;
    while ((line = lines.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      System.out.println(REPLY + answer(sandbox.simulator(), destinations, line));
      System.out.flush();
    }
  }

  /**
   * The answer to one command line, without the {@value #REPLY} prefix.
   *
   * @param destinations the destinations created so far, by name; {@code destinations} adds to it
   */
  static String answer(VendorSimulator sim, Map<String, String> destinations, String line) {
    try {
      return answer(sim, destinations, line.trim().split(" +"));
    } catch (RuntimeException e) {
      return "error=" + encode(String.valueOf(e));
    }
  }

  private static String answer(
      VendorSimulator sim, Map<String, String> destinations, String[] command) {
    StringBuilder reply = new StringBuilder();
    switch (command[0]) {
      case "retain-contacts":
        // The vendor's state, to count each list's members; not the test log of every address
        // received, which no benchmark reads (a million-entry set in this JVM's CPU and heap).
        sim.retainContacts(true).recordReceivedEmails(false);
        return "ok";
      case "destinations":
        String option =
            sim instanceof CampaignMonitorSimulator
                ? "listId"
                : sim instanceof DotdigitalSimulator ? "addressBookId" : "";
        reply.append("option=").append(option);
        for (int i = 1; i < command.length && !option.isEmpty(); i++) {
          String name = decode(command[i]);
          String id =
              sim instanceof CampaignMonitorSimulator cm
                  ? cm.ensureList(name)
                  : Long.toString(((DotdigitalSimulator) sim).ensureAddressBook(name));
          destinations.put(name, id);
          reply.append(' ').append(encode(name)).append('=').append(encode(id));
        }
        return reply.toString();
      case "members":
        for (int i = 1; i < command.length; i++) {
          String name = decode(command[i]);
          reply.append(i == 1 ? "" : " ").append(encode(name)).append('=');
          reply.append(members(sim, destinations, name));
        }
        return reply.toString();
      case "stats":
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
          gcMillis += Math.max(0, gc.getCollectionTime());
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int peak = threads.getPeakThreadCount();
        threads.resetPeakThreadCount();
        return String.format(
            Locale.ROOT,
            "cpuSeconds=%.1f gcSeconds=%.1f peakThreads=%d heapUsedMiB=%.0f",
            ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime()
                / 1e9,
            gcMillis / 1e3,
            peak,
            (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1048576.0);
      default:
        return "error=" + encode("unknown command " + command[0]);
    }
  }

  /** The members of the destination named so, or -1 if there is none. */
  private static long members(VendorSimulator sim, Map<String, String> destinations, String name) {
    if (sim instanceof IterableSimulator it) {
      return it.listIds(name, "Standard").isEmpty() ? -1 : it.members(name).size();
    }
    if (sim instanceof AutopilotSimulator ap) {
      return ap.listId(name) == null ? -1 : ap.members(name).size();
    }
    String id = destinations.get(name);
    if (id == null) {
      return -1;
    }
    return sim instanceof CampaignMonitorSimulator cm
        ? cm.activeSubscribers(id).size()
        : ((DotdigitalSimulator) sim).addressBookMembers(Long.parseLong(id)).size();
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
