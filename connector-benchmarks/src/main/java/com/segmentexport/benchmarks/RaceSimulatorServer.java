package com.segmentexport.benchmarks;

import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.VendorSimulator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The race's simulator (connector-benchmarks/race.sh): a {@link SimulatorServer} that also answers
 * questions on stdin, so that a shell script can check what each racer delivered.
 *
 * <ol>
 *   <li>{@code java -cp benchmarks.jar com.segmentexport.benchmarks.RaceSimulatorServer CONNECTOR}
 *       starts the sandbox as {@link SimulatorServer#startUnlimited} does (no rate limit, contacts
 *       not retained) and prints its connect line ({@link SimulatorEndpoint#toLine()}).
 *   <li>Then it reads commands, one a line: {@code reset} clears the counters and answers {@code OK};
 *       {@code count} answers {@code COUNT received=N writes=N requests=N maxBatch=N maxInFlight=N}
 *       (addresses received in writes, repeats counted; write requests; all requests; the largest
 *       batch; the most requests handled at once). Anything else answers {@code ERROR ...}.
 *   <li>It stops the simulator and exits 0 when its stdin ends.
 * </ol>
 */
public final class RaceSimulatorServer {
  private RaceSimulatorServer() {}

  /** Entry point: {@code RaceSimulatorServer CONNECTOR}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: RaceSimulatorServer CONNECTOR");
      System.exit(2);
    }
    try (Sandbox sandbox = SimulatorServer.startUnlimited(args[0])) {
      VendorSimulator sim = sandbox.simulator();
      System.out.println(SimulatorEndpoint.of(sandbox).toLine());
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String command;
      while ((command = in.readLine()) != null) {
        System.out.println(answer(sim, command.trim()));
        System.out.flush();
      }
    }
    System.exit(0);
  }

  static String answer(VendorSimulator sim, String command) {
    switch (command) {
      case "reset":
        sim.resetCounters();
        return "OK";
      case "count":
        return "COUNT received="
            + sim.receivedEmailCount()
            + " writes="
            + sim.writeCount()
            + " requests="
            + sim.requestCount()
            + " maxBatch="
            + sim.maxBatchSize()
            + " maxInFlight="
            + sim.maxConcurrentRequests();
      default:
        return "ERROR unknown command (reset, count)";
    }
  }
}
