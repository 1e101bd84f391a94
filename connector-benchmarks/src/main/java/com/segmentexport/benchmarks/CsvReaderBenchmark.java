package com.segmentexport.benchmarks;

import de.siegmar.fastcsv.reader.CommentStrategy;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The CLI's CSV reader (Commons CSV, configured as {@code SegmentFiles} configures it) against FastCSV
 * 4.1, on the race's file (email, first name, last name; issue 26): one operation reads the whole file
 * from disk, UTF-8 decoding included, and hands every value to a blackhole. One thread.
 *
 * <p>{@code java -jar benchmarks.jar CsvReaderBenchmark -p rows=200000}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CsvReaderBenchmark {
  /** Records in the file. */
  @Param({"200000"})
  public int rows;

  private Path file;

  /** Writes the race's file. */
  @Setup(Level.Trial)
  public void write() throws IOException {
    file = Files.createTempFile("csv-reader-benchmark-", ".csv");
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("email,first_name,last_name\n");
      for (int i = 1; i <= rows; i++) {
        w.write(
            "person"
                + i
                + "@example"
                + i % 97
                + ".org,Given"
                + i % 1013
                + ",Family"
                + i % 7919
                + "\n");
      }
    }
  }

  /** Deletes the file. */
  @TearDown(Level.Trial)
  public void delete() throws IOException {
    Files.deleteIfExists(file);
  }

  /** Commons CSV 1.14, as the CLI reads: RFC 4180, a header row, empty lines skipped. */
  @Benchmark
  public long commonsCsv(Blackhole bh) throws IOException {
    long n = 0;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser parser =
            CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .setTrim(false)
                .setIgnoreEmptyLines(true)
                .setAllowMissingColumnNames(true)
                .setDuplicateHeaderMode(DuplicateHeaderMode.ALLOW_ALL)
                .get()
                .parse(reader)) {
      int width = parser.getHeaderNames().size();
      for (CSVRecord r : parser) {
        for (int i = 0; i < width; i++) {
          bh.consume(r.get(i));
        }
        n++;
      }
    }
    return n;
  }

  /** FastCSV 4.1 with the same rules: RFC 4180, no comments, empty lines skipped, no ragged rows. */
  @Benchmark
  public long fastCsv(Blackhole bh) {
    long n = 0;
    try (CsvReader<CsvRecord> reader =
        CsvReader.builder()
            .fieldSeparator(',')
            .quoteCharacter('"')
            .commentStrategy(CommentStrategy.NONE)
            .skipEmptyLines(true)
            .allowExtraFields(false)
            .allowMissingFields(false)
            .ofCsvRecord(file, StandardCharsets.UTF_8)) {
      boolean header = true;
      for (CsvRecord r : reader) {
        if (header) {
          header = false;
          continue;
        }
        int width = r.getFieldCount();
        for (int i = 0; i < width; i++) {
          bh.consume(r.getField(i));
        }
        n++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }
}
