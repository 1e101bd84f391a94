package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.DestinationKey;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.MemberOutcome;
import com.segmentexport.spi.RecordSchema;
import com.segmentexport.testsupport.InMemorySyncStateStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The sync state's bookkeeping of one segment: hashes, member keys, and work left at the vendor. */
class SegmentSyncTest {
  private final RecordSchema schema =
      new RecordSchema(
          List.of(
              new MappedField(0, "Email", FieldType.TEXT, false),
              new MappedField(1, "FirstName", FieldType.TEXT, false)));
  private final InMemorySyncStateStore store = new InMemorySyncStateStore();
  private final InMemorySyncStateStore.State state =
      (InMemorySyncStateStore.State) store.open(new DestinationKey("test", "acct", "list-1"));

  private SegmentSync sync(String runId) {
    return new SegmentSync(state, schema, true, Clock.systemUTC(), runId);
  }

  private static ExportRecord record(long row, String email, String first, String id) {
    return new ExportRecord(row, email, new Object[] {null, first}, id);
  }

  @Test
  void theHashChangesWithAnyValueTheFieldsAndTheAddressButNotTheRow() {
    long h = SegmentSync.fieldsHash(schema, record(1, "a@example.org", "Ana", null));
    assertThat(SegmentSync.fieldsHash(schema, record(9, "a@example.org", "Ana", null)))
        .isEqualTo(h);
    assertThat(SegmentSync.fieldsHash(schema, record(1, "a@example.org", "Anna", null)))
        .isNotEqualTo(h);
    assertThat(SegmentSync.fieldsHash(schema, record(1, "b@example.org", "Ana", null)))
        .isNotEqualTo(h);
    assertThat(SegmentSync.fieldsHash(schema, record(1, "a@example.org", null, null)))
        .isNotEqualTo(h);
    RecordSchema renamed =
        new RecordSchema(
            List.of(
                new MappedField(0, "Email", FieldType.TEXT, false),
                new MappedField(1, "LastName", FieldType.TEXT, false)));
    assertThat(SegmentSync.fieldsHash(renamed, record(1, "a@example.org", "Ana", null)))
        .isNotEqualTo(h);
    // Values that print alike in one field but are told apart by their boundaries.
    RecordSchema two =
        new RecordSchema(
            List.of(
                new MappedField(0, "Email", FieldType.TEXT, false),
                new MappedField(1, "A", FieldType.TEXT, false),
                new MappedField(2, "B", FieldType.TEXT, false)));
    assertThat(
            SegmentSync.fieldsHash(
                two, new ExportRecord(1, "a@example.org", new Object[] {null, "ab", "c"})))
        .isNotEqualTo(
            SegmentSync.fieldsHash(
                two, new ExportRecord(1, "a@example.org", new Object[] {null, "a", "bc"})));
  }

  @Test
  void membersAreKeyedByProfileIdElseByAddressWithoutCase() {
    assertThat(SegmentSync.memberKey(record(1, "Ana@example.org", "Ana", null)))
        .isEqualTo("email:ana@example.org");
    assertThat(SegmentSync.memberKey(record(1, "Ana@example.org", "Ana", "c-7")))
        .isEqualTo("id:c-7");
  }

