package com.segmentexport.benchmarks;

import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import com.segmentexport.testkit.VendorSimulator;
import com.segmentexport.testkit.dotdigital.DotdigitalSimulator;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

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
 * </ol>
 * Exit code 2 means a usage error; 1 that the sandbox did not start (the reason is on stderr).
 */
public final class SimulatorServer {
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
      waitForEndOfInput(System.in);
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

  private static void waitForEndOfInput(InputStream in) throws IOException {
    byte[] ignored = new byte[256];
    while (in.read(ignored) != -1) {
      // Input is not a command channel; only its end matters.
    }
  }
}
