package com.segmentexport.campaignmonitor;

import static com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator.ACTIVE;
import static com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator.BOUNCED;
import static com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator.DELETED;
import static com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator.UNCONFIRMED;
import static com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator.UNSUBSCRIBED;
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
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code remove(Batch)} deletes Active subscribers from the segment's list ({@code DELETE
 * subscribers/{listid}.json?email=}, state Deleted, never Unsubscribed nor suppressed), and a later write
 * re-adds a Deleted subscriber, never one who unsubscribed, bounced or was suppressed.
 */
@Timeout(60)
class CampaignMonitorRemovalTest {
  private static final String KEY = "cm-key-77";
  private static final String SEGMENT = "Lapsed 90 days";
  private static final RecordSchema SCHEMA =
      new RecordSchema(List.of(new MappedField(0, "Email", FieldType.TEXT, false)));

  private CampaignMonitorSimulator sim;
  private String list;
  private String other;

  @BeforeEach
  void start() {
    sim = new CampaignMonitorSimulator(KEY).start();
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
        .setting(StandardSettings.REQUESTS_PER_SECOND, "1000")
        .secret(CampaignMonitorConnectorProvider.API_KEY, Secret.of(KEY))
        .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
        .build();
  }

  private <T> T withDestination(Function<Destination, T> action) {
    ExportDefinition definition =
        ExportDefinition.builder(connection(new CampaignMonitorConnectorProvider()))
            .segments(SEGMENT)
            .mapping(FieldMapping.builder().email("email").build())
            .option(CampaignMonitorConnectorProvider.LIST_ID, list)
            .build();
    return EngineHttp.call(
        new CampaignMonitorConnectorProvider(),
        this::connection,
        (connector, http) ->
            action.apply(
                connector.open(new DestinationRequest(SEGMENT, definition, SCHEMA, http))));
  }

  private static Batch batch(String... emails) {
    List<ExportRecord> records = new ArrayList<>();
    for (String e : emails) {
      records.add(new ExportRecord(records.size() + 1, e, new Object[1]));
    }
    return new Batch(SEGMENT, 1, SCHEMA, records, 64L * records.size() + 1);
  }

  private BatchResult remove(String... emails) {
    return withDestination(d -> d.remove(batch(emails)));
  }

  private BatchResult write(String... emails) {
    return withDestination(d -> d.write(batch(emails)));
  }

  private static RejectionReason reasonOf(BatchResult r, String email) {
    return r.rejections().stream()
        .filter(x -> x.record().email().equals(email))
        .findFirst()
        .orElseThrow()
        .reason();
  }

  @Test
  void theProviderSupportsRemoval() {
    assertThat(new CampaignMonitorConnectorProvider().supportsRemoval()).isTrue();
  }

  @Test
  void activeSubscribersAreDeletedFromThisListOnlyNeverUnsubscribedNorSuppressed() {
    assertThat(write("ana@example.org", "bo@example.org", "stays@example.org").exported())
        .isEqualTo(3);
    sim.addSubscriber(other, "ana@example.org", ACTIVE);
    String joined = sim.listJoinedDate(list, "ana@example.org").orElseThrow();

    BatchResult r = remove("ana@example.org", "bo@example.org");

    assertThat(r.exported()).isEqualTo(2);
    assertThat(r.rejections()).isEmpty();
    assertThat(r.unconfirmed()).isEmpty();
    assertThat(sim.subscriberState(list, "ana@example.org")).hasValue(DELETED);
    assertThat(sim.subscriberState(list, "bo@example.org")).hasValue(DELETED);
    assertThat(sim.subscriberState(list, "stays@example.org")).hasValue(ACTIVE);
    assertThat(sim.subscriberState(other, "ana@example.org"))
        .as("another list untouched")
        .hasValue(ACTIVE);
    assertThat(sim.listJoinedDate(list, "ana@example.org"))
        .as("the record is kept")
        .hasValue(joined);
    assertThat(sim.isSuppressed("ana@example.org")).isFalse();
    assertThat(sim.isSuppressed("bo@example.org")).isFalse();
    assertThat(sim.unsubscribes()).isZero();
    assertThat(sim.suppressions()).isZero();
    assertThat(sim.deletions()).isEqualTo(2);
  }

  @Test
  void anAddressNotOnTheListOrAlreadyDeletedCountsAsRemoved() {
    sim.addSubscriber(list, "gone@example.org", DELETED);
    sim.addSubscriber(other, "elsewhere@example.org", ACTIVE);

    BatchResult r = remove("gone@example.org", "elsewhere@example.org", "nobody@example.org");

    assertThat(r.exported()).isEqualTo(3);
    assertThat(r.rejections()).isEmpty();
    assertThat(r.counters()).containsEntry(CampaignMonitorDestination.REMOVAL_NOT_ON_LIST, 3L);
    assertThat(sim.subscriberState(other, "elsewhere@example.org")).hasValue(ACTIVE);
    assertThat(sim.subscriberState(list, "nobody@example.org")).isEmpty();
  }

