package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The segment's de-duplication set: exact answers, growth from a small start, no zero fingerprint. */
class FingerprintSetTest {
  @Test
  void addReportsWhetherAKeyIsNew() {
    FingerprintSet set = new FingerprintSet(10);
    assertThat(set.add("ana@example.org")).isTrue();
    assertThat(set.add("bob@example.org")).isTrue();
    assertThat(set.add("ana@example.org")).isFalse();
    assertThat(set.add("")).isTrue();
    assertThat(set.add("")).isFalse();
    assertThat(set.size()).isEqualTo(3);
  }

  @Test
  void addingAGroupAnswersAsAddingOneByOne() {
    // Repeats inside a group, across groups and in other case, and enough keys to grow the table.
    java.util.Random random = new java.util.Random(3);
    FingerprintSet single = new FingerprintSet(16);
    FingerprintSet grouped = new FingerprintSet(16);
    long[] group = new long[100];
    boolean[] expected = new boolean[100];
    boolean[] added = new boolean[100];
    for (int g = 0; g < 50; g++) {
      int n = 1 + random.nextInt(group.length);
      for (int i = 0; i < n; i++) {
        String key = "p" + random.nextInt(2000) + "@example.org";
        key = random.nextBoolean() ? key : key.toUpperCase(java.util.Locale.ROOT);
        expected[i] = single.add(key);
        group[i] = FingerprintSet.fingerprint(key);
      }
      grouped.addAll(group, n, added);
      for (int i = 0; i < n; i++) {
        assertThat(added[i]).as("group %d, key %d", g, i).isEqualTo(expected[i]);
      }
      assertThat(grouped.size()).isEqualTo(single.size());
    }
    assertThat(single.size()).as("grew from 1,024 slots").isGreaterThan(1024);
  }

  @Test
  void addressesDifferingOnlyInCaseAreOneContact() {
    FingerprintSet set = new FingerprintSet(10);
    assertThat(set.add("Ana.Silva@example.org")).isTrue();
    assertThat(set.add("ana.silva@example.org")).isFalse();
    assertThat(set.add("ANA.SILVA@EXAMPLE.ORG")).isFalse();
    assertThat(set.add("ana.silvb@example.org")).isTrue();
    // Only ASCII letters fold: '@' and '`' sit next to 'A'..'Z' and 'a'..'z' and must stay
    // distinct.
    assertThat(set.add("x@example.org")).isTrue();
    assertThat(set.add("x`example.org")).isTrue();
    assertThat(set.size()).isEqualTo(4);
  }

  @Test
  void growsFarBeyondItsInitialCapacityWithoutLosingKeys() {
    FingerprintSet set = new FingerprintSet(0); // starts at 1,024 slots
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      assertThat(set.add("user" + i + "@example.org")).as("first add of %d", i).isTrue();
    }
    assertThat(set.size()).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      assertThat(set.add("user" + i + "@example.org")).as("second add of %d", i).isFalse();
    }
    for (int i = n; i < n + 1000; i++) {
      assertThat(set.add("user" + i + "@example.org")).isTrue();
    }
    assertThat(set.size()).isEqualTo(n + 1000);
  }

  @Test
  void agreesWithAHashSetOnSimilarKeys() {
    FingerprintSet set = new FingerprintSet(100);
    Set<String> reference = new HashSet<>();
    // Keys differing in one character, in order, or by case (which the set ignores): the hardest
    // for a
    // weak hash.
    String[] stems = {"a", "b", "ab", "ba", "A", "B", "aa", "bb", "Ab", "bA"};
    for (int i = 0; i < 5000; i++) {
      String key = stems[i % stems.length] + (i / 7) + "@x.example";
      assertThat(set.add(key))
          .as(key)
          .isEqualTo(reference.add(key.toLowerCase(java.util.Locale.ROOT)));
    }
    assertThat(set.size()).isEqualTo(reference.size());
  }

  @Test
  void fingerprintsAreNeverZeroAndSpreadWell() {
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      long f = FingerprintSet.fingerprint("k" + i);
      assertThat(f).isNotZero();
      seen.add(f);
    }
    assertThat(seen).hasSize(100_000);
    assertThat(FingerprintSet.fingerprint("ab")).isNotEqualTo(FingerprintSet.fingerprint("ba"));
  }
}
