package com.segmentexport.autopilot;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.Secret;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.DestinationRequest;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.RecordSchema;
import com.segmentexport.testkit.EngineHttp;
import com.segmentexport.testkit.autopilot.AutopilotSimulator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code remove(Batch)} takes contacts off the segment's list with one {@code DELETE
 * /v1/list/{list_id}/contact/{contact_id_or_email}} each: the list's membership only, through the engine's
 * own VendorHttp; and {@code write(Batch)} reports each contact's id for later removals by id.
 */
@Timeout(60)
class AutopilotRemovalTest {
  private static final String KEY = "ap-key-3f1";
  private static final String SEGMENT = "Lapsed 90 days";
  private static final RecordSchema SCHEMA =
      new RecordSchema(List.of(new MappedField(0, "Email", FieldType.TEXT, false)));

  private AutopilotSimulator sim;
  private String list;
  private String other;

  @BeforeEach
  void start() {
    sim = new AutopilotSimulator(KEY).start();
    list = sim.createList(SEGMENT);
    other = sim.createList("Newsletter");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private Connection connection(ConnectorProvider provider) {
    return Connection.builder(provider)
        .setting(StandardSettings.BASE_URL, sim.baseUrl())
        .setting(StandardSettings.REQUESTS_PER_SECOND, "2000")
        .secret(AutopilotConnectorProvider.API_KEY, Secret.of(KEY))
        .privacyConsent(PrivacyConsent.acknowledgedBy("test@segmentexport.test", Instant.now()))
        .build();
  }

  private <T> T withDestination(Function<Destination, T> action) {
    ExportDefinition definition =
        ExportDefinition.builder(connection(new AutopilotConnectorProvider()))
            .segments(SEGMENT)
            .mapping(FieldMapping.builder().email("email").build())
            .build();
    return EngineHttp.call(
        new AutopilotConnectorProvider(),
        this::connection,
        (connector, http) ->
            action.apply(
                connector.open(new DestinationRequest(SEGMENT, definition, SCHEMA, http))));
  }

  private static Batch batch(List<ExportRecord> records) {
    return new Batch(SEGMENT, 1, SCHEMA, records, 64L * records.size() + 1);
  }

  private static List<ExportRecord> records(String... emails) {
    List<ExportRecord> records = new ArrayList<>();
    for (String e : emails) {
      records.add(new ExportRecord(records.size() + 1, e, new Object[1]));
    }
    return records;
  }

  private BatchResult remove(List<ExportRecord> records) {
    return withDestination(d -> d.remove(batch(records)));
  }

  private void member(String email, String... lists) {
    sim.addContact(email, Map.of("FirstName", "F"));
    for (String l : lists) {
      sim.addListMember(l, email);
    }
  }

  private long removalCalls() {
    return sim.calls().stream()
        .filter(c -> c.method().equals("DELETE") && c.path().startsWith("/v1/list/"))
        .count();
  }

  @Test
  void theProviderSupportsRemoval() {
    assertThat(new AutopilotConnectorProvider().supportsRemoval()).isTrue();
  }

  @Test
  void contactsLeaveThisListOnlyAndAreNeitherUnsubscribedNorDeleted() {
    member("ana+tag@example.org", list, other);
    member("bo@example.org", list);
    member("stays@example.org", list, other);

    BatchResult r = remove(records("ana+tag@example.org", "bo@example.org"));

    assertThat(r.exported()).isEqualTo(2);
    assertThat(r.rejections()).isEmpty();
    assertThat(r.unconfirmed()).isEmpty();
    assertThat(sim.isMember(list, "ana+tag@example.org")).isFalse();
    assertThat(sim.isMember(list, "bo@example.org")).isFalse();
    assertThat(sim.isMember(list, "stays@example.org")).isTrue();
    assertThat(sim.isMember(other, "ana+tag@example.org")).as("another list untouched").isTrue();
    assertThat(sim.contactExists("ana+tag@example.org")).isTrue();
    assertThat(sim.contactExists("bo@example.org")).isTrue();
    assertThat(sim.contactFields("bo@example.org")).containsEntry("FirstName", "F");
    assertThat(sim.isUnsubscribed("ana+tag@example.org")).isFalse();
    assertThat(sim.isUnsubscribed("bo@example.org")).isFalse();
    assertThat(sim.contactUnsubscribes()).isZero();
    assertThat(sim.contactDeletions()).isZero();
    assertThat(sim.listRemovals()).isEqualTo(2);
    assertThat(removalCalls()).as("one call per contact").isEqualTo(2);
  }

  @Test
  void theContactIdsWriteReportsAreWhatRemovalsUse() {
    List<ExportRecord> written = records("ana@example.org", "bo@example.org");
    BatchResult w = withDestination(d -> d.write(batch(written)));
    String ana = sim.contactIdOf("ana@example.org").orElseThrow();
    assertThat(w.vendorId(written.get(0))).hasValue(ana);
    assertThat(w.vendorId(written.get(1)))
        .hasValue(sim.contactIdOf("bo@example.org").orElseThrow());
    sim.addListMember(other, "ana@example.org");

    BatchResult r =
        remove(List.of(new ExportRecord(1, "ana@example.org", new Object[1]).withVendorId(ana)));

    assertThat(r.exported()).isEqualTo(1);
    assertThat(sim.isMember(list, "ana@example.org")).isFalse();
    assertThat(sim.isMember(other, "ana@example.org")).isTrue();
    assertThat(sim.isMember(list, "bo@example.org")).isTrue();
    assertThat(sim.calls())
        .anySatisfy(
            c -> {
              assertThat(c.method()).isEqualTo("DELETE");
              assertThat(c.path()).isEqualTo("/v1/list/" + list + "/contact/" + ana);
            });
  }

  @Test
  void aContactOffTheListOrUnknownCountsAsRemoved() {
    member("gone@example.org", other);
    member("ana@example.org", list);

    BatchResult r = remove(records("gone@example.org", "nobody@example.org", "ana@example.org"));

    assertThat(r.exported()).isEqualTo(3);
    assertThat(r.rejections()).isEmpty();
    assertThat(r.unconfirmed()).isEmpty();
    assertThat(r.counters()).containsEntry(AutopilotDestination.REMOVAL_NOT_ON_LIST, 2L);
    assertThat(sim.isMember(other, "gone@example.org")).isTrue();
    assertThat(sim.contactExists("nobody@example.org"))
        .as("a removal creates no contact")
        .isFalse();
    assertThat(sim.listRemovalNoOps()).isEqualTo(1);
  }

  @Test
  void aRefusalOfOneCallRejectsThatContactOnly() {
    member("ana@example.org", list);
    member("bo@example.org", list);
    member("cy@example.org", list);
    int writes = sim.writeCount();
    sim.faults().failWrite(writes + 2, 400);

    BatchResult r = remove(records("ana@example.org", "bo@example.org", "cy@example.org"));

    assertThat(r.exported()).isEqualTo(2);
    assertThat(r.rejections())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.record().email()).isEqualTo("bo@example.org");
              assertThat(x.reason()).isEqualTo(RejectionReason.VENDOR_REJECTED);
            });
    assertThat(sim.isMember(list, "bo@example.org")).isTrue();
    assertThat(sim.isMember(list, "ana@example.org")).isFalse();
    assertThat(sim.isMember(list, "cy@example.org")).isFalse();
  }

  @Test
  void aBatchOfTheConnectorsMaximumGoesThroughOneCallPerContact() {
    int max = new AutopilotConnectorProvider().limits().maxBatchRecords();
    List<String> emails = new ArrayList<>();
    for (int i = 0; i < max; i++) {
      String e = "member" + i + "@example.org";
      member(e, list);
      emails.add(e);
    }

    BatchResult r = remove(records(emails.toArray(String[]::new)));

    assertThat(r.exported()).isEqualTo(max);
    assertThat(sim.members(SEGMENT)).isEmpty();
    assertThat(sim.listRemovals()).isEqualTo(max);
    assertThat(removalCalls()).isEqualTo(max);
  }
}
