package com.segmentexport.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Vendors' answers are read with whole numbers as exact longs. */
class JsonTest {
  private static Map<String, Object> parse(String json) {
    return Json.object(Json.parse(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void wholeNumbersAreReadExactlyEvenBeyondWhatADoubleHolds() {
    Map<String, Object> o = parse("{\"listId\":9007199254740993,\"count\":2,\"neg\":-7}");
    assertThat(o.get("listId"))
        .isEqualTo(9007199254740993L); // 2^53 + 1: a double would read ...992
    assertThat(Json.number(o, "listId", -1)).isEqualTo(9007199254740993L);
    assertThat(Json.string(o, "listId")).isEqualTo("9007199254740993");
    assertThat(o.get("count")).isEqualTo(2L);
    assertThat(o.get("neg")).isEqualTo(-7L);
  }

  @Test
  void otherNumbersAreDoubles() {
    Map<String, Object> o = parse("{\"a\":1.5,\"b\":1e3,\"c\":99999999999999999999,\"d\":2.0}");
    assertThat(o.get("a")).isEqualTo(1.5);
    assertThat(o.get("b")).isEqualTo(1000.0);
    assertThat(o.get("c")).isInstanceOf(Double.class);
    assertThat(Json.string(o, "d")).isEqualTo("2");
  }

  @Test
  void objectsArraysAndTheRestAreAsBefore() {
    Map<String, Object> o = parse("{\"l\":[1,\"x\",true,null,{\"k\":\"v\"}],\"s\":\"t\"}");
    assertThat(Json.array(o.get("l"))).containsExactly(1L, "x", true, null, Map.of("k", "v"));
    assertThat(Json.string(o, "s")).isEqualTo("t");
  }
}
