package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.assertAddsUp;
import static com.segmentexport.testsupport.Fixtures.connection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * "Rejected" means refused; records that were sent but whose outcome no answer proved are counted
 * unconfirmed, never rejected and never given to the rejected-record sink, and batches already handed out
 * when the source fails are confirmed before the run ends.
 */
class UnconfirmedTest {
  private final FakeVendor vendor = new FakeVendor();
  private final List<RejectedRecord> sink = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stop() {
    vendor.close();
  }

  @Test
  void batchesHandedOutBeforeTheSourceFailsAreStillConfirmed() {
    vendor.writeDelayMillis(100);
    // One request in flight, one more batch handed out and waiting for it when the source fails.
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(10, 1 << 20, 1, 1000).build();
    Connection c = connection(provider, vendor);
    // 130 profiles: the first 128 (one de-duplication group) fill 12 batches and 8 of a 13th; the
    // source
    // fails while the last two full batches are in flight or handed out.
    List<Profile> first = Fixtures.valid("p", 130);
    Iterator<Profile> failing =
        new Iterator<>() {
          private int i;

          @Override
          public boolean hasNext() {
            return true;
          }

          @Override
          public Profile next() {
            if (i == first.size()) {
              throw new IllegalStateException("the warehouse cursor was closed");
            }
            return first.get(i++);
          }
        };
    ExportResult r;
    try (SegmentExporter exporter = Connectors.of(provider).exporter(c)) {
      ExportException e =
          catchThrowableOfType(
              ExportException.class,
              () ->
                  exporter.export(
                      Fixtures.definition(c, "S"),
                      name -> Segment.of(name, OptionalLong.empty(), failing, () -> {}),
                      FAST.withRejectedRecordSink(sink::add)));
      assertThat(e).hasMessageContaining("IllegalStateException");
      r = e.partialResult().orElseThrow();
    }
    assertAddsUp(r);
    SegmentResult s = r.segment("S").orElseThrow();
    assertThat(r.status()).isEqualTo(ExportStatus.FAILED);
    assertThat(s.read()).isEqualTo(130);
    assertThat(s.exported()).as("every batch handed out was sent and confirmed").isEqualTo(120);
    assertThat(s.unconfirmed()).isZero();
    assertThat(s.rejected()).isZero();
    assertThat(s.notAttempted())
        .as("the batch still being filled, and the group not yet admitted")
        .isEqualTo(10);
    assertThat(vendor.appliedCounts()).hasSize(120);
    assertThat(sink).isEmpty();
  }

  @Test
  void recordsAConnectorCannotVouchForAreUnconfirmedNotExportedNorRejected() {
    TestConnectorProvider provider =
        TestConnectorProvider.builder()
            .limits(10, 1 << 20, 2, 1000)
            .unattributed(email -> email.startsWith("p3@") || email.startsWith("p17@"))
            .build();
    Connection c = connection(provider, vendor);
    ExportResult r;
    try (SegmentExporter exporter = Connectors.of(provider).exporter(c)) {
      r =
          exporter.export(
              Fixtures.definition(c, "S"),
              Fixtures.streaming("S", Fixtures.valid("p", 30)),
              FAST.withRejectedRecordSink(sink::add));
    }
    assertAddsUp(r);
    assertThat(r.unconfirmed()).isEqualTo(2);
    assertThat(r.exported()).isEqualTo(28);
    assertThat(r.rejected()).isZero();
    assertThat(r.status()).isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED);
    assertThat(r.rejectedSample())
        .hasSize(2)
        .allSatisfy(
            x -> {
              assertThat(x.reason()).isEqualTo(RejectionReason.UNCONFIRMED);
              assertThat(x.message()).contains("did not attribute");
              assertThat(x.maskedIdentifier()).doesNotStartWith("p3@").doesNotStartWith("p17@");
            });
    assertThat(sink).as("the sink is for records that are not at the vendor").isEmpty();
  }
}
