package com.segmentexport.kafka;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.DataException;

/**
 * Reads a record's JSON value (the bytes of {@code ByteArrayConverter}, the text of {@code
 * StringConverter}) straight into a profile's fields, in one pass over the bytes: no Jackson tree, no
 * Connect map in between. It gives the values that {@code JsonConverter} with {@code
 * schemas.enable=false} followed by {@link RecordProfiles} gives: strings, {@code Long} integers
 * (leading zeros allowed, as the converter allows them), decimals as {@code BigDecimal} (of their
 * {@code double}, as the converter reads them), booleans, nulls, nested objects as maps and arrays as
 * lists; a later duplicate name wins. Two deliberate differences: an integer beyond a {@code long} is
 * kept as a {@code BigDecimal} (the converter cuts it to its low 64 bits), and content after the
 * object is refused. Field names are shared between records (a small cache of the names seen last),
 * so that a topic's repeated names are not a new string each time.
 */
final class JsonFields {
  /** Nesting deeper than this is refused (the stack stays small; Jackson also stops at 1000). */
  private static final int MAX_DEPTH = 1000;

  /**
   * Names seen lately, by a hash of their bytes (ASCII names without escapes). Shared by the tasks
   * of a JVM without locks: a slot holds an immutable string, a race only costs a new one.
   */
  private static final String[] NAMES = new String[512];

  /** Longer names are not cached: the cache holds names, not values that happen to be keys. */
  private static final int MAX_CACHED_NAME = 64;

  private final byte[] b;
  private final int n;
  private int i;
  private int depth;

  private JsonFields(byte[] b) {
    this.b = b;
    this.n = b.length;
  }

  /**
   * The fields of a JSON object.
   *
   * @throws DataException if the bytes are not valid UTF-8 JSON or not an object
   */
  static Map<String, Object> of(byte[] json) {
    return new JsonFields(json).root();
  }

  /**
   * The fields of a JSON object.
   *
   * @throws DataException if the text is not valid JSON or not an object
   */
  static Map<String, Object> of(String json) {
    return of(json.getBytes(StandardCharsets.UTF_8));
  }

  private Map<String, Object> root() {
    if (n >= 3 && b[0] == (byte) 0xEF && b[1] == (byte) 0xBB && b[2] == (byte) 0xBF) {
      i = 3; // a byte order mark, which the converter skips too
    }
    skipSpace();
    if (i == n) {
      throw new DataException("the record's value is empty, not a JSON object of fields");
    }
    Object value = value();
    if (!(value instanceof Map)) {
      throw new DataException(
          "the record's value is a JSON "
              + kind(value)
              + ", not an object of fields"
              + (value == null ? " (a JSON null: no profile to export)" : ""));
    }
    skipSpace();
    if (i < n) {
      throw invalid("content after the object");
    }
    @SuppressWarnings("unchecked") // built by object()
    Map<String, Object> fields = (Map<String, Object>) value;
    return fields;
  }

