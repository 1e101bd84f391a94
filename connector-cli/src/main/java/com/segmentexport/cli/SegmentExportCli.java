package com.segmentexport.cli;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.SyncStateException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code segment-export}: a command-line host application of the Segment Export SDK. Lists the
 * connectors, verifies credentials, and exports segment files (CSV or JSON Lines) into a vendor or
 * into its built-in simulator ({@code --sandbox}).
 *
 * <p>Exit codes: {@value ExitCodes#SUCCESS} success, {@value ExitCodes#PARTIAL} partial success (some
 * profiles rejected or not attempted), {@value ExitCodes#FAILURE} failure, {@value ExitCodes#USAGE}
 * bad usage (nothing was sent), {@value ExitCodes#STATE} the sync state cannot be used,
 * {@value Interrupts#EXIT_CODE} interrupted (Ctrl-C).
 */
@Command(
    name = "segment-export",
    mixinStandardHelpOptions = true,
    version = "segment-export 0.1.0-SNAPSHOT",
    description =
        "Exports segments of customer profiles into Autopilot, Campaign Monitor, dotdigital and Iterable.",
    subcommands = {
      ConnectorsCommand.class,
      VerifyCommand.class,
      ExportCommand.class,
      PlanCommand.class,
      StateCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "3:partial success (some profiles rejected or not attempted)",
      "1:failure",
      "2:bad usage (nothing was sent)",
      "4:the sync state file cannot be used (locked, corrupt, newer schema); the message says whether "
          + "anything was sent",
      "130:interrupted (Ctrl-C); the partial summary was printed"
    })
public final class SegmentExportCli implements Runnable {
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
    new CommandLine(this).usage(out);
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
