package com.segmentexport.cli;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorDescriptor;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.DestinationField;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.LimitExceededException;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.testkit.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Exports segment files into one connector. */
@Command(name = "export", mixinStandardHelpOptions = true, description = {
    "Exports segment files (CSV with a header row, or JSON Lines) into one connector, one segment per file.",
    "Example: export -c iterable --sandbox --privacy-consent-by \"Ops\" --map Email=email "
        + "--map FirstName=first_name samples/vip-customers.csv"})
final class ExportCommand implements Callable<Integer> {
  /** How long an interrupted export may take to settle its batches in flight. */
  static final Duration SETTLE_TIME = Duration.ofSeconds(10);
  private static final Pattern FIELD_NAME = Pattern.compile("[\\p{L}\\p{N}_][\\p{L}\\p{N}_.-]*");

  @ParentCommand
  SegmentExportCli cli;

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--map", paramLabel = "FIELD=COLUMN", required = true,
      description = "Maps a destination field to a file column, e.g. Email=email_address. A field the "
          + "connector does not have becomes a custom field; give it a type as tier:INTEGER=column.")
  List<String> map = new ArrayList<>();

  @Option(names = "--option", paramLabel = "NAME=VALUE",
      description = "An export option of the connector (e.g. listId for Campaign Monitor).")
  Map<String, String> options = new LinkedHashMap<>();

  @Option(names = "--segment-name", paramLabel = "NAME",
      description = "The segment's name (one file only); the file name without extension by default.")
  String segmentName;

  @Option(names = "--format", paramLabel = "csv|jsonl",
      description = "The files' format, for files whose name does not end in .csv, .jsonl or .ndjson.")
  String format;

  @Option(names = "--rejected", paramLabel = "FILE",
      description = "Writes every rejected record (masked identifier, row, reason, vendor code) as CSV. "
          + "Written in full when the export ends, never over an input file.")
  Path rejected;

  @Option(names = "--no-progress", description = "No progress bar.")
  boolean noProgress;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Segment files (.csv, .jsonl or .ndjson).")
  List<Path> files = new ArrayList<>();

  /** One {@code --map}: destination field, its type when given, source column. */
  record Mapped(String field, FieldType type, String column) {}

  /** One input file, checked and counted. */
  private record Input(Path file, SegmentFiles.Format format, SegmentFiles.FileInfo info) {}

  @Override
  public Integer call() throws Exception {
    if (segmentName != null && files.size() != 1) {
      throw new UsageException("--segment-name needs exactly one file");
    }
    List<Mapped> mapped = parseMap(map);
    checkRejectedIsNoInput();
    Map<String, Input> segments = new LinkedHashMap<>();
    for (Path f : files) {
      String name = segmentName != null ? segmentName : SegmentFiles.segmentName(f);
      SegmentFiles.Format fmt = SegmentFiles.format(f, format);
      Input input = new Input(f, fmt, SegmentFiles.scan(f, fmt));
      checkColumns(mapped, input);
      if (segments.put(name, input) != null) {
        throw new UsageException("two files give the segment name '" + name + "'");
      }
    }
    Connectors connectors = Connectors.load();
    try (Sandbox box = connection.startSandbox()) {
      if (box != null) {
        // the summary needs counts only: a sandbox export runs in the memory a real one needs
        box.simulator().retainContacts(false);
      }
      Connection c = connection.connection(connectors, cli.env, box, cli.err);
      ExportDefinition definition = definition(c, box, mapped, new ArrayList<>(segments.keySet()));
      SegmentSource source = new SegmentSource() {
        @Override
        public com.segmentexport.api.Segment open(String name) {
          Input in = segments.get(name);
          return SegmentFiles.open(in.file(), in.format(), name, in.info().records());
        }

        @Override
        public OptionalLong size(String name) {
          return OptionalLong.of(segments.get(name).info().records());
        }
      };
      long total = segments.values().stream().mapToLong(i -> i.info().records()).sum();
      try (SegmentExporter exporter = connectors.exporter(c)) {
        return run(exporter, definition, source, total, box, c);
      }
    }
  }

  private int run(SegmentExporter exporter, ExportDefinition definition, SegmentSource source, long total,
      Sandbox box, Connection c) {
    Map<RejectionReason, Long> byReason = new EnumMap<>(RejectionReason.class);
    // from here on, Ctrl-C is noted and the export cancelled as soon as it has started
    cli.interrupts.onInterrupt(() -> {});
    RejectedCsv rejectedCsv = rejected == null ? null : RejectedCsv.open(rejected);
    ExportOptions opts = ExportOptions.DEFAULT.withRejectedRecordSink((RejectedRecord r) -> {
      synchronized (byReason) {
        byReason.merge(r.reason(), 1L, Long::sum);
      }
      if (rejectedCsv != null) {
        rejectedCsv.accept(r);
      }
    });
    ProgressBar progress = noProgress ? null : new ProgressBar(cli.err, ProgressBar.stderrIsTerminal(), total);
    if (progress != null) {
      opts = opts.withListener(progress);
    }
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
      if (box != null) {
        cli.err.println("sandbox: exporting into the built-in " + c.provider().displayName()
            + " simulator at " + box.simulator().baseUrl() + " (no account, no network)");
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
    }
    if (!settled) {
      cli.err.println("interrupted: batches in flight did not settle within " + SETTLE_TIME.toSeconds()
          + " s; their profiles may or may not be at " + c.provider().displayName());
    }
    Map<RejectionReason, Long> reasons;
    synchronized (byReason) {
      reasons = new EnumMap<>(byReason);
    }
    if (result != null) {
      Summary.print(result, reasons, cli.out);
    }
    cli.out.flush();
    int code = cli.interrupts.interrupted() ? Interrupts.EXIT_CODE
        : failure != null || result == null ? ExitCodes.FAILURE
        : result.status() == ExportStatus.SUCCEEDED ? ExitCodes.SUCCESS
        : result.status() == ExportStatus.PARTIALLY_SUCCEEDED ? ExitCodes.PARTIAL : ExitCodes.FAILURE;
    if (rejectedCsv != null) {
      Optional<String> problem = rejectedCsv.finish();
      if (problem.isPresent()) {
        cli.err.println("error: the rejected-record file " + rejected + " was not written (" + problem.get()
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
    for (Path f : files) {
      try {
        if (Files.exists(f) && Files.isSameFile(rejected, f)) {
          throw new UsageException("--rejected " + rejected + " is the input file " + f
              + ": writing it would destroy the input; choose another file");
        }
      } catch (IOException e) {
        throw new UsageException("cannot compare --rejected " + rejected + " with " + f + ": " + e.getMessage());
      }
    }
  }

  /** Parses the {@code --map} values. */
  static List<Mapped> parseMap(List<String> values) {
    List<Mapped> result = new ArrayList<>();
    Map<String, String> seen = new LinkedHashMap<>();
    for (String v : values) {
      int eq = v.indexOf('=');
      if (eq < 0) {
        throw new UsageException("--map " + v + ": give FIELD=COLUMN, e.g. --map Email=email_address");
      }
      String field = v.substring(0, eq).trim();
      String column = v.substring(eq + 1);
      FieldType type = null;
      int colon = field.indexOf(':');
      if (colon >= 0) {
        String t = field.substring(colon + 1).toUpperCase(Locale.ROOT);
        field = field.substring(0, colon);
        try {
          type = FieldType.valueOf(t);
        } catch (IllegalArgumentException ex) {
          throw new UsageException("unknown field type '" + t + "' (use one of TEXT, INTEGER, NUMBER, BOOLEAN, "
              + "DATE, DATETIME)");
        }
      }
      if (!FIELD_NAME.matcher(field).matches()) {
        throw new UsageException("--map " + v + ": '" + field + "' is not a field name (letters, digits, _ . -)");
      }
      if (column.isEmpty()) {
        throw new UsageException("--map " + v + ": no column after '='; give FIELD=COLUMN");
      }
      if (seen.put(field.toLowerCase(Locale.ROOT), column) != null) {
        throw new UsageException("--map gives the field '" + field + "' twice; map each field once");
      }
      result.add(new Mapped(field, type, column));
    }
    if (result.stream().noneMatch(m -> m.field().equals("Email"))) {
      throw new UsageException("no --map Email=COLUMN: the e-mail address identifies every profile; map the "
          + "column that holds it");
    }
    return result;
  }

  /** Every mapped column must be in the file: its CSV header, or the keys its first records have. */
  static void checkColumns(List<Mapped> mapped, Path file, boolean csv, List<String> columns) {
    for (Mapped m : mapped) {
      if (!columns.contains(m.column())) {
        String known = columns.isEmpty() ? "none" : String.join(", ", columns);
        String hint = closest(m.column(), columns).map(s -> "; did you mean '" + s + "'?").orElse("");
        throw new UsageException(csv
            ? "column '" + m.column() + "' is not in " + file.getFileName() + " (columns: " + known + ")" + hint
            : "key '" + m.column() + "' is in none of the first " + SegmentFiles.KEY_SAMPLE + " records of "
                + file.getFileName() + " (keys: " + known + ")" + hint);
      }
    }
  }

  private static void checkColumns(List<Mapped> mapped, Input in) {
    checkColumns(mapped, in.file(), in.format() == SegmentFiles.Format.CSV, in.info().columns());
  }

  /** The column closest to {@code name} (case ignored), when it is close enough to be a likely typo. */
  static Optional<String> closest(String name, List<String> columns) {
    String n = name.toLowerCase(Locale.ROOT);
    return columns.stream()
        .filter(c -> distance(n, c.toLowerCase(Locale.ROOT)) <= Math.max(1, Math.min(3, n.length() / 3)))
        .min(Comparator.comparingInt(c -> distance(n, c.toLowerCase(Locale.ROOT))));
  }

  /** Levenshtein distance, with a swap of two neighbours counting as one edit. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  private ExportDefinition definition(Connection c, Sandbox box, List<Mapped> mapped, List<String> segmentNames) {
    ConnectorDescriptor provider = c.provider();
    FieldMapping.Builder mapping = FieldMapping.builder();
    for (Mapped m : mapped) {
      String name = m.field();
      boolean standard = provider.destinationFields().stream().map(DestinationField::name)
          .anyMatch(n -> n.equals(name));
      if (standard || name.equals("Email")) {
        if (m.type() != null) {
          throw new UsageException("--map " + name + ":" + m.type() + ": " + name + " is a standard field of "
              + provider.displayName() + "; its type is fixed, drop ':" + m.type() + "'");
        }
        mapping.map(name, m.column());
      } else {
        mapping.custom(name, m.column(), m.type() == null ? FieldType.TEXT : m.type());
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
