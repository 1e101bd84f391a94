package com.segmentexport.spi;

import java.math.BigDecimal;
import java.util.Arrays;
import okhttp3.RequestBody;

/**
 * Writes one JSON request body token by token into a byte array, for {@link Json#body}. It writes
 * exactly what Moshi's {@code JsonWriter} writes with its defaults (same escapes, a name whose value
 * is null left out), and refuses the same misuse, straight into bytes: a batch body is the largest
 * piece of CPU work an export does per profile, and with Moshi's writer, which encodes through Okio
 * one character at a time, it took 44% of Iterable's per-profile CPU in the engine benchmark.
 */
public final class JsonBodyWriter {
  private static final int EMPTY_DOCUMENT = 0;
  private static final int NONEMPTY_DOCUMENT = 1;
  private static final int EMPTY_OBJECT = 2;
  private static final int NONEMPTY_OBJECT = 3;
  private static final int EMPTY_ARRAY = 4;
  private static final int NONEMPTY_ARRAY = 5;
  private static final byte[] HEX =
      "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** The largest buffer allocated up front, whatever the estimate: bigger bodies grow to their size. */
  private static final int MAX_INITIAL_BYTES = 8 * 1024 * 1024;

  /** How many distinct names a writer keeps encoded; a connector names the same few members per record. */
  private static final int NAME_CACHE = 16;

  /** The ASCII characters written as they are in a JSON string: printable, not a quote or a backslash. */
  private static final boolean[] PLAIN = new boolean[128];

  static {
    for (char c = 0x20; c < 0x80; c++) {
      PLAIN[c] = c != '"' && c != '\\';
    }
  }

  private byte[] bytes;
  private int size;
  private int[] scopes = new int[16];
  private int depth = 1;

  /** A name written but whose value is not yet: Moshi leaves out a name whose value is null. */
  private String deferredName;

  /** Names written so far (the first {@value #NAME_CACHE}), each with its encoded {@code "name":}. */
  private final String[] names = new String[NAME_CACHE];

  private final byte[][] encodedNames = new byte[NAME_CACHE][];
  private int nameCount;

  JsonBodyWriter(long expectedBytes) {
    bytes = new byte[(int) Math.max(256, Math.min(expectedBytes, MAX_INITIAL_BYTES))];
    scopes[0] = EMPTY_DOCUMENT;
  }

  /**
   * Opens an object.
   *
   * @return this writer
   */
  public JsonBodyWriter beginObject() {
    return open(EMPTY_OBJECT, '{');
  }

  /**
   * Closes the current object.
   *
   * @return this writer
   */
  public JsonBodyWriter endObject() {
    return close(EMPTY_OBJECT, NONEMPTY_OBJECT, '}');
  }

  /**
   * Opens an array.
   *
   * @return this writer
   */
  public JsonBodyWriter beginArray() {
    return open(EMPTY_ARRAY, '[');
  }

  /**
   * Closes the current array.
   *
   * @return this writer
   */
  public JsonBodyWriter endArray() {
    return close(EMPTY_ARRAY, NONEMPTY_ARRAY, ']');
  }

  /**
   * Names the next value of the current object.
   *
   * @param name the member's name
   * @return this writer
   */
  public JsonBodyWriter name(String name) {
    if (name == null) {
      throw new NullPointerException("name == null");
    }
    int scope = scopes[depth - 1];
    if ((scope != EMPTY_OBJECT && scope != NONEMPTY_OBJECT) || deferredName != null) {
      throw new IllegalStateException("a name is allowed only where an object expects one");
    }
    deferredName = name;
    return this;
  }

  /**
   * Writes a string, or null.
   *
   * @param value the value
   * @return this writer
   */
  public JsonBodyWriter value(String value) {
    if (value == null) {
      return nullValue();
    }
    beforeValue();
    string(value);
    return this;
  }

