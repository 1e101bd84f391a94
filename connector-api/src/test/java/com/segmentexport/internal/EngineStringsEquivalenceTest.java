package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.spi.TrickyStrings;
import java.net.IDN;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The engine's per-character methods give exactly what the ones before them gave (kept below as the
 * oracles): fingerprints are stored in users' sync states, the JSON length sizes batches, and
 * normalisation decides what an address is.
 */
class EngineStringsEquivalenceTest {
  private static final List<String> STRINGS = TrickyStrings.all(26, 20_000);

  @Test
  void fingerprintsAreTheStoredOnes() {
    byte[] scratch = new byte[256];
    int latin1 = 0;
    for (String s : STRINGS) {
      long expected = oldFingerprint(s);
      assertThat(FingerprintSet.fingerprint(s)).as("%s", s).isEqualTo(expected);
      if (s.chars().allMatch(c -> c < 0x100)) {
        latin1++;
        assertThat(FingerprintSet.fingerprintLatin1(s, scratch)).as("%s", s).isEqualTo(expected);
      }
    }
    assertThat(latin1).isGreaterThan(1000);
  }

  @Test
  void fingerprintsOfNormalisedAddressesAreTheStoredOnes() {
    byte[] scratch = new byte[256];
    int addresses = 0;
    for (String s : STRINGS) {
      for (String raw : new String[] {s + "@Example.ORG", s.trim() + "@bücher.example", s}) {
        String email = EmailAddresses.normalize(raw);
        if (email != null) {
          addresses++;
          assertThat(FingerprintSet.fingerprintLatin1(email, scratch))
              .as("%s", email)
              .isEqualTo(oldFingerprint(email));
        }
      }
    }
    assertThat(addresses).isGreaterThan(1000);
  }

  @Test
  void aStringLongerThanTheScratchBufferIsHashedAllTheSame() {
    byte[] scratch = new byte[8];
    for (String s : new String[] {"12345678", "123456789", "Ab".repeat(300) + "@X.org"}) {
      assertThat(FingerprintSet.fingerprintLatin1(s, scratch)).isEqualTo(oldFingerprint(s));
    }
  }

  @Test
  void jsonLengthIsTheOldOne() {
    for (String s : STRINGS) {
      assertThat(RecordMapper.jsonLength(s)).as("%s", s).isEqualTo(oldJsonLength(s));
    }
  }

  @Test
  void normalisationIsTheOldOne() {
    int valid = 0;
    for (String raw : addresses()) {
      String expected = OldEmailAddresses.normalize(raw);
      assertThat(EmailAddresses.normalize(raw)).as("%s", raw).isEqualTo(expected);
      if (expected != null) {
        valid++;
        if (expected.equals(raw)) {
          assertThat(EmailAddresses.normalize(raw)).isSameAs(raw);
        }
      }
    }
    assertThat(valid).isGreaterThan(5000);
  }

  /** The tricky strings, and addresses built from tricky and ordinary parts. */
  private static List<String> addresses() {
    String[] locals = {
      "ana",
      "Ana.Lopez",
      "a",
      "a.b.c",
      ".a",
      "a.",
      "a..b",
      "x".repeat(64),
      "x".repeat(65),
      "o'neil+tag",
      "!#$%&'*+/=?^_`{|}~-",
      "q\"uoted",
      "ñame",
      "a b",
      "Ł",
      ""
    };
    String[] domains = {
      "example.org",
      "EXAMPLE.ORG",
      "Mail.Example.Co",
      "b\u00fccher.example",
      "B\u00dcCHER.Example",
      "m\u00fcnchen.DE",
      "xn--bcher-kva.example",
      "example.xn--p1ai",
      "example.XN--P1AI",
      "example.xn--",
      "example.xn",
      "example.x",
      "example.c0m",
      "-bad.org",
      "bad-.org",
      "a..org",
      "org",
      ".org",
      "org.",
      "\u65e5\u672c.jp",
      "\u4f8b\u3048.\u30c6\u30b9\u30c8",
      "exa_mple.org",
      "e\u0301xample.org",
      "a".repeat(63) + ".org",
      "a".repeat(64) + ".org",
      ("a".repeat(60) + ".").repeat(4) + "org",
      "\ud83d\ude00.example",
      "\ud800.example",
      "ex\u2028ample.org",
      "\u0130stanbul.tr",
      "\u212aelvin.org",
      "e\u00dfample.de",
      "127.0.0.1",
      "Xn--bcher-kva.example",
      "example.Xn--P1ai",
      ""
    };
    String[] pads = {"", " ", "\t", " \n ", "\u00a0", "\u0000"};
    List<String> out = new java.util.ArrayList<>(STRINGS);
    java.util.SplittableRandom r = new java.util.SplittableRandom(11);
    for (String local : locals) {
      for (String domain : domains) {
        out.add(local + "@" + domain);
        for (int k = 0; k < 4; k++) {
          String pad = pads[r.nextInt(pads.length)];
          out.add(pad + local + "@" + domain + pads[r.nextInt(pads.length)]);
        }
      }
    }
    for (int n = 0; n < 20_000; n++) {
      String local = STRINGS.get(r.nextInt(STRINGS.size()));
      local = local.length() > 70 ? local.substring(0, r.nextInt(70)) : local;
      StringBuilder b = new StringBuilder();
      for (int i = r.nextInt(1, 12); i > 0; i--) {
        b.append((char) ('a' + r.nextInt(26)));
      }
      String domain =
          (r.nextBoolean() ? b.toString() : domains[r.nextInt(domains.length)])
              + (r.nextBoolean() ? ".com" : ".Org");
      out.add((r.nextInt(3) == 0 ? local : b.toString().toUpperCase(Locale.ROOT)) + "@" + domain);
    }
    return out;
  }

