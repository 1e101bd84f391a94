package com.segmentexport.internal;

/**
 * The set of e-mail addresses already seen in a segment, kept as 64-bit fingerprints in an
 * open-addressing table: 8 to 16 bytes per distinct address instead of a String per address, so that
 * de-duplicating a 1,000,000-profile segment (the vendors' per-export cap) takes at most 16 MiB.
 *
 * <p>Addresses differing only in case are one contact to every vendor, so they share a fingerprint:
 * letters are folded to lower case as they are hashed. Only ASCII letters need folding, because a
 * normalised address is ASCII (see {@link EmailAddresses}).
 *
 * <p>Two different addresses share a fingerprint with probability about n²/2⁶⁵ (3·10⁻⁸ for a
 * million addresses); such an address would be counted as a duplicate, never sent twice.
 */
final class FingerprintSet {
  private static final double MAX_LOAD = 0.7;
  private long[] table;
  private int size;

  FingerprintSet(long expected) {
    int capacity = 1024;
    // Pre-size from the expected count, but not beyond 2^20 entries (8 MiB): a size hint may be
    // exaggerated, and the table grows on demand anyway.
    while (capacity < Math.min(expected, 1 << 20) / MAX_LOAD) {
      capacity <<= 1;
    }
    table = new long[capacity];
  }

  /**
   * Adds a normalised address; returns false if it (or one equal ignoring case, or one with the same
   * fingerprint) was already present.
   */
  boolean add(String key) {
    long f = fingerprint(key);
    if (insert(table, f)) {
      size++;
      if (size > table.length * MAX_LOAD) {
        grow();
      }
      return true;
    }
    return false;
  }

  /**
   * Adds {@code count} fingerprints (from {@link #fingerprint}) in order, as many calls to {@link #add}
   * would; {@code added[i]} tells whether the i-th was new. A table of a million addresses is far
   * larger than the CPU's caches, so each probe waits on memory; probing a group in one tight loop
   * lets the CPU fetch many slots at once instead of one per profile.
   */
  void addAll(long[] fingerprints, int count, boolean[] added) {
    for (int i = 0; i < count; i++) {
      boolean isNew = insert(table, fingerprints[i]);
      added[i] = isNew;
      if (isNew && ++size > table.length * MAX_LOAD) {
        grow();
      }
    }
  }

  int size() {
    return size;
  }

  /** Whether the key (or one equal ignoring the case of ASCII letters) was added. */
  boolean contains(String key) {
    long f = fingerprint(key);
    int mask = table.length - 1;
    int i = (int) (f ^ (f >>> 32)) & mask;
    while (true) {
      long v = table[i];
      if (v == 0) {
        return false;
      }
      if (v == f) {
        return true;
      }
      i = (i + 1) & mask;
    }
  }

  private static boolean insert(long[] t, long f) {
    int mask = t.length - 1;
    int i = (int) (f ^ (f >>> 32)) & mask;
    while (true) {
      long v = t[i];
      if (v == 0) {
        t[i] = f;
        return true;
      }
      if (v == f) {
        return false;
      }
      i = (i + 1) & mask;
    }
  }

  private void grow() {
    long[] bigger = new long[table.length * 2];
    for (long f : table) {
      if (f != 0) {
        insert(bigger, f);
      }
    }
    table = bigger;
  }

  /**
   * A well-mixed 64-bit hash of the characters, ASCII letters folded to lower case; never 0 (0 marks
   * an empty slot).
   */
  static long fingerprint(String s) {
    int n = s.length();
    long h = 0x9E3779B97F4A7C15L ^ n;
    int i = 0;
    // Two characters a round: the multiplications form one chain, so half as many rounds is about
    // half the time. The pair is packed without loss (16 bits each).
    for (; i + 1 < n; i += 2) {
      h = round(h, fold(s.charAt(i)) | (long) fold(s.charAt(i + 1)) << 16);
    }
    if (i < n) {
      h = round(h, fold(s.charAt(i)));
    }
    return finish(h);
  }

  /** One round: up to two characters (16 bits each) mixed into the running hash. */
  private static long round(long h, long chars) {
    h ^= chars;
    h *= 0xBF58476D1CE4E5B9L;
    return Long.rotateLeft(h, 29);
  }

  /** The final avalanche (MurmurHash3's fmix64); never 0, which marks an empty slot. */
  private static long finish(long h) {
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return h == 0 ? 1 : h;
  }

  private static int fold(char c) {
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
  }

  /** Each byte value folded as {@link #fold} folds the character of that value. */
  private static final char[] FOLDED = new char[256];

  static {
    for (char c = 0; c < 256; c++) {
      FOLDED[c] = (char) fold(c);
    }
  }

  /**
   * {@link #fingerprint(String)} of a string whose characters are all below U+0100 (a normalised
   * address, which is ASCII), the same value, computed from its bytes: one bulk copy into {@code
   * scratch} and a loop over an array, instead of a {@code charAt} and a branch per character. A
   * caller owns its scratch buffer (one thread); a string longer than it is hashed the general way.
   */
  static long fingerprintLatin1(String s, byte[] scratch) {
    int n = s.length();
    if (n > scratch.length) {
      return fingerprint(s);
    }
    copyLowBytes(s, n, scratch);
    char[] folded = FOLDED;
    long h = 0x9E3779B97F4A7C15L ^ n;
    int i = 0;
    for (; i + 1 < n; i += 2) {
      h = round(h, folded[scratch[i] & 0xff] | (long) folded[scratch[i + 1] & 0xff] << 16);
    }
    if (i < n) {
      h = round(h, folded[scratch[i] & 0xff]);
    }
    return finish(h);
  }

  /** The low byte of each of the first {@code n} characters, into {@code to}. */
  @SuppressWarnings("deprecation") // exactly what is wanted: a bulk copy for a Latin-1 string
  static void copyLowBytes(String s, int n, byte[] to) {
    s.getBytes(0, n, to, 0);
  }
}
