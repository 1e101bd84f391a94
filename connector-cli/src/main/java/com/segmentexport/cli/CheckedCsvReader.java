package com.segmentexport.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the records of a CSV file that {@link CsvScan} checked, straight from its bytes: its grammar
 * is then simple (a value is either plain, or quoted with {@code ""} for a quote and followed by a
 * delimiter or a line end; no carriage return inside quotes; the bytes are valid UTF-8), so a value
 * is cut from the buffer and decoded once, with no per-character work beyond finding its end.
 * Records are read as Commons CSV reads them (RFC 4180, empty lines skipped, a byte-order mark
 * dropped); CsvScanTest compares the two on random files.
 *
 * <p>A file changed since it was checked may break that grammar: {@link #next()} then throws
 * {@link IOException} naming what it found. Not thread-safe.
 */
final class CheckedCsvReader implements Closeable {
  /**
   * Bytes that end a plain run: delimiter, quote, line ends, and any byte of a non-ASCII character
   * (which marks the value as needing UTF-8 decoding, then goes on with the run).
   */
  private static final boolean[] SPECIAL = new boolean[256];

  static {
    SPECIAL[','] = true;
    SPECIAL['"'] = true;
    SPECIAL['\r'] = true;
    SPECIAL['\n'] = true;
    for (int b = 0x80; b < 0x100; b++) {
      SPECIAL[b] = true;
    }
  }

  private final InputStream in;
  private final byte[] buf;
  private int pos;
  private int limit;
  private boolean first = true;
  private byte[] pending; // bytes read to look for a byte-order mark, not yet in the buffer
  private boolean eof;
  private byte[] value = new byte[256];
  private int valueLength;
  private boolean valueNonAscii; // a byte of the value is 0x80 or above: decode it as UTF-8
  private String[] fields = new String[8]; // the record's values so far, reused for every record
  private int fieldCount;
  private long line = 1;
  private boolean lastWasCr;

  CheckedCsvReader(InputStream in, int bufferSize) {
    this.in = in;
    this.buf = new byte[bufferSize];
  }

  /** The 1-based line the reader is on (line feeds read so far, plus one). */
  long line() {
    return line;
  }

  /** The next record's values, or null at the end of the file. */
  String[] next() throws IOException {
    fieldCount = 0;
    valueLength = 0;
    valueNonAscii = false;
    boolean started = false; // anything but a line end seen in this record
    boolean quoted = false; // inside a quoted value
    boolean quoteInQuotes = false; // a quote inside a quoted value: closing, or the first of two
    boolean afterClosingQuote = false;
    while (true) {
      if (pos == limit && !fill()) {
        if (quoted && !quoteInQuotes) {
          throw new IOException("the end of the file inside a quoted value");
        }
        if (started) {
          add(take());
          return record();
        }
        return null;
      }
      if (quoted) {
        if (quoteInQuotes) {
          quoteInQuotes = false;
          if (buf[pos] == '"') {
            append(pos, 1);
            pos++;
            continue;
          }
          quoted = false;
          afterClosingQuote = true;
          // fall through: the byte after the closing quote ends the value
        } else {
          int start = pos;
          byte c;
          while (pos < limit && (c = buf[pos]) != '"' && c != '\r') {
            if (c == '\n') {
              line++;
            } else if (c < 0) {
              valueNonAscii = true;
            }
            pos++;
          }
          append(start, pos - start);
          if (pos < limit) {
            if (buf[pos] == '\r') {
              throw new IOException("a carriage return inside a quoted value");
            }
            quoteInQuotes = true;
            pos++;
          }
          continue;
        }
      }
      int b = buf[pos] & 0xFF;
      if (!SPECIAL[b] || b >= 0x80) {
        if (afterClosingQuote) {
          throw new IOException("text after a closing quote");
        }
        int start = pos;
        if (b >= 0x80) {
          valueNonAscii = true;
        }
        do {
          pos++;
        } while (pos < limit && !SPECIAL[buf[pos] & 0xFF]);
        append(start, pos - start);
        started = true;
        lastWasCr = false;
        continue;
      }
      pos++;
      if (b == ',') {
        add(take());
        started = true;
        afterClosingQuote = false;
        lastWasCr = false;
      } else if (b == '"') {
        if (afterClosingQuote) {
          throw new IOException("text after a closing quote");
        }
        if (valueLength > 0) {
          append(pos - 1, 1); // a quote inside a plain value is a character like any other
        } else {
          quoted = true;
        }
        started = true;
        lastWasCr = false;
      } else {
        boolean crlf = b == '\n' && lastWasCr;
        lastWasCr = b == '\r';
        if (b == '\n') {
          line++;
        }
        if (crlf || !started) {
          continue; // the second half of CR LF, or an empty line
        }
        add(take());
        return record();
      }
    }
  }

  private void add(String value) {
    if (fieldCount == fields.length) {
      fields = Arrays.copyOf(fields, fieldCount * 2);
    }
    fields[fieldCount++] = value;
  }

  /**
   * The record's values as an array of their own: {@code System.arraycopy} into a new array, not
   * {@code Arrays.copyOf} nor {@code List.toArray(T[])}, which make their array by reflection, a
   * native call per row when the client compiler compiled them.
   */
  private String[] record() {
    String[] r = new String[fieldCount];
    System.arraycopy(fields, 0, r, 0, fieldCount);
    return r;
  }

  private boolean fill() throws IOException {
    if (first) {
      first = false;
      byte[] head = in.readNBytes(3);
      boolean bom =
          head.length == 3
              && (head[0] & 0xFF) == 0xEF
              && (head[1] & 0xFF) == 0xBB
              && (head[2] & 0xFF) == 0xBF;
      if (!bom && head.length > 0) {
        System.arraycopy(head, 0, buf, 0, Math.min(head.length, buf.length));
        pos = 0;
        limit = Math.min(head.length, buf.length);
        pending =
            head.length > buf.length ? Arrays.copyOfRange(head, buf.length, head.length) : null;
        return true;
      }
    }
    if (pending != null) {
      int n = Math.min(pending.length, buf.length);
      System.arraycopy(pending, 0, buf, 0, n);
      pending = n < pending.length ? Arrays.copyOfRange(pending, n, pending.length) : null;
      pos = 0;
      limit = n;
      return true;
    }
    if (eof) {
      return false;
    }
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      eof = true;
      return false;
    }
    pos = 0;
    limit = n;
    return true;
  }

  private void append(int start, int length) {
    if (valueLength + length > value.length) {
      value = Arrays.copyOf(value, Math.max(value.length * 2, valueLength + length));
    }
    System.arraycopy(buf, start, value, valueLength, length);
    valueLength += length;
  }

  /**
   * The value read, as a string: an all-ASCII value (most are) is taken as ISO-8859-1, the same
   * characters without the UTF-8 decoder's scan for non-ASCII bytes (a loop of its own under the
   * client compiler).
   */
  private String take() {
    String s =
        valueLength == 0
            ? ""
            : new String(
                value,
                0,
                valueLength,
                valueNonAscii ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    valueLength = 0;
    valueNonAscii = false;
    return s;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