  /** FingerprintSet.fingerprint as it was when sync states began to store it. */
  private static long oldFingerprint(String s) {
    int n = s.length();
    long h = 0x9E3779B97F4A7C15L ^ n;
    int i = 0;
    for (; i + 1 < n; i += 2) {
      h ^= oldFold(s.charAt(i)) | (long) oldFold(s.charAt(i + 1)) << 16;
      h *= 0xBF58476D1CE4E5B9L;
      h = Long.rotateLeft(h, 29);
    }
    if (i < n) {
      h ^= oldFold(s.charAt(i));
      h *= 0xBF58476D1CE4E5B9L;
      h = Long.rotateLeft(h, 29);
    }
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return h == 0 ? 1 : h;
  }

  private static int oldFold(char c) {
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
  }

  /** RecordMapper.jsonLength before the table. */
  private static long oldJsonLength(String s) {
    long n = 2;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20) {
        n += 6;
      } else if (c == '"' || c == '\\') {
        n += 2;
      } else if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (c == '\u2028' || c == '\u2029') {
        n += 6;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** EmailAddresses as it was (a char array in its place was tried and measured slower). */
  private static final class OldEmailAddresses {
    private static final String ATEXT_SPECIALS = "!#$%&'*+/=?^_`{|}~-";

    /** The ASCII characters of a dot-atom's atoms (RFC 5322 atext): letters, digits and the specials. */
    private static final boolean[] ATEXT = new boolean[128];

    static {
      for (char c = 0; c < 128; c++) {
        ATEXT[c] =
            (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || ATEXT_SPECIALS.indexOf(c) >= 0;
      }
    }

    private OldEmailAddresses() {}

    /** Returns the normalised address, or null if it is not one the vendors accept. */
    static String normalize(String raw) {
      if (raw == null) {
        return null;
      }
      // One pass, within the bounds String.trim() would give: the common address (trimmed, ASCII,
      // its
      // domain lower-case) comes back as the very string it was given, with nothing allocated.
      int begin = 0;
      int end = raw.length();
      while (begin < end && raw.charAt(begin) <= ' ') {
        begin++;
      }
      while (end > begin && raw.charAt(end - 1) <= ' ') {
        end--;
      }
      int at = localPartEnd(raw, begin, end);
      if (at < 0) {
        return null;
      }
      boolean upper = false;
      int labels = 0;
      int label = at + 1;
      int topLevel = label;
      for (int i = at + 1; i <= end; i++) {
        char c = i < end ? raw.charAt(i) : '.';
        if (c == '.') {
          if (!validLabel(raw, label, i)) {
            return null;
          }
          labels++;
          topLevel = label;
          label = i + 1;
        } else if (c >= 'A' && c <= 'Z') {
          upper = true;
        } else if (c >= 128) {
          return withInternationalDomain(raw.substring(begin, at), raw.substring(at + 1, end));
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
          return null;
        }
      }
      if (labels < 2
          || end - at - 1 > 253
          || end - begin > 254
          || !validTopLevel(raw, topLevel, end)) {
        return null;
      }
      if (!upper) {
        return begin == 0 && end == raw.length() ? raw : raw.substring(begin, end);
      }
      return raw.substring(begin, at + 1) + raw.substring(at + 1, end).toLowerCase(Locale.ROOT);
    }

    /**
     * Validates the local part, a dot-atom from {@code begin}: returns the index of the {@code @} that
     * ends it, or -1 if it is empty, longer than 64 characters, or not a dot-atom.
     */
    private static int localPartEnd(String s, int begin, int end) {
      char previous = '.'; // a leading dot is refused like a doubled one
      for (int i = begin; i < end; i++) {
        char c = s.charAt(i);
        if (c == '@') {
          return i == begin || i - begin > 64 || previous == '.' ? -1 : i;
        }
        if (!((c < 128 && ATEXT[c]) || (c == '.' && previous != '.'))) {
          return -1;
        }
        previous = c;
      }
      return -1;
    }

    /** A domain with non-ASCII characters: converted to its ASCII form, then validated. */
    private static String withInternationalDomain(String local, String domain) {
      if (domain.endsWith(".")) {
        return null;
      }
      String d;
      try {
        d = IDN.toASCII(domain, 0).toLowerCase(Locale.ROOT);
      } catch (IllegalArgumentException e) {
        return null;
      }
      if (d.length() > 253
          || !d.chars()
              .allMatch(
                  c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
        return null;
      }
      int labels = 0;
      int label = 0;
      for (int i = 0; i <= d.length(); i++) {
        if (i == d.length() || d.charAt(i) == '.') {
          if (!validLabel(d, label, i)) {
            return null;
          }
          labels++;
          if (i == d.length()) {
            break;
          }
          label = i + 1;
        }
      }
      String normalized = local + '@' + d;
      return labels >= 2 && validTopLevel(d, label, d.length()) && normalized.length() <= 254
          ? normalized
          : null;
    }

    /** A DNS label of characters already checked to be letters, digits and hyphens. */
    private static boolean validLabel(String s, int from, int to) {
      int n = to - from;
      return n > 0 && n <= 63 && s.charAt(from) != '-' && s.charAt(to - 1) != '-';
    }

    /** An alphabetic top-level label of two letters or more, or an internationalised one ({@code xn--}). */
    private static boolean validTopLevel(String s, int from, int to) {
      if (s.regionMatches(true, from, "xn--", 0, 4)) {
        return to - from > 4;
      }
      if (to - from < 2) {
        return false;
      }
      for (int i = from; i < to; i++) {
        char c = s.charAt(i);
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
          return false;
        }
      }
      return true;
    }
  }
}
