package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.assertAddsUp;
import static com.segmentexport.testsupport.Fixtures.connection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RemovalLimit;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.api.SyncMode;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.InMemorySyncStateStore;
import com.segmentexport.testsupport.RecordingListener;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 24: a mirroring run removes from the list the members it put there that left the segment — safely. */
class MirrorSyncTest {
  private final FakeVendor vendor = new FakeVendor();
  private final TestConnectorProvider provider =
      TestConnectorProvider.builder().limits(10, 64 * 1024, 2, 1000).build();
  private final Connectors connectors = Connectors.of(provider);
  private final Connection connection = connection(provider, vendor);
  private final InMemorySyncStateStore store = new InMemorySyncStateStore();
  private final ExportOptions withState = FAST.withSyncState(store);
  private final ExportDefinition mirror =
      ExportDefinition.builder(connection)
          .segments("VIP")
          .mapping(Fixtures.mapping())
          .syncMode(SyncMode.MIRROR)
          .build();

  @AfterEach
  void stop() {
    vendor.close();
  }

  private ExportResult run(List<Profile> profiles, ExportOptions options) {
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      ExportResult result = exporter.export(mirror, Fixtures.streaming("VIP", profiles), options);
      assertAddsUp(result);
      return result;
    }
  }

  @Test
  void membersThatLeftTheSegmentAreRemovedAndNewOnesAdded() {
    List<Profile> segment = new ArrayList<>(Fixtures.valid("p", 100));
    run(segment, withState);
    assertThat(vendor.contacts()).hasSize(100);

    List<Profile> next = new ArrayList<>(segment.subList(5, 100)); // p1..p5 left
    next.add(Fixtures.profile("new1@example.org", "New"));
    next.add(Fixtures.profile("new2@example.org", "New"));
    next.add(Fixtures.profile("new3@example.org", "New"));
    ExportResult second = run(next, withState);

    SegmentResult s = second.segment("VIP").orElseThrow();
    assertThat(s.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(s.removed()).isEqualTo(5);
    assertThat(s.exported()).isEqualTo(3);
    assertThat(s.unchanged()).isEqualTo(95);
    assertThat(vendor.contacts())
        .hasSize(98)
        .doesNotContainKeys("p1@example.org", "p5@example.org")
        .containsKeys("p6@example.org", "new1@example.org");
    assertThat(store.only().memberCount()).isEqualTo(98);
    // A third run of the same segment changes nothing.
    ExportResult third = run(next, withState);
    assertThat(third.removed()).isZero();
    assertThat(third.exported()).isZero();
  }

  @Test
  void tooManyRemovalsAreAllHeldBackAndTheStatusSaysWhy() {
    List<Profile> segment = Fixtures.valid("p", 100);
    run(segment, withState);
    ExportResult truncated =
        run(segment.subList(0, 70), withState); // 30% gone: over the 10% default
    SegmentResult s = truncated.segment("VIP").orElseThrow();
    assertThat(s.status()).isEqualTo(ExportStatus.REMOVALS_HELD_BACK);
    assertThat(truncated.status()).isEqualTo(ExportStatus.REMOVALS_HELD_BACK);
    assertThat(s.removed()).isZero();
    assertThat(s.removalsHeldBack()).isEqualTo(30);
    assertThat(s.removalsHeldBackReason())
        .hasValueSatisfying(r -> assertThat(r).contains("30").contains("100").contains("10%"));
    assertThat(vendor.removals()).isZero();
    assertThat(vendor.contacts()).hasSize(100);

    // The host raises the limit for one run.
    ExportResult allowed =
        run(segment.subList(0, 70), withState.withRemovalLimit(RemovalLimit.share(0.5)));
    assertThat(allowed.removed()).isEqualTo(30);
    assertThat(vendor.contacts()).hasSize(70);
  }

  @Test
  void anAbsoluteLimitHoldsBackToo() {
    List<Profile> segment = Fixtures.valid("p", 100);
    run(segment, withState);
    ExportResult r = run(segment.subList(0, 95), withState.withRemovalLimit(RemovalLimit.count(4)));
    assertThat(r.removalsHeldBack()).isEqualTo(5);
    assertThat(r.removed()).isZero();
  }

  @Test
  void anEmptySegmentNeverRemovesUnlessAllowed() {
    run(Fixtures.valid("p", 20), withState);
    ExportResult empty = run(List.of(), withState.withRemovalLimit(RemovalLimit.share(1)));
    assertThat(empty.status()).isEqualTo(ExportStatus.REMOVALS_HELD_BACK);
    assertThat(empty.segment("VIP").orElseThrow().removalsHeldBackReason())
        .hasValueSatisfying(r -> assertThat(r).contains("read no profile"));
    assertThat(vendor.contacts()).hasSize(20);
    ExportResult forced =
        run(List.of(), withState.withRemovalLimit(RemovalLimit.share(1).allowingAnEmptySegment()));
    assertThat(forced.removed()).isEqualTo(20);
    assertThat(vendor.contacts()).isEmpty();
  }

  @Test
  void membersSomeoneElseAddedAreNeverRemoved() {
    run(Fixtures.valid("p", 50), withState);
    vendor.addByHand("marketer.import@example.org");
    ExportResult r = run(Fixtures.valid("p", 48), withState);
    assertThat(r.removed()).isEqualTo(2);
    assertThat(vendor.contacts()).containsKey("marketer.import@example.org").hasSize(49);
  }

  @Test
  void aRunThatFailedRemovesNobody() {
    run(Fixtures.valid("p", 50), withState);
    Iterator<Profile> first = Fixtures.valid("p", 49).iterator();
    SegmentSource failing =
        name ->
            Segment.of(
                name,
                OptionalLong.empty(),
                new Iterator<>() {
                  int n;

                  @Override
                  public boolean hasNext() {
                    return true;
                  }

                  @Override
                  public Profile next() {
                    if (++n > 20) {
                      throw new IllegalStateException("the warehouse went away");
                    }
                    return first.next();
                  }
                },
                () -> {});
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      assertThatThrownBy(() -> exporter.export(mirror, failing, withState))
          .isInstanceOf(ExportException.class);
    }
    assertThat(vendor.removals()).isZero();
    assertThat(vendor.contacts()).hasSize(50);
  }

  @Test
  void aCappedRunThatDidNotReadItsSegmentWholeRemovesNobody() {
    TestConnectorProvider capped =
        TestConnectorProvider.builder()
            .limits(
                new com.segmentexport.api.ConnectorLimits(
                    10, 64 * 1024, 2, 1000, OptionalLong.of(30)))
            .build();
    Connection c = connection(capped, vendor);
    ExportDefinition d =
        ExportDefinition.builder(c)
            .segments("VIP")
            .mapping(Fixtures.mapping())
            .syncMode(SyncMode.MIRROR)
            .build();
    try (SegmentExporter exporter = Connectors.of(capped).exporter(c)) {
      exporter.export(d, Fixtures.streaming("VIP", Fixtures.valid("p", 30)), withState);
      // 1,000 new profiles: 30 go, the reader counts on past the cap only for a while, then stops
      // reading.
      ExportResult r =
          exporter.export(
              d,
              name ->
                  Segment.of(
                      name, OptionalLong.empty(), Fixtures.valid("q", 1000).iterator(), () -> {}),
              withState.withRemovalLimit(RemovalLimit.share(1)));
      // The segment was read whole (the reader counts on past the cap): p1..p30 left it, 30 of 60
      // managed.
      assertThat(r.exported()).isEqualTo(30);
      assertThat(r.notAttempted()).isEqualTo(970);
      assertThat(r.removed()).isEqualTo(30);
    }
  }

  @Test
  void mirrorNeedsAStateAndAConnectorThatCanRemove() {
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      assertThatThrownBy(
              () -> exporter.start(mirror, Fixtures.streaming("VIP", Fixtures.valid("p", 3)), FAST))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("sync state");
    }
    TestConnectorProvider cannot = TestConnectorProvider.builder().removal(false).build();
    Connection c = connection(cannot, vendor);
    assertThatThrownBy(
            () ->
                ExportDefinition.builder(c)
                    .segments("VIP")
                    .mapping(Fixtures.mapping())
                    .syncMode(SyncMode.MIRROR)
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("cannot remove members");
  }

  @Test
  void aPlanListsTheRemovalsAndWhetherTheLimitHoldsThemBack() {
    List<Profile> segment = Fixtures.valid("p", 100);
    run(segment, withState);
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      var ok = exporter.plan(mirror, Fixtures.streaming("VIP", segment.subList(0, 95)), withState);
      assertThat(ok.segments().get(0).toRemove()).isEqualTo(5);
      assertThat(ok.segments().get(0).removalsHeldBackReason()).isEmpty();
      var tooMany =
          exporter.plan(mirror, Fixtures.streaming("VIP", segment.subList(0, 60)), withState);
      assertThat(tooMany.segments().get(0).toRemove()).isEqualTo(40);
      assertThat(tooMany.segments().get(0).removalsHeldBackReason())
          .hasValueSatisfying(r -> assertThat(r).contains("40"));
    }
    assertThat(vendor.removals()).as("a plan removes nobody").isZero();
    // The run does what the plan said.
    assertThat(run(segment.subList(0, 95), withState).removed()).isEqualTo(5);
  }

  @Test
  void theListenerHearsEachRemovalBatch() {
    List<Profile> segment = Fixtures.valid("p", 100);
    run(segment, withState);
    RecordingListener listener = new RecordingListener();
    ExportResult r =
        run(
            segment.subList(0, 75),
            withState.withRemovalLimit(RemovalLimit.share(0.5)).withListener(listener));
    assertThat(r.removed()).isEqualTo(25);
    List<RecordingListener.Event> batches = listener.events("membersRemoved");
    assertThat(batches).extracting(e -> e.arg(0)).containsOnly("VIP");
    assertThat(batches).extracting(e -> e.arg(1)).containsExactly(10, 10, 5);
    assertThat(batches).extracting(e -> e.arg(2)).containsOnly(0);
    assertThat(batches).extracting(e -> e.arg(3)).containsExactly(10L, 20L, 25L);
    assertThat(listener.names().lastIndexOf("membersRemoved"))
        .as("heard before the segment finished")
        .isLessThan(listener.names().indexOf("segmentFinished"));
  }

  @Test
  void theListenerHearsARemovalBatchTheVendorRefused() {
    List<Profile> segment = Fixtures.valid("p", 100);
    run(segment, withState);
    vendor.fault(
        (request, proceed) ->
            request.path().endsWith("/members/remove")
                ? FakeVendor.error(400, "bad", "refused")
                : proceed.get());
    RecordingListener listener = new RecordingListener();
    ExportResult r = run(segment.subList(0, 95), withState.withListener(listener));
    assertThat(r.segment("VIP").orElseThrow().removalsFailed()).isEqualTo(5);
    assertThat(listener.events("membersRemoved"))
        .singleElement()
        .satisfies(e -> assertThat(e.args()).containsExactly("VIP", 0, 5, 0L));
    assertThat(store.only().memberCount()).as("refused: still managed").isEqualTo(100);
  }

  @Test
  void nothingRemovedNothingHeard() {
    List<Profile> segment = Fixtures.valid("p", 100);
    run(segment, withState);
    RecordingListener listener = new RecordingListener();
    run(segment.subList(0, 70), withState.withListener(listener)); // held back
    assertThat(listener.events("membersRemoved")).isEmpty();
  }

  @Test
  void aPlansCallsIncludeTheRemovalsAsTheConnectorCostsThem() {
    List<Profile> segment = Fixtures.valid("p", 100);
    run(segment, withState);
    ExportOptions allowing = withState.withRemovalLimit(RemovalLimit.share(0.5));
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      long none = exporter.plan(mirror, Fixtures.streaming("VIP", segment), allowing).calls();
      long removing =
          exporter
              .plan(mirror, Fixtures.streaming("VIP", segment.subList(0, 75)), allowing)
              .calls();
      assertThat(removing - none).as("one call per removal batch of 10: 10, 10, 5").isEqualTo(3);
      long heldBack =
          exporter
              .plan(mirror, Fixtures.streaming("VIP", segment.subList(0, 75)), withState)
              .calls();
      assertThat(heldBack).as("removals the limit holds back cost nothing").isEqualTo(none);
    }
    TestConnectorProvider perMember =
        TestConnectorProvider.builder()
            .limits(10, 64 * 1024, 2, 1000)
            .removalCallsPerMember(2)
            .build();
    Connection c = connection(perMember, vendor);
    ExportDefinition d =
        ExportDefinition.builder(c)
            .segments("VIP")
            .mapping(Fixtures.mapping())
            .syncMode(SyncMode.MIRROR)
            .build();
    InMemorySyncStateStore own = new InMemorySyncStateStore();
    ExportOptions options = FAST.withSyncState(own).withRemovalLimit(RemovalLimit.share(0.5));
    try (SegmentExporter exporter = Connectors.of(perMember).exporter(c)) {
      exporter.export(d, Fixtures.streaming("VIP", segment), options);
      long none = exporter.plan(d, Fixtures.streaming("VIP", segment), options).calls();
      long removing =
          exporter.plan(d, Fixtures.streaming("VIP", segment.subList(0, 75)), options).calls();
      assertThat(removing - none).as("two calls for each of 25 members").isEqualTo(50);
    }
  }
}
