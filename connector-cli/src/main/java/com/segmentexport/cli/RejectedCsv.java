package com.segmentexport.cli;

import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectedRecordSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** Writes every rejected record as CSV: segment, row, masked identifier, reason, vendor code, message. */
final class RejectedCsv implements RejectedRecordSink, AutoCloseable {
  private final CSVPrinter printer;
  private long written;

  RejectedCsv(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      printer = CSVFormat.RFC4180.builder()
          .setHeader("segment", "row", "masked_identifier", "reason", "vendor_code", "message")
          .get().print(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UsageException("cannot write --rejected " + file + " (" + e.getClass().getSimpleName() + ": "
          + e.getMessage() + ")");
    }
  }

  @Override
  public synchronized void accept(RejectedRecord r) {
    try {
      printer.printRecord(r.segment(), r.row(), r.maskedIdentifier(), r.reason(), r.vendorCode().orElse(""),
          r.message());
      written++;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  synchronized long written() {
    return written;
  }

  @Override
  public void close() throws IOException {
    printer.close(true);
  }
}
