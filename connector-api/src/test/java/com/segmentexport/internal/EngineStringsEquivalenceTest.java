package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.spi.TrickyStrings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine's faster per-character methods give exactly what the ones before them gave (kept below as
 * the oracles): fingerprints are stored in users' sync states, and the JSON length sizes batches.
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
}
