package com.segmentexport.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The fast first pass over a CSV segment file: one pass over its bytes that checks what the full
 * parse would check (valid UTF-8, no line over the limit, RFC 4180 quoting, every record as wide as
 * the header row, no value over the limit) and counts the records, without building a single
 * string.
 *
 * <p>It is conservative: it says {@link #NEEDS_FULL_CHECK} for any file it is not sure the parser
 * would take exactly as it counted (an invalid byte, a long line, a quote where RFC 4180 has none, a
 * ragged record, a file without a header row), and for a carriage return inside a quoted value
 * (rare; {@link CheckedCsvReader}, the reader of the files this pass vouches for, leaves it out of
 * its grammar). The caller then runs the full check, which finds the
 * problem and words the error; so this pass changes how fast a well-formed file is counted, never
 * what a malformed one is told.
 */
final class CsvScan {
  private static final long NEEDS_FULL_CHECK = -1;

  /** ASCII bytes with no meaning to CSV: neither a delimiter, a quote nor a line end. */
  private static final boolean[] PLAIN = new boolean[256];

  static {
    for (int b = 0; b < 0x80; b++) {
      PLAIN[b] = b != ',' && b != '"' && b != '\r' && b != '\n';
    }
  }

  private CsvScan() {}

  /**
   * What the pass counted.
   *
   * @param records the records after the header row (empty lines not counted)
   * @param headerWidth how many columns the header row has
   */
  record Result(long records, long headerWidth) {}

  /**
   * Counts the records of a well-formed CSV file; empty when the file needs the full check.
   *
   * @param maxLineBytes the most bytes a line may have (as {@link Utf8Check} counts them)
   * @param maxValueChars the most characters (UTF-16 units) a value may have
   * @throws IOException when the file cannot be read
   */
  static Optional<Result> scan(Path file, long maxLineBytes, long maxValueChars)
      throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return scan(in, maxLineBytes, maxValueChars);
    }
  }

  /** {@link #scan(Path, long, long)} over a stream's bytes (which it does not close). */
  static Optional<Result> scan(InputStream in, long maxLineBytes, long maxValueChars)
      throws IOException {
    Pass pass = new Pass(maxLineBytes, maxValueChars);
    long records = pass.run(in);
    return records == NEEDS_FULL_CHECK
        ? Optional.empty()
        : Optional.of(new Result(records, pass.headerWidth));
  }

  private static final class Pass {
    private final long maxLineBytes;
    private final long maxValueChars;
    private long headerWidth = -1;

    Pass(long maxLineBytes, long maxValueChars) {
      this.maxLineBytes = maxLineBytes;
      this.maxValueChars = maxValueChars;
    }

    long run(InputStream in) throws IOException {
      long lineBytes = 0;
      int pending = 0; // UTF-8 continuation bytes still expected
      int min = 0; // the smallest code point the current sequence may encode (overlong check)
      int codePoint = 0;
      boolean inQuotes = false;
      boolean quoteInQuotes =
          false; // a quote seen inside a quoted value: closing, or the first of two
      boolean valueStart = true;
      boolean recordStarted = false;
      boolean lastWasCr = false;
      long valueChars = 0;
      long delimiters = 0;
      long headerWidth = -1;
      long records = 0;
      byte[] buf = new byte[64 * 1024];
      boolean first = true;
      int n;
      while ((n = in.read(buf)) > 0) {
        int i = 0;
        if (first) {
          first = false;
          if (n >= 3
              && (buf[0] & 0xFF) == 0xEF
              && (buf[1] & 0xFF) == 0xBB
              && (buf[2] & 0xFF) == 0xBF) {
            i = 3; // the byte-order mark the reader skips
            lineBytes = 3;
          }
        }
        for (; i < n; i++) {
          if (pending == 0 && !quoteInQuotes && PLAIN[buf[i] & 0xFF]) {
            // the common case, a run of ordinary ASCII characters, in a tight loop
            int start = i;
            do {
              i++;
            } while (i < n && PLAIN[buf[i] & 0xFF]);
            int run = i - start;
            lineBytes += run;
            valueChars += run;
            if (lineBytes > maxLineBytes || valueChars > maxValueChars) {
              return NEEDS_FULL_CHECK;
            }
            if (!inQuotes) {
              valueStart = false;
              recordStarted = true;
              lastWasCr = false;
            }
            if (i == n) {
              break;
            }
          }
          int b = buf[i] & 0xFF;
          if (++lineBytes > maxLineBytes) {
            return NEEDS_FULL_CHECK;
          }
          if (pending > 0) {
            if ((b & 0xC0) != 0x80) {
              return NEEDS_FULL_CHECK;
            }
            codePoint = (codePoint << 6) | (b & 0x3F);
            if (--pending == 0
                && (codePoint < min
                    || codePoint > 0x10FFFF
                    || (codePoint >= 0xD800 && codePoint <= 0xDFFF))) {
              return NEEDS_FULL_CHECK;
            }
            continue; // a continuation byte is part of a character already counted
          }
          if (b >= 0x80) {
            if ((b & 0xE0) == 0xC0) {
              pending = 1;
              min = 0x80;
              codePoint = b & 0x1F;
            } else if ((b & 0xF0) == 0xE0) {
              pending = 2;
              min = 0x800;
              codePoint = b & 0x0F;
            } else if ((b & 0xF8) == 0xF0) {
              pending = 3;
              min = 0x10000;
              codePoint = b & 0x07;
            } else {
              return NEEDS_FULL_CHECK;
            }
            // outside the BMP a character is two UTF-16 chars
            valueChars += pending == 3 ? 2 : 1;
            if (valueChars > maxValueChars) {
              return NEEDS_FULL_CHECK;
            }
            if (quoteInQuotes) {
              return NEEDS_FULL_CHECK; // text right after a closing quote
            }
            valueStart = false;
            recordStarted = true;
            lastWasCr = false;
            continue;
          }
          if (b == '\n') {
            lineBytes = 0;
          }
          if (inQuotes) {
            if (quoteInQuotes) {
              quoteInQuotes = false;
              if (b == '"') {
                if (++valueChars > maxValueChars) {
                  return NEEDS_FULL_CHECK;
                }
                continue; // "" is one quote inside the value
              }
              inQuotes = false; // the value's closing quote: what follows must end the value
              if (b != ',' && b != '\r' && b != '\n') {
                return NEEDS_FULL_CHECK;
              }
            } else {
              if (b == '"') {
                quoteInQuotes = true;
              } else if (b == '\r') {
                // outside CheckedCsvReader's grammar: such a (rare) file is read by Commons CSV, as
                // before (FastCSV 4.1, tried first, even lost the record of such a value)
                return NEEDS_FULL_CHECK;
              } else if (++valueChars > maxValueChars) {
                return NEEDS_FULL_CHECK;
              }
              continue;
            }
          }
          if (b == ',') {
            delimiters++;
            valueStart = true;
            recordStarted = true;
            valueChars = 0;
            lastWasCr = false;
          } else if (b == '\r' || b == '\n') {
            if (!(b == '\n' && lastWasCr) && recordStarted) {
              long width = delimiters + 1;
              if (headerWidth < 0) {
                headerWidth = width;
              } else if (width != headerWidth) {
                return NEEDS_FULL_CHECK;
              } else {
                records++;
              }
            }
            lastWasCr = b == '\r';
            delimiters = 0;
            valueStart = true;
            recordStarted = false;
            valueChars = 0;
          } else {
            lastWasCr = false;
            recordStarted = true;
            if (b == '"' && valueStart) {
              inQuotes = true;
            } else if (++valueChars > maxValueChars) {
              return NEEDS_FULL_CHECK;
            }
            valueStart = false;
          }
        }
      }
      if (pending > 0 || (inQuotes && !quoteInQuotes)) {
        return NEEDS_FULL_CHECK; // a truncated character, or the end of the file inside quotes
      }
      if (recordStarted || quoteInQuotes) {
        long width = delimiters + 1;
        if (headerWidth < 0) {
          headerWidth = width;
        } else if (width != headerWidth) {
          return NEEDS_FULL_CHECK;
        } else {
          records++;
        }
      }
      if (headerWidth < 0) {
        return NEEDS_FULL_CHECK; // no header row
      }
      this.headerWidth = headerWidth;
      return records;
    }
  }
}