  @Test
  void workLeftAtTheVendorByARunThatDiedIsFinishedAndRecordedByTheNext() {
    List<ExportRecord> records = new ArrayList<>();
    records.add(record(1, "ana@example.org", "Ana", null));
    records.add(record(2, "bob@example.org", "Bob", "id\twith\\odd\nchars"));
    records.add(record(3, "eve@example.org", "Eve", null));
    Batch sent = sync("run-1").track("VIP", 1, schema, records, 100);
    sent.startedAtVendor("import", "imp-42");
    // The process dies here, while it waits for the import: nothing but the pending work is in the
    // state.
    assertThat(state.pending())
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.runId()).isEqualTo("run-1");
              assertThat(w.vendorRef()).isEqualTo("imp-42");
            });
    assertThat(state.memberCount()).isZero();

    List<String> asked = new ArrayList<>();
    Destination destination =
        new Destination() {
          @Override
          public String id() {
            return "list-1";
          }

          @Override
          public BatchResult write(Batch batch) {
            throw new AssertionError("no new batch");
          }

          @Override
          public Optional<BatchResult> resume(String kind, String vendorRef, Batch batch) {
            asked.add(kind + " " + vendorRef);
            assertThat(batch.records())
                .extracting(ExportRecord::email)
                .containsExactly("ana@example.org", "bob@example.org", "eve@example.org");
            assertThat(batch.records().get(1).profileId()).hasValue("id\twith\\odd\nchars");
            return Optional.of(
                BatchResult.builder(batch)
                    .reject(
                        batch.byEmail("eve@example.org"),
                        RejectionReason.VENDOR_REJECTED,
                        "E1",
                        "refused")
                    .build());
          }
        };
    SegmentTally tally = new SegmentTally("VIP");
    sync("run-2").resumePending(destination, tally);

    assertThat(asked).containsExactly("import imp-42");
    assertThat(state.pending()).isEmpty();
    assertThat(
            state
                .member("email:ana@example.org")
                .isUnchanged(SegmentSync.fieldsHash(schema, records.get(0))))
        .isTrue();
    assertThat(
            state
                .member("id:id\twith\\odd\nchars")
                .isUnchanged(SegmentSync.fieldsHash(schema, records.get(1))))
        .isTrue();
    assertThat(state.member("email:eve@example.org").outcome())
        .isEqualTo(MemberOutcome.Kind.REJECTED);
    assertThat(tally.result(false, false).counters())
        .containsEntry("sync.resumedConfirmed", 2L)
        .containsEntry("sync.resumedNotConfirmed", 1L);
  }

  @Test
  void workTheConnectorCannotResumeIsForgottenAndItsMembersAreSentAgain() {
    Batch sent =
        sync("run-1")
            .track("VIP", 1, schema, List.of(record(1, "ana@example.org", "Ana", null)), 50);
    sent.startedAtVendor("import", "imp-1");
    Destination cannot =
        new Destination() {
          @Override
          public String id() {
            return "list-1";
          }

          @Override
          public BatchResult write(Batch batch) {
            throw new AssertionError();
          }
        };
    sync("run-2").resumePending(cannot, new SegmentTally("VIP"));
    assertThat(state.pending()).isEmpty();
    assertThat(state.member("email:ana@example.org")).isNull();
  }

  @Test
  void onceTheBatchIsAnsweredItsWorkIsNoLongerPending() {
    SegmentSync sync = sync("run-1");
    Batch sent =
        sync.track("VIP", 1, schema, List.of(record(1, "ana@example.org", "Ana", null)), 50);
    for (Batch half : List.of(sent)) {
      half.startedAtVendor("import", "imp-1");
    }
    assertThat(state.pending()).hasSize(1);
    sync.answered(sent, BatchResult.allExported(sent));
    assertThat(state.pending()).isEmpty();
    assertThat(state.member("email:ana@example.org").outcome())
        .isEqualTo(MemberOutcome.Kind.CONFIRMED);
  }

  @Test
  void aRemovalARunThatDiedLeftAtTheVendorIsFinishedAndItsMembersForgottenNotRemovedAgain() {
    List<ExportRecord> sent = new ArrayList<>();
    sent.add(record(1, "ana@example.org", "Ana", null));
    sent.add(record(2, "bob@example.org", "Bob", null));
    sent.add(record(3, "eve@example.org", "Eve", null));
    // An earlier run put the three on the list; run-1 starts removing all three, and dies.
    state.record(
        sent.stream()
            .map(
                r ->
                    new MemberOutcome(
                        SegmentSync.memberKey(r),
                        r.email(),
                        SegmentSync.fieldsHash(schema, r),
                        MemberOutcome.Kind.CONFIRMED,
                        Optional.empty(),
                        Optional.of("c-" + r.row()),
                        java.time.Instant.now()))
            .toList());
    List<ExportRecord> leaving = new ArrayList<>();
    state.forEachMember(m -> leaving.add(MirrorRemoval.record(m, schema)));
    Batch removal = sync("run-1").trackRemoval("VIP", schema, leaving);
    removal.startedAtVendor("removal", "job-7");
    assertThat(state.pending()).hasSize(1);

    List<String> asked = new ArrayList<>();
    Destination destination =
        new Destination() {
          @Override
          public String id() {
            return "list-1";
          }

          @Override
          public BatchResult write(Batch batch) {
            throw new AssertionError("no new batch");
          }

          @Override
          public Optional<BatchResult> resume(String kind, String vendorRef, Batch batch) {
            asked.add(kind + " " + vendorRef);
            return Optional.of(
                BatchResult.builder(batch)
                    .reject(
                        batch.byEmail("eve@example.org"),
                        RejectionReason.VENDOR_REJECTED,
                        "Failed",
                        "the job failed")
                    .build());
          }
        };
    SegmentTally tally = new SegmentTally("VIP");
    sync("run-2").resumePending(destination, tally);

    assertThat(asked).containsExactly("removal job-7");
    assertThat(state.pending()).isEmpty();
    assertThat(state.member("email:ana@example.org")).as("removed: forgotten").isNull();
    assertThat(state.member("email:bob@example.org")).isNull();
    assertThat(state.member("email:eve@example.org").outcome())
        .as("not removed: still managed, never recorded as a write")
        .isEqualTo(MemberOutcome.Kind.CONFIRMED);
    SegmentResult result = tally.result(false, false);
    assertThat(result.removed()).isEqualTo(2);
    assertThat(result.counters()).containsEntry("sync.resumedRemovals", 2L);
  }

  @Test
  void anAnsweredRemovalForgetsItsMembersAndIsNoLongerPending() {
    List<ExportRecord> sent = List.of(record(1, "ana@example.org", "Ana", null));
    SegmentSync sync = sync("run-1");
    Batch write = track(sent);
    sync.answered(write, BatchResult.allExported(write));
    Batch removal = sync.trackRemoval("VIP", schema, sent);
    removal.startedAtVendor("removal", "job-1");
    assertThat(state.pending())
        .singleElement()
        .satisfies(w -> assertThat(w.payload()).startsWith("#removal\n"));
    sync.removalAnswered(removal, List.of("email:ana@example.org"));
    assertThat(state.pending()).isEmpty();
    assertThat(state.memberCount()).isZero();
  }

  private Batch track(List<ExportRecord> records) {
    return sync("run-0").track("VIP", 1, schema, records, 100);
  }
}
