package com.segmentexport.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProfileTest {
  /** A profile of {@code n} fields f0..f(n-1) with values v0.., and one null value. */
  private static Map<String, Object> fields(int n) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      m.put("f" + i, i == 1 ? null : "v" + i);
    }
    return m;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 6, Profile.MAX_SCANNED_FIELDS, Profile.MAX_SCANNED_FIELDS + 1, 40})
  void readsEveryFieldByAnEqualNameInEitherForm(int n) {
    Profile p = Profile.of(fields(n));
    for (int i = 0; i < n; i++) {
      // A name built anew is equal to, not the same as, the one the profile holds.
      String name = new StringBuilder("f").append(i).toString();
      assertThat(p.get(name)).isEqualTo(i == 1 ? null : "v" + i);
    }
    assertThat(p.get("missing")).isNull();
    assertThat(p.get("f" + n)).isNull();
    assertThat(p.fields()).containsExactlyEntriesOf(fields(n));
    assertThat(p.fields().keySet()).containsExactlyElementsOf(fields(n).keySet());
  }

  @Test
  void keepsACopyAndIsUnmodifiable() {
    Map<String, Object> source = new HashMap<>(Map.of("email", "a@b.example"));
    Profile p = Profile.of(source);
    source.put("email", "changed@b.example");
    assertThat(p.get("email")).isEqualTo("a@b.example");
    assertThatThrownBy(() -> p.fields().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    Profile large = Profile.of(fields(Profile.MAX_SCANNED_FIELDS + 1));
    assertThatThrownBy(() -> large.fields().remove("f0"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void equalFieldsMakeEqualProfiles() {
    assertThat(Profile.of("email", "a@b.example", "tier", "gold"))
        .isEqualTo(Profile.of(Map.of("tier", "gold", "email", "a@b.example")))
        .hasSameHashCodeAs(Profile.of(Map.of("tier", "gold", "email", "a@b.example")))
        .isNotEqualTo(Profile.of("email", "a@b.example"));
  }

  @Test
  void aRepeatedNameKeepsItsFirstPlaceAndLastValue() {
    Profile p = Profile.of("email", "a@b.example", "tier", "gold", "email", "c@d.example");
    assertThat(p.get("email")).isEqualTo("c@d.example");
    assertThat(p.fields().keySet()).containsExactly("email", "tier");
  }

  @Test
  void refusesNullNamesAndOddPairs() {
    Map<String, Object> withNullName = new HashMap<>();
    withNullName.put(null, "x");
    assertThatThrownBy(() -> Profile.of(withNullName))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("field name");
    Map<String, Object> largeWithNullName = new HashMap<>(fields(Profile.MAX_SCANNED_FIELDS + 1));
    largeWithNullName.put(null, "x");
    assertThatThrownBy(() -> Profile.of(largeWithNullName))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Profile.of("email")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toStringNamesFieldsButNoValues() {
    assertThat(Profile.of("email", "a@b.example").toString())
        .isEqualTo("Profile[email]")
        .doesNotContain("a@b");
  }
}
