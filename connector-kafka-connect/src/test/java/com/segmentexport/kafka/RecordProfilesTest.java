package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.Profile;
import java.math.BigDecimal;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** Records as profiles: JSON without a schema (a Map), with one or another converter's Struct. */
class RecordProfilesTest {
  private final RecordProfiles byTopic = new RecordProfiles(SinkConfig.SegmentSource.TOPIC, null);

  private static SinkRecord record(Object value) {
    return new SinkRecord("vip", 0, null, null, null, value, 5);
  }

  @Test
  void aSchemalessJsonRecordIsItsFields() {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("email", "ann@example.org");
    value.put("orders", 3L);
    value.put("score", 4.5);
    Profile p = byTopic.profile(record(value));
    assertThat(p.get("email")).isEqualTo("ann@example.org");
    assertThat(p.get("orders")).isEqualTo(3L);
    assertThat(p.get("score")).isEqualTo(new BigDecimal("4.5"));
    assertThat(byTopic.segment(record(value), p)).isEqualTo("vip");
  }

  @Test
  void aFlatMapIsCopiedAndOddKeysOrNestedValuesAreConverted() {
    Map<String, Object> flat = new LinkedHashMap<>();
    flat.put("email", "ann@example.org");
    flat.put("orders", 3L);
    flat.put("vip", true);
    flat.put("note", null);
    Profile p = byTopic.profile(record(flat));
    flat.put("email", "changed@example.org");
    assertThat(p.fields())
        .containsExactly(
            Map.entry("email", "ann@example.org"),
            Map.entry("orders", 3L),
            Map.entry("vip", true),
            new java.util.AbstractMap.SimpleEntry<>("note", null));

    Map<Object, Object> odd = new LinkedHashMap<>();
    odd.put("email", "bob@example.org");
    odd.put(null, "dropped");
    odd.put(7, "a number as a name");
    odd.put("address", Map.of("city", "Lyon", "lat", 45.75));
    odd.put("tags", java.util.List.of("a", 1.5));
    Profile q = byTopic.profile(record(odd));
    assertThat(q.fields()).containsOnlyKeys("email", "7", "address", "tags");
    assertThat(q.get("7")).isEqualTo("a number as a name");
    assertThat(q.get("address")).isEqualTo(Map.of("city", "Lyon", "lat", new BigDecimal("45.75")));
    assertThat(q.get("tags")).isEqualTo(java.util.List.of("a", new BigDecimal("1.5")));
  }

  @Test
  void aStructIsItsFieldsWithNestedStructsAsMapsAndLogicalTypesKept() {
    Schema address = SchemaBuilder.struct().field("city", Schema.STRING_SCHEMA).build();
    Schema schema =
        SchemaBuilder.struct()
            .field("email", Schema.STRING_SCHEMA)
            .field("signup", Timestamp.SCHEMA)
            .field("balance", Decimal.schema(2))
            .field("address", address)
            .build();
    Date signup = new Date(1_700_000_000_000L);
    Struct value =
        new Struct(schema)
            .put("email", "bob@example.org")
            .put("signup", signup)
            .put("balance", new BigDecimal("12.50"))
            .put("address", new Struct(address).put("city", "Lyon"));
    Profile p = byTopic.profile(record(value));
    assertThat(p.get("email")).isEqualTo("bob@example.org");
    assertThat(p.get("signup")).isEqualTo(signup);
    assertThat(p.get("balance")).isEqualTo(new BigDecimal("12.50"));
    assertThat(p.get("address")).isEqualTo(Map.of("city", "Lyon"));
  }

  @Test
  void aRecordThatIsNoProfileIsADataException() {
    assertThatThrownBy(() -> byTopic.profile(record(null)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("tombstone");
    assertThatThrownBy(() -> byTopic.profile(record(42)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("Integer");
    // A String (StringConverter) is read as JSON: an address alone is not a JSON object.
    assertThatThrownBy(() -> byTopic.profile(record("ann@example.org")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("not valid JSON")
        .hasMessageNotContaining("ann@");
  }

  @Test
  void theSegmentComesFromAFieldOrAHeader() {
    RecordProfiles byField = new RecordProfiles(SinkConfig.SegmentSource.FIELD, "segment");
    Map<String, Object> value = Map.of("email", "ann@example.org", "segment", " Lapsed 90 days ");
    SinkRecord r = record(value);
    assertThat(byField.segment(r, byField.profile(r))).isEqualTo("Lapsed 90 days");
    SinkRecord without = record(Map.of("email", "ann@example.org"));
    assertThatThrownBy(() -> byField.segment(without, byField.profile(without)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("'segment'");

    RecordProfiles byHeader = new RecordProfiles(SinkConfig.SegmentSource.HEADER, "segment");
    ConnectHeaders headers = new ConnectHeaders();
    headers.addString("segment", "VIP");
    SinkRecord withHeader =
        new SinkRecord(
            "t", 0, null, null, null, Map.of("email", "ann@example.org"), 1, 0L, null, headers);
    assertThat(byHeader.segment(withHeader, byHeader.profile(withHeader))).isEqualTo("VIP");
  }
}
