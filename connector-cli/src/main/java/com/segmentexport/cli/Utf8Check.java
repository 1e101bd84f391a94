package com.segmentexport.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the first line of a file that is not valid UTF-8, reading it as bytes. */
final class Utf8Check {
  private Utf8Check() {}

  /** The 1-based line of the first invalid UTF-8 sequence, or 0 when the whole file is valid. */
  static long firstInvalidLine(Path file) throws IOException {
    long line = 1;
    int pending = 0; // continuation bytes still expected
    int min = 0; // smallest code point the current sequence may encode (overlong check)
    int codePoint = 0;
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          int b = buf[i] & 0xFF;
          if (pending > 0) {
            if ((b & 0xC0) != 0x80) {
              return line;
            }
            codePoint = (codePoint << 6) | (b & 0x3F);
            if (--pending == 0 && (codePoint < min || codePoint > 0x10FFFF
                || (codePoint >= 0xD800 && codePoint <= 0xDFFF))) {
              return line;
            }
            continue;
          }
          if (b < 0x80) {
            if (b == '\n') {
              line++;
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
            return line;
          }
        }
      }
    }
    return pending > 0 ? line : 0;
  }
}
