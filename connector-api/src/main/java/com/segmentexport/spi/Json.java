package com.segmentexport.spi;

import com.squareup.moshi.JsonReader;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.Buffer;

/**
 * JSON helpers for connectors: request bodies written token by token with a {@link JsonBodyWriter}
 * into one buffer, with no object graph per profile; answers read with Moshi's {@link JsonReader}.
 */
public final class Json {
  /** {@code application/json; charset=utf-8}. */
  public static final MediaType MEDIA_TYPE = MediaType.get("application/json; charset=utf-8");

  private Json() {}

  /** Writes JSON tokens. */
  @FunctionalInterface
  public interface Writing {
    /**
     * Writes to {@code writer}.
     *
     * @param writer the writer of the request body
     */
    void writeTo(JsonBodyWriter writer);
  }

  /**
   * Serialises a request body with {@code writing}.
   *
   * @param writing writes the body
   * @return a request body writing the JSON on demand
   * @throws IllegalStateException if {@code writing} leaves the document incomplete or misnested
   */
  public static RequestBody body(Writing writing) {
    return body(0, writing);
  }

  /**
   * Serialises a request body with {@code writing} into a buffer of {@code expectedBytes} to begin
   * with (a batch's {@link Batch#estimatedBytes()}), so that a batch body is written without growing.
   *
   * @param expectedBytes the body's expected size in bytes, for batch sizing
   * @param writing writes the body
   * @return a request body writing the JSON on demand
   * @throws IllegalStateException if {@code writing} leaves the document incomplete or misnested
   */
  public static RequestBody body(long expectedBytes, Writing writing) {
    JsonBodyWriter writer = new JsonBodyWriter(expectedBytes);
    writing.writeTo(writer);
    return writer.toRequestBody(MEDIA_TYPE);
  }

  /**
   * Writes a record value: text, whole and decimal numbers, booleans, dates as {@code yyyy-MM-dd},
   * instants as ISO-8601. Connectors with other date formats convert before calling this.
   *
   * @param writer the writer
   * @param value the value to write, of one of the kinds above, or null
   */
  public static void writeValue(JsonBodyWriter writer, Object value) {
    if (value == null) {
      writer.nullValue();
    } else if (value instanceof String) {
      writer.value((String) value);
    } else if (value instanceof Number) {
      writer.value((Number) value);
    } else if (value instanceof Boolean) {
      writer.value((Boolean) value);
    } else {
      writer.value(value.toString()); // LocalDate as yyyy-MM-dd, Instant as ISO-8601
    }
  }

  /**
   * Parses JSON into maps, lists, strings, numbers, booleans and nulls. A whole number that fits a
   * {@code long} is a {@code Long}, exactly (vendors' ids beyond 2<sup>53</sup> survive); any other
   * number is a {@code Double}.
   *
   * @param json the JSON bytes
   * @return the value: {@code Map}, {@code List}, {@code String}, {@code Long}, {@code Double},
   *     {@code Boolean} or {@code null}
   * @throws IllegalArgumentException if the bytes are not JSON
   */
  public static Object parse(byte[] json) {
    try (JsonReader reader = JsonReader.of(new Buffer().write(json))) {
      reader.setLenient(true);
      return read(reader);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not JSON: " + e.getClass().getSimpleName(), e);
    }
  }

  private static Object read(JsonReader reader) throws IOException {
    switch (reader.peek()) {
      case BEGIN_OBJECT:
        {
          Map<String, Object> object = new java.util.LinkedHashMap<>();
          reader.beginObject();
          while (reader.hasNext()) {
            String name = reader.nextName();
            object.put(name, read(reader)); // a repeated name keeps its last value
          }
          reader.endObject();
          return object;
        }
      case BEGIN_ARRAY:
        {
          List<Object> array = new java.util.ArrayList<>();
          reader.beginArray();
          while (reader.hasNext()) {
            array.add(read(reader));
          }
          reader.endArray();
          return array;
        }
      case NUMBER:
        return number(reader.nextString());
      case BOOLEAN:
        return reader.nextBoolean();
      case NULL:
        return reader.nextNull();
      default:
        return reader.nextString();
    }
  }

  /** A number's text as a {@code Long} when it is a whole number that fits one, else a {@code Double}. */
  private static Object number(String text) {
    boolean whole = !text.isEmpty();
    for (int i = 0; i < text.length() && whole; i++) {
      char c = text.charAt(i);
      whole = (c >= '0' && c <= '9') || (i == 0 && c == '-' && text.length() > 1);
    }
    if (whole) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException tooLarge) {
        // falls through to a Double
      }
    }
    return Double.parseDouble(text);
  }

  /**
   * Parses JSON, or returns null when the bytes are empty or not JSON.
   *
   * @param json the JSON bytes
   * @return the value, or {@code null} when the body is empty
   */
  public static Object parseLenient(byte[] json) {
    if (json.length == 0) {
      return null;
    }
    try {
      return parse(json);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * {@return the value as a JSON object, or an empty map}
   *
   * @param value a value as parsed
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> object(Object value) {
    return value instanceof Map ? (Map<String, Object>) value : Collections.emptyMap();
  }

  /**
   * {@return the value as a JSON array, or an empty list}
   *
   * @param value a value as parsed
   */
  @SuppressWarnings("unchecked")
  public static List<Object> array(Object value) {
    return value instanceof List ? (List<Object>) value : Collections.emptyList();
  }

  /**
   * {@return a member as text (numbers without a fraction print as whole numbers), or null}
   *
   * @param object a JSON object as parsed
   * @param name the member's name
   */
  public static String string(Map<String, Object> object, String name) {
    Object v = object.get(name);
    if (v == null) {
      return null;
    }
    if (v instanceof Double
        && ((Double) v) == Math.rint((Double) v)
        && !((Double) v).isInfinite()) {
      return Long.toString(((Double) v).longValue());
    }
    return v.toString();
  }

  /**
   * {@return a numeric member as a long, or {@code fallback}}
   *
   * @param object a JSON object as parsed
   * @param name the member's name
   * @param fallback the value when absent
   */
  public static long number(Map<String, Object> object, String name, long fallback) {
    Object v = object.get(name);
    if (v instanceof Number) {
      return ((Number) v).longValue();
    }
    if (v instanceof String) {
      try {
        return Long.parseLong((String) v);
      } catch (NumberFormatException e) {
        return fallback;
      }
    }
    return fallback;
  }
}
