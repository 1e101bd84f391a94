package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.assertAddsUp;
import static com.segmentexport.testsupport.Fixtures.connection;
import static com.segmentexport.testsupport.Fixtures.profile;
import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** §3 Batching and concurrency: batches respect the vendor's count and byte limits; N in flight at most. */
class BatchingAndConcurrencyTest {
  private final FakeVendor vendor = new FakeVendor();

  @AfterEach
  void stop() {
    vendor.close();
  }

  private ExportResult export(TestConnectorProvider provider, List<Profile> profiles) {
    return export(provider, profiles, new ArrayList<>());
  }

  private ExportResult export(
      TestConnectorProvider provider, List<Profile> profiles, List<RejectedRecord> sink) {
    Connection c = connection(provider, vendor);
    try (SegmentExporter exporter = Connectors.of(provider).exporter(c)) {
      return exporter.export(
          Fixtures.definition(c, "S"),
          Fixtures.streaming("S", profiles),
          FAST.withRejectedRecordSink(sink::add));
    }
  }

  @Test
  void batchesNeverExceedTheRecordLimit() {
    ExportResult result =
        export(
            TestConnectorProvider.builder().limits(7, 1 << 20, 2, 1000).build(),
            Fixtures.valid("p", 100));
    assertThat(result.exported()).isEqualTo(100);
    List<Integer> sizes = vendor.writes().stream().map(w -> w.emails().size()).toList();
    assertThat(sizes).allSatisfy(n -> assertThat(n).isBetween(1, 7));
    // Full batches: 14 of 7 and one of 2 (order may vary with concurrency).
    assertThat(sizes).hasSize(15);
    assertThat(sizes.stream().filter(n -> n == 7).count()).isEqualTo(14);
    assertThat(new HashSet<>(vendor.writes().stream().flatMap(w -> w.emails().stream()).toList()))
        .hasSize(100);
  }

  @Test
  void requestBodiesNeverExceedTheByteLimit() {
    long maxBytes = 4096;
    List<Profile> profiles = new ArrayList<>();
    String chunk = "Zoë 日本 \"quoted\" back\\slash \n 😀 ";
    for (int i = 1; i <= 300; i++) {
      profiles.add(
          Profile.of(
              "email",
              "person" + i + "@example.org",
              "first",
              chunk.repeat(i % 23),
              "last",
              "x".repeat((i * 37) % 300)));
    }
    ExportResult result =
        export(TestConnectorProvider.builder().limits(50, maxBytes, 2, 1000).build(), profiles);
    assertThat(result.exported()).isEqualTo(300);
    List<FakeVendor.Received> writes = vendor.writes();
    assertThat(writes).allSatisfy(w -> assertThat(w.bodyBytes()).isLessThanOrEqualTo(maxBytes));
    // The byte limit, not the record limit, shaped these batches.
    assertThat(writes).hasSizeGreaterThan(300 / 50);
    assertThat(writes.stream().mapToInt(w -> w.emails().size()).max().orElseThrow()).isLessThan(50);
    // ...and batches are filled: on average at least half of what fits.
    long total = writes.stream().mapToLong(FakeVendor.Received::bodyBytes).sum();
    assertThat(total / writes.size()).isGreaterThan(maxBytes / 3);
    Map<String, Object> sample = vendor.contacts().get("person22@example.org");
    assertThat(sample).containsEntry("FirstName", chunk.repeat(22).trim());
  }

  @Test
  void aProfileTooLargeForAnyRequestIsRejectedNotSent() {
    long maxBytes = 2048;
    List<Profile> profiles = new ArrayList<>(Fixtures.valid("p", 5));
    profiles.add(2, profile("huge@example.org", "H".repeat(4000)));
    List<RejectedRecord> sink = Collections.synchronizedList(new ArrayList<>());
    ExportResult result =
        export(
            TestConnectorProvider.builder().limits(50, maxBytes, 1, 1000).build(), profiles, sink);
    assertAddsUp(result);
    assertThat(vendor.writes())
        .allSatisfy(w -> assertThat(w.bodyBytes()).isLessThanOrEqualTo(maxBytes));
    assertThat(result.exported()).isEqualTo(5);
    assertThat(result.rejected()).isEqualTo(1);
    assertThat(sink)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.row()).isEqualTo(3);
              assertThat(r.reason()).isEqualTo(RejectionReason.INVALID_VALUE);
              assertThat(r.maskedIdentifier()).isEqualTo("h***@e***.org");
            });
    assertThat(vendor.contacts()).doesNotContainKey("huge@example.org");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void noMoreThanMaxConcurrentBatchesAreInFlight(int concurrency) {
    vendor.writeDelayMillis(40);
    ExportResult result =
        export(
            TestConnectorProvider.builder().limits(5, 1 << 20, concurrency, 1000).build(),
            Fixtures.valid("p", 100));
    assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(result.exported()).isEqualTo(100);
    assertThat(vendor.writes()).hasSize(20);
    assertThat(vendor.maxConcurrentWrites()).isLessThanOrEqualTo(concurrency);
    if (concurrency > 1) {
      // The limit is used, not just respected: 20 slow batches overlap.
      assertThat(vendor.maxConcurrentWrites()).isGreaterThan(1);
    }
    assertThat(vendor.appliedCounts().values()).hasSize(100).containsOnly(1);
    assertThat(vendor.appliedCounts().keySet())
        .isEqualTo(Fixtures.validAddresses("p", 100).stream().collect(Collectors.toSet()));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void oneBatchMoreIsSerialisedWhileTheRequestsAreOut(int concurrency) {
    vendor.writeDelayMillis(40);
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(5, 1 << 20, concurrency, 1000).build();
    ExportResult result = export(provider, Fixtures.valid("p", 100));
    assertThat(result.exported()).isEqualTo(100);
    // The extra batch is handed to the connector, whose request then waits for one of the others to
    // return.
    assertThat(provider.maxConcurrentWriteCalls()).isEqualTo(concurrency + 1);
    assertThat(vendor.maxConcurrentWrites()).isLessThanOrEqualTo(concurrency);
  }
}
