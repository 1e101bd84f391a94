package com.segmentexport.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MaskingTest {
  @Test
  void masksEveryAddressInAVendorsText() {
    assertThat(
            Masking.emailsIn("Invalid email: ana.silva@example.org, \"li@example.com\" and more"))
        .isEqualTo("Invalid email: a***@e***.org, \"l***@e***.com\" and more");
  }

  @Test
  void leavesTextWithoutAddressesAlone() {
    assertThat(Masking.emailsIn("Field 'signupDate' already exists"))
        .isEqualTo("Field 'signupDate' already exists");
  }

  /** The masked text must be well-formed UTF-16: a strict UTF-8 encoder (as a file writer uses) takes it. */
  private static String encodableAsUtf8(String masked) {
    assertThatCode(
            () ->
                StandardCharsets.UTF_8
                    .newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(masked)))
        .as("masked text encodes to UTF-8 without replacement")
        .doesNotThrowAnyException();
    return masked;
  }

  @Test
  void aSupplementaryFirstCharacterIsKeptWhole() {
    assertThat(encodableAsUtf8(Masking.email("\uD83D\uDE00ana@example.org")))
        .isEqualTo("\uD83D\uDE00***@e***.org");
    assertThat(encodableAsUtf8(Masking.email("\uD835\uDC9Clice@example.org")))
        .isEqualTo("\uD835\uDC9C***@e***.org");
    assertThat(encodableAsUtf8(Masking.email("ana@\uD840\uDF0E\u4E2D.example")))
        .isEqualTo("a***@\uD840\uDF0E***.example");
    assertThat(encodableAsUtf8(Masking.email("\uD83D\uDC4D"))).isEqualTo("\uD83D\uDC4D***");
    assertThat(encodableAsUtf8(Masking.email("\uD83D\uDC4D@"))).isEqualTo("\uD83D\uDC4D***");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\uD83D\uDE00ana@example.org",
        "\uD83D\uDC68\u200D\uD83D\uDC69@x.example",
        "\uD800\uDC00@\uDBFF\uDFFF.example",
        "\uD83Dana@example.org",
        "\uDE00ana@\uDE00.example",
        "ana@example.\uD83D",
        "\uD83D"
      })
  void maskedTextIsAlwaysWellFormed(String address) {
    String masked = encodableAsUtf8(Masking.email(address));
    assertThat(masked).contains("***");
    if (address.contains("@")) {
      encodableAsUtf8(Masking.emailsIn("refused: " + address + " and more"));
    }
  }

  @Test
  void addressesWithSupplementaryCharactersAreMaskedInAVendorsText() {
    assertThat(encodableAsUtf8(Masking.emailsIn("Invalid email: \uD83D\uDE00ana@example.org, ok")))
        .isEqualTo("Invalid email: \uD83D\uDE00***@e***.org, ok");
  }
}
