package com.segmentexport.dotdigital;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.Connection;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.PrivacyConsent;
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
import com.segmentexport.testkit.dotdigital.DotdigitalSimulator;
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
 * {@code remove(Batch)} takes contacts out of the segment's address book by contact id, in bulk ({@code
 * POST /v2/address-books/{id}/contacts/delete}, polled to Completed): membership only, never an unsubscribe
 * nor a contact deletion; and {@code write(Batch)} reports each contact's id from the import report.
 */
@Timeout(60)
class DotdigitalRemovalTest {
  private static final String USER = "apiuser-7@apiconnector.com";
  private static final String PASSWORD = "pw-7";
  private static final String SEGMENT = "Lapsed 90 days";
  private static final RecordSchema SCHEMA =
      new RecordSchema(List.of(new MappedField(0, "email", FieldType.TEXT, false)));

  private DotdigitalSimulator sim;
  private long book;
  private long other;

  @BeforeEach
  void start() {
    sim = new DotdigitalSimulator(USER, PASSWORD).start();
    book = sim.ensureAddressBook(SEGMENT);
    other = sim.ensureAddressBook("Newsletter");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private Connection connection(ConnectorProvider provider) {
    return Connection.builder(provider)
        .setting(StandardSettings.BASE_URL, sim.baseUrl())
        .setting(StandardSettings.REQUESTS_PER_SECOND, "1000")
        .secret(DotdigitalConnectorProvider.USERNAME, Secret.of(USER))
        .secret(DotdigitalConnectorProvider.PASSWORD, Secret.of(PASSWORD))
        .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
        .build();
  }

  private <T> T withDestination(Function<Destination, T> action) {
    ExportDefinition definition =
        ExportDefinition.builder(connection(new DotdigitalConnectorProvider()))
            .segments(SEGMENT)
            .mapping(FieldMapping.builder().email("email").build())
            .option(DotdigitalConnectorProvider.ADDRESS_BOOK_ID, Long.toString(book))
            .build();
    return EngineHttp.call(
        new DotdigitalConnectorProvider(),
        this::connection,
        (connector, http) ->
            action.apply(
                connector.open(new DestinationRequest(SEGMENT, definition, SCHEMA, http))));
  }

  private static List<ExportRecord> records(String... emails) {
    List<ExportRecord> records = new ArrayList<>();
    for (String e : emails) {
      records.add(new ExportRecord(records.size() + 1, e, new Object[1]));
    }
    return records;
  }

  private static Batch batch(List<ExportRecord> records) {
    return new Batch(SEGMENT, 1, SCHEMA, records, 64L * records.size() + 1);
  }

  private BatchResult remove(List<ExportRecord> records) {
    return withDestination(d -> d.remove(batch(records)));
  }

  private void member(String email, long... books) {
    sim.addContact(email, DotdigitalSimulator.SUBSCRIBED, Map.of("FIRSTNAME", "F"));
    for (long b : books) {
      sim.addToAddressBook(b, email);
    }
  }

  private ExportRecord withId(String email) {
    return new ExportRecord(1, email, new Object[1])
        .withVendorId(Long.toString(sim.contactId(email).getAsLong()));
  }

  @Test
  void theProviderSupportsRemoval() {
    assertThat(new DotdigitalConnectorProvider().supportsRemoval()).isTrue();
  }

  @Test
  void writeReportsTheContactIdsThatRemovalsUse() {
    member("known@example.org");
    List<ExportRecord> written = records("new@example.org", "known@example.org");

    BatchResult w = withDestination(d -> d.write(batch(written)));

    assertThat(w.vendorId(written.get(0)))
        .as("created")
        .hasValue(Long.toString(sim.contactId("new@example.org").getAsLong()));
    assertThat(w.vendorId(written.get(1)))
        .as("updated")
        .hasValue(Long.toString(sim.contactId("known@example.org").getAsLong()));
  }

  @Test
  void contactsLeaveThisAddressBookOnlyAndAreNeitherUnsubscribedNorDeleted() {
    member("ana@example.org", book, other);
    member("bo@example.org", book);
    member("stays@example.org", book, other);

    BatchResult r = remove(List.of(withId("ana@example.org"), withId("bo@example.org")));

    assertThat(r.exported()).isEqualTo(2);
    assertThat(r.rejections()).isEmpty();
    assertThat(r.unconfirmed()).isEmpty();
    assertThat(sim.isMember(book, "ana@example.org")).isFalse();
    assertThat(sim.isMember(book, "bo@example.org")).isFalse();
    assertThat(sim.isMember(book, "stays@example.org")).isTrue();
    assertThat(sim.isMember(other, "ana@example.org")).as("another book untouched").isTrue();
    assertThat(sim.contactExists("ana@example.org")).isTrue();
    assertThat(sim.contactExists("bo@example.org")).isTrue();
    assertThat(sim.contactStatus("bo@example.org")).hasValue(DotdigitalSimulator.SUBSCRIBED);
    assertThat(sim.contactDataFields("bo@example.org")).containsEntry("FIRSTNAME", "F");
    assertThat(sim.isUnsubscribedFrom(book, "ana@example.org")).isFalse();
    assertThat(sim.bookUnsubscribes()).isZero();
    assertThat(sim.accountUnsubscribes()).isZero();
    assertThat(sim.contactDeletions()).isZero();
    assertThat(sim.bulkRemovalsAccepted()).as("one bulk request").isEqualTo(1);
    assertThat(sim.bookRemovals()).isEqualTo(2);
    assertThat(r.counters()).containsEntry("dotdigital.removals", 1L);
  }

  @Test
  void aRecordWithoutAContactIdIsLookedUpByAddressAndAnUnknownAddressCountsAsRemoved() {
    member("ana@example.org", book);
    member("elsewhere@example.org", other);

    BatchResult r =
        remove(records("ana@example.org", "nobody@example.org", "elsewhere@example.org"));

    assertThat(r.exported()).isEqualTo(3);
    assertThat(r.rejections()).isEmpty();
    assertThat(r.unconfirmed()).isEmpty();
    assertThat(r.counters()).containsEntry(DotdigitalDestination.REMOVAL_NOT_ON_LIST, 1L);
    assertThat(sim.isMember(book, "ana@example.org")).isFalse();
    assertThat(sim.isMember(other, "elsewhere@example.org")).isTrue();
    assertThat(sim.contactExists("nobody@example.org"))
        .as("a removal creates no contact")
        .isFalse();
    assertThat(sim.bookRemovalNoOps()).as("elsewhere: not in the book, a no-op").isEqualTo(1);
  }

  @Test
  void aRequestOverTheVendorsCapIsHalvedUntilItGoesThrough() {
    sim.maxBulkRemovalIds(1);
    member("ana@example.org", book);
    member("bo@example.org", book);
    member("cy@example.org", book);

    BatchResult r =
        remove(
            List.of(withId("ana@example.org"), withId("bo@example.org"), withId("cy@example.org")));

    assertThat(r.exported()).isEqualTo(3);
    assertThat(sim.addressBookMembers(book)).isEmpty();
    assertThat(sim.bulkRemovalsAccepted()).isEqualTo(3);
    assertThat(r.counters().get("dotdigital.removalSplits")).isPositive();
  }

  @Test
  void aRefusedRemovalFailsTheBatch() {
    member("ana@example.org", book);
    sim.faults().failWrite(sim.writeCount() + 1, 404);

    assertThatThrownBy(() -> remove(List.of(withId("ana@example.org"))))
        .isInstanceOf(DestinationException.class);
    assertThat(sim.isMember(book, "ana@example.org")).isTrue();
  }

  @Test
  void aBatchOfTheConnectorsMaximumGoesInRequestsOfAThousandIds() {
    int max = new DotdigitalConnectorProvider().limits().maxBatchRecords();
    List<ExportRecord> records = new ArrayList<>();
    for (int i = 0; i < max; i++) {
      String e = "member" + i + "@example.org";
      member(e, book);
      records.add(withId(e));
    }

    BatchResult r = remove(records);

    assertThat(r.exported()).isEqualTo(max);
    assertThat(sim.addressBookMembers(book)).isEmpty();
    assertThat(sim.bulkRemovalsAccepted()).isEqualTo((max + 999) / 1000);
    assertThat(sim.bookRemovals()).isEqualTo(max);
  }
}
