package com.segmentexport.cli;

import com.segmentexport.api.ConnectorDescriptor;
import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.DestinationField;
import com.segmentexport.api.SettingDescriptor;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** Lists the discovered connectors with their settings, destination fields and limits. */
@Command(
    name = "connectors",
    mixinStandardHelpOptions = true,
    description = "Lists the connectors with their settings, fields and limits.")
final class ConnectorsCommand implements Callable<Integer> {
  @ParentCommand SegmentExportCli cli;

  @Override
  public Integer call() {
    PrintWriter out = cli.out;
    for (ConnectorDescriptor p : Connectors.load().providers()) {
      out.printf("%s (%s)%n", p.id(), p.displayName());
      out.println("  connection settings:");
      for (SettingDescriptor d : p.settings()) {
        if (d.scope() == SettingDescriptor.Scope.CONNECTION) {
          out.printf(
              "    %-22s %s%s%s%s  %s%n",
              d.name(),
              d.kind().name().toLowerCase(java.util.Locale.ROOT),
              d.range().map(r -> " " + r.describe()).orElse(""),
              d.required() ? ", required" : "",
              d.defaultValue().map(v -> ", default " + v).orElse(""),
              d.description());
        }
      }
      out.println("  export options:");
      for (SettingDescriptor d : p.settings()) {
        if (d.scope() == SettingDescriptor.Scope.EXPORT) {
          out.printf(
              "    %-22s %s%s%s%s  %s%n",
              d.name(),
              d.kind().name().toLowerCase(java.util.Locale.ROOT),
              d.range().map(r -> " " + r.describe()).orElse(""),
              d.required() ? ", required" : "",
              d.defaultValue().map(v -> ", default " + v).orElse(""),
              d.description());
        }
      }
      out.print("  destination fields: ");
      StringBuilder fields = new StringBuilder();
      for (DestinationField f : p.destinationFields()) {
        fields
            .append(fields.length() > 0 ? ", " : "")
            .append(f.name())
            .append(f.required() ? " (required)" : "");
      }
      out.println(
          fields + (p.supportsCustomFields() ? "; custom fields allowed" : "; no custom fields"));
      ConnectorLimits l = p.limits();
      out.printf(
          "  limits: %d profiles and %d bytes per request, %d requests in flight, %s requests/s, %s%n",
          l.maxBatchRecords(),
          l.maxBatchBytes(),
          l.maxConcurrentBatches(),
          l.requestsPerSecond(),
          l.maxProfilesPerExport().isPresent()
              ? String.format("%,d profiles per export", l.maxProfilesPerExport().getAsLong())
              : "no per-export cap");
      out.println();
    }
    return ExitCodes.SUCCESS;
  }
}
