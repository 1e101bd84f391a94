package com.segmentexport.kafka;

import com.segmentexport.api.Profile;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Reads a record as a profile and names its segment: the value is a {@code Map} (JSON without a
 * schema) or a {@link Struct} (JSON with a schema, Avro, ...); its top-level fields are the profile's
 * fields, nested structs becoming maps.
 */
final class RecordProfiles {
  private final SinkConfig.SegmentSource segmentSource;
  private final String segmentName;

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
    if (value instanceof Map<?, ?> map && isFlat(map)) {
      // The common case (JsonConverter without schemas: a flat map of strings, numbers, booleans):
      // the profile copies the map as it is, with no map built in between.
      @SuppressWarnings("unchecked") // every key checked to be a String
      Map<String, ?> fields = (Map<String, ?>) map;
      return Profile.of(fields);
    }
    return Profile.of(fields(value));
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
            + ", not a record of fields (use JsonConverter, or a converter that gives a Struct)");
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
