package com.segmentexport.iterable;

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
import com.segmentexport.spi.DestinationRequest;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.RecordSchema;
import com.segmentexport.testkit.EngineHttp;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code remove(Batch)} takes users off the segment's list with {@code lists/unsubscribe} and
 * {@code channelUnsubscribe: false}: the list's membership only, through the engine's own VendorHttp.
 */
@Timeout(60)
class IterableRemovalTest {
  private static final String KEY = "server-key-test-91b7";
  private static final String SEGMENT = "Lapsed 90 days";
  private static final RecordSchema SCHEMA =
      new RecordSchema(List.of(new MappedField(0, "email", FieldType.TEXT, false)));

  private IterableSimulator sim;
  private long list;
  private long other;

  @BeforeEach
  void start() {
    sim = new IterableSimulator(KEY).start();
    list = sim.createList(SEGMENT, "Standard");
    other = sim.createList("Newsletter", "Standard");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private Connection connection(ConnectorProvider provider) {
    return Connection.builder(provider)
        .setting(StandardSettings.BASE_URL, sim.baseUrl())
        .setting(StandardSettings.REQUESTS_PER_SECOND, "1000")
        .secret(IterableConnectorProvider.API_KEY, Secret.of(KEY))
        .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
        .build();
  }

  private BatchResult remove(List<String> emails) {
    List<ExportRecord> records = new ArrayList<>();
    for (String e : emails) {
      records.add(new ExportRecord(records.size() + 1, e, new Object[1]));
    }
    Batch batch = new Batch(SEGMENT, 1, SCHEMA, records, 64L * records.size());
    ExportDefinition definition =
        ExportDefinition.builder(connection(new IterableConnectorProvider()))
            .segments(SEGMENT)
            .mapping(FieldMapping.builder().email("email").build())
            .build();
    return EngineHttp.call(
        new IterableConnectorProvider(),
        this::connection,
        (connector, http) ->
            connector
                .open(new DestinationRequest(SEGMENT, definition, SCHEMA, http))
                .remove(batch));
  }

  private void member(String email, long... lists) {
    sim.addUser(email, Map.of("firstName", "F " + email));
    for (long l : lists) {
      sim.addListMember(l, email);
    }
  }

  @Test
  void theProviderSupportsRemoval() {
    assertThat(new IterableConnectorProvider().supportsRemoval()).isTrue();
  }

  @Test
  void membersLeaveThisListOnlyAndKeepTheirUserDataAndSubscriptions() {
    member("ana@example.org", list, other);
    member("bo@example.org", list);
    member("stays@example.org", list, other);

    BatchResult r = remove(List.of("ana@example.org", "bo@example.org"));

    assertThat(r.exported()).isEqualTo(2);
    assertThat(r.rejections()).isEmpty();
    assertThat(r.unconfirmed()).isEmpty();
    assertThat(sim.isMember(list, "ana@example.org")).isFalse();
    assertThat(sim.isMember(list, "bo@example.org")).isFalse();
    assertThat(sim.isMember(list, "stays@example.org")).isTrue();
    assertThat(sim.isMember(other, "ana@example.org")).as("another list untouched").isTrue();
    assertThat(sim.hasUser("ana@example.org")).as("the user is not deleted").isTrue();
    assertThat(sim.dataFields("bo@example.org")).containsEntry("firstName", "F bo@example.org");
    assertThat(sim.isGloballyUnsubscribed("ana@example.org")).isFalse();
    assertThat(sim.isGloballyUnsubscribed("bo@example.org")).isFalse();
    assertThat(sim.channelUnsubscribes()).isZero();
    assertThat(sim.campaignAttributedUnsubscribes()).isZero();
    assertThat(sim.userDeletions()).isZero();
    assertThat(sim.listRemovals()).isEqualTo(2);
    assertThat(sim.unsubscribeRequests()).isEqualTo(1);
  }

  @ParameterizedTest(name = "notFoundForNonMembers={0}")
  @ValueSource(booleans = {true, false})
  void aMemberAlreadyOffTheListOrUnknownCountsAsRemoved(boolean notFoundForNonMembers) {
    sim.notFoundForNonMembers(notFoundForNonMembers);
    member("gone@example.org", other);
    member("ana@example.org", list);

    BatchResult r = remove(List.of("gone@example.org", "nobody@example.org", "ana@example.org"));

    assertThat(r.exported()).isEqualTo(3);
    assertThat(r.rejections()).isEmpty();
    assertThat(r.unconfirmed()).isEmpty();
    assertThat(r.counters().get(IterableDestination.REMOVAL_NOT_ON_LIST))
        .isEqualTo(notFoundForNonMembers ? 2L : 1L);
    assertThat(sim.isMember(list, "ana@example.org")).isFalse();
    assertThat(sim.isMember(other, "gone@example.org")).isTrue();
    assertThat(sim.hasUser("nobody@example.org")).as("no user created by a removal").isFalse();
  }

  @Test
  void aRemovalRepeatedLeavesTheMemberOffTheList() {
    member("ana@example.org", list);

    assertThat(remove(List.of("ana@example.org")).exported()).isEqualTo(1);
    assertThat(remove(List.of("ana@example.org")).exported()).isEqualTo(1);

    assertThat(sim.isMember(list, "ana@example.org")).isFalse();
    assertThat(sim.listRemovals()).isEqualTo(1);
  }

  @Test
  void aPerRecordFailureRejectsThatRecordOnly() {
    member("ana@example.org", list);
    member("conflict@example.org", list);
    sim.rejectAddress("conflict@example.org", "conflictEmails");

    BatchResult r = remove(List.of("ana@example.org", "conflict@example.org", "broken@nowhere"));

    assertThat(r.exported()).isEqualTo(1);
    assertThat(r.rejections()).hasSize(2);
    assertThat(r.rejections())
        .filteredOn(x -> x.record().email().equals("conflict@example.org"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.reason()).isEqualTo(RejectionReason.VENDOR_REJECTED);
              assertThat(x.vendorCode()).isEqualTo("conflictEmails");
            });
    assertThat(r.rejections())
        .filteredOn(x -> x.record().email().equals("broken@nowhere"))
        .singleElement()
        .satisfies(x -> assertThat(x.reason()).isEqualTo(RejectionReason.INVALID_EMAIL));
    assertThat(sim.isMember(list, "ana@example.org")).isFalse();
    assertThat(sim.isMember(list, "conflict@example.org")).isTrue();
  }

  @Test
  void aBatchOfTheConnectorsMaximumGoesInOneRequest() {
    int max = new IterableConnectorProvider().limits().maxBatchRecords();
    List<String> emails = new ArrayList<>();
    for (int i = 0; i < max; i++) {
      String e = "member" + i + "@example.org";
      member(e, list);
      emails.add(e);
    }

    BatchResult r = remove(emails);

    assertThat(r.exported()).isEqualTo(max);
    assertThat(sim.members(SEGMENT)).isEmpty();
    assertThat(sim.unsubscribeRequests()).isEqualTo(1);
    assertThat(sim.listRemovals()).isEqualTo(max);
  }
}