  /**
   * Writes a whole number.
   *
   * @param value the value
   * @return this writer
   */
  public JsonBodyWriter value(long value) {
    beforeValue();
    if (value == Long.MIN_VALUE) {
      ascii("-9223372036854775808");
      return this;
    }
    ensure(20);
    if (value < 0) {
      bytes[size++] = '-';
      value = -value;
    }
    int end = size + digits(value);
    for (int i = end - 1; i >= size; i--) {
      bytes[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    size = end;
    return this;
  }

  /**
   * Writes {@code true} or {@code false}.
   *
   * @param value the value
   * @return this writer
   */
  public JsonBodyWriter value(boolean value) {
    beforeValue();
    ascii(value ? "true" : "false");
    return this;
  }

  /**
   * Writes {@code true}, {@code false}, or null.
   *
   * @param value the value
   * @return this writer
   */
  public JsonBodyWriter value(Boolean value) {
    return value == null ? nullValue() : value(value.booleanValue());
  }

  /**
   * Writes a number as its {@code toString()} (a {@link BigDecimal} may come out in exponent form, as
   * it does with Moshi), or null.
   *
   * @param value the value
   * @return this writer
   * @throws IllegalArgumentException for NaN and infinities, which JSON cannot hold
   */
  public JsonBodyWriter value(Number value) {
    if (value == null) {
      return nullValue();
    }
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      return value(value.longValue());
    }
    String text = value.toString();
    if (text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity")) {
      throw new IllegalArgumentException("Numeric values must be finite, but was " + text);
    }
    beforeValue();
    ascii(text);
    return this;
  }

  /**
   * Writes {@code null}; a named null member is left out altogether, as Moshi does by default.
   *
   * @return this writer
   */
  public JsonBodyWriter nullValue() {
    if (deferredName != null) {
      deferredName = null;
      return this;
    }
    beforeValue();
    ascii("null");
    return this;
  }

  /** The document as a request body of the given media type. */
  RequestBody toRequestBody(okhttp3.MediaType mediaType) {
    if (depth != 1 || scopes[0] != NONEMPTY_DOCUMENT || deferredName != null) {
      throw new IllegalStateException("Incomplete document");
    }
    // The buffer is not trimmed: a batch's estimate exceeds its body by a bounded factor, and
    // copying
    // would cost as much as the writing.
    return RequestBody.create(bytes, mediaType, 0, size);
  }

  private JsonBodyWriter open(int empty, char bracket) {
    beforeValue();
    if (depth == scopes.length) {
      scopes = Arrays.copyOf(scopes, depth * 2);
    }
    scopes[depth++] = empty;
    ensure(1);
    bytes[size++] = (byte) bracket;
    return this;
  }

  private JsonBodyWriter close(int empty, int nonempty, char bracket) {
    int scope = scopes[depth - 1];
    if (scope != empty && scope != nonempty) {
      throw new IllegalStateException("Nesting problem.");
    }
    if (deferredName != null) {
      throw new IllegalStateException("Dangling name: " + deferredName);
    }
    depth--;
    ensure(1);
    bytes[size++] = (byte) bracket;
    return this;
  }

  /** Writes what separates this value from the previous one, and the pending name. */
  private void beforeValue() {
    int scope = scopes[depth - 1];
    switch (scope) {
      case EMPTY_DOCUMENT:
        scopes[depth - 1] = NONEMPTY_DOCUMENT;
        return;
      case NONEMPTY_DOCUMENT:
        throw new IllegalStateException("JSON must have only one top-level value.");
      case EMPTY_ARRAY:
        scopes[depth - 1] = NONEMPTY_ARRAY;
        return;
      case NONEMPTY_ARRAY:
        ensure(1);
        bytes[size++] = ',';
        return;
      default: // an object: the value must follow a name
        if (deferredName == null) {
          throw new IllegalStateException("a value in an object needs a name first");
        }
        if (scope == NONEMPTY_OBJECT) {
          ensure(1);
          bytes[size++] = ',';
        }
        scopes[depth - 1] = NONEMPTY_OBJECT;
        writeName(deferredName);
        deferredName = null;
    }
  }

  /**
   * Writes {@code "name":}, copied when this very string was written before: a batch names the same
   * members for each of its records, and looking a name up by identity costs less than encoding it.
   */
  private void writeName(String name) {
    for (int i = 0; i < nameCount; i++) {
      if (names[i] == name) {
        byte[] encoded = encodedNames[i];
        ensure(encoded.length);
        System.arraycopy(encoded, 0, bytes, size, encoded.length);
        size += encoded.length;
        return;
      }
    }
    int start = size;
    string(name);
    ensure(1);
    bytes[size++] = ':';
    if (nameCount < NAME_CACHE) {
      names[nameCount] = name;
      encodedNames[nameCount++] = Arrays.copyOfRange(bytes, start, size);
    }
  }

  /** Writes a quoted string, escaped as Moshi escapes it, in UTF-8. */
  private void string(String s) {
    int n = s.length();
    ensure(6 * n + 2); // the longest form of a character is a six-byte escape
    byte[] b = bytes;
    int p = size;
    b[p++] = '"';
    int i = 0;
    while (i < n) { // a loop of its own for plain ASCII, which most strings are from end to end
      char c = s.charAt(i);
      if (c >= 0x80 || !PLAIN[c]) {
        break;
      }
      b[p++] = (byte) c;
      i++;
    }
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80 && PLAIN[c]) {
        b[p++] = (byte) c;
      } else if (c < 0x80) {
        p = escape(b, p, c);
      } else if (c < 0x800) {
        b[p++] = (byte) (0xc0 | c >> 6);
        b[p++] = (byte) (0x80 | (c & 0x3f));
      } else if (c == '\u2028' || c == '\u2029') {
        p = unicodeEscape(b, p, c);
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        b[p++] = (byte) (0xf0 | cp >> 18);
        b[p++] = (byte) (0x80 | (cp >> 12 & 0x3f));
        b[p++] = (byte) (0x80 | (cp >> 6 & 0x3f));
        b[p++] = (byte) (0x80 | (cp & 0x3f));
      } else if (Character.isSurrogate(c)) {
        b[p++] = '?'; // an unpaired surrogate, as Okio's UTF-8 encoder writes it
      } else {
        b[p++] = (byte) (0xe0 | c >> 12);
        b[p++] = (byte) (0x80 | (c >> 6 & 0x3f));
        b[p++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    b[p++] = '"';
    size = p;
  }

  private static int escape(byte[] b, int p, char c) {
    char code;
    switch (c) {
      case '"':
        code = '"';
        break;
      case '\\':
        code = '\\';
        break;
      case '\t':
        code = 't';
        break;
      case '\b':
        code = 'b';
        break;
      case '\n':
        code = 'n';
        break;
      case '\r':
        code = 'r';
        break;
      case '\f':
        code = 'f';
        break;
      default:
        return unicodeEscape(b, p, c);
    }
    b[p++] = '\\';
    b[p++] = (byte) code;
    return p;
  }

  private static int unicodeEscape(byte[] b, int p, char c) {
    b[p++] = '\\';
    b[p++] = 'u';
    b[p++] = HEX[c >> 12 & 0xf];
    b[p++] = HEX[c >> 8 & 0xf];
    b[p++] = HEX[c >> 4 & 0xf];
    b[p++] = HEX[c & 0xf];
    return p;
  }

  private void ascii(String s) {
    ensure(s.length());
    for (int i = 0; i < s.length(); i++) {
      bytes[size++] = (byte) s.charAt(i);
    }
  }

  private static int digits(long v) {
    int n = 1;
    while (v >= 10) {
      v /= 10;
      n++;
    }
    return n;
  }

  private void ensure(int more) {
    if (bytes.length - size < more) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }
}
