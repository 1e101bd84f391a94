package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.assertAddsUp;
import static com.segmentexport.testsupport.Fixtures.connection;
import static com.segmentexport.testsupport.Fixtures.profile;
import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.spi.Masking;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** §3 Accounting, §5 rule 2: every profile read is accounted for, and rejections say why. */
class AccountingTest {
  private final FakeVendor vendor = new FakeVendor();
  private final TestConnectorProvider provider =
      TestConnectorProvider.builder().limits(3, 64 * 1024, 2, 1000).build();
  private final Connectors connectors = Connectors.of(provider);
  private final Connection connection = connection(provider, vendor);

  @AfterEach
  void stop() {
    vendor.close();
  }

  /** Row by row: what each profile is, and what must become of it. */
  private static List<Profile> mixedSegment() {
    List<Profile> p = new ArrayList<>();
    p.add(profile("ana@example.org", "Ana")); // 1 exported
    p.add(Profile.of("email", null, "first", "NoMail")); // 2 MISSING_EMAIL (null)
    p.add(profile("   ", "Blank")); // 3 MISSING_EMAIL (blank)
    p.add(Profile.of("first", "Absent")); // 4 MISSING_EMAIL (field absent)
    p.add(profile("not-an-email", "Bad")); // 5 INVALID_EMAIL
    p.add(profile("carla@@example.org", "Bad2")); // 6 INVALID_EMAIL
    p.add(profile("  ANA@Example.ORG ", "AnaAgain")); // 7 duplicate of row 1 (case variant)
    p.add(profile("bob@example.org", "Bob")); // 8 exported
    p.add(profile("blocked.person@example.org", "Blocked")); // 9 VENDOR_REJECTED
    p.add(profile("Bob@EXAMPLE.org", "BobAgain")); // 10 duplicate of row 8
    p.add(profile("dora@example.org", "Dora")); // 11 exported
    p.add(profile("  Eve@EXAMPLE.Org ", "Eve")); // 12 exported, normalised
    return p;
  }

  @Test
  void everyProfileReadIsExportedRejectedDuplicateOrNotAttempted() {
    vendor.rejectAddress("blocked.person@example.org");
    List<RejectedRecord> sink = Collections.synchronizedList(new ArrayList<>());
    Map<String, List<Profile>> segments = new LinkedHashMap<>();
    segments.put("Mixed", mixedSegment());
    segments.put(
        "Clean", List.of(profile("ana@example.org", "Ana"), profile("fred@example.org", "Fred")));
    ExportResult result;
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      result =
          exporter.export(
              Fixtures.definition(connection, "Mixed", "Clean"),
              Fixtures.streaming(segments),
              FAST.withRejectedSampleSize(3).withRejectedRecordSink(sink::add));
    }