  private static String kind(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String) {
      return "string";
    }
    if (v instanceof Boolean) {
      return "boolean";
    }
    if (v instanceof List) {
      return "array";
    }
    return "number";
  }

  private DataException invalid(String what) {
    return new DataException(
        "the record's value is not valid JSON: " + what + " at byte " + Math.min(i, n));
  }

  private void skipSpace() {
    while (i < n) {
      byte c = b[i];
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        i++;
      } else {
        return;
      }
    }
  }

  /** The value at {@code i} (after white space). */
  private Object value() {
    if (i >= n) {
      throw invalid("the value ends too early");
    }
    byte c = b[i];
    switch (c) {
      case '"':
        i++;
        return string();
      case '{':
        return object();
      case '[':
        return array();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw invalid("not a JSON value");
    }
  }

  private Object literal(String word, Object value) {
    int len = word.length();
    if (i + len > n) {
      throw invalid("the value ends too early");
    }
    for (int k = 0; k < len; k++) {
      if (b[i + k] != word.charAt(k)) {
        throw invalid("not a JSON value");
      }
    }
    i += len;
    return value;
  }

  private Map<String, Object> object() {
    if (++depth > MAX_DEPTH) {
      throw invalid("nested more than " + MAX_DEPTH + " deep");
    }
    i++; // {
    Map<String, Object> fields = new LinkedHashMap<>();
    skipSpace();
    if (i < n && b[i] == '}') {
      i++;
      depth--;
      return fields;
    }
    while (true) {
      skipSpace();
      if (i >= n) {
        throw invalid("the object is not closed");
      }
      if (b[i] != '"') {
        throw invalid("a field name in double quotes was expected");
      }
      i++;
      String name = name();
      skipSpace();
      if (i >= n || b[i] != ':') {
        throw invalid("':' was expected after a field name");
      }
      i++;
      skipSpace();
      fields.put(name, value());
      skipSpace();
      if (i >= n) {
        throw invalid("the object is not closed");
      }
      byte c = b[i++];
      if (c == '}') {
        depth--;
        return fields;
      }
      if (c != ',') {
        i--;
        throw invalid("',' or '}' was expected");
      }
    }
  }

  private List<Object> array() {
    if (++depth > MAX_DEPTH) {
      throw invalid("nested more than " + MAX_DEPTH + " deep");
    }
    i++; // [
    List<Object> list = new ArrayList<>();
    skipSpace();
    if (i < n && b[i] == ']') {
      i++;
      depth--;
      return list;
    }
    while (true) {
      skipSpace();
      list.add(value());
      skipSpace();
      if (i >= n) {
        throw invalid("the array is not closed");
      }
      byte c = b[i++];
      if (c == ']') {
        depth--;
        return list;
      }
      if (c != ',') {
        i--;
        throw invalid("',' or ']' was expected");
      }
    }
  }

  /** A field name (after its opening quote): a cached string when it was seen lately. */
  private String name() {
    int start = i;
    int hash = 0;
    while (i < n) {
      byte c = b[i];
      if (c == '"') {
        int len = i - start;
        int slot = (hash ^ (hash >>> 9)) & (NAMES.length - 1);
        String cached = NAMES[slot];
        i++;
        if (cached != null && sameAscii(cached, start, len)) {
          return cached;
        }
        String name = new String(b, start, len, StandardCharsets.ISO_8859_1);
        if (len <= MAX_CACHED_NAME) {
          NAMES[slot] = name;
        }
        return name;
      }
      if (c < 0x20 || c == '\\') {
        // Not ASCII, an escape or a control character: the general way, not cached.
        i = start;
        return string();
      }
      hash = 31 * hash + c;
      i++;
    }
    throw invalid("a string is not closed");
  }

  private boolean sameAscii(String s, int start, int len) {
    if (s.length() != len) {
      return false;
    }
    for (int k = 0; k < len; k++) {
      if (s.charAt(k) != b[start + k]) {
        return false;
      }
    }
    return true;
  }

  /** A string (after its opening quote). */
  private String string() {
    int start = i;
    boolean ascii = true;
    while (i < n) {
      byte c = b[i];
      if (c == '"') {
        String s = text(start, i, ascii);
        i++;
        return s;
      }
      if (c == '\\') {
        return escaped(start, ascii);
      }
      if (c >= 0 && c < 0x20) {
        throw invalid("a control character not escaped in a string");
      }
      if (c < 0) {
        ascii = false;
      }
      i++;
    }
    throw invalid("a string is not closed");
  }

  /** A string with escapes: {@code i} is at the first backslash. */
  private String escaped(int start, boolean ascii) {
    StringBuilder sb = new StringBuilder(i - start + 16);
    sb.append(text(start, i, ascii));
    while (i < n) {
      byte c = b[i];
      if (c == '"') {
        i++;
        return sb.toString();
      }
      if (c == '\\') {
        i++;
        if (i >= n) {
          break;
        }
        byte e = b[i++];
        switch (e) {
          case '"':
            sb.append('"');
            break;
          case '\\':
            sb.append('\\');
            break;
          case '/':
            sb.append('/');
            break;
          case 'b':
            sb.append('\b');
            break;
          case 'f':
            sb.append('\f');
            break;
          case 'n':
            sb.append('\n');
            break;
          case 'r':
            sb.append('\r');
            break;
          case 't':
            sb.append('\t');
            break;
          case 'u':
            sb.append(hex4());
            break;
          default:
            i--;
            throw invalid("an unknown escape in a string");
        }
        continue;
      }
      int run = i;
      boolean runAscii = true;
      while (i < n && b[i] != '"' && b[i] != '\\') {
        byte r = b[i];
        if (r >= 0 && r < 0x20) {
          throw invalid("a control character not escaped in a string");
        }
        if (r < 0) {
          runAscii = false;
        }
        i++;
      }
      sb.append(text(run, i, runAscii));
    }
    throw invalid("a string is not closed");
  }

  private char hex4() {
    if (i + 4 > n) {
      throw invalid("a \\u escape is cut short");
    }
    int v = 0;
    for (int k = 0; k < 4; k++) {
      int d = Character.digit(b[i + k], 16);
      if (d < 0) {
        throw invalid("a \\u escape needs 4 hexadecimal digits");
      }
      v = (v << 4) | d;
    }
    i += 4;
    return (char) v;
  }

  /** The characters of bytes [from, to), checked to be UTF-8 when not all ASCII. */
  private String text(int from, int to, boolean ascii) {
    if (ascii) {
      return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }
    int bad = invalidUtf8At(b, from, to);
    if (bad >= 0) {
      i = bad;
      throw invalid("not UTF-8 (a malformed byte)");
    }
    return new String(b, from, to - from, StandardCharsets.UTF_8);
  }

  private Object number() {
    int start = i;
    boolean integral = true;
    if (b[i] == '-') {
      i++;
    }
    if (digits() == 0) {
      throw invalid("a number needs a digit");
    }
    if (i < n && b[i] == '.') {
      i++;
      integral = false;
      if (digits() == 0) {
        throw invalid("a number needs a digit after its decimal point");
      }
    }
    if (i < n && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      integral = false;
      if (i < n && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      if (digits() == 0) {
        throw invalid("a number needs a digit in its exponent");
      }
    }
    int len = i - start;
    if (integral && len < 19) {
      long v = 0;
      int k = start;
      boolean negative = b[k] == '-';
      if (negative) {
        k++;
      }
      for (; k < i; k++) {
        v = v * 10 + (b[k] - '0');
      }
      return negative ? -v : v;
    }
    return number(new String(b, start, len, StandardCharsets.ISO_8859_1));
  }

  private int digits() {
    int start = i;
    while (i < n && b[i] >= '0' && b[i] <= '9') {
      i++;
    }
    return i - start;
  }

  /**
   * A JSON number as the converter and {@link RecordProfiles} give it: an integer is a {@code Long}
   * (beyond a {@code long}, a {@code BigDecimal}), any other number the {@code BigDecimal} of its
   * {@code double} (a {@code Double} if that is infinite).
   */
  static Object number(String text) {
    boolean integral = true;
    for (int k = 0; k < text.length(); k++) {
      char c = text.charAt(k);
      if (c == '.' || c == 'e' || c == 'E') {
        integral = false;
        break;
      }
    }
    if (integral) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException beyondLong) {
        return new BigDecimal(text);
      }
    }
    double d = Double.parseDouble(text);
    return Double.isFinite(d) ? BigDecimal.valueOf(d) : (Object) d;
  }

  /** The offset of the first byte that is not part of well-formed UTF-8, or -1. */
  static int invalidUtf8At(byte[] b) {
    return invalidUtf8At(b, 0, b.length);
  }

  /**
   * The offset of the first byte in [from, to) that is not part of well-formed UTF-8, or -1: {@code
   * new String(..., UTF_8)} would replace it silently, where the converter refuses the value.
   */
  static int invalidUtf8At(byte[] b, int from, int to) {
    int i = from;
    while (i < to) {
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
      if (start + len > to) {
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
}
