package com.segmentexport.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Strings that take every branch of the engine's per-character loops: ASCII of every class, quotes and
 * backslashes, control characters, Latin-1, two- and three-byte UTF-8, {@code \u2028}, surrogate
 * pairs, lone and reversed surrogates, the empty string and very long ones; fixed cases and random
 * ones from a seed, so that a failure repeats.
 */
public final class TrickyStrings {
  /** The fixed cases. */
  public static final String[] FIXED = {
    "",
    "a",
    "A",
    "plain",
    "MiXeD.Case@Example.ORG",
    "quote\"back\\slash",
    "\u0000\u0001\u001f\u007f",
    "line\nbreak\r\ttab\b\f",
    "é",
    "\u00ff\u0100",
    "ÀÉÎõü@bücher.example",
    "日本",
    "😀",
    "a😀b",
    "\u2028\u2029",
    "\ud800",
    "\udc00",
    "\ud800 lone high",
    "lone low \udc00",
    "\udc00\ud800",
    "end high\ud83d",
    "@[]{}`~^",
    "Ł@example.org", // U+0141, whose low byte is '@'
    "ab\u0140cd", // U+0140, whose low byte is '@' too
    "x".repeat(5000),
    "X".repeat(70_000),
    "é".repeat(3000),
    "😀".repeat(2000),
    "ß\u07ff\u0800\uffff"
  };

  private static final String ASCII =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.@-_+!#$%&'*/=?^`{|}~ \"\\";

  private TrickyStrings() {}

  /**
   * The fixed cases and {@code count} random strings (a tenth of them long).
   *
   * @param seed the random strings' seed
   * @param count how many random strings
   * @return the strings
   */
  public static List<String> all(long seed, int count) {
    List<String> out = new ArrayList<>(List.of(FIXED));
    SplittableRandom r = new SplittableRandom(seed);
    for (int n = 0; n < count; n++) {
      int length = n % 10 == 0 ? r.nextInt(4000) : r.nextInt(80);
      // Mostly ASCII, as real values are, with one in `rare` characters of another kind.
      int rare = 1 + r.nextInt(40);
      StringBuilder b = new StringBuilder(length);
      for (int i = 0; i < length; i++) {
        b.append(
            r.nextInt(rare) == 0
                ? unusual(r)
                : String.valueOf(ASCII.charAt(r.nextInt(ASCII.length()))));
      }
      out.add(b.toString());
    }
    return out;
  }

  private static String unusual(SplittableRandom r) {
    switch (r.nextInt(10)) {
      case 0:
        return String.valueOf((char) r.nextInt(0x20)); // control
      case 1:
        return String.valueOf((char) (0x80 + r.nextInt(0x80))); // Latin-1
      case 2:
        return String.valueOf((char) (0x100 + r.nextInt(0x700))); // two bytes in UTF-8
      case 3:
        return String.valueOf((char) (0x800 + r.nextInt(0xd800 - 0x800))); // three bytes
      case 4:
        return r.nextBoolean() ? "\u2028" : "\u2029";
      case 5:
        return new String(Character.toChars(0x10000 + r.nextInt(0x100000))); // a pair
      case 6:
        return String.valueOf((char) (0xd800 + r.nextInt(0x800))); // a lone surrogate
      case 7:
        return String.valueOf((char) (0xe000 + r.nextInt(0x2000)));
      case 8:
        return r.nextBoolean() ? "\"" : "\\";
      default:
        return String.valueOf((char) 0x7f);
    }
  }
}
