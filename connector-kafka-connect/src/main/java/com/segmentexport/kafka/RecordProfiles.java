package com.segmentexport.kafka;

import com.segmentexport.api.Profile;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Reads a record as a profile and names its segment: the value is JSON bytes or text
 * (ByteArrayConverter, StringConverter: read by {@link JsonFields}), a {@code Map} (JSON without a
 * schema) or a {@link Struct} (JSON with a schema, Avro, ...); its top-level fields are the profile's
 * fields, nested structs becoming maps.
 */
final class RecordProfiles {
  private final SinkConfig.SegmentSource segmentSource;
  private final String segmentName;
  private JsonConverter withSchemas;

  RecordProfiles(SinkConfig.SegmentSource segmentSource, String segmentName) {
    this.segmentSource = segmentSource;
    this.segmentName = segmentName;
  }

  /**
   * The record's profile.
   *
   * @throws DataException if the value is not a record of fields
   */
  Profile profile(SinkRecord record) {
    Object value = record.value();
    if (value instanceof byte[] bytes) {
      // ByteArrayConverter: the JSON read here in one pass, without JsonConverter's tree and map.
      Map<String, Object> fields = JsonFields.of(bytes);
      return isEnvelope(fields) ? Profile.of(fields(envelope(record, bytes))) : Profile.of(fields);
    }
    if (value instanceof String text) {
      Map<String, Object> fields = JsonFields.of(text);
      return isEnvelope(fields)
          ? Profile.of(fields(envelope(record, text.getBytes(StandardCharsets.UTF_8))))
          : Profile.of(fields);
    }
    if (value instanceof Map<?, ?> map && isFlat(map)) {
      // The common case (JsonConverter without schemas: a flat map of strings, numbers, booleans):
      // the profile copies the map as it is, with no map built in between.
      @SuppressWarnings("unchecked") // every key checked to be a String
      Map<String, ?> fields = (Map<String, ?>) map;
      return Profile.of(fields);
    }
    return Profile.of(fields(value));
  }

  /**
   * Whether a JSON object is JsonConverter's envelope of a value with its schema: exactly the fields
   * {@code schema} and {@code payload}, as the converter with {@code schemas.enable=true} requires.
   */
  private static boolean isEnvelope(Map<String, Object> fields) {
    return fields.size() == 2 && fields.containsKey("schema") && fields.containsKey("payload");
  }

  /**
   * The value of a JSON envelope {@code {"schema": ..., "payload": ...}}, read by JsonConverter
   * with schemas (so that its types, decimals, dates and timestamps are those of the converter
   * path).
   */
  private Object envelope(SinkRecord record, byte[] json) {
    if (withSchemas == null) {
      JsonConverter c = new JsonConverter();
      c.configure(Map.of("schemas.enable", "true"), false);
      withSchemas = c;
    }
    return withSchemas.toConnectData(record.topic(), json).value();
  }

  /** Whether every key is a string and every value one that {@link #plain} leaves as it is. */
  private static boolean isFlat(Map<?, ?> map) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String) || !isLeaf(e.getValue())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether a value is one of the common ones that need no conversion. Checked against final
   * classes first: on Java 17 a test against an interface ({@code instanceof Map}) of a value that is
   * not one scans the class's interfaces every time, which showed in the sink's profile.
   */
  private static boolean isLeaf(Object v) {
    return v == null
        || v instanceof String
        || v instanceof Long
        || v instanceof Boolean
        || v instanceof Integer
        || v instanceof BigDecimal;
  }

  private static Map<String, Object> fields(Object value) {
    if (value == null) {
      throw new DataException("the record has no value (a tombstone): no profile to export");
    }
    if (value instanceof Struct struct) {
      List<Field> schema = struct.schema().fields();
      Map<String, Object> fields = new LinkedHashMap<>(schema.size() * 4 / 3 + 1);
      for (Field f : schema) {
        fields.put(f.name(), plain(struct.get(f)));
      }
      return fields;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> fields = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (e.getKey() != null) {
          fields.put(e.getKey().toString(), plain(e.getValue()));
        }
      }
      return fields;
    }
    throw new DataException(
        "the record's value is a "
            + value.getClass().getSimpleName()
            + ", not a record of fields (use ByteArrayConverter or StringConverter with JSON values,"
            + " JsonConverter, or a converter that gives a Struct)");
  }

  private static Object plain(Object v) {
    if (isLeaf(v)) {
      return v;
    }
    if (v instanceof Struct s) {
      return fields(s);
    }
    if (v instanceof Map<?, ?> m) {
      return fields(m);
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      list.forEach(x -> out.add(plain(x)));
      return out;
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      return Double.isFinite(d) ? BigDecimal.valueOf(d) : v;
    }
    return v;
  }

  /**
   * The segment a record belongs to.
   *
   * @throws DataException if the record does not name one
   */
  String segment(SinkRecord record, Profile profile) {
    switch (segmentSource) {
      case TOPIC:
        return record.originalTopic();
      case FIELD:
        {
          Object v = profile.get(segmentName);
          if (v == null || v.toString().isBlank()) {
            throw new DataException("the record has no segment in its field '" + segmentName + "'");
          }
          return v.toString().trim();
        }
      case HEADER:
        {
          Header h = record.headers().lastWithName(segmentName);
          Object v = h == null ? null : h.value();
          if (v instanceof byte[] bytes) {
            v = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
          }
          if (v == null || v.toString().isBlank()) {
            throw new DataException(
                "the record has no segment in its header '" + segmentName + "'");
          }
          return v.toString().trim();
        }
      default:
        throw new AssertionError(segmentSource);
    }
  }
}
