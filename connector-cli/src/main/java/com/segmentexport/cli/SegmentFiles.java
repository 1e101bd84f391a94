package com.segmentexport.cli;

import com.segmentexport.api.Profile;
import com.segmentexport.api.Segment;
import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonEncodingException;
import com.squareup.moshi.JsonReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import okio.Buffer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;

/**
 * Segment files: CSV with a header row (RFC 4180, UTF-8) or JSON Lines ({@code .jsonl},
 * {@code .ndjson}: one JSON object per line). Files are checked and counted in a first pass, so that
 * a malformed file fails before anything is sent and the export knows its size; the second pass
 * streams.
 */
final class SegmentFiles {
  /** How many JSON Lines records the first pass looks at to learn the keys a file has. */
  static final int KEY_SAMPLE = 1000;

  /** The longest line (and CSV field) a segment file may have: 1 MiB. */
  static final int MAX_LINE_BYTES = 1024 * 1024;

  private SegmentFiles() {}

  /** A segment file's format. */
  enum Format {
    CSV,
    JSONL
  }

  /**
   * What the first pass learnt about a file.
   *
   * @param records how many records it has
   * @param columns its CSV header, or the keys the first {@link #KEY_SAMPLE} JSON Lines records have
   * @param checkedByBytes whether {@link CsvScan} vouched for the file (a CSV file that is then read
   *     from its bytes); otherwise the full check passed it, and Commons CSV reads it as it checked it
   */
  record FileInfo(long records, List<String> columns, boolean checkedByBytes) {}

