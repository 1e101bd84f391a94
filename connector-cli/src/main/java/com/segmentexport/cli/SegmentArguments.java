package com.segmentexport.cli;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorDescriptor;
import com.segmentexport.api.DestinationField;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.api.StandardFields;
import com.segmentexport.api.SyncMode;
import com.segmentexport.testkit.Sandbox;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What {@code export} and {@code plan} read: the segment files, the field mapping and the connector's
 * export options. The files are checked and counted by {@link #prepare()}, before any connection.
 */
final class SegmentArguments {
  private static final Pattern FIELD_NAME = Pattern.compile("[\\p{L}\\p{N}_][\\p{L}\\p{N}_.-]*");

  @Option(
      names = "--map",
      paramLabel = "FIELD=COLUMN",
      required = true,
      description =
          "Maps a destination field to a file column, e.g. Email=email_address. A field the "
              + "connector does not have becomes a custom field; give it a type as tier:INTEGER=column.")
  List<String> map = new ArrayList<>();

  @Option(
      names = "--option",
      paramLabel = "NAME=VALUE",
      description = "An export option of the connector (e.g. listId for Campaign Monitor).")
  Map<String, String> options = new LinkedHashMap<>();

  @Option(
      names = "--segment-name",
      paramLabel = "NAME",
      description =
          "The segment's name (one file only); the file name without extension by default.")
  String segmentName;

  @Option(
      names = "--format",
      paramLabel = "csv|jsonl",
      description =
          "The files' format, for files whose name does not end in .csv, .jsonl or .ndjson.")
  String format;

  @Parameters(
      paramLabel = "FILE",
      arity = "1..*",
      description = "Segment files (.csv, .jsonl or .ndjson).")
  List<Path> files = new ArrayList<>();

  /** One {@code --map}: destination field, its type when given, source column. */
  record Mapped(String field, FieldType type, String column) {}

  /** One input file, checked and counted. */
  record Input(Path file, SegmentFiles.Format format, SegmentFiles.FileInfo info) {}

  /**
   * The checked arguments: the mapping, and each segment's file by segment name, in order.
   *
   * @param mapped the parsed {@code --map} values
   * @param inputs each segment's file, by segment name
   */
  record Prepared(List<Mapped> mapped, Map<String, Input> inputs) {
    /** {@return the records of every file} */
    long total() {
      return inputs.values().stream().mapToLong(i -> i.info().records()).sum();
    }

    /** {@return the segments, streamed from their files} */
    SegmentSource source() {
      return new SegmentSource() {
        @Override
        public Segment open(String name) {
          Input in = inputs.get(name);
          return SegmentFiles.open(in.file(), in.format(), name, in.info());
        }

        @Override
        public OptionalLong size(String name) {
          return OptionalLong.of(inputs.get(name).info().records());
        }
      };
    }
  }

  /**
   * Parses the mapping, then checks and counts every file.
   *
   * @throws UsageException for the first problem found
   */
  Prepared prepare() {
    if (segmentName != null && files.size() != 1) {
      throw new UsageException("--segment-name needs exactly one file");
    }
    List<Mapped> mapped = parseMap(map);
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
    return new Prepared(mapped, segments);
  }

  /** Parses the {@code --map} values. */
  static List<Mapped> parseMap(List<String> values) {
    List<Mapped> result = new ArrayList<>();
    Map<String, String> seen = new LinkedHashMap<>();
    for (String v : values) {
      int eq = v.indexOf('=');
      if (eq < 0) {
        throw new UsageException(
            "--map " + v + ": give FIELD=COLUMN, e.g. --map Email=email_address");
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
          throw new UsageException(
              "unknown field type '"
                  + t
                  + "' (use one of TEXT, INTEGER, NUMBER, BOOLEAN, "
                  + "DATE, DATETIME)");
        }
      }
      if (!FIELD_NAME.matcher(field).matches()) {
        throw new UsageException(
            "--map " + v + ": '" + field + "' is not a field name (letters, digits, _ . -)");
      }
      if (column.isEmpty()) {
        throw new UsageException("--map " + v + ": no column after '='; give FIELD=COLUMN");
      }
      if (seen.put(field.toLowerCase(Locale.ROOT), column) != null) {
        throw new UsageException(
            "--map gives the field '" + field + "' twice; map each field once");
      }
      // interned, as SegmentFiles interns a CSV file's column names: the engine then finds each
      // mapped value of a row by identity (Profile.get), without comparing the names' characters
      result.add(new Mapped(field, type, column.intern()));
    }
    // Field names are known in any case, as the check for a field mapped twice knows them.
    if (result.stream().noneMatch(m -> m.field().equalsIgnoreCase(StandardFields.EMAIL))) {
      throw new UsageException(
          "no --map Email=COLUMN: the e-mail address identifies every profile; map the "
              + "column that holds it");
    }
    return result;
  }

  /** Every mapped column must be in the file: its CSV header, or the keys its first records have. */
  static void checkColumns(List<Mapped> mapped, Path file, boolean csv, List<String> columns) {
    for (Mapped m : mapped) {
      if (!columns.contains(m.column())) {
        String known = columns.isEmpty() ? "none" : String.join(", ", columns);
        String hint =
            closest(m.column(), columns).map(s -> "; did you mean '" + s + "'?").orElse("");
        throw new UsageException(
            csv
                ? "column '"
                    + m.column()
                    + "' is not in "
                    + file.getFileName()
                    + " (columns: "
                    + known
                    + ")"
                    + hint
                : "key '"
                    + m.column()
                    + "' is in none of the first "
                    + SegmentFiles.KEY_SAMPLE
                    + " records of "
                    + file.getFileName()
                    + " (keys: "
                    + known
                    + ")"
                    + hint);
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
        .filter(
            c ->
                distance(n, c.toLowerCase(Locale.ROOT)) <= Math.max(1, Math.min(3, n.length() / 3)))
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
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /** The export definition: the mapping, the connector's options (the sandbox's, then {@code --option}). */
  ExportDefinition definition(Connection c, Sandbox box, Prepared prepared, SyncMode mode) {
    List<Mapped> mapped = prepared.mapped();
    List<String> segmentNames = new ArrayList<>(prepared.inputs().keySet());
    ConnectorDescriptor provider = c.provider();
    FieldMapping.Builder mapping = FieldMapping.builder();
    for (Mapped m : mapped) {
      // A standard field in any case is that field (firstname is FirstName), as for the sink.
      String given = m.field();
      Optional<String> standardName =
          given.equalsIgnoreCase(StandardFields.EMAIL)
              ? Optional.of(StandardFields.EMAIL)
              : provider.destinationFields().stream()
                  .map(DestinationField::name)
                  .filter(n -> n.equalsIgnoreCase(given))
                  .findFirst();
      String name = standardName.orElse(given);
      if (standardName.isPresent()) {
        if (m.type() != null) {
          throw new UsageException(
              "--map "
                  + name
                  + ":"
                  + m.type()
                  + ": "
                  + name
                  + " is a standard field of "
                  + provider.displayName()
                  + "; its type is fixed, drop ':"
                  + m.type()
                  + "'");
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
      ExportDefinition.Builder b =
          ExportDefinition.builder(c).segments(segmentNames).mapping(mapping.build());
      opts.forEach(b::option);
      if (mode != null) {
        b.syncMode(mode);
      }
      return b.build();
    } catch (ConfigurationException e) {
      throw new UsageException(String.join("; ", e.problems()));
    }
  }
}
