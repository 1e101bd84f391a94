package com.segmentexport.cli;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.SyncStateException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code segment-export}: a command-line host application of the Segment Export SDK. Lists the
 * connectors, verifies credentials, and exports segment files (CSV or JSON Lines) into a vendor or
 * into its built-in simulator ({@code --sandbox}).
 *
 * <p>Exit codes: {@value ExitCodes#SUCCESS} success, {@value ExitCodes#PARTIAL} partial success (some
 * profiles rejected, unconfirmed or not attempted, or a mirror's removals held back),
 * {@value ExitCodes#FAILURE} failure, {@value ExitCodes#USAGE}
 * bad usage (nothing was sent), {@value ExitCodes#STATE} the sync state cannot be used,
 * {@value Interrupts#EXIT_CODE} interrupted (Ctrl-C).
 */
@Command(
    name = "segment-export",
    mixinStandardHelpOptions = true,
    version = "segment-export 0.1.0-SNAPSHOT",
    description =
        "Exports segments of customer profiles into Autopilot, Campaign Monitor, dotdigital and Iterable.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "3:partial success (some profiles rejected, unconfirmed or not attempted, or a mirror's "
          + "removals held back)",
      "1:failure",
      "2:bad usage (nothing was sent)",
      "4:the sync state file cannot be used (locked, corrupt, newer schema); the message says whether "
          + "anything was sent",
      "130:interrupted (Ctrl-C); the partial summary was printed"
    })
public final class SegmentExportCli implements Runnable {
  /**
   * The subcommands, by name, in the order the usage lists them. Added by {@link #run(String[], Map,
   * PrintWriter, PrintWriter, Interrupts)} rather than named in {@code @Command}: picocli builds the
   * model of every subcommand it is given (reflection over each option, about a third of the CLI's
   * start), so a command line that starts with a subcommand's name gets that subcommand alone.
   */
  private static final Map<String, Class<?>> SUBCOMMANDS =
      orderedMap(
          "connectors",
          ConnectorsCommand.class,
          "verify",
          VerifyCommand.class,
          "export",
          ExportCommand.class,
          "plan",
          PlanCommand.class,
          "state",
          StateCommand.class);

  @Spec CommandSpec spec;

  final Map<String, String> env;
  final PrintWriter out;
  final PrintWriter err;
  final Interrupts interrupts;

  SegmentExportCli(
      Map<String, String> env, PrintWriter out, PrintWriter err, Interrupts interrupts) {
    this.env = env;
    this.out = out;
    this.err = err;
    this.interrupts = interrupts;
  }

  @Override
  public void run() {
    spec.commandLine().usage(out);
  }

  private static Map<String, Class<?>> orderedMap(Object... namesAndClasses) {
    Map<String, Class<?>> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < namesAndClasses.length; i += 2) {
      m.put((String) namesAndClasses[i], (Class<?>) namesAndClasses[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Runs the CLI and exits with its exit code. */
  public static void main(String[] args) {
    PrintWriter out =
        new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err =
        new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    System.exit(run(args, System.getenv(), out, err, Interrupts.onSigint(err)));
  }

  /** Runs the CLI with an environment and output streams of the caller's choosing; returns the exit code. */
  public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    return run(args, env, out, err, Interrupts.none());
  }

  static int run(
      String[] args,
      Map<String, String> env,
      PrintWriter out,
      PrintWriter err,
      Interrupts interrupts) {
    CommandLine cli = new CommandLine(new SegmentExportCli(env, out, err, interrupts));
    Class<?> invoked = args.length == 0 ? null : SUBCOMMANDS.get(args[0]);
    for (Map.Entry<String, Class<?>> sub : SUBCOMMANDS.entrySet()) {
      if (invoked == null || invoked == sub.getValue()) {
        cli.addSubcommand(sub.getKey(), sub.getValue());
      }
    }
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof SyncStateException) {
            err.println("error: " + e.getMessage());
            return ExitCodes.STATE;
          }
          if (e instanceof UsageException || e instanceof ConfigurationException) {
            err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
          }
          err.println("error: " + e.getMessage());
          return ExitCodes.FAILURE;
        });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }
}
