package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.MappedField;
import com.segmentexport.testsupport.TestConnectorProvider;
import com.squareup.moshi.JsonWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Date;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** §3 Mapping and validation: values are converted to the destination field's type, or rejected. */
class RecordMapperTest {
  private static Object convert(Object v, FieldType t) {
    return RecordMapper.convert(v, t);
  }

  @ParameterizedTest
  @EnumSource(FieldType.class)
  void blankTextIsAbsentForEveryType(FieldType type) {
    assertThat(convert("", type)).isNull();
    assertThat(convert("   \t ", type)).isNull();
  }

  @Test
  void text() {
    assertThat(convert("  Ana  ", FieldType.TEXT)).isEqualTo("Ana");
    assertThat(convert(42, FieldType.TEXT)).isEqualTo("42");
    assertThat(convert(new BigDecimal("1E+3"), FieldType.TEXT)).isEqualTo("1000");
    assertThat(convert(true, FieldType.TEXT)).isEqualTo("true");
    assertThat(convert(LocalDate.of(2024, 2, 29), FieldType.TEXT)).isEqualTo("2024-02-29");
    assertThat(convert(Date.from(Instant.parse("2024-01-02T03:04:05Z")), FieldType.TEXT))
        .isEqualTo("2024-01-02T03:04:05Z");
  }

  @Test
  void integer() {
    assertThat(convert(42, FieldType.INTEGER)).isEqualTo(42L);
    assertThat(convert((short) 4, FieldType.INTEGER)).isEqualTo(4L);
    assertThat(convert(" 7 ", FieldType.INTEGER)).isEqualTo(7L);
    assertThat(convert("-12", FieldType.INTEGER)).isEqualTo(-12L);
    assertThat(convert(3.0, FieldType.INTEGER)).isEqualTo(3L);
    assertThat(convert("9223372036854775807", FieldType.INTEGER)).isEqualTo(Long.MAX_VALUE);
    assertThat(convert(new BigDecimal("12.000"), FieldType.INTEGER)).isEqualTo(12L);
  }

