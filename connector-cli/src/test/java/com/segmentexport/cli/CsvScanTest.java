package com.segmentexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Profile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CsvScan}: the byte pass counts what the parser counts, and never passes a file the parser
 * would refuse (it may send a good file to the full check: that only costs time).
 */
class CsvScanTest {
  @TempDir Path dir;

  @Test
  void countsRecordsAfterTheHeaderSkippingEmptyLines() throws IOException {
    assertThat(scan("email,first\na@x.org,A\n\nb@x.org,B\n")).contains(new CsvScan.Result(2, 2));
    assertThat(scan("email,first\r\na@x.org,A\r\n\r\nb@x.org,B"))
        .contains(new CsvScan.Result(2, 2));
    assertThat(scan("\uFEFFemail,first\na@x.org,\"A, \"\"the\"\" first\nline two\"\n"))
        .contains(new CsvScan.Result(1, 2));
    assertThat(scan("email\n")).contains(new CsvScan.Result(0, 1));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", // no header row
        "email,first\na@x.org,A,extra\n", // ragged
        "email,first\na@x.org\n", // ragged
        "email,first\na@x.org,\"A\"x\n", // text after a closing quote
        "email,first\na@x.org,\"A\n", // the end of the file inside quotes
        "email,first\na@x.org,\"A\r\nB\"\n", // a carriage return in quotes: outside the fast
        // grammar
      })
  void sendsProblemsToTheFullCheck(String text) throws IOException {
    assertThat(scan(text)).isEmpty();
  }

  @Test
  void sendsInvalidUtf8AndLongLinesToTheFullCheck() throws IOException {
    Path latin1 = dir.resolve("latin1.csv");
    Files.write(latin1, "email,first\nzoe@x.org,Zo\u00eb\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(CsvScan.scan(latin1, 1024, 1024)).isEmpty();
    assertThat(scan("email,first\na@x.org," + "x".repeat(2000) + "\n")).isEmpty();
    // a quoted value over the limit though no line is
    assertThat(scan("email,first\na@x.org,\"" + "x\n".repeat(600) + "\"\n")).isEmpty();
    assertThat(scan("email,first\na@x.org,\"" + "x\n".repeat(100) + "\"\n")).isPresent();
  }

  /**
   * Random small files over an alphabet of CSV's special characters: whenever the pass counts a
   * file, the parser (configured as {@code SegmentFiles} configures it) takes it and agrees.
   */
  @Test
  void agreesWithTheParserOnRandomFiles() throws IOException {
    String[] alphabet = {"a", "b", ",", "\"", "\r", "\n", "\r\n", " ", "\u00e9", "\uD83D\uDE00"};
    Random random = new Random(26);
    int counted = 0;
    for (int round = 0; round < 20_000; round++) {
      StringBuilder text = new StringBuilder(round % 7 == 0 ? "\uFEFF" : "");
      int length = random.nextInt(24);
      for (int i = 0; i < length; i++) {
        text.append(alphabet[random.nextInt(alphabet.length)]);
      }
      Optional<CsvScan.Result> result = scan(text.toString());
      if (result.isEmpty()) {
        continue;
      }
      counted++;
      long records = 0;
      List<List<String>> values = new ArrayList<>();
      List<String> header;
      try (CSVParser parser = parser(text.toString())) {
        header = parser.getHeaderNames();
        int width = header.size();
        assertThat((long) width)
            .as("header of %s", show(text))
            .isEqualTo(result.get().headerWidth());
        for (CSVRecord r : parser) {
          assertThat(r.size())
              .as("record %d of %s", r.getRecordNumber(), show(text))
              .isEqualTo(width);
          values.add(r.toList());
          records++;
        }
      } catch (IOException | RuntimeException e) {
        throw new AssertionError("the pass counted " + show(text) + ", the parser refused it", e);
      }
      assertThat(records).as(show(text)).isEqualTo(result.get().records());
      if (counted <= 3000 && new HashSet<>(header).size() == header.size()) {
        // the reader of checked files reads each value as the parser does
        Path f = dir.resolve("f.csv");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        // with a buffer that cuts values and line ends, and with the usual one
        Iterator<Profile> profiles =
            SegmentFiles.checkedCsv(f, header, counted % 2 == 0 ? 1 + counted % 5 : 64 * 1024);
        for (List<String> row : values) {
          assertThat(profiles.hasNext()).as(show(text)).isTrue();
          Profile p = profiles.next();
          for (int i = 0; i < header.size(); i++) {
            assertThat(p.get(header.get(i)))
                .as("%s column %d", show(text), i)
                .isEqualTo(row.get(i));
          }
        }
        assertThat(profiles.hasNext()).as(show(text)).isFalse();
      }
    }
    assertThat(counted).as("files the pass counted").isGreaterThan(1000);
  }

  private static Optional<CsvScan.Result> scan(String text) throws IOException {
    return CsvScan.scan(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), 1024, 1024);
  }

  private static CSVParser parser(String text) throws IOException {
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    return CSVFormat.RFC4180
        .builder()
        .setHeader()
        .setSkipHeaderRecord(true)
        .setTrim(false)
        .setIgnoreEmptyLines(true)
        .setAllowMissingColumnNames(true)
        .setDuplicateHeaderMode(DuplicateHeaderMode.ALLOW_ALL)
        .get()
        .parse(new StringReader(body));
  }

  private static String show(CharSequence text) {
    return "'" + text.toString().replace("\r", "\\r").replace("\n", "\\n") + "'";
  }
}
