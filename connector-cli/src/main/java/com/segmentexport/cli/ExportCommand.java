package com.segmentexport.cli;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.LimitExceededException;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.api.SyncStateException;
import com.segmentexport.testkit.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Exports segment files into one connector. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Exports segment files (CSV with a header row, or JSON Lines) into one connector, one segment per file.",
      "Incremental by default: the sync state file (--state) remembers what the vendor confirmed, and a profile "
          + "unchanged since is not sent; the summary counts it as unchanged. Profiles that are new, changed, or "
          + "were rejected or unconfirmed last time are sent. --full-refresh sends every profile and rewrites the "
          + "state; --no-state sends every profile and records nothing. With --sandbox the state is temporary.",
      "Example: export -c iterable --sandbox --privacy-consent-by \"Ops\" --map Email=email "
          + "--map FirstName=first_name samples/vip-customers.csv"
    })
final class ExportCommand implements Callable<Integer> {
  /** How long an interrupted export may take to settle its batches in flight. */
  static final Duration SETTLE_TIME = Duration.ofSeconds(10);

  @ParentCommand SegmentExportCli cli;

  @Mixin ConnectionOptions connection;

  @Option(
      names = "--rejected",
      paramLabel = "FILE",
      description =
          "Writes every rejected record (masked identifier, row, reason, vendor code) as CSV. "
              + "Written in full when the export ends, never over an input file.")
  Path rejected;

  @Option(names = "--no-progress", description = "No progress bar.")
  boolean noProgress;

  @Mixin SegmentArguments segments;

  @Mixin StateOptions state;

  @Option(
      names = "--runs",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "With --sandbox: runs the export N times against the same simulator and sandbox state, to "
              + "show that a second run sends only what changed (default: ${DEFAULT-VALUE}).")
  int runs;

  @Override
  public Integer call() throws Exception {
    if (runs < 1) {
      throw new UsageException("--runs " + runs + ": give 1 or more");
    }
    if (runs > 1 && !connection.sandbox) {
      throw new UsageException(
          "--runs is for --sandbox only: against a real account, run the command again");
    }
    checkRejectedIsNoInput();
    SegmentArguments.Prepared prepared = segments.prepare();
    Connectors connectors = Connectors.load();
    try (Sandbox box = connection.startSandbox()) {
      if (box != null) {
        // the summary needs counts only: a sandbox export runs in the memory a real one needs
        box.simulator().retainContacts(false);
      }
      Connection c = connection.connection(connectors, cli.env, box, cli.err);
      ExportDefinition definition = segments.definition(c, box, prepared, state.syncMode());
      List<Path> others = new ArrayList<>(segments.files);
      if (rejected != null) {
        others.add(rejected);
      }
      try (StateOptions.StateFile stateFile = state.open(cli.env, box, false, others);
          SegmentExporter exporter = connectors.exporter(c)) {
        int code = ExitCodes.SUCCESS;
        for (int i = 1; i <= runs; i++) {
          if (runs > 1) {
            if (i > 1) {
              cli.out.println();
            }
            cli.out.printf("run %d of %d%n", i, runs);
          }
          code =
              run(
                  exporter,
                  definition,
                  prepared.source(),
                  prepared.total(),
                  box,
                  c,
                  stateFile,
                  i == 1);
          if (code != ExitCodes.SUCCESS && code != ExitCodes.PARTIAL) {
            break;
          }
        }
        return code;
      }
    }
  }

