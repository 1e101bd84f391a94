package com.segmentexport.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.Profile;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProfileGeneratorTest {
  private final ProfileGenerator generator =
      ProfileGenerator.builder()
          .seed(7)
          .invalidEmails(0.1)
          .missingEmails(0.05)
          .duplicateEmails(0.1)
          .unicodeNames(0.3)
          .longValues(0.05)
          .emptyFields(0.05)
          .build();

  @Test
  void sameSeedSameProfiles() {
    ProfileGenerator again =
        ProfileGenerator.builder()
            .seed(7)
            .invalidEmails(0.1)
            .missingEmails(0.05)
            .duplicateEmails(0.1)
            .unicodeNames(0.3)
            .longValues(0.05)
            .emptyFields(0.05)
            .build();
    for (long i = 0; i < 2_000; i++) {
      assertThat(again.profile(i)).isEqualTo(generator.profile(i));
    }
    ProfileGenerator other = ProfileGenerator.builder().seed(8).build();
    assertThat(other.profile(5))
        .isNotEqualTo(ProfileGenerator.builder().seed(7).build().profile(5));
  }

  @Test
  void sharesAreRoughlyAsAskedAndExpectationMatchesTheRows() {
    int n = 20_000;
    ProfileGenerator.Expectation e = generator.expect(n);
    assertThat(e.valid() + e.invalid() + e.missing() + e.duplicates()).isEqualTo(n);
    assertThat(e.invalid() / (double) n).isBetween(0.08, 0.12);
    assertThat(e.missing() / (double) n).isBetween(0.035, 0.065);
    assertThat(e.duplicates() / (double) n).isBetween(0.08, 0.12);

    Set<String> seen = new HashSet<>();
    long valid = 0;
    long duplicates = 0;
    long blankOrAbsent = 0;
    long malformed = 0;
    Iterator<Profile> it = generator.profiles(n);
    while (it.hasNext()) {
      Object raw = it.next().get(ProfileGenerator.EMAIL);
      if (raw == null || raw.toString().isBlank()) {
        blankOrAbsent++;
        continue;
      }
      String s = raw.toString().trim();
      String at = s.contains("@") ? s.substring(s.indexOf('@') + 1) : "";
      boolean looksValid =
          s.indexOf('@') > 0
              && s.indexOf('@') == s.lastIndexOf('@')
              && at.contains(".")
              && !at.endsWith(".")
              && !s.contains("..")
              && !s.contains(" ")
              && !s.contains(",")
              && !at.contains("_");
      if (!looksValid) {
        malformed++;
      } else if (seen.add(s.toLowerCase(Locale.ROOT))) {
        valid++;
      } else {
        duplicates++;
      }
    }
    assertThat(valid).isEqualTo(e.valid());
    assertThat(duplicates).isEqualTo(e.duplicates());
    assertThat(blankOrAbsent).isEqualTo(e.missing());
    assertThat(malformed).isEqualTo(e.invalid());
    assertThat(seen).isEqualTo(e.validEmails());
  }

  @Test
  void unicodeLongAndEmptyValuesAppear() {
    boolean unicode = false;
    boolean longValue = false;
    boolean empty = false;
    for (long i = 0; i < 2_000; i++) {
      Profile p = generator.profile(i);
      String first = (String) p.get(ProfileGenerator.FIRST_NAME);
      unicode |= first.chars().anyMatch(c -> c > 127);
      longValue |= ((String) p.get(ProfileGenerator.TIER)).length() == 240;
      empty |= first.isEmpty();
    }
    assertThat(unicode).isTrue();
    assertThat(longValue).isTrue();
    assertThat(empty).isTrue();
  }

  @Test
  void segmentsAreLazyAndSized() {
    var segment = generator.segment("big", 50_000_000L);
    assertThat(segment.sizeHint()).hasValue(50_000_000L);
    assertThat(segment.profiles().next()).isEqualTo(generator.profile(0));
    assertThat(generator.segmentOfUnknownSize("x", 3).sizeHint()).isEmpty();
  }

  @Test
  void refusesImpossibleShares() {
    assertThatThrownBy(
            () -> ProfileGenerator.builder().invalidEmails(0.6).missingEmails(0.6).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProfileGenerator.builder().duplicateEmails(1.5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
