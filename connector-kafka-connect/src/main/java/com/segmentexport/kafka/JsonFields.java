package com.segmentexport.kafka;

import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okio.Buffer;
import org.apache.kafka.connect.errors.DataException;

/**
 * Reads a record's JSON value (the bytes of {@code ByteArrayConverter}, the text of {@code
 * StringConverter}) straight into a profile's fields, in one streaming pass: no Jackson tree, no
 * Connect map in between. It gives the values that {@code JsonConverter} with {@code
 * schemas.enable=false} followed by {@link RecordProfiles} gives: strings, {@code Long} integers,
 * decimals as {@code BigDecimal} (of their {@code double}, as the converter reads them), booleans,
 * nulls, nested objects as maps and arrays as lists; a later duplicate name wins. Two deliberate
 * differences: an integer beyond a {@code long} is kept as a {@code BigDecimal} (the converter cuts
 * it to its low 64 bits), and content after the object is refused (the converter ignores it).
 */
final class JsonFields {
  private JsonFields() {}

  /**
   * The fields of a JSON object.
   *
   * @throws DataException if the bytes are not valid UTF-8 JSON or not an object
   */
  static Map<String, Object> of(byte[] json) {
    int bad = invalidUtf8At(json);
    if (bad >= 0) {
      throw new DataException(
          "the record's value is not valid JSON: not UTF-8 (a malformed byte at offset "
              + bad
              + ")");
    }
    return read(new Buffer().write(json));
  }

  /**
   * The offset of the first byte that is not part of well-formed UTF-8, or -1: the reader would
   * otherwise replace it silently, where the converter refuses the value.
   */
  static int invalidUtf8At(byte[] b) {
    int i = 0;
    int n = b.length;
    while (i < n) {
      int c = b[i];
      if (c >= 0) {
        i++;
        continue;
      }
      int start = i;
      int len;
      int min;
      if ((c & 0xE0) == 0xC0) {
        len = 2;
        min = 0x80;
      } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        min = 0x800;
      } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        min = 0x10000;
      } else {
        return start;
      }
      if (start + len > n) {
        return start;
      }
      int cp = c & (0x7F >> len);
      for (int k = 1; k < len; k++) {
        int cc = b[start + k];
        if ((cc & 0xC0) != 0x80) {
          return start;
        }
        cp = (cp << 6) | (cc & 0x3F);
      }
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return start;
      }
      i += len;
    }
    return -1;
  }

  /**
   * The fields of a JSON object.
   *
   * @throws DataException if the text is not valid JSON or not an object
   */
  static Map<String, Object> of(String json) {
    return read(new Buffer().writeUtf8(json));
  }

  private static Map<String, Object> read(Buffer source) {
    try (JsonReader r = JsonReader.of(source)) {
      if (source.exhausted()) {
        throw new DataException("the record's value is empty, not a JSON object of fields");
      }
      JsonReader.Token root = r.peek();
      if (root != JsonReader.Token.BEGIN_OBJECT) {
        throw new DataException(
            "the record's value is a JSON "
                + kind(root)
                + ", not an object of fields"
                + (root == JsonReader.Token.NULL ? " (a JSON null: no profile to export)" : ""));
      }
      Map<String, Object> fields = object(r);
      if (r.peek() != JsonReader.Token.END_DOCUMENT) {
        throw new DataException("the record's value is not valid JSON: content after the object");
      }
      return fields;
    } catch (JsonDataException | IOException e) {
      throw new DataException("the record's value is not valid JSON: " + reason(e));
    }
  }

  private static Map<String, Object> object(JsonReader r) throws IOException {
    Map<String, Object> fields = new LinkedHashMap<>();
    r.beginObject();
    while (r.hasNext()) {
      String name = r.nextName();
      fields.put(name, value(r));
    }
    r.endObject();
    return fields;
  }

  private static Object value(JsonReader r) throws IOException {
    switch (r.peek()) {
      case STRING:
        return r.nextString();
      case NUMBER:
        return number(r.nextString());
      case BOOLEAN:
        return r.nextBoolean();
      case NULL:
        return r.nextNull();
      case BEGIN_OBJECT:
        return object(r);
      case BEGIN_ARRAY:
        {
          List<Object> list = new ArrayList<>();
          r.beginArray();
          while (r.hasNext()) {
            list.add(value(r));
          }
          r.endArray();
          return list;
        }
      default:
        throw new JsonDataException("a value was expected at path " + r.getPath());
    }
  }

  /**
   * A JSON number as the converter and {@link RecordProfiles} give it: an integer is a {@code Long}
   * (beyond a {@code long}, a {@code BigDecimal}), any other number the {@code BigDecimal} of its
   * {@code double} (a {@code Double} if that is infinite).
   */
  static Object number(String text) {
    boolean integral = true;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '.' || c == 'e' || c == 'E') {
        integral = false;
        break;
      }
    }
    if (integral) {
      if (text.length() < 19) {
        return Long.parseLong(text);
      }
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException beyondLong) {
        return new BigDecimal(text);
      }
    }
    double d = Double.parseDouble(text);
    return Double.isFinite(d) ? BigDecimal.valueOf(d) : (Object) d;
  }

  private static String kind(JsonReader.Token t) {
    switch (t) {
      case BEGIN_ARRAY:
        return "array";
      case STRING:
        return "string";
      case NUMBER:
        return "number";
      case BOOLEAN:
        return "boolean";
      case NULL:
        return "null";
      default:
        return t.toString().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The reader's reason, which names the place (a path of field names) but never a value. */
  private static String reason(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.replace("Use JsonReader.setLenient(true) to accept malformed JSON", "malformed JSON")
        .replace("End of input", "the value ends too early");
  }
}
