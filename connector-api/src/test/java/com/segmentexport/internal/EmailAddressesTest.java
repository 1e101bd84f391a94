package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EmailAddressesTest {
  @ParameterizedTest
  @CsvSource({
      "ana.silva@example.org, ana.silva@example.org",
      "'  Ana.Silva@EXAMPLE.Org  ', Ana.Silva@example.org",
      "o'brien+news@mail.example.co.uk, o'brien+news@mail.example.co.uk",
      "user@bücher.example, user@xn--bcher-kva.example",
      "x@a-b.example.museum, x@a-b.example.museum"
  })
  void normalisesValidAddresses(String raw, String expected) {
    assertThat(EmailAddresses.normalize(raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "plainaddress", "@example.org", "ana@", "ana@@example.org", "ana@example", "ana@example.c",
      "ana..silva@example.org", ".ana@example.org", "ana.@example.org", "ana silva@example.org",
      "ana@exa mple.org", "ana@-example.org", "ana@example-.org", "ana@example..org", "ana@example.org.",
      "\"quoted\"@example.org", "ünïcode@example.org", "ana@example.123", "a@b@c.example"
  })
  void rejectsWhatVendorsReject(String raw) {
    assertThat(EmailAddresses.normalize(raw)).isNull();
  }

  @org.junit.jupiter.api.Test
  void rejectsOverlongAddresses() {
    String local = "a".repeat(65);
    assertThat(EmailAddresses.normalize(local + "@example.org")).isNull();
    String domain = ("d".repeat(60) + ".").repeat(4) + "e".repeat(10) + ".org"; // 259 characters
    assertThat(EmailAddresses.normalize("a@" + domain)).isNull();
  }

  @org.junit.jupiter.api.Test
  void dedupKeyIgnoresCase() {
    assertThat(EmailAddresses.dedupKey(EmailAddresses.normalize("Ana@Example.org")))
        .isEqualTo(EmailAddresses.dedupKey(EmailAddresses.normalize("ana@example.ORG")));
  }
}