  @ParameterizedTest
  @ValueSource(strings = {"3.5", "twelve", "1e400x", "9223372036854775808", "0x10", "true"})
  void notAWholeNumber(String v) {
    assertThatThrownBy(() -> convert(v, FieldType.INTEGER))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void number() {
    assertThat(convert("12.50", FieldType.NUMBER)).isEqualTo(new BigDecimal("12.50"));
    assertThat(convert(3, FieldType.NUMBER)).isEqualTo(new BigDecimal("3"));
    assertThat(convert(1.1, FieldType.NUMBER)).isEqualTo(new BigDecimal("1.1"));
    assertThat(convert("-0.001", FieldType.NUMBER)).isEqualTo(new BigDecimal("-0.001"));
    assertThat(convert("1e3", FieldType.NUMBER)).isEqualTo(new BigDecimal("1e3"));
    BigDecimal exact = new BigDecimal("123456789012345678901234567890.12345");
    assertThat(convert(exact, FieldType.NUMBER)).isSameAs(exact);
    assertThatThrownBy(() -> convert("abc", FieldType.NUMBER))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> convert(Double.NaN, FieldType.NUMBER))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> convert(Double.POSITIVE_INFINITY, FieldType.NUMBER))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A NUMBER is a finite number of at most 40 characters written out in full; no overflow, no huge expansion. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "1e400",
        "-1e400",
        "1e999999999",
        "1E+2147483647",
        "1e-400",
        "0.1e-999999999",
        "1e40",
        "1e-40",
        "12345678901234567890123456789012345678901",
        "0.00000000000000000000000000000000000000001"
      })
  void aNumberOutOfRangeOrTooLongIsNotAValidNumber(String v) {
    assertThatThrownBy(() -> convert(v, FieldType.NUMBER))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> convert(new BigDecimal(v), FieldType.NUMBER))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void numbersOfUpToFortyCharactersWrittenOutAreKept() {
    String forty = "1234567890123456789012345678901234567890";
    assertThat(convert(forty, FieldType.NUMBER)).isEqualTo(new BigDecimal(forty));
    assertThat(convert("-123456789012345678901234567890123456789", FieldType.NUMBER))
        .isEqualTo(new BigDecimal("-123456789012345678901234567890123456789"));
    assertThat(convert("1e38", FieldType.NUMBER)).isEqualTo(new BigDecimal("1e38"));
    assertThat(convert("1e-37", FieldType.NUMBER)).isEqualTo(new BigDecimal("1e-37"));
    assertThat(convert(1.0E-5, FieldType.NUMBER)).isEqualTo(new BigDecimal("0.000010"));
    // Zero is written "0" in full whatever its exponent.
    assertThat((BigDecimal) convert("0e999999999", FieldType.NUMBER))
        .isEqualByComparingTo(BigDecimal.ZERO);
    assertThatThrownBy(() -> convert(Double.MAX_VALUE, FieldType.NUMBER))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aNumberOutOfRangeRejectsOnlyItsProfileNamingTheField() {
    RecordMapper.Mapped m = mapper.map(Profile.of("mail", "ana@example.org", "score", "1e400"), 4);
    assertThat(m.record).isNull();
    assertThat(m.reason).isEqualTo(RejectionReason.INVALID_VALUE);
    assertThat(m.message)
        .contains("'Score'")
        .contains("number")
        .contains("40")
        .doesNotContain("1e400");
    assertThat(mapper.map(Profile.of("mail", "bo@example.org", "score", "1e999999999"), 5).reason)
        .isEqualTo(RejectionReason.INVALID_VALUE);
    assertThat(mapper.map(Profile.of("mail", "cy@example.org", "score", "1e3"), 6).record.value(2))
        .isEqualTo(new BigDecimal("1e3"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"0", "-0.00", "12.50", "1e3", "-0.001", "1E-7", "1.23456E+6", "0E+5", "-1e38"})
  void thePlainLengthIsThatOfToPlainString(String v) {
    BigDecimal n = new BigDecimal(v);
    assertThat(RecordMapper.plainLength(n)).isEqualTo(n.toPlainString().length());
  }

  @Test
  void booleans() {
    for (Object yes : new Object[] {true, "true", "TRUE", "yes", "Y", "1", 1}) {
      assertThat(convert(yes, FieldType.BOOLEAN)).as("%s", yes).isEqualTo(Boolean.TRUE);
    }
    for (Object no : new Object[] {false, "false", "No", "n", "0", 0L}) {
      assertThat(convert(no, FieldType.BOOLEAN)).as("%s", no).isEqualTo(Boolean.FALSE);
    }
    assertThatThrownBy(() -> convert("maybe", FieldType.BOOLEAN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> convert(2, FieldType.BOOLEAN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void dates() {
    LocalDate d = LocalDate.of(2024, 2, 29);
    assertThat(convert(d, FieldType.DATE)).isSameAs(d);
    assertThat(convert("2024-02-29", FieldType.DATE)).isEqualTo(d);
    assertThat(convert(Instant.parse("2024-02-29T23:59:59Z"), FieldType.DATE)).isEqualTo(d);
    // An instant's date is its UTC date.
    assertThat(convert("2024-02-28T23:30:00-02:00", FieldType.DATE)).isEqualTo(d);
    assertThat(convert(OffsetDateTime.parse("2024-03-01T00:30:00+02:00"), FieldType.DATE))
        .isEqualTo(d);
    assertThat(convert(LocalDateTime.parse("2024-02-29T12:00:00"), FieldType.DATE)).isEqualTo(d);
    for (String bad :
        new String[] {"2023-02-29", "2024-13-01", "29/02/2024", "tomorrow", "20240229"}) {
      assertThatThrownBy(() -> convert(bad, FieldType.DATE))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> convert(20240229, FieldType.DATE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void dateTimes() {
    Instant i = Instant.parse("2024-03-01T10:15:30Z");
    assertThat(convert(i, FieldType.DATETIME)).isSameAs(i);
    assertThat(convert("2024-03-01T10:15:30Z", FieldType.DATETIME)).isEqualTo(i);
    assertThat(convert("2024-03-01T12:15:30+02:00", FieldType.DATETIME)).isEqualTo(i);
    assertThat(convert("2024-03-01T10:15:30", FieldType.DATETIME)).isEqualTo(i); // no offset: UTC
    assertThat(convert("2024-03-01", FieldType.DATETIME))
        .isEqualTo(Instant.parse("2024-03-01T00:00:00Z"));
    assertThat(convert(OffsetDateTime.ofInstant(i, ZoneOffset.ofHours(5)), FieldType.DATETIME))
        .isEqualTo(i);
    assertThat(convert(ZonedDateTime.ofInstant(i, ZoneId.of("Europe/Lisbon")), FieldType.DATETIME))
        .isEqualTo(i);
    assertThat(convert(LocalDate.of(2024, 3, 1), FieldType.DATETIME))
        .isEqualTo(Instant.parse("2024-03-01T00:00:00Z"));
    assertThat(convert(Date.from(i), FieldType.DATETIME)).isEqualTo(i);
    for (String bad :
        new String[] {"later", "2024-03-01 10:15", "2024-03-01T25:00:00Z", "not-a-day"}) {
      assertThatThrownBy(() -> convert(bad, FieldType.DATETIME))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  private final TestConnectorProvider provider = TestConnectorProvider.standard();
  private final RecordMapper mapper =
      new RecordMapper(
          FieldMapping.builder()
              .email("mail")
              .firstName("first")
              .map("Score", "score")
              .map("Birthday", "born")
              .custom("orders", "orderCount", FieldType.INTEGER)
              .custom("vip", "isVip", FieldType.BOOLEAN)
              .custom("tier", "tier")
              .build(),
          provider);

  @Test
  void theSchemaTakesStandardTypesFromTheConnectorAndCustomTypesFromTheMapping() {
    assertThat(mapper.schema().fields())
        .containsExactly(
            new MappedField(0, "Email", FieldType.TEXT, false),
            new MappedField(1, "FirstName", FieldType.TEXT, false),
            new MappedField(2, "Score", FieldType.NUMBER, false),
            new MappedField(3, "Birthday", FieldType.DATE, false),
            new MappedField(4, "orders", FieldType.INTEGER, true),
            new MappedField(5, "vip", FieldType.BOOLEAN, true),
            new MappedField(6, "tier", FieldType.TEXT, true));
  }

  @Test
  void aProfileIsMappedNormalisedAndConverted() {
    RecordMapper.Mapped m =
        mapper.map(
            Profile.of(
                "mail",
                "  Ana.Silva@EXAMPLE.Org ",
                "first",
                "  ",
                "score",
                "12.5",
                "born",
                "1990-04-01",
                "orderCount",
                "3",
                "isVip",
                "yes",
                "tier",
                2,
                "unmapped",
                "ignored"),
            9);
    ExportRecord r = m.record;
    assertThat(m.reason).isNull();
    assertThat(r.row()).isEqualTo(9);
    assertThat(r.email()).isEqualTo("Ana.Silva@example.org");
    assertThat(r.value(1)).isNull();
    assertThat(r.value(2)).isEqualTo(new BigDecimal("12.5"));
    assertThat(r.value(3)).isEqualTo(LocalDate.of(1990, 4, 1));
    assertThat(r.value(4)).isEqualTo(3L);
    assertThat(r.value(5)).isEqualTo(true);
    assertThat(r.value(6)).isEqualTo("2");
  }

  @Test
  void aValueThatDoesNotConvertRejectsTheProfileAsInvalidValue() {
    RecordMapper.Mapped m =
        mapper.map(Profile.of("mail", "ana@example.org", "orderCount", "3.5"), 4);
    assertThat(m.record).isNull();
    assertThat(m.reason).isEqualTo(RejectionReason.INVALID_VALUE);
    assertThat(m.message).contains("orders").contains("integer").doesNotContain("3.5");
    assertThat(m.rawEmail).isEqualTo("ana@example.org");
    assertThat(mapper.map(Profile.of("mail", "ana@example.org", "born", "1990-02-30"), 5).reason)
        .isEqualTo(RejectionReason.INVALID_VALUE);
  }

  @Test
  void missingAndInvalidAddressesAreRejected() {
    assertThat(mapper.map(Profile.of("first", "NoMail"), 1).reason)
        .isEqualTo(RejectionReason.MISSING_EMAIL);
    assertThat(mapper.map(Profile.of("mail", null), 1).reason)
        .isEqualTo(RejectionReason.MISSING_EMAIL);
    assertThat(mapper.map(Profile.of("mail", " "), 1).reason)
        .isEqualTo(RejectionReason.MISSING_EMAIL);
    RecordMapper.Mapped invalid = mapper.map(Profile.of("mail", "ana@example"), 1);
    assertThat(invalid.reason).isEqualTo(RejectionReason.INVALID_EMAIL);
    assertThat(invalid.message).doesNotContain("ana@example");
  }

  @Test
  void theSizeEstimateIsAnUpperBoundOfTheRecordsJson() throws IOException {
    String awkward = "\"Zoë\" \\ 日本 😀 \n\t\u2028 </script>";
    RecordMapper.Mapped m =
        mapper.map(
            Profile.of(
                "mail",
                "o'brien+x@example.org",
                "first",
                awkward,
                "score",
                "123456.789",
                "born",
                "2000-01-01",
                "orderCount",
                99,
                "isVip",
                false,
                "tier",
                awkward),
            1);
    okhttp3.RequestBody body =
        Json.body(
            w -> {
              w.beginObject();
              for (MappedField f : mapper.schema().fields()) {
                w.name(f.name());
                Json.writeValue(w, m.record.value(f));
              }
              w.endObject();
            });
    assertThat(body.contentLength()).isLessThanOrEqualTo(m.estimatedBytes);
  }

  @Test
  void jsonLengthMatchesMoshiAndNeverUnderestimates() throws IOException {
    for (String s :
        new String[] {
          "", "plain", "quote\"back\\slash", "é日😀", "\u2028\u2029", "</script>&'", "\u0001\u001f"
        }) {
      assertThat(RecordMapper.jsonLength(s)).as(s).isEqualTo(moshiLength(s));
    }
    // \n, \r and \t take two bytes, counted as six: an overestimate is safe for batching.
    String ctrl = "line\nbreak\r\ttab";
    assertThat(RecordMapper.jsonLength(ctrl)).isGreaterThanOrEqualTo(moshiLength(ctrl));
  }

  @Test
  void digitsCountsTheCharactersOfEveryWholeNumber() {
    long[] samples = {
      0,
      7,
      9,
      10,
      99,
      100,
      -1,
      -9,
      -10,
      123_456_789,
      Long.MAX_VALUE,
      Long.MIN_VALUE,
      Long.MIN_VALUE + 1
    };
    for (long v : samples) {
      assertThat(RecordMapper.digits(v)).as("%d", v).isEqualTo(Long.toString(v).length());
    }
    java.util.Random random = new java.util.Random(11);
    for (int i = 0; i < 10_000; i++) {
      long v = random.nextLong() >> random.nextInt(64);
      assertThat(RecordMapper.digits(v)).as("%d", v).isEqualTo(Long.toString(v).length());
    }
  }

  private static long moshiLength(String s) throws IOException {
    Buffer buffer = new Buffer();
    try (JsonWriter w = JsonWriter.of(buffer)) {
      w.value(s);
    }
    return buffer.size();
  }
}