    assertAddsUp(result);
    SegmentResult mixed = result.segment("Mixed").orElseThrow();
    assertThat(mixed.read()).isEqualTo(12);
    assertThat(mixed.exported()).isEqualTo(4);
    assertThat(mixed.rejected()).isEqualTo(6);
    assertThat(mixed.duplicates()).isEqualTo(2);
    assertThat(mixed.notAttempted()).isZero();
    assertThat(mixed.status()).isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED);
    assertThat(mixed.created()).hasValue(4);
    // Duplicates are per segment: ana@ in the second segment is exported again, not a duplicate.
    SegmentResult clean = result.segment("Clean").orElseThrow();
    assertThat(clean.read()).isEqualTo(2);
    assertThat(clean.exported()).isEqualTo(2);
    assertThat(clean.duplicates()).isZero();
    assertThat(clean.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(result.status()).isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED);

    // Nothing invalid, missing or duplicate was ever sent; the valid ones arrived exactly once per
    // segment.
    List<String> sent = vendor.writes().stream().flatMap(w -> w.emails().stream()).toList();
    // Normalised on the wire: trimmed, domain lower-cased, local part as given.
    assertThat(sent)
        .containsExactlyInAnyOrder(
            "ana@example.org",
            "bob@example.org",
            "blocked.person@example.org",
            "dora@example.org",
            "Eve@example.org",
            "ana@example.org",
            "fred@example.org");
    assertThat(vendor.contacts())
        .containsOnlyKeys(
            "ana@example.org",
            "bob@example.org",
            "dora@example.org",
            "eve@example.org",
            "fred@example.org");

    // The sink got every rejection, the sample only the first three.
    assertThat(sink).hasSize(6);
    assertThat(result.rejectedSample()).hasSize(3).isSubsetOf(sink);
    assertThat(result.rejected()).isEqualTo(6);
    Map<Long, RejectedRecord> byRow =
        sink.stream().collect(Collectors.toMap(RejectedRecord::row, r -> r));
    assertThat(byRow.keySet()).containsExactlyInAnyOrder(2L, 3L, 4L, 5L, 6L, 9L);
    assertThat(byRow.get(2L).reason()).isEqualTo(RejectionReason.MISSING_EMAIL);
    assertThat(byRow.get(3L).reason()).isEqualTo(RejectionReason.MISSING_EMAIL);
    assertThat(byRow.get(4L).reason()).isEqualTo(RejectionReason.MISSING_EMAIL);
    assertThat(byRow.get(2L).maskedIdentifier()).isEmpty();
    assertThat(byRow.get(5L).reason()).isEqualTo(RejectionReason.INVALID_EMAIL);
    assertThat(byRow.get(5L).maskedIdentifier())
        .isEqualTo(Masking.email("not-an-email"))
        .isNotEqualTo("not-an-email");
    assertThat(byRow.get(6L).reason()).isEqualTo(RejectionReason.INVALID_EMAIL);
    assertThat(byRow.get(6L).maskedIdentifier())
        .doesNotContain("carla")
        .doesNotContain("example.org");

    RejectedRecord vendorRejected = byRow.get(9L);
    assertThat(vendorRejected.segment()).isEqualTo("Mixed");
    assertThat(vendorRejected.reason()).isEqualTo(RejectionReason.VENDOR_REJECTED);
    assertThat(vendorRejected.vendorCode()).hasValue(FakeVendor.REJECT_CODE);
    assertThat(vendorRejected.message()).isEqualTo(FakeVendor.REJECT_MESSAGE);
    assertThat(vendorRejected.maskedIdentifier()).isEqualTo("b***@e***.org");
    for (RejectedRecord r : sink) {
      assertThat(r.segment()).isEqualTo("Mixed");
      assertThat(r.toString()).doesNotContain("blocked.person@", "carla@", "not-an-email");
      assertThat(r.message()).isNotBlank();
    }
  }

  @Test
  void createdAndUpdatedCountsComeFromTheVendor() {
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      ExportDefinition d = Fixtures.definition(connection, "S");
      ExportResult first =
          exporter.export(d, Fixtures.streaming("S", Fixtures.valid("p", 8)), FAST);
      ExportResult second =
          exporter.export(d, Fixtures.streaming("S", Fixtures.valid("p", 10)), FAST);
      assertThat(first.segments().get(0).created()).hasValue(8);
      assertThat(first.segments().get(0).updated()).hasValue(0);
      assertThat(second.segments().get(0).created()).hasValue(2);
      assertThat(second.segments().get(0).updated()).hasValue(8);
      assertThat(second.segments().get(0).counters()).containsEntry("requests", 4L);
    }
  }

  @Test
  void aRejectedRecordSinkThatFailsAnAssertionLosesOnlyItsRecords() {
    // Like a sink that throws an exception: the record is not delivered to it, the export goes on.
    // An AssertionError (a host test's sink) failed the whole export as "Reading segment failed".
    vendor.rejectAddress("blocked.person@example.org");
    ExportResult result;
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      result =
          exporter.export(
              Fixtures.definition(connection, "Mixed"),
              Fixtures.streaming("Mixed", mixedSegment()),
              FAST.withRejectedRecordSink(
                  r -> {
                    throw new AssertionError("a host test's assertion on row " + r.row());
                  }));
    }
    assertAddsUp(result);
    assertThat(result.status()).isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED);
    assertThat(result.exported()).isEqualTo(4);
    assertThat(result.rejected()).isEqualTo(6);
    assertThat(result.duplicates()).isEqualTo(2);
  }

  @Test
  void invalidValuesAreRejectedWithTheirRowAndNeverSent() {
    FieldMapping mapping =
        FieldMapping.builder().email("email").map("Score", "score").map("Birthday", "born").build();
    ExportDefinition definition =
        ExportDefinition.builder(connection).segments("Typed").mapping(mapping).build();
    List<Profile> profiles =
        List.of(
            Profile.of("email", "ok1@example.org", "score", "12.5", "born", "1990-04-01"),
            Profile.of("email", "badscore@example.org", "score", "twelve"),
            Profile.of("email", "baddate@example.org", "born", "1990-02-30"),
            Profile.of("email", "ok2@example.org", "score", 7, "born", "  "));
    List<RejectedRecord> sink = Collections.synchronizedList(new ArrayList<>());
    ExportResult result;
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      result =
          exporter.export(
              definition,
              Fixtures.streaming("Typed", profiles),
              FAST.withRejectedRecordSink(sink::add));
    }
    assertAddsUp(result);
    assertThat(result.exported()).isEqualTo(2);
    assertThat(result.rejected()).isEqualTo(2);
    assertThat(sink).extracting(RejectedRecord::row).containsExactlyInAnyOrder(2L, 3L);
    assertThat(sink)
        .allSatisfy(
            r -> {
              assertThat(r.reason()).isEqualTo(RejectionReason.INVALID_VALUE);
              assertThat(r.maskedIdentifier()).startsWith("b***@e***");
              assertThat(r.message()).doesNotContain("badscore", "baddate");
            });
    assertThat(sink.stream().filter(r -> r.row() == 2).findFirst().orElseThrow().message())
        .contains("Score");
    assertThat(sink.stream().filter(r -> r.row() == 3).findFirst().orElseThrow().message())
        .contains("Birthday");
    assertThat(vendor.contacts()).containsOnlyKeys("ok1@example.org", "ok2@example.org");
    assertThat(vendor.contacts().get("ok1@example.org"))
        .containsEntry("Score", 12.5)
        .containsEntry("Birthday", "1990-04-01");
    assertThat(vendor.contacts().get("ok2@example.org"))
        .containsEntry("Score", 7.0)
        .doesNotContainKey("Birthday");
  }

  @Test
  void aRefusedBatchRejectsEachOfItsRecordsWithTheVendorsCodeAndMessage() {
    // The batch of rows 1-3 is refused, whichever goes out first: one request at a time, but two
    // batches
    // are handed to workers at once.
    vendor.fault(
        (r, proceed) ->
            r.isWrite() && r.emails().contains("p1@example.org")
                ? FakeVendor.error(400, "LIST_LOCKED", "The list is locked for maintenance")
                : proceed.get());
    List<RejectedRecord> sink = Collections.synchronizedList(new ArrayList<>());
    TestConnectorProvider sequential =
        TestConnectorProvider.builder().limits(3, 64 * 1024, 1, 1000).build();
    Connection c = connection(sequential, vendor);
    ExportResult result;
    try (SegmentExporter exporter = Connectors.of(sequential).exporter(c)) {
      result =
          exporter.export(
              Fixtures.definition(c, "S"),
              Fixtures.streaming("S", Fixtures.valid("p", 7)),
              FAST.withRejectedRecordSink(sink::add));
    }
    assertAddsUp(result);
    assertThat(result.read()).isEqualTo(7);
    assertThat(result.rejected()).isEqualTo(3);
    assertThat(result.exported()).isEqualTo(4);
    assertThat(sink).extracting(RejectedRecord::row).containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(sink)
        .allSatisfy(
            r -> {
              assertThat(r.reason()).isEqualTo(RejectionReason.BATCH_FAILED);
              assertThat(r.vendorCode()).hasValue("LIST_LOCKED");
              assertThat(r.message()).isEqualTo("The list is locked for maintenance");
            });
    assertThat(vendor.appliedCounts().keySet())
        .isEqualTo(Set.of("p4@example.org", "p5@example.org", "p6@example.org", "p7@example.org"));
  }

  @Test
  void duplicatesAreFoundAcrossTheGroupsTheyAreCheckedIn() {
    // 1,000 distinct addresses, then each of the first 300 again in upper case, then invalid rows
    // in
    // between: repeats fall in other de-duplication groups than their originals, and in the same
    // one.
    List<Profile> profiles = new ArrayList<>(Fixtures.valid("g", 1000));
    for (int i = 1; i <= 300; i++) {
      profiles.add(profile(("g" + i + "@example.org").toUpperCase(java.util.Locale.ROOT), "Again"));
      if (i % 7 == 0) {
        profiles.add(profile("not-an-email", "Bad"));
      }
    }
    profiles.add(5, profile("G1@EXAMPLE.ORG", "SameGroup"));
    ExportResult result;
    try (SegmentExporter exporter = connectors.exporter(connection)) {
      result =
          exporter.export(
              Fixtures.definition(connection, "S"), Fixtures.streaming("S", profiles), FAST);
    }
    assertAddsUp(result);
    SegmentResult s = result.segment("S").orElseThrow();
    assertThat(s.read()).isEqualTo(1000 + 300 + 42 + 1);
    assertThat(s.exported()).isEqualTo(1000);
    assertThat(s.duplicates()).isEqualTo(301);
    assertThat(s.rejected()).isEqualTo(42);
    assertThat(Deduplicator.GROUP).isLessThan(300);
    assertThat(vendor.appliedCounts().values()).hasSize(1000).containsOnly(1);
  }
}
