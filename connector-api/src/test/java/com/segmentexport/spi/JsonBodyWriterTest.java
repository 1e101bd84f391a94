package com.segmentexport.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.squareup.moshi.JsonWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.SplittableRandom;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/** The body writer writes byte for byte what Moshi's writer writes, and refuses what it refuses. */
class JsonBodyWriterTest {
  private static final String[] STRINGS = {
    "",
    "plain",
    "quote\"back\\slash",
    "é",
    "日本",
    "😀",
    "\u2028\u2029",
    "</script>&'=",
    "\u0000\u0001\u001f\u007f",
    "line\nbreak\r\ttab\b\f",
    "\ud800 lone high",
    "lone low \udc00",
    "\udc00\ud800",
    "ünïcödé ñ",
    "x".repeat(5000),
    "ß\u07ff\u0800\uffff"
  };
  private static final Object[] NUMBERS = {
    0L,
    -1L,
    7L,
    10L,
    99L,
    1234567890123L,
    Long.MAX_VALUE,
    Long.MIN_VALUE,
    new BigDecimal("123456.789"),
    new BigDecimal("1E+3"),
    new BigDecimal("-0.000"),
    2.5d,
    42
  };

  @Test
  void writesWhatMoshiWritesForRandomDocuments() throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    for (int n = 0; n < 20_000; n++) {
      long seed = random.nextLong();
      byte[] ours =
          bytes(
              Json.body(
                  w -> {
                    try {
                      document(new Ours(w), new SplittableRandom(seed), 0);
                    } catch (
                        IOException
                            e) { // Tokens declares it for Moshi's writer; JsonBodyWriter throws
                      // none
                      throw new UncheckedIOException(e);
                    }
                  }));
      Buffer moshi = new Buffer();
      try (JsonWriter w = JsonWriter.of(moshi)) {
        document(new Theirs(w), new SplittableRandom(seed), 0);
      }
      assertThat(new String(ours, java.nio.charset.StandardCharsets.UTF_8))
          .as("document %d", n)
          .isEqualTo(moshi.readUtf8());
    }
  }

  @Test
  void writesEveryTrickyStringAsMoshiDoesOneWriterAfterAnother() throws IOException {
    // Long and short strings through one writer (its character buffer grows, then serves shorter
    // ones), as values and as names.
    java.util.List<String> strings = TrickyStrings.all(25, 20_000);
    byte[] ours =
        bytes(
            Json.body(
                w -> {
                  w.beginArray();
                  for (String s : strings) {
                    w.value(s).beginObject().name(s).value(s).endObject();
                  }
                  w.endArray();
                }));
    Buffer moshi = new Buffer();
    try (JsonWriter w = JsonWriter.of(moshi)) {
      w.beginArray();
      for (String s : strings) {
        w.value(s).beginObject().name(s).value(s).endObject();
      }
      w.endArray();
    }
    assertThat(ours).isEqualTo(moshi.readByteArray());
  }

  @Test
  void aNamedNullIsLeftOutButANullInAnArrayIsWritten() {
    String json =
        utf8(
            Json.body(
                w ->
                    w.beginObject()
                        .name("a")
                        .nullValue()
                        .name("b")
                        .value((String) null)
                        .name("c")
                        .beginArray()
                        .nullValue()
                        .value((Boolean) null)
                        .endArray()
                        .name("d")
                        .value(1)
                        .endObject()));
    assertThat(json).isEqualTo("{\"c\":[null,null],\"d\":1}");
  }

  @Test
  void refusesWhatMoshiRefuses() {
    assertThatThrownBy(() -> Json.body(w -> w.beginObject()))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Json.body(w -> w.beginObject().value("x")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Json.body(w -> w.beginArray().name("x")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Json.body(w -> w.beginObject().name("a").name("b")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Json.body(w -> w.beginObject().name("a").endObject()))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Json.body(w -> w.beginArray().endObject()))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Json.body(w -> w.value(1).value(2)))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Json.body(w -> {})).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Json.body(w -> w.beginArray().value(Double.NaN)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namesBeyondTheEncodedOnesAndEqualNamesOfOtherInstancesAreWrittenAsMoshiWritesThem()
      throws IOException {
    String[] names = new String[40];
    for (int i = 0; i < names.length; i++) {
      names[i] =
          i % 3 == 0 ? "naïve \"" + i + "\"" : "field" + i; // 40 distinct strings, some escaped
    }
    okhttp3.RequestBody ours =
        Json.body(
            w -> {
              w.beginArray();
              for (int round = 0; round < 3; round++) {
                w.beginObject();
                for (String name : names) {
                  w.name(name).value(round);
                  w.name(new String(name)); // equal, but another instance: not the one encoded
                  w.beginArray().value(name).endArray();
                }
                w.endObject();
              }
              w.endArray();
            });
    Buffer moshi = new Buffer();
    try (JsonWriter w = JsonWriter.of(moshi)) {
      w.beginArray();
      for (int round = 0; round < 3; round++) {
        w.beginObject();
        for (String name : names) {
          w.name(name).value(round);
          w.name(name).beginArray().value(name).endArray();
        }
        w.endObject();
      }
      w.endArray();
    }
    assertThat(utf8(ours)).isEqualTo(moshi.readUtf8());
  }

  @Test
  void aLargeBodyGrowsItsBufferAndKeepsEveryByte() throws IOException {
    okhttp3.RequestBody body =
        Json.body(
            w -> {
              w.beginArray();
              for (int i = 0; i < 100_000; i++) {
                w.value("profile-" + i);
              }
              w.endArray();
            });
    String json = utf8(body);
    assertThat(json).startsWith("[\"profile-0\",\"profile-1\",").endsWith(",\"profile-99999\"]");
    assertThat(body.contentLength())
        .isEqualTo(json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
  }

  /** One random value, nested at most four deep. */
  private static void document(Tokens w, SplittableRandom r, int depth) throws IOException {
    int kind = depth >= 4 ? 2 + r.nextInt(4) : r.nextInt(6);
    switch (kind) {
      case 0:
        w.beginObject();
        for (int i = r.nextInt(5); i > 0; i--) {
          w.name(STRINGS[r.nextInt(STRINGS.length)]);
          document(w, r, depth + 1);
        }
        w.endObject();
        break;
      case 1:
        w.beginArray();
        for (int i = r.nextInt(5); i > 0; i--) {
          document(w, r, depth + 1);
        }
        w.endArray();
        break;
      case 2:
        w.value(STRINGS[r.nextInt(STRINGS.length)]);
        break;
      case 3:
        w.number(NUMBERS[r.nextInt(NUMBERS.length)]);
        break;
      case 4:
        w.bool(r.nextBoolean());
        break;
      default:
        w.nullValue();
    }
  }

  /** The calls a connector makes, on either writer. */
  private interface Tokens {
    void beginObject() throws IOException;

    void endObject() throws IOException;

    void beginArray() throws IOException;

    void endArray() throws IOException;

    void name(String name) throws IOException;

    void value(String value) throws IOException;

    void number(Object value) throws IOException;

    void bool(boolean value) throws IOException;

    void nullValue() throws IOException;
  }

  private static final class Ours implements Tokens {
    private final JsonBodyWriter w;

    Ours(JsonBodyWriter w) {
      this.w = w;
    }

    @Override
    public void beginObject() {
      w.beginObject();
    }

    @Override
    public void endObject() {
      w.endObject();
    }

    @Override
    public void beginArray() {
      w.beginArray();
    }

    @Override
    public void endArray() {
      w.endArray();
    }

    @Override
    public void name(String name) {
      w.name(name);
    }

    @Override
    public void value(String value) {
      w.value(value);
    }

    @Override
    public void number(Object value) {
      if (value instanceof Long) {
        w.value((long) (Long) value);
      } else {
        w.value((Number) value);
      }
    }

    @Override
    public void bool(boolean value) {
      w.value(value);
    }

    @Override
    public void nullValue() {
      w.nullValue();
    }
  }

  private static final class Theirs implements Tokens {
    private final JsonWriter w;

    Theirs(JsonWriter w) {
      this.w = w;
    }

    @Override
    public void beginObject() throws IOException {
      w.beginObject();
    }

    @Override
    public void endObject() throws IOException {
      w.endObject();
    }

    @Override
    public void beginArray() throws IOException {
      w.beginArray();
    }

    @Override
    public void endArray() throws IOException {
      w.endArray();
    }

    @Override
    public void name(String name) throws IOException {
      w.name(name);
    }

    @Override
    public void value(String value) throws IOException {
      w.value(value);
    }

    @Override
    public void number(Object value) throws IOException {
      if (value instanceof Long) {
        w.value((long) (Long) value);
      } else {
        w.value((Number) value);
      }
    }

    @Override
    public void bool(boolean value) throws IOException {
      w.value(value);
    }

    @Override
    public void nullValue() throws IOException {
      w.nullValue();
    }
  }

  private static byte[] bytes(okhttp3.RequestBody body) throws IOException {
    Buffer b = new Buffer();
    body.writeTo(b);
    return b.readByteArray();
  }

  private static String utf8(okhttp3.RequestBody body) {
    try {
      return new String(bytes(body), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
