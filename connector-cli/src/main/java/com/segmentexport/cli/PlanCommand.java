package com.segmentexport.cli;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportPlan;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.testkit.Sandbox;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Predicts what {@code export} would do with the same arguments, sending and writing nothing. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Shows what 'export' with the same arguments would do, per segment: profiles to add, to update, to retry, "
          + "unchanged, invalid, duplicate and over the vendor's cap, custom fields to create, batches, and the "
          + "estimated calls and time.",
      "Reads the sync state as export would (--state, --no-state, --full-refresh) to tell unchanged profiles "
          + "apart; a state file that does not exist yet is not created.",
      "Writes nothing: no profile, list or field is sent to the vendor (only read-only calls are made), and no "
          + "file is written. Exit code 0 when the plan was made."
    })
final class PlanCommand implements Callable<Integer> {
  @ParentCommand SegmentExportCli cli;

  @Mixin ConnectionOptions connection;

  @Mixin SegmentArguments segments;

  @Mixin StateOptions state;

  @Option(
      names = "--rejected",
      paramLabel = "FILE",
      hidden = true,
      description = "Accepted as 'export' takes it, and not written: a plan writes nothing.")
  Path rejected;

  @Option(
      names = "--no-progress",
      hidden = true,
      description = "Accepted as 'export' takes it; a plan shows none.")
  boolean noProgress;

  @Option(
      names = "--runs",
      paramLabel = "N",
      hidden = true,
      description = "Accepted as 'export' takes it; a plan is of one run.")
  int runs;

  @Override
  public Integer call() {
    SegmentArguments.Prepared prepared = segments.prepare();
    Connectors connectors = Connectors.load();
    try (Sandbox box = connection.startSandbox()) {
      Connection c = connection.connection(connectors, cli.env, box, cli.err);
      ExportDefinition definition = segments.definition(c, box, prepared, state.syncMode());
      if (box != null) {
        cli.err.println(
            "sandbox: planning against the built-in "
                + c.provider().displayName()
                + " simulator at "
                + box.simulator().baseUrl()
                + " (no account, no network)");
      }
      if (rejected != null) {
        cli.err.println("plan: --rejected " + rejected + " is not written: a plan writes nothing");
      }
      List<Path> others = new ArrayList<>(segments.files);
      if (rejected != null) {
        others.add(rejected);
      }
      ExportPlan plan;
      String stateDescription;
      try (StateOptions.StateFile stateFile = state.open(cli.env, box, true, others);
          SegmentExporter exporter = connectors.exporter(c)) {
        plan = exporter.plan(definition, prepared.source(), stateFile.apply(ExportOptions.DEFAULT));
        stateDescription = stateFile.describe();
      }
      PlanTable.print(plan, c.provider().displayName(), cli.out);
      cli.out.println(stateDescription);
      cli.out.println("nothing was sent or written: run 'export' with the same arguments to do it");
      return ExitCodes.SUCCESS;
    }
  }
}
