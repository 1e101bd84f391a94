package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.assertAddsUp;
import static com.segmentexport.testsupport.Fixtures.connection;
import static com.segmentexport.testsupport.Fixtures.profile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportPlan;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.Profile;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentPlan;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.SyncMode;
import com.segmentexport.api.SyncStateException;
import com.segmentexport.spi.MemberOutcome;
import com.segmentexport.spi.MemberState;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.InMemorySyncStateStore;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 23: with a sync state, a run sends only what the vendor does not already hold as it is. */
class IncrementalSyncTest {
  private final FakeVendor vendor = new FakeVendor();
  private final TestConnectorProvider provider =
      TestConnectorProvider.builder().limits(10, 64 * 1024, 2, 1000).build();
  private final Connectors connectors = Connectors.of(provider);
  private final Connection connection = connection(provider, vendor);
  private final InMemorySyncStateStore store = new InMemorySyncStateStore();
  private final ExportOptions withState = FAST.withSyncState(store);

  @AfterEach
  void stop() {
    vendor.close();
  }

  private ExportResult run(List<Profile> profiles, ExportOptions options) {
    return run(Fixtures.definition(connection, "VIP"), profiles, options);
  }

  private ExportResult run(
      ExportDefinition definition, List<Profile> profiles, ExportOptions options) {
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      ExportResult result =
          exporter.export(definition, Fixtures.streaming("VIP", profiles), options);
      assertAddsUp(result);
      return result;
    }
  }

  private int sentSoFar() {
    return vendor.writes().stream().mapToInt(w -> w.emails().size()).sum();
  }

  @Test
  void aSecondRunOfAnUnchangedSegmentSendsNothing() {
    List<Profile> segment = Fixtures.valid("p", 95);
    ExportResult first = run(segment, withState);
    assertThat(first.exported()).isEqualTo(95);
    assertThat(first.unchanged()).isZero();
    int sent = sentSoFar();
    assertThat(sent).isEqualTo(95);

    java.util.concurrent.atomic.AtomicLong heard = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong lastSoFar = new java.util.concurrent.atomic.AtomicLong();
    ExportResult second =
        run(
            segment,
            withState.withListener(
                new com.segmentexport.api.ExportListener() {
                  @Override
                  public void profilesUnchanged(String segmentName, int unchanged, long soFar) {
                    heard.addAndGet(unchanged);
                    lastSoFar.set(soFar);
                  }
                }));
    assertThat(heard).as("a progress bar hears the unchanged profiles").hasValue(95);
    assertThat(lastSoFar).hasValue(95);
    SegmentResult s = second.segment("VIP").orElseThrow();
    assertThat(s.read()).isEqualTo(95);
    assertThat(s.unchanged()).isEqualTo(95);
    assertThat(s.exported()).isZero();
    assertThat(s.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(sentSoFar()).isEqualTo(sent);
    assertThat(store.only().memberCount()).isEqualTo(95);
    assertThat(store.only().runs.values()).containsExactly("SUCCEEDED", "SUCCEEDED");
  }

  @Test
  void onlyTheChangedProfileIsSentAgain() {
    List<Profile> segment = new ArrayList<>(Fixtures.valid("p", 30));
    run(segment, withState);
    int before = sentSoFar();
    segment.set(6, profile("p7@example.org", "Renamed"));
    segment.add(profile("newcomer@example.org", "New"));

    ExportResult second = run(segment, withState);
    assertThat(second.exported()).isEqualTo(2);
    assertThat(second.unchanged()).isEqualTo(29);
    List<String> resent =
        vendor.writes().stream().flatMap(w -> w.emails().stream()).skip(before).toList();
    assertThat(resent).containsExactlyInAnyOrder("p7@example.org", "newcomer@example.org");
    assertThat(vendor.contacts().get("p7@example.org")).containsEntry("FirstName", "Renamed");
  }

  @Test
  void aProfileTheVendorRejectedIsSentAgainNextRun() {
    vendor.rejectAddress("p3@example.org");
    List<Profile> segment = Fixtures.valid("p", 12);
    ExportResult first = run(segment, withState);
    assertThat(first.rejected()).isEqualTo(1);
    MemberState rejected = store.only().member("email:p3@example.org");
    assertThat(rejected.outcome()).isEqualTo(MemberOutcome.Kind.REJECTED);
    assertThat(rejected.reason())
        .hasValueSatisfying(r -> assertThat(r).contains("VENDOR_REJECTED"));
    assertThat(rejected.confirmedHash()).isEmpty();

    int before = sentSoFar();
    ExportResult second = run(segment, withState);
    assertThat(second.unchanged()).isEqualTo(11);
    assertThat(second.rejected()).isEqualTo(1);
    assertThat(vendor.writes().stream().flatMap(w -> w.emails().stream()).skip(before).toList())
        .containsExactly("p3@example.org");
  }

  @Test
  void aBatchTheVendorRefusedIsRecordedAsRejectedAndSentAgain() {
    List<Profile> segment = Fixtures.valid("p", 5);
    vendor.fault(
        (request, proceed) ->
            request.isWrite() ? FakeVendor.error(400, "BAD", "refused") : proceed.get());
    ExportResult first = run(segment, withState);
    assertThat(first.rejected()).isEqualTo(5);
    assertThat(store.only().member("email:p1@example.org").outcome())
        .isEqualTo(MemberOutcome.Kind.REJECTED);

    vendor.fault((request, proceed) -> proceed.get());
    ExportResult second = run(segment, withState);
    assertThat(second.exported()).isEqualTo(5);
    assertThat(store.only().member("email:p1@example.org").outcome())
        .isEqualTo(MemberOutcome.Kind.CONFIRMED);
  }

  @Test
  void aFullRefreshSendsEveryProfileAndRewritesTheState() {
    List<Profile> segment = Fixtures.valid("p", 20);
    run(segment, withState);
    ExportResult refresh = run(segment, withState.withFullRefresh());
    assertThat(refresh.exported()).isEqualTo(20);
    assertThat(refresh.unchanged()).isZero();
    assertThat(sentSoFar()).isEqualTo(40);
    assertThat(run(segment, withState).unchanged()).isEqualTo(20);
  }

  @Test
  void addAndUpdateWithAStateSendsEverythingAndRecordsIt() {
    List<Profile> segment = Fixtures.valid("p", 8);
    ExportDefinition all =
        ExportDefinition.builder(connection)
            .segments("VIP")
            .mapping(Fixtures.mapping())
            .syncMode(SyncMode.ADD_AND_UPDATE)
            .build();
    run(all, segment, withState);
    assertThat(run(all, segment, withState).exported()).isEqualTo(8);
    assertThat(store.only().memberCount()).isEqualTo(8);
    // The state it wrote serves a later incremental run.
    assertThat(run(segment, withState).unchanged()).isEqualTo(8);
  }

  @Test
  void withoutAStateEveryRunSendsEverything() {
    List<Profile> segment = Fixtures.valid("p", 8);
    run(segment, FAST);
    assertThat(run(segment, FAST).exported()).isEqualTo(8);
    assertThat(store.destinations()).isEmpty();
  }

  @Test
  void forgettingABlankListIdIsRefusedByName() {
    // The message named the store's internal key, the account's fingerprint included, not the
    // argument the caller got wrong.
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      assertThatThrownBy(() -> exporter.forgetState(store, " "))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("destinationId is blank");
    }
  }

  @Test
  void incrementalWithoutAStateIsRefusedBeforeAnyRequest() {
    ExportDefinition incremental =
        ExportDefinition.builder(connection)
            .segments("VIP")
            .mapping(Fixtures.mapping())
            .syncMode(SyncMode.INCREMENTAL)
            .build();
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      assertThatThrownBy(
              () ->
                  exporter.start(
                      incremental, Fixtures.streaming("VIP", Fixtures.valid("p", 3)), FAST))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("sync state");
    }
    assertThat(vendor.requestCount()).isZero();
  }

  @Test
  void aStateThatCannotBeWrittenFailsTheRunAndClaimsNothing() {
    store.failRecords();
    assertThatThrownBy(() -> run(Fixtures.valid("p", 40), withState))
        .isInstanceOf(SyncStateException.class)
        .satisfies(
            e ->
                assertThat(((ExportException) e).partialResult())
                    .hasValueSatisfying(
                        r -> assertThat(r.status()).isEqualTo(ExportStatus.FAILED)));
    assertThat(store.only().memberCount()).isZero();
  }

  @Test
  void theStateIsKeyedByDestinationAndAStableAccountNeverTheCredential() {
    run(Fixtures.valid("p", 3), withState);
    var key = store.only().key();
    assertThat(key.connectorId()).isEqualTo(provider.id());
    assertThat(key.destinationId()).isNotBlank();
    assertThat(key.account()).hasSize(32).doesNotContain(FakeVendor.API_KEY);
    // The same account in a new exporter (a new JVM would compute the same) finds the same state.
    run(Fixtures.valid("p", 3), withState);
    assertThat(store.destinations()).hasSize(1);
  }

  @Test
  void aProfileIdKeepsTheMemberAcrossAnAddressChange() {
    FieldMapping byId =
        FieldMapping.builder().email("email").profileId("id").firstName("first").build();
    ExportDefinition definition =
        ExportDefinition.builder(connection).segments("VIP").mapping(byId).build();
    List<Profile> segment =
        List.of(
            Profile.of("id", "c-1", "email", "old@example.org", "first", "Ana"),
            Profile.of("id", "c-2", "email", "bob@example.org", "first", "Bob"));
    run(definition, segment, withState);
    assertThat(store.only().member("id:c-1").email()).isEqualTo("old@example.org");

    List<Profile> moved =
        List.of(
            Profile.of("id", "c-1", "email", "new@example.org", "first", "Ana"),
            Profile.of("id", "c-2", "email", "bob@example.org", "first", "Bob"));
    ExportResult second = run(definition, moved, withState);
    assertThat(second.unchanged()).isEqualTo(1);
    assertThat(second.exported()).isEqualTo(1);
    assertThat(store.only().member("id:c-1").email()).isEqualTo("new@example.org");
    assertThat(store.only().memberCount()).isEqualTo(2);
  }

  @Test
  void unchangedProfilesTakeNoPlaceUnderTheVendorsCap() {
    TestConnectorProvider capped =
        TestConnectorProvider.builder()
            .limits(new ConnectorLimits(10, 64 * 1024, 2, 1000, OptionalLong.of(25)))
            .build();
    Connection c = connection(capped, vendor);
    Connectors cs = Connectors.of(capped);
    List<Profile> first = Fixtures.valid("p", 25);
    List<Profile> grown = new ArrayList<>(first);
    grown.addAll(Fixtures.valid("q", 20));
    try (SegmentExporter exporter = cs.exporter(c)) {
      exporter.export(Fixtures.definition(c, "VIP"), Fixtures.streaming("VIP", first), withState);
      ExportResult second =
          exporter.export(
              Fixtures.definition(c, "VIP"), Fixtures.streaming("VIP", grown), withState);
      assertThat(second.unchanged()).isEqualTo(25);
      assertThat(second.exported()).isEqualTo(20);
      assertThat(second.notAttempted()).isZero();
    }
  }

  @Test
  void aPlanPredictsTheRunAndWritesNothing() {
    vendor.rejectAddress("p2@example.org");
    List<Profile> segment = new ArrayList<>(Fixtures.valid("p", 30));
    run(segment, withState);
    long writesBefore = vendor.received().stream().filter(r -> !r.method().equals("GET")).count();
    int recordsBefore = store.records.get();
    segment.set(4, profile("p5@example.org", "Changed")); // to update
    segment.add(profile("new1@example.org", "New")); // to add
    segment.add(profile("new2@example.org", "New")); // to add
    segment.add(profile("not-an-address", "Bad")); // invalid
    segment.add(profile("P1@example.org", "Again")); // duplicate
    vendor.rejectAddress("nobody@example.org");

    ExportPlan plan;
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      plan =
          exporter.plan(
              Fixtures.definition(connection, "VIP"),
              Fixtures.streaming("VIP", segment),
              withState);
    }
    assertThat(vendor.received().stream().filter(r -> !r.method().equals("GET")).count())
        .as("a plan makes no write request")
        .isEqualTo(writesBefore);
    assertThat(store.records.get())
        .as("a plan writes nothing to the state")
        .isEqualTo(recordsBefore);
    SegmentPlan p = plan.segments().get(0);
    assertThat(p.read()).isEqualTo(34);
    assertThat(p.toAdd()).isEqualTo(2);
    assertThat(p.toUpdate()).isEqualTo(1);
    assertThat(p.toRetry()).isEqualTo(1); // p2, rejected by the vendor last time
    assertThat(p.unchanged()).isEqualTo(28);
    assertThat(p.invalid()).isEqualTo(1);
    assertThat(p.duplicates()).isEqualTo(1);
    assertThat(p.batches()).isEqualTo(1);
    assertThat(plan.calls()).isEqualTo(1);
    assertThat(plan.estimatedDuration()).isEqualTo(java.time.Duration.ofMillis(1));

    // The run does what the plan said.
    ExportResult result = run(segment, withState);
    SegmentResult r = result.segment("VIP").orElseThrow();
    assertThat(r.unchanged()).isEqualTo(p.unchanged());
    assertThat(r.exported() + r.rejected() - 1 /* invalid */).isEqualTo(p.toSend());
    assertThat(r.duplicates()).isEqualTo(p.duplicates());
  }

  @Test
  void aSegmentLargerThanTheCapRunsIncrementallyWhenLittleOfItChanged() {
    TestConnectorProvider capped =
        TestConnectorProvider.builder()
            .limits(new ConnectorLimits(10, 64 * 1024, 2, 1000, OptionalLong.of(25)))
            .build();
    Connection c = connection(capped, vendor);
    Connectors cs = Connectors.of(capped);
    List<Profile> all = Fixtures.valid("p", 60);
    com.segmentexport.api.SegmentSource sized =
        name ->
            com.segmentexport.api.Segment.of(name, OptionalLong.of(60), all.iterator(), () -> {});
    try (SegmentExporter exporter = cs.exporter(c)) {
      // Without a state, a known size over the cap fails before anything is sent.
      assertThatThrownBy(() -> exporter.export(Fixtures.definition(c, "VIP"), sized, FAST))
          .isInstanceOf(com.segmentexport.api.LimitExceededException.class);
      // With one, the first run sends up to the cap and the next ones pick up the rest, 25 at a
      // time.
      ExportResult first = exporter.export(Fixtures.definition(c, "VIP"), sized, withState);
      assertThat(first.exported()).isEqualTo(25);
      assertThat(first.notAttempted()).isEqualTo(35);
      ExportResult second =
          exporter.export(
              Fixtures.definition(c, "VIP"),
              name ->
                  com.segmentexport.api.Segment.of(
                      name, OptionalLong.of(60), all.iterator(), () -> {}),
              withState);
      assertThat(second.unchanged()).isEqualTo(25);
      assertThat(second.exported()).isEqualTo(25);
      assertThat(second.notAttempted()).isEqualTo(10);
    }
  }
}
