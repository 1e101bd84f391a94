package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.IDN;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
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
  @ValueSource(
      strings = {
        "plainaddress",
        "@example.org",
        "ana@",
        "ana@@example.org",
        "ana@example",
        "ana@example.c",
        "ana..silva@example.org",
        ".ana@example.org",
        "ana.@example.org",
        "ana silva@example.org",
        "ana@exa mple.org",
        "ana@-example.org",
        "ana@example-.org",
        "ana@example..org",
        "ana@example.org.",
        "\"quoted\"@example.org",
        "ünïcode@example.org",
        "ana@example.123",
        "a@b@c.example"
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

  @Test
  void aTrimmedAddressWithALowerCaseDomainComesBackAsTheSameString() {
    String address = "Ana.Silva+news@mail.example.org";
    assertThat(EmailAddresses.normalize(address)).isSameAs(address);
  }

  /**
   * The single-pass validator against a plain one written from the rules (split, check each part),
   * on a million random strings built from the characters where the rules have edges.
   */
  @Test
  void agreesWithAPlainReadingOfTheRulesOnRandomInput() {
    String[] pieces = {
      "a",
      "Z",
      "0",
      "-",
      ".",
      "@",
      " ",
      "\t",
      "+",
      "_",
      "'",
      "\"",
      "é",
      "ü",
      "xn--",
      "xn--bcher-kva",
      "example",
      "EXAMPLE",
      "org",
      "ORG",
      "co",
      "c",
      "1",
      "..",
      "a".repeat(64),
      "b".repeat(63),
      "(",
      ","
    };
    SplittableRandom random = new SplittableRandom(42);
    int valid = 0;
    for (int n = 0; n < 1_000_000; n++) {
      StringBuilder sb = new StringBuilder();
      int parts = 1 + random.nextInt(9);
      for (int i = 0; i < parts; i++) {
        sb.append(pieces[random.nextInt(pieces.length)]);
      }
      if (random.nextInt(3) == 0) {
        sb.insert(random.nextInt(sb.length() + 1), "@example.org".substring(random.nextInt(4)));
      }
      String raw = sb.toString();
      String expected = Rules.normalize(raw);
      assertThat(EmailAddresses.normalize(raw)).as("%s", raw).isEqualTo(expected);
      if (expected != null) {
        valid++;
      }
    }
    assertThat(valid).as("valid addresses among the random strings").isGreaterThan(10_000);
  }

  /** The rules, read plainly: trim, split at the one {@code @}, validate the local part, then each label. */
  private static final class Rules {
    static String normalize(String raw) {
      String s = raw.trim();
      int at = s.indexOf('@');
      if (at <= 0 || at != s.lastIndexOf('@') || at == s.length() - 1 || at > 64) {
        return null;
      }
      String local = s.substring(0, at);
      if (local.startsWith(".")
          || local.endsWith(".")
          || local.contains("..")
          || !local
              .chars()
              .allMatch(
                  c ->
                      c < 128
                          && (Character.isLetterOrDigit(c)
                              || c == '.'
                              || "!#$%&'*+/=?^_`{|}~-".indexOf(c) >= 0))) {
        return null;
      }
      String domain = s.substring(at + 1);
      if (domain.endsWith(".")) {
        return null;
      }
      try {
        domain = IDN.toASCII(domain, 0).toLowerCase(Locale.ROOT);
      } catch (IllegalArgumentException e) {
        return null;
      }
      String[] labels = domain.split("\\.", -1);
      if (domain.length() > 253 || labels.length < 2) {
        return null;
      }
      for (String label : labels) {
        if (label.isEmpty()
            || label.length() > 63
            || label.startsWith("-")
            || label.endsWith("-")
            || !label
                .chars()
                .allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
          return null;
        }
      }
      String top = labels[labels.length - 1];
      boolean topOk =
          top.startsWith("xn--")
              ? top.length() > 4
              : top.length() >= 2 && top.chars().allMatch(c -> c >= 'a' && c <= 'z');
      String normalized = local + '@' + domain;
      return topOk && normalized.length() <= 254 ? normalized : null;
    }
  }
}