  @Test
  void anOptedOutSubscriberIsLeftAsItIsAndAnUnconfirmedOneIsNotDeleted() {
    sim.addSubscriber(list, "left@example.org", UNSUBSCRIBED);
    sim.addSubscriber(list, "bounced@example.org", BOUNCED);
    sim.addSubscriber(list, "pending@example.org", UNCONFIRMED);

    BatchResult r = remove("left@example.org", "bounced@example.org", "pending@example.org");

    assertThat(r.exported()).isEqualTo(2);
    assertThat(r.counters()).containsEntry(CampaignMonitorDestination.REMOVAL_INACTIVE_LEFT, 2L);
    assertThat(r.rejections())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.record().email()).isEqualTo("pending@example.org");
              assertThat(x.reason()).isEqualTo(RejectionReason.VENDOR_REJECTED);
            });
    assertThat(sim.subscriberState(list, "left@example.org"))
        .as("never made re-addable")
        .hasValue(UNSUBSCRIBED);
    assertThat(sim.subscriberState(list, "bounced@example.org")).hasValue(BOUNCED);
    assertThat(sim.subscriberState(list, "pending@example.org")).hasValue(UNCONFIRMED);
    assertThat(sim.deletions()).isZero();
  }

  @Test
  void aRefusedDeleteRejectsThatSubscriberOnly() {
    write("ana@example.org", "bo@example.org");
    // The second write call from here (ana's read is not a write): bo's delete.
    sim.faults().failWrite(sim.writeCount() + 2, 400);

    BatchResult r = remove("ana@example.org", "bo@example.org");

    assertThat(r.exported()).isEqualTo(1);
    assertThat(r.rejections())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.record().email()).isEqualTo("bo@example.org");
              assertThat(x.reason()).isEqualTo(RejectionReason.VENDOR_REJECTED);
            });
    assertThat(sim.subscriberState(list, "ana@example.org")).hasValue(DELETED);
    assertThat(sim.subscriberState(list, "bo@example.org")).hasValue(ACTIVE);
  }

  @Test
  void aDeletedMemberBackInTheSegmentIsReaddedWhileOptedOutOnesAreNot() {
    write("back@example.org", "stays@example.org");
    remove("back@example.org");
    assertThat(sim.subscriberState(list, "back@example.org")).hasValue(DELETED);
    sim.addSubscriber(list, "left@example.org", UNSUBSCRIBED);
    sim.addSubscriber(list, "bounced@example.org", BOUNCED);
    sim.addSubscriber(list, "blocked@example.org", ACTIVE);
    sim.suppress("blocked@example.org");

    BatchResult r =
        write(
            "back@example.org",
            "left@example.org",
            "bounced@example.org",
            "blocked@example.org",
            "stays@example.org",
            "new@example.org");

    assertThat(sim.subscriberState(list, "back@example.org")).hasValue(ACTIVE);
    assertThat(sim.subscriberState(list, "left@example.org")).hasValue(UNSUBSCRIBED);
    assertThat(sim.subscriberState(list, "bounced@example.org")).hasValue(BOUNCED);
    assertThat(sim.subscriberState(list, "new@example.org")).hasValue(ACTIVE);
    assertThat(sim.deletedResubscribed()).isEqualTo(1);
    assertThat(sim.optOutsOverridden()).as("no one who opted out is resubscribed").isZero();
    assertThat(r.exported()).as("back, stays, new").isEqualTo(3);
    assertThat(r.counters()).containsEntry(CampaignMonitorDestination.DELETED_READDED, 1L);
    assertThat(reasonOf(r, "left@example.org")).isEqualTo(RejectionReason.UNSUBSCRIBED);
    assertThat(reasonOf(r, "bounced@example.org")).isEqualTo(RejectionReason.SUPPRESSED);
    assertThat(reasonOf(r, "blocked@example.org")).isEqualTo(RejectionReason.SUPPRESSED);
    assertThat(sim.importRequests())
        .last()
        .satisfies(
            i -> {
              assertThat(i.resubscribe()).as("the re-add import").isTrue();
              assertThat(i.subscribers()).as("the deleted member alone").isEqualTo(1);
            });
  }

  @Test
  void aSubscriberDeletedWhileUnsubscribedIsNotResubscribedByALaterWrite() {
    // Deleting an Unsubscribed subscriber would make it Deleted, and so re-added by a later write:
    // the
    // removal leaves it Unsubscribed, and the write refuses it.
    sim.addSubscriber(list, "left@example.org", UNSUBSCRIBED);
    remove("left@example.org");
    assertThat(sim.subscriberState(list, "left@example.org")).hasValue(UNSUBSCRIBED);

    BatchResult r = write("left@example.org");

    assertThat(reasonOf(r, "left@example.org")).isEqualTo(RejectionReason.UNSUBSCRIBED);
    assertThat(sim.optOutsOverridden()).isZero();
  }

  @Test
  void aBatchOfTheConnectorsMaximumGoesThroughOneDeletePerAddress() {
    int max = new CampaignMonitorConnectorProvider().limits().maxBatchRecords();
    List<String> emails = new ArrayList<>();
    for (int i = 0; i < max; i++) {
      String e = "member" + i + "@example.org";
      sim.addSubscriber(list, e, ACTIVE);
      emails.add(e);
    }

    BatchResult r = remove(emails.toArray(String[]::new));

    assertThat(r.exported()).isEqualTo(max);
    assertThat(sim.activeSubscribers(list)).isEmpty();
    assertThat(sim.deletions()).isEqualTo(max);
  }
}
