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
    return Profile.of(fields(record.value()));
  }

  private static Map<String, Object> fields(Object value) {
    if (value == null) {
      throw new DataException("the record has no value (a tombstone): no profile to export");
    }
    if (value instanceof Struct struct) {
      Map<String, Object> fields = new LinkedHashMap<>();
      for (Field f : struct.schema().fields()) {
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