  private int run(
      SegmentExporter exporter,
      ExportDefinition definition,
      SegmentSource source,
      long total,
      Sandbox box,
      Connection c,
      StateOptions.StateFile stateFile,
      boolean first) {
    Map<RejectionReason, Long> byReason = new EnumMap<>(RejectionReason.class);
    // from here on, Ctrl-C is noted and the export cancelled as soon as it has started
    cli.interrupts.onInterrupt(() -> {});
    RejectedCsv rejectedCsv = rejected == null ? null : RejectedCsv.open(rejected);
    ExportOptions opts =
        ExportOptions.DEFAULT.withRejectedRecordSink(
            (RejectedRecord r) -> {
              synchronized (byReason) {
                byReason.merge(r.reason(), 1L, Long::sum);
              }
              if (rejectedCsv != null) {
                rejectedCsv.accept(r);
              }
            });
    opts = stateFile.apply(opts);
    ProgressBar progress =
        noProgress ? null : new ProgressBar(cli.err, ProgressBar.stderrIsTerminal(), total);
    SentTally sent = new SentTally(progress);
    opts = opts.withListener(sent);
    ExportResult result = null;
    ExportException failure = null;
    boolean settled = true;
    try {
      ExportHandle handle;
      try {
        handle = exporter.start(definition, source, opts);
      } catch (RuntimeException e) {
        cli.interrupts.onInterrupt(null);
        if (rejectedCsv != null) {
          rejectedCsv.abandon();
        }
        if (e instanceof LimitExceededException || e instanceof ConfigurationException) {
          throw new UsageException(e.getMessage());
        }
        throw e;
      }
      cli.interrupts.onInterrupt(handle::cancel);
      if (cli.interrupts.interrupted()) {
        handle.cancel();
      }
      if (box != null && first) {
        cli.err.println(
            "sandbox: exporting into the built-in "
                + c.provider().displayName()
                + " simulator at "
                + box.simulator().baseUrl()
                + " (no account, no network)");
      }
      try {
        result = awaitResult(handle);
        settled = result != null;
      } catch (ExportException e) {
        failure = e;
        result = e.partialResult().orElse(null);
      }
    } finally {
      if (progress != null) {
        progress.close();
      }
    }
    if (failure != null) {
      cli.err.println("export failed: " + failure.getMessage());
      if (failure instanceof SyncStateException) {
        cli.err.println(
            "the sync state could not record the run: what it recorded before stays true, and the next "
                + "run sends again (as upserts) the profiles it could not record; nothing is lost");
      }
    }
    if (!settled) {
      cli.err.println(
          "interrupted: batches in flight did not settle within "
              + SETTLE_TIME.toSeconds()
              + " s; their profiles may or may not be at "
              + c.provider().displayName());
    }
    Map<RejectionReason, Long> reasons;
    synchronized (byReason) {
      reasons = new EnumMap<>(byReason);
    }
    if (result != null) {
      Summary.print(result, reasons, cli.out);
      cli.out.println(stateLine(stateFile, result, sent.sent(result)));
    }
    cli.out.flush();
    int code =
        cli.interrupts.interrupted()
            ? Interrupts.EXIT_CODE
            : failure instanceof SyncStateException
                ? ExitCodes.STATE
                : failure != null || result == null
                    ? ExitCodes.FAILURE
                    : result.status() == ExportStatus.SUCCEEDED
                        ? ExitCodes.SUCCESS
                        : result.status() == ExportStatus.PARTIALLY_SUCCEEDED
                                || result.status() == ExportStatus.REMOVALS_HELD_BACK
                            ? ExitCodes.PARTIAL
                            : ExitCodes.FAILURE;
    if (rejectedCsv != null) {
      Optional<String> problem = rejectedCsv.finish();
      if (problem.isPresent()) {
        cli.err.println(
            "error: the rejected-record file "
                + rejected
                + " was not written ("
                + problem.get()
                + "); the export itself ran as summarised above");
      } else {
        cli.out.printf("%d rejected record(s) written to %s%n", rejectedCsv.written(), rejected);
      }
    }
    cli.out.flush();
    cli.interrupts.onInterrupt(null);
    return code;
  }

  /**
   * The summary's line on the sync state: which, and what it saved, e.g. {@code sync state
   * /x/state.db (incremental): 0 sent, 12 unchanged and not sent}.
   */
  static String stateLine(StateOptions.StateFile stateFile, ExportResult result, long sent) {
    StringBuilder line =
        new StringBuilder(stateFile.describe()).append(": ").append(sent).append(" sent");
    if (stateFile.incremental()) {
      line.append(", ").append(result.unchanged()).append(" unchanged and not sent");
      if (result.unchanged() > 0) {
        line.append(" (--full-refresh sends them)");
      }
    } else if (stateFile.store() != null) {
      line.append(", the state rewritten from the vendor's answers");
    } else {
      line.append(", nothing recorded");
    }
    if (result.removed() > 0) {
      line.append("; ").append(result.removed()).append(" removed from the list (mirror)");
    }
    for (SegmentResult s : result.segments()) {
      s.removalsHeldBackReason()
          .ifPresent(
              why ->
                  line.append("; ").append(s.name()).append(": removals held back: ").append(why));
    }
    return line.toString();
  }

  /**
   * Waits for the export; once interrupted, waits at most {@link #SETTLE_TIME} more. Null when it did
   * not settle in time.
   */
  private ExportResult awaitResult(ExportHandle handle) {
    long interruptedAt = 0;
    while (true) {
      Optional<ExportResult> r = handle.await(Duration.ofMillis(100));
      if (r.isPresent()) {
        return r.get();
      }
      if (cli.interrupts.interrupted()) {
        long now = System.nanoTime();
        if (interruptedAt == 0) {
          interruptedAt = now;
        } else if (now - interruptedAt > SETTLE_TIME.toNanos()) {
          return null;
        }
      }
    }
  }

  /** Refuses a rejected-record file that is one of the inputs (same file, links followed). */
  private void checkRejectedIsNoInput() {
    if (rejected == null || !Files.exists(rejected)) {
      return;
    }
    if (Files.isDirectory(rejected)) {
      throw new UsageException("--rejected " + rejected + " is a directory; give a file name");
    }
    for (Path f : segments.files) {
      try {
        if (Files.exists(f) && Files.isSameFile(rejected, f)) {
          throw new UsageException(
              "--rejected "
                  + rejected
                  + " is the input file "
                  + f
                  + ": writing it would destroy the input; choose another file");
        }
      } catch (IOException e) {
        throw new UsageException(
            "cannot compare --rejected " + rejected + " with " + f + ": " + e.getMessage());
      }
    }
  }
}
