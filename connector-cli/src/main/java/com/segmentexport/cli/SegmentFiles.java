package com.segmentexport.cli;

import com.segmentexport.api.Profile;
import com.segmentexport.api.Segment;
import com.squareup.moshi.JsonReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import okio.Buffer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Segment files: CSV with a header row (RFC 4180, UTF-8) or JSON Lines ({@code .jsonl},
 * {@code .ndjson}: one JSON object per line). Files are checked and counted in a first pass, so that
 * a malformed file fails before anything is sent and the export knows its size; the second pass
 * streams.
 */
final class SegmentFiles {
  private SegmentFiles() {}

  static boolean isJsonLines(Path file) {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".jsonl") || n.endsWith(".ndjson");
  }

  /** The segment name a file gives: its name without the extension. */
  static String segmentName(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  /** Checks a file and counts its records. */
  static long count(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UsageException("no such file: " + file);
    }
    long n = 0;
    Iterator<Profile> it = read(file);
    while (it.hasNext()) {
      it.next();
      n++;
    }
    return n;
  }

  /** A segment streaming the file's profiles. */
  static Segment open(Path file, String name, long size) {
    return Segment.of(name, OptionalLong.of(size), read(file), () -> {});
  }

  private static Iterator<Profile> read(Path file) {
    try {
      return isJsonLines(file) ? jsonLines(file) : csv(file);
    } catch (IOException e) {
      throw new UsageException("cannot read " + file + ": " + e.getMessage());
    }
  }

  private static Reader reader(Path file) throws IOException {
    BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
    r.mark(1);
    if (r.read() != '\uFEFF') {
      r.reset();
    }
    return r;
  }

  private static Iterator<Profile> csv(Path file) throws IOException {
    CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setTrim(false)
        .setIgnoreEmptyLines(true).get().parse(reader(file));
    if (parser.getHeaderNames().isEmpty()) {
      throw new UsageException(file + " has no header row");
    }
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
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
          throw new UsageException(file + ": malformed CSV (" + e.getMessage() + ")");
        }
      }

      @Override
      public Profile next() {
        CSVRecord record = records.next();
        if (!record.isConsistent()) {
          throw new UsageException(file + " record " + record.getRecordNumber() + " has " + record.size()
              + " values, the header has " + parser.getHeaderNames().size());
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : record.toMap().entrySet()) {
          fields.put(e.getKey(), e.getValue());
        }
        return Profile.of(fields);
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
        } catch (IOException e) {
          throw new UncheckedIOException(e);
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
        } catch (IOException | RuntimeException e) {
          throw new UsageException(file + " line " + lineNumber + " is not valid JSON");
        }
        if (!(value instanceof Map)) {
          throw new UsageException(file + " line " + lineNumber + " is not a JSON object");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
          Object v = e.getValue();
          if (v instanceof Double && (Double) v == Math.rint((Double) v) && Math.abs((Double) v) < 1e15) {
            v = ((Double) v).longValue();
          }
          fields.put(String.valueOf(e.getKey()), v);
        }
        return Profile.of(fields);
      }
    };
  }
}
