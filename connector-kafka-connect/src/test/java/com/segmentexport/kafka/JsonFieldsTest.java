package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.Profile;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JSON fast path (ByteArrayConverter, StringConverter values): each value read straight into a
 * profile must equal what JsonConverter without schemas and {@link RecordProfiles} make of the same
 * bytes, and what that path refuses is refused with a reason.
 */
class JsonFieldsTest {
  private final RecordProfiles reader = new RecordProfiles(SinkConfig.SegmentSource.TOPIC, null);

  private static JsonConverter converter(boolean schemas) {
    JsonConverter c = new JsonConverter();
    c.configure(Map.of("schemas.enable", Boolean.toString(schemas)), false);
    return c;
  }

  private static SinkRecord record(Object value) {
    return new SinkRecord("vip", 0, null, null, null, value, 5);
  }

  /** The profile JsonConverter's path makes of these bytes. */
  private Profile viaConverter(String json, boolean schemas) {
    Object value =
        converter(schemas).toConnectData("vip", json.getBytes(StandardCharsets.UTF_8)).value();
    return reader.profile(record(value));
  }

  private Profile viaBytes(String json) {
    return reader.profile(record(json.getBytes(StandardCharsets.UTF_8)));
  }

  private Profile viaText(String json) {
    return reader.profile(record(json));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"email\":\"ann@example.org\",\"first_name\":\"Ann\",\"orders\":3,\"vip\":true}",
        "{}",
        "  {\n\t\"email\" : \"ann@example.org\" ,\r\n \"note\" : null }  ",
        // escapes and unicode
        "{\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00\"}",
        "{\"name\":\"Zoë 東京 \uD83D\uDE00\",\"\\u0065mail\":\"x@example.org\"}",
        "{\"lone\":\"\\ud800\"}",
        // numbers
        "{\"i\":0,\"n\":-0,\"big\":9223372036854775807,\"small\":-9223372036854775808}",
        "{\"d\":1.5,\"one\":1.0,\"e\":1e2,\"E\":-2.5E-3,\"tiny\":4.9e-324,\"p\":0.1,\"z\":-0.0}",
        "{\"long\":123456789012345678,\"frac\":12345678901234567890.123}",
        "{\"inf\":1e400}",
        "\uFEFF{\"bom\":1}",
        "{\"z\":007,\"y\":-01,\"x\":00.25,\"w\":0e5}",
        // nulls, booleans, nested objects and arrays
        "{\"a\":null,\"b\":false,\"c\":true}",
        "{\"address\":{\"city\":\"Paris\",\"zip\":75001,\"geo\":{\"lat\":48.85}},\"tags\":[]}",
        "{\"tags\":[\"a\",1,2.5,null,true,{\"k\":[1,[2,[3]]]}],\"empty\":{}}",
        // duplicate names: the later one wins
        "{\"email\":\"first@example.org\",\"email\":\"second@example.org\"}",
        "{\"x\":{\"a\":1},\"x\":[1]}",
        // an object with a field named schema or payload, but not the envelope
        "{\"schema\":1,\"payload\":2,\"other\":3}",
        "{\"payload\":{\"email\":\"ann@example.org\"}}"
      })
  void eachValueIsWhatJsonConverterMakesOfIt(String json) {
    Profile expected = viaConverter(json, false);
    assertThat(viaBytes(json).fields()).isEqualTo(expected.fields());
    assertThat(viaText(json).fields()).isEqualTo(expected.fields());
  }

  @Test
  void valuesHaveTheConverterPathsTypes() {
    Profile p =
        viaBytes(
            "{\"orders\":3,\"score\":4.50,\"vip\":true,\"note\":null,\"tags\":[\"a\"],"
                + "\"address\":{\"city\":\"Paris\"}}");
    assertThat(p.get("orders")).isEqualTo(3L);
    assertThat(p.get("score")).isEqualTo(new BigDecimal("4.5"));
    assertThat(p.get("vip")).isEqualTo(true);
    assertThat(p.fields()).containsKey("note");
    assertThat(p.get("note")).isNull();
    assertThat(p.get("tags")).isEqualTo(List.of("a"));
    assertThat(p.get("address")).isEqualTo(Map.of("city", "Paris"));
  }

  @Test
  void anIntegerBeyondALongKeepsItsValue() {
    // JsonConverter cuts it to its low 64 bits; the fast path keeps it whole.
    assertThat(viaBytes("{\"n\":92233720368547758070}").get("n"))
        .isEqualTo(new BigDecimal("92233720368547758070"));
    assertThat(JsonFields.number("-9223372036854775809"))
        .isEqualTo(new BigDecimal("-9223372036854775809"));
  }

  @Test
  void aHugeStringIsReadWhole() {
    char[] chars = new char[3_000_000];
    Arrays.fill(chars, 'é');
    String huge = new String(chars);
    Profile p = viaBytes("{\"email\":\"ann@example.org\",\"bio\":\"" + huge + "\"}");
    assertThat(p.get("bio")).isEqualTo(huge);
  }

  @Test
  void anEnvelopeWithItsSchemaIsReadAsJsonConverterWithSchemasReadsIt() {
    String json =
        "{\"schema\":{\"type\":\"struct\",\"fields\":["
            + "{\"field\":\"email\",\"type\":\"string\"},"
            + "{\"field\":\"orders\",\"type\":\"int32\"},"
            + "{\"field\":\"joined\",\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Timestamp\"},"
            + "{\"field\":\"score\",\"type\":\"double\",\"optional\":true}]},"
            + "\"payload\":{\"email\":\"ann@example.org\",\"orders\":3,\"joined\":1700000000000,"
            + "\"score\":2.5}}";
    Profile expected = viaConverter(json, true);
    assertThat(viaBytes(json).fields()).isEqualTo(expected.fields());
    assertThat(viaText(json).fields()).isEqualTo(expected.fields());
    assertThat(viaBytes(json).get("joined")).isEqualTo(new Date(1700000000000L));
    assertThat(viaBytes(json).get("orders")).isEqualTo(3);
  }

  @Test
  void anEnvelopeWhosePayloadDoesNotFitItsSchemaIsRefused() {
    String json =
        "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"orders\",\"type\":\"int32\"}]},"
            + "\"payload\":[3]}";
    assertThatThrownBy(() -> viaBytes(json)).isInstanceOf(DataException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "{",
        "{\"email\":",
        "{\"email\":\"ann@example.org\"",
        "{\"email\":\"unterminated}",
        "{email:\"ann@example.org\"}",
        "{'email':'ann@example.org'}",
        "{\"a\":1,}",
        "{\"a\":[1,]}",
        "{\"a\":-}",
        "{\"a\":1e}",
        "{\"a\":+1}",
        "{\"a\":\"tab\there\"}",
        "{\"a\":nul}",
        "{\"a\":truex}",
        "{\"a\":\"x\"",
        "{\"a\":[1",
        "{\"a\":{\"b\":1}",
        "{\"a\\q\":1}",
        "{1:2}",
        "{\"a\":1.}",
        "{\"a\":.5}",
        "{\"a\":NaN}",
        "{\"a\":Infinity}",
        "{\"a\":tru}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\" 1}",
        "{\"a\":1 \"b\":2}",
        "{\"a\":1}}",
        "{\"a\":1} {\"b\":2}",
        "{\"a\":1} // comment",
        "/* c */ {\"a\":1}",
        "not json at all"
      })
  void invalidJsonIsRefusedWithAReason(String json) {
    assertThatThrownBy(() -> viaBytes(json))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("the record's value is ")
        .hasMessageNotContaining("setLenient")
        .hasMessageNotContaining("example.org");
    assertThatThrownBy(() -> viaText(json)).isInstanceOf(DataException.class);
  }

  @Test
  void invalidJsonTheConverterRefusesTooIsRefused() {
    // Those of the cases above that JsonConverter also refuses (it ignores content after a value).
    for (String json :
        List.of("{", "{\"email\":", "{email:1}", "{'a':1}", "{\"a\":NaN}", "{\"a\":[1,]}")) {
      assertThatThrownBy(() -> viaConverter(json, false))
          .as(json)
          .isInstanceOf(DataException.class);
      assertThatThrownBy(() -> viaBytes(json)).isInstanceOf(DataException.class);
    }
  }

  @Test
  void leadingZerosAreReadAsTheConverterReadsThem() {
    // JsonConverter enables Jackson's ALLOW_LEADING_ZEROS_FOR_NUMBERS.
    assertThat(viaBytes("{\"a\":007,\"b\":-00.50}").fields())
        .isEqualTo(viaConverter("{\"a\":007,\"b\":-00.50}", false).fields())
        .isEqualTo(Map.of("a", 7L, "b", new BigDecimal("-0.5")));
  }

  @Test
  void nestingIsBounded() {
    String deep = "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertThatThrownBy(() -> viaBytes(deep))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("nested more than 1000 deep");
    String fine = "{\"a\":" + "[".repeat(900) + "]".repeat(900) + "}";
    assertThat(viaBytes(fine).fields()).containsKey("a");
  }

  @Test
  void fieldNamesRepeatedAcrossRecordsAreReadRightEachTime() {
    // Names are cached between records: a name sharing a cache slot or a prefix must not leak.
    for (int k = 0; k < 2000; k++) {
      String name = "f" + k;
      assertThat(viaBytes("{\"" + name + "\":1,\"email\":2,\"e\\u006dail2\":3}").fields())
          .containsOnlyKeys(name, "email", "email2");
    }
    String longName = "n".repeat(100_000);
    assertThat(viaBytes("{\"" + longName + "\":1}").fields()).containsOnlyKeys(longName);
    assertThat(viaBytes("{\"" + longName + "\":2}").get(longName)).isEqualTo(2L);
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "[{\"a\":1}]", "\"ann@example.org\"", "42", "true", "null"})
  void aRootThatIsNotAnObjectIsRefused(String json) {
    assertThatThrownBy(() -> viaBytes(json))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("not an object of fields")
        .hasMessageNotContaining("example.org");
  }

  @Test
  void bytesThatAreNotUtf8AreRefused() {
    byte[] latin1 = "{\"name\":\"Zoë\"}".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> reader.profile(record(latin1)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("not UTF-8");
    // The converter refuses them too.
    assertThatThrownBy(() -> converter(false).toConnectData("vip", latin1))
        .isInstanceOf(DataException.class);
  }

  @Test
  void utf8IsCheckedByteByByte() {
    assertThat(JsonFields.invalidUtf8At("aé€\uD83D\uDE00".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(-1);
    assertThat(JsonFields.invalidUtf8At(new byte[] {'a', (byte) 0xC0, (byte) 0x80})).isEqualTo(1);
    assertThat(JsonFields.invalidUtf8At(new byte[] {(byte) 0xE2, (byte) 0x82})).isEqualTo(0);
    assertThat(JsonFields.invalidUtf8At(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}))
        .isEqualTo(0); // an encoded surrogate
    assertThat(JsonFields.invalidUtf8At(new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, 0}))
        .isEqualTo(0); // beyond U+10FFFF
    assertThat(JsonFields.invalidUtf8At(new byte[] {(byte) 0xFF})).isEqualTo(0);
  }
}