  /** The format a file's extension gives, or {@code override} ({@code csv}, {@code jsonl}) when set. */
  static Format format(Path file, String override) {
    if (override != null) {
      switch (override.toLowerCase(Locale.ROOT)) {
        case "csv":
          return Format.CSV;
        case "jsonl":
        case "ndjson":
          return Format.JSONL;
        default:
          throw new UsageException("unknown --format '" + override + "' (use csv or jsonl)");
      }
    }
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
      return Format.JSONL;
    }
    if (n.endsWith(".csv")) {
      return Format.CSV;
    }
    throw new UsageException(
        file
            + ": unknown file type; segment files end in .csv, .jsonl or .ndjson "
            + "(or say which with --format csv or --format jsonl)");
  }

  /** The segment name a file gives: its name without the extension. */
  static String segmentName(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  /**
   * Checks a file (readable, UTF-8, well-formed) and counts its records. A CSV file is checked and
   * counted by one pass over its bytes ({@link CsvScan}) and its header row by the parser; only a
   * file that pass is not sure of is parsed in full, which finds and words its problem.
   */
  static FileInfo scan(Path file, Format format) {
    checkReadable(file);
    if (format == Format.CSV) {
      Optional<FileInfo> fast = fastCsvScan(file);
      if (fast.isPresent()) {
        return fast.get();
      }
    }
    try {
      Utf8Check.Result bytes = Utf8Check.check(file, MAX_LINE_BYTES);
      if (bytes.invalidLine() > 0) {
        throw new UsageException(
            file + " is not UTF-8 at line " + bytes.invalidLine() + " (save it as UTF-8)");
      }
      if (bytes.longLine() > 0) {
        throw new UsageException(
            file
                + " line "
                + bytes.longLine()
                + " is longer than "
                + MAX_LINE_BYTES / 1024
                + " KiB, the most a segment file's line may hold");
      }
    } catch (IOException e) {
      throw cannotRead(file, e);
    }
    Set<String> keys = new LinkedHashSet<>();
    List<String> header = new ArrayList<>();
    long n = 0;
    Iterator<Profile> it = read(file, format, header);
    while (it.hasNext()) {
      Profile p = it.next();
      if (format == Format.JSONL && n < KEY_SAMPLE) {
        keys.addAll(p.fields().keySet());
      }
      n++;
    }
    return new FileInfo(n, format == Format.CSV ? List.copyOf(header) : List.copyOf(keys), false);
  }

  private static Optional<FileInfo> fastCsvScan(Path file) {
    Optional<CsvScan.Result> counted;
    try {
      counted = CsvScan.scan(file, MAX_LINE_BYTES, MAX_LINE_BYTES);
    } catch (IOException e) {
      throw cannotRead(file, e);
    }
    if (counted.isEmpty()) {
      return Optional.empty();
    }
    List<String> header = new ArrayList<>();
    CSVParser parser = csvParser(file, header);
    try {
      parser.close();
    } catch (IOException e) {
      throw cannotRead(file, e);
    }
    if (header.size() != counted.get().headerWidth()) {
      return Optional.empty();
    }
    return Optional.of(new FileInfo(counted.get().records(), List.copyOf(header), true));
  }

  /** A segment streaming the file's profiles; {@code info} is what {@link #scan} found. */
  static Segment open(Path file, Format format, String name, FileInfo info) {
    Iterator<Profile> profiles =
        format == Format.CSV && info.checkedByBytes()
            ? checkedCsv(file, info.columns())
            : read(file, format, new ArrayList<>());
    return Segment.of(name, OptionalLong.of(info.records()), profiles, () -> {});
  }

  /**
   * The profiles of a CSV file that {@link CsvScan} checked, read from its bytes by {@link
   * CheckedCsvReader}. Its problems were found before the export started; these errors are for a file
   * changed since.
   */
  static Iterator<Profile> checkedCsv(Path file, List<String> header) {
    return checkedCsv(file, header, 64 * 1024);
  }

  /** {@link #checkedCsv(Path, List)} with a read buffer of this many bytes. */
  static Iterator<Profile> checkedCsv(Path file, List<String> header, int bufferSize) {
    CheckedCsvReader reader;
    try {
      reader = new CheckedCsvReader(Files.newInputStream(file), bufferSize);
    } catch (IOException e) {
      throw cannotRead(file, e);
    }
    String[] names = new String[header.size()];
    for (int i = 0; i < names.length; i++) {
      // interned, as SegmentArguments interns the --map columns: the same instances, so that
      // Profile.get finds a mapped value by identity in every row
      names[i] = header.get(i).intern();
    }
    return new Iterator<>() {
      private long recordNumber = -1; // the header row is record 0
      private String[] nextValues;
      private boolean done;

      @Override
      public boolean hasNext() {
        if (nextValues != null) {
          return true;
        }
        if (done) {
          return false;
        }
        try {
          if (recordNumber < 0) {
            reader.next(); // the header row, read and checked by the parser already
            recordNumber = 0;
          }
          nextValues = reader.next();
          if (nextValues == null) {
            done = true;
            reader.close();
            return false;
          }
          return true;
        } catch (IOException e) {
          throw new UsageException(
              file + ": malformed CSV near line " + reader.line() + " (" + e.getMessage() + ")");
        }
      }

      @Override
      public Profile next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        String[] record = nextValues;
        nextValues = null;
        recordNumber++;
        if (record.length != names.length) {
          throw new UsageException(
              file
                  + " record "
                  + recordNumber
                  + " has "
                  + record.length
                  + " values, the header has "
                  + names.length);
        }
        for (int i = 0; i < names.length; i++) {
          if (record[i].length() > MAX_LINE_BYTES) {
            throw new UsageException(
                file
                    + " record "
                    + recordNumber
                    + ": the value of column '"
                    + names[i]
                    + "' is longer than "
                    + MAX_LINE_BYTES / 1024
                    + " KiB");
          }
        }
        return Profile.of(new RowFields(names, record));
      }
    };
  }

  private static void checkReadable(Path file) {
    if (Files.isDirectory(file)) {
      throw new UsageException(file + " is a directory, not a segment file");
    }
    if (!Files.exists(file)) {
      throw new UsageException("no such file: " + file);
    }
    if (!Files.isRegularFile(file)) {
      throw new UsageException(file + " is not a regular file");
    }
    if (!Files.isReadable(file)) {
      throw new UsageException("cannot read " + file + ": permission denied");
    }
  }

  private static UsageException cannotRead(Path file, IOException e) {
    if (e instanceof AccessDeniedException) {
      return new UsageException("cannot read " + file + ": permission denied");
    }
    if (e instanceof NoSuchFileException) {
      return new UsageException("no such file: " + file);
    }
    if (e instanceof CharacterCodingException) {
      return new UsageException(file + " is not UTF-8 (save it as UTF-8)");
    }
    return new UsageException("cannot read " + file + ": " + e.getMessage());
  }

  private static Iterator<Profile> read(Path file, Format format, List<String> header) {
    try {
      return format == Format.JSONL ? jsonLines(file) : csv(file, header);
    } catch (IOException e) {
      throw cannotRead(file, e);
    }
  }

  /** Moshi's message without its API advice: what is wrong, and the JSON path where. */
  static String jsonProblem(Exception e) {
    String m = String.valueOf(e.getMessage());
    return m.replace("Use JsonReader.setLenient(true) to accept malformed JSON", "malformed JSON");
  }

  private static Reader reader(Path file) throws IOException {
    BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
    r.mark(1);
    if (r.read() != '\uFEFF') {
      r.reset();
    }
    return r;
  }

  /** Opens a CSV parser on the file and checks its header row, which it adds to {@code headerOut}. */
  private static CSVParser csvParser(Path file, List<String> headerOut) {
    CSVParser parser;
    try {
      parser =
          CSVFormat.RFC4180
              .builder()
              .setHeader()
              .setSkipHeaderRecord(true)
              .setTrim(false)
              .setIgnoreEmptyLines(true)
              .setAllowMissingColumnNames(true)
              .setDuplicateHeaderMode(DuplicateHeaderMode.ALLOW_ALL)
              .get()
              .parse(reader(file));
    } catch (IOException e) {
      throw cannotRead(file, e);
    } catch (UncheckedIOException e) {
      throw cannotRead(file, e.getCause());
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new UsageException(file + ": malformed header row");
    }
    List<String> header = parser.getHeaderNames();
    if (header.isEmpty()) {
      throw new UsageException(file + " has no header row");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < header.size(); i++) {
      String h = header.get(i);
      if (h == null || h.isBlank()) {
        throw new UsageException(
            file
                + ": column "
                + (i + 1)
                + " of the header row has no name"
                + (i == header.size() - 1 ? " (a trailing comma?)" : ""));
      }
      if (!seen.add(h)) {
        throw new UsageException(file + ": the header row has the column '" + h + "' twice");
      }
    }
    headerOut.addAll(header);
    return parser;
  }

  private static Iterator<Profile> csv(Path file, List<String> headerOut) {
    CSVParser parser = csvParser(file, headerOut);
    List<String> header = List.copyOf(headerOut);
    String[] names = header.toArray(new String[0]);
    Iterator<CSVRecord> records = parser.iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        try {
          boolean more = records.hasNext();
          if (!more) {
            parser.close();
          }
          return more;
        } catch (UncheckedIOException e) {
          if (e.getCause() instanceof CharacterCodingException) {
            throw new UsageException(
                file + " is not UTF-8 near line " + parser.getCurrentLineNumber());
          }
          throw new UsageException(
              file
                  + ": malformed CSV near line "
                  + parser.getCurrentLineNumber()
                  + " ("
                  + e.getMessage()
                  + ")");
        } catch (IOException | IllegalStateException e) {
          throw new UsageException(
              file
                  + ": malformed CSV near line "
                  + parser.getCurrentLineNumber()
                  + " ("
                  + e.getMessage()
                  + ")");
        }
      }

      @Override
      public Profile next() {
        CSVRecord record = records.next();
        if (!record.isConsistent()) {
          throw new UsageException(
              file
                  + " record "
                  + record.getRecordNumber()
                  + " has "
                  + record.size()
                  + " values, the header has "
                  + header.size());
        }
        Object[] values = new Object[names.length];
        for (int i = 0; i < names.length; i++) {
          String value = record.get(i);
          if (value.length() > MAX_LINE_BYTES) {
            throw new UsageException(
                file
                    + " record "
                    + record.getRecordNumber()
                    + ": the value of column '"
                    + header.get(i)
                    + "' is longer than "
                    + MAX_LINE_BYTES / 1024
                    + " KiB");
          }
          values[i] = value;
        }
        return Profile.of(new RowFields(names, values));
      }
    };
  }

  private static Iterator<Profile> jsonLines(Path file) throws IOException {
    BufferedReader lines = new BufferedReader(reader(file));
    return new Iterator<>() {
      private String nextLine;
      private long lineNumber;

      @Override
      public boolean hasNext() {
        try {
          while (nextLine == null) {
            String line = lines.readLine();
            if (line == null) {
              lines.close();
              return false;
            }
            lineNumber++;
            if (!line.isBlank()) {
              nextLine = line;
            }
          }
          return true;
        } catch (CharacterCodingException e) {
          throw new UsageException(file + " is not UTF-8 at line " + (lineNumber + 1));
        } catch (IOException e) {
          throw new UsageException(
              "cannot read " + file + " at line " + (lineNumber + 1) + ": " + e.getMessage());
        }
      }

      @Override
      public Profile next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        String line = nextLine;
        nextLine = null;
        Object value;
        try (JsonReader reader = JsonReader.of(new Buffer().writeUtf8(line))) {
          value = reader.readJsonValue();
          boolean more;
          try {
            more = reader.peek() != JsonReader.Token.END_DOCUMENT;
          } catch (JsonEncodingException e) {
            more = true;
          }
          if (more) {
            throw new UsageException(
                file
                    + " line "
                    + lineNumber
                    + " has more than one JSON value "
                    + "(JSON Lines has one object per line)");
          }
        } catch (IOException | JsonDataException e) {
          throw new UsageException(
              file + " line " + lineNumber + " is not valid JSON: " + jsonProblem(e));
        }
        if (!(value instanceof Map)) {
          throw new UsageException(file + " line " + lineNumber + " is not a JSON object");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
          Object v = e.getValue();
          if (v instanceof Double
              && (Double) v == Math.rint((Double) v)
              && Math.abs((Double) v) < 1e15) {
            v = ((Double) v).longValue();
          }
          fields.put(String.valueOf(e.getKey()), v);
        }
        return Profile.of(fields);
      }
    };
  }
}
