package com.segmentexport.cli;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorProvider;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.DestinationField;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.testkit.Sandbox;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Exports segment files into one connector. */
@Command(name = "export", description = {
    "Exports segment files (CSV with a header row, or JSON Lines) into one connector, one segment per file.",
    "Example: export -c iterable --sandbox --privacy-consent-by \"Ops\" --map Email=email "
        + "--map FirstName=first_name samples/vip-customers.csv"})
final class ExportCommand implements Callable<Integer> {
  @ParentCommand
  SegmentExportCli cli;

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--map", paramLabel = "FIELD=COLUMN", required = true,
      description = "Maps a destination field to a file column, e.g. Email=email_address. A field the "
          + "connector does not have becomes a custom field; give it a type as tier:INTEGER=column.")
  Map<String, String> map = new LinkedHashMap<>();

  @Option(names = "--option", paramLabel = "NAME=VALUE",
      description = "An export option of the connector (e.g. listId for Campaign Monitor).")
  Map<String, String> options = new LinkedHashMap<>();

  @Option(names = "--segment-name", paramLabel = "NAME",
      description = "The segment's name (one file only); the file name without extension by default.")
  String segmentName;

  @Option(names = "--rejected", paramLabel = "FILE",
      description = "Writes every rejected record (masked identifier, row, reason, vendor code) as CSV.")
  Path rejected;

  @Option(names = "--no-progress", description = "No progress bar.")
  boolean noProgress;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Segment files (.csv, .jsonl or .ndjson).")
  List<Path> files = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (segmentName != null && files.size() != 1) {
      throw new UsageException("--segment-name needs exactly one file");
    }
    Map<String, Path> segments = new LinkedHashMap<>();
    Map<String, Long> sizes = new LinkedHashMap<>();
    for (Path f : files) {
      String name = segmentName != null ? segmentName : SegmentFiles.segmentName(f);
      if (segments.put(name, f) != null) {
        throw new UsageException("two files give the segment name '" + name + "'");
      }
      sizes.put(name, SegmentFiles.count(f));
    }
    Connectors connectors = Connectors.load();
    try (Sandbox box = connection.startSandbox()) {
      Connection c = connection.connection(connectors, cli.env, box);
      ExportDefinition definition = definition(c, box, new ArrayList<>(segments.keySet()));
      if (box != null) {
        cli.err.println("sandbox: exporting into the built-in " + c.provider().displayName()
            + " simulator at " + box.simulator().baseUrl() + " (no account, no network)");
      }
      SegmentSource source = new SegmentSource() {
        @Override
        public com.segmentexport.api.Segment open(String name) {
          return SegmentFiles.open(segments.get(name), name, sizes.get(name));
        }

        @Override
        public OptionalLong size(String name) {
          return OptionalLong.of(sizes.get(name));
        }
      };
      long total = sizes.values().stream().mapToLong(Long::longValue).sum();
      ExportOptions options = ExportOptions.DEFAULT;
      RejectedCsv rejectedCsv = rejected == null ? null : new RejectedCsv(rejected);
      ProgressBar progress = noProgress ? null : new ProgressBar(cli.err, System.console() != null, total);
      ExportResult result;
      try (SegmentExporter exporter = connectors.exporter(c)) {
        if (progress != null) {
          options = options.withListener(progress);
        }
        if (rejectedCsv != null) {
          options = options.withRejectedRecordSink(rejectedCsv);
        }
        result = exporter.export(definition, source, options);
      } catch (ExportException e) {
        cli.err.println("export failed: " + e.getMessage());
        e.partialResult().ifPresent(r -> Summary.print(r, cli.out));
        return ExitCodes.FAILURE;
      } finally {
        if (progress != null) {
          progress.close();
        }
        if (rejectedCsv != null) {
          rejectedCsv.close();
        }
      }
      Summary.print(result, cli.out);
      if (rejectedCsv != null) {
        cli.out.printf("%d rejected record(s) written to %s%n", rejectedCsv.written(), rejected);
      }
      return result.status() == ExportStatus.SUCCEEDED ? ExitCodes.SUCCESS
          : result.status() == ExportStatus.PARTIALLY_SUCCEEDED ? ExitCodes.PARTIAL : ExitCodes.FAILURE;
    }
  }

  private ExportDefinition definition(Connection c, Sandbox box, List<String> segmentNames) {
    ConnectorProvider provider = c.provider();
    FieldMapping.Builder mapping = FieldMapping.builder();
    for (Map.Entry<String, String> e : map.entrySet()) {
      String field = e.getKey();
      FieldType type = null;
      int colon = field.indexOf(':');
      if (colon > 0) {
        String t = field.substring(colon + 1).toUpperCase(Locale.ROOT);
        field = field.substring(0, colon);
        try {
          type = FieldType.valueOf(t);
        } catch (IllegalArgumentException ex) {
          throw new UsageException("unknown field type '" + t + "' (use one of TEXT, INTEGER, NUMBER, BOOLEAN, DATE, "
              + "DATETIME)");
        }
      }
      String name = field;
      boolean standard = provider.destinationFields().stream().map(DestinationField::name)
          .anyMatch(n -> n.equals(name));
      if (standard || name.equals("Email")) {
        mapping.map(name, e.getValue());
      } else {
        mapping.custom(name, e.getValue(), type == null ? FieldType.TEXT : type);
      }
    }
    Map<String, String> opts = new LinkedHashMap<>();
    if (box != null) {
      opts.putAll(box.exportOptions());
    }
    opts.putAll(options);
    try {
      ExportDefinition.Builder b = ExportDefinition.builder(c).segments(segmentNames).mapping(mapping.build());
      opts.forEach(b::option);
      return b.build();
    } catch (ConfigurationException e) {
      throw new UsageException(String.join("; ", e.problems()));
    }
  }
}
