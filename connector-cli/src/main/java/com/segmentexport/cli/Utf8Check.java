package com.segmentexport.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks a file as bytes, before any parsing: valid UTF-8, and no line longer than a limit. */
final class Utf8Check {
  private Utf8Check() {}

  /** The 1-based line of the first invalid UTF-8 sequence, or 0 when the whole file is valid. */
  static long firstInvalidLine(Path file) throws IOException {
    return check(file, Long.MAX_VALUE).invalidLine();
  }

  /**
   * What the byte pass found.
   *
   * @param invalidLine the 1-based line of the first invalid UTF-8 sequence, or 0
   * @param longLine the 1-based line of the first line over the limit, or 0
   */
  record Result(long invalidLine, long longLine) {}

  /** Reads the file once; stops at the first problem. */
  static Result check(Path file, long maxLineBytes) throws IOException {
    long line = 1;
    long lineBytes = 0;
    int pending = 0; // continuation bytes still expected
    int min = 0; // smallest code point the current sequence may encode (overlong check)
    int codePoint = 0;
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          int b = buf[i] & 0xFF;
          if (++lineBytes > maxLineBytes) {
            return new Result(0, line);
          }
          if (pending > 0) {
            if ((b & 0xC0) != 0x80) {
              return new Result(line, 0);
            }
            codePoint = (codePoint << 6) | (b & 0x3F);
            if (--pending == 0
                && (codePoint < min
                    || codePoint > 0x10FFFF
                    || (codePoint >= 0xD800 && codePoint <= 0xDFFF))) {
              return new Result(line, 0);
            }
            continue;
          }
          if (b < 0x80) {
            if (b == '\n') {
              line++;
              lineBytes = 0;
            }
          } else if ((b & 0xE0) == 0xC0) {
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
            return new Result(line, 0);
          }
        }
      }
    }
    return new Result(pending > 0 ? line : 0, 0);
  }
}
