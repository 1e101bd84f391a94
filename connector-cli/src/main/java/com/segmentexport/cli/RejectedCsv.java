package com.segmentexport.cli;

import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectedRecordSink;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Writes every rejected record as CSV: segment, row, masked identifier, reason, vendor code, message.
 *
 * <p>The records go to a temporary file next to the target, moved into place by {@link #finish()}:
 * the target is either complete or not written at all. A write failure (a full disk, a value the
 * encoder cannot write) never reaches the export: it is kept, further records are dropped, and
 * {@link #finish()} removes the temporary file and reports it. Cells that a spreadsheet would read
 * as a formula (starting with {@code =}, {@code +}, {@code -}, {@code @}, tab or carriage return)
 * are written with a leading single quote.
 */
final class RejectedCsv implements RejectedRecordSink {
  private final Path target;
  private final Path temp;
  private final CSVPrinter printer;
  private long written;
  private IOException failure;
  private boolean finished;

  private RejectedCsv(Path target, Path temp, CSVPrinter printer) {
    this.target = target;
    this.temp = temp;
    this.printer = printer;
  }

  /** Creates the temporary file next to {@code target} and writes the header. */
  static RejectedCsv open(Path target) {
    Path temp = null;
    try {
      Path parent = target.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      temp = Files.createTempFile(parent, "." + target.getFileName() + ".", ".tmp");
      Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8);
      CSVPrinter printer =
          CSVFormat.RFC4180
              .builder()
              .setHeader("segment", "row", "masked_identifier", "reason", "vendor_code", "message")
              .get()
              .print(w);
      return new RejectedCsv(target, temp, printer);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new UsageException("cannot write --rejected " + target + " (" + describe(e) + ")");
    }
  }

  @Override
  public synchronized void accept(RejectedRecord r) {
    if (failure != null || finished) {
      return;
    }
    try {
      printer.printRecord(
          cell(r.segment()),
          r.row(),
          cell(r.maskedIdentifier()),
          cell(r.reason().name()),
          cell(r.vendorCode().orElse("")),
          cell(r.message()));
      written++;
    } catch (IOException e) {
      failure = e;
    }
  }

  /** How many records were written. */
  synchronized long written() {
    return written;
  }

  /** The target file. */
  Path target() {
    return target;
  }

  /**
   * Closes the file and moves it into place; records arriving later are dropped. Returns why the
   * file was not written, if it was not (the temporary file is then removed).
   */
  synchronized Optional<String> finish() {
    if (finished) {
      return failure == null ? Optional.empty() : Optional.of(describe(failure));
    }
    finished = true;
    try {
      printer.close(true);
    } catch (IOException e) {
      if (failure == null) {
        failure = e;
      }
    }
    if (failure == null) {
      try {
        try {
          Files.move(
              temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } catch (IOException e) {
        failure = e;
      }
    }
    if (failure != null) {
      deleteQuietly(temp);
      return Optional.of(describe(failure));
    }
    return Optional.empty();
  }

  /** Closes and removes the temporary file without touching the target: the export never started. */
  synchronized void abandon() {
    finished = true;
    try {
      printer.close(true);
    } catch (IOException ignored) {
      // the file is removed anyway
    }
    deleteQuietly(temp);
  }

  /**
   * A cell a spreadsheet shows as text: one starting with {@code =}, {@code +}, {@code -}, {@code @},
   * tab or carriage return gets a leading single quote (formula injection).
   */
  static String cell(String value) {
    if (!value.isEmpty()) {
      char c = value.charAt(0);
      if (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r') {
        return "'" + value;
      }
    }
    return value;
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // best effort: nothing more can be done about a temporary file that cannot be removed
      }
    }
  }
}
