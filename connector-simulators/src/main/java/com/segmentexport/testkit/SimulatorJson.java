package com.segmentexport.testkit;

import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import okio.ByteString;

/** JSON helpers the vendor simulators share: rendering answers, strict parsing, query parameters. */
public final class SimulatorJson {
  private SimulatorJson() {}

  /** A JSON answer with the given status. */
  public static MockResponse response(int status, String body) {
    return new MockResponse.Builder()
        .code(status)
        .setHeader("Content-Type", "application/json; charset=utf-8")
        .body(body)
        .build();
  }

  /** Renders a value (maps, lists, strings, numbers, booleans) as JSON, leaving out null map values. */
  public static String render(Object value) {
    return render(value, false);
  }

  /** Renders a value as JSON, with null map values written as {@code null}. */
  public static String renderWithNulls(Object value) {
    return render(value, true);
  }

  private static String render(Object value, boolean serializeNulls) {
    Buffer buffer = new Buffer();
    try (JsonWriter writer = JsonWriter.of(buffer)) {
      if (serializeNulls) {
        writer.setSerializeNulls(true);
      }
      writer.jsonValue(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.readUtf8();
  }

  /** Parses strictly (a vendor that refuses lenient JSON); null when the body is absent or malformed. */
  public static Object parseStrict(ByteString body) {
    if (body == null || body.size() == 0) {
      return null;
    }
    try (JsonReader reader = JsonReader.of(new Buffer().write(body))) {
      Object v = reader.readJsonValue();
      return reader.peek() == JsonReader.Token.END_DOCUMENT ? v : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** A JSON object as a map; an empty map for anything else. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> object(Object v) {
    return v instanceof Map ? (Map<String, Object>) v : Map.of();
  }

  /** An integer query parameter: {@code fallback} when absent, -1 when not an integer. */
  public static int intParam(RecordedRequest request, String name, int fallback) {
    String v = request.getUrl().queryParameter(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
