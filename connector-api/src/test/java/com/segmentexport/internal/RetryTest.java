package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.FAST_RETRY;
import static com.segmentexport.testsupport.Fixtures.assertAddsUp;
import static com.segmentexport.testsupport.Fixtures.connection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.RecordingListener;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** §3 Retries, §5 rule 3: only what is safe is retried, within attempts and budget; auth fails at once. */
class RetryTest {
  private final FakeVendor vendor = new FakeVendor();
  private final List<RejectedRecord> sink = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stop() {
    vendor.close();
  }

  private ExportHandle start(TestConnectorProvider provider, int profiles, ExportOptions options) {
    Connection c = connection(provider, vendor);
    SegmentExporter exporter = Connectors.of(provider).exporter(c);
    return exporter.start(
        Fixtures.definition(c, "S"),
        Fixtures.streaming("S", Fixtures.valid("p", profiles)),
        options.withRejectedRecordSink(sink::add));
  }

  private static Set<String> addresses(int n) {
    return Fixtures.validAddresses("p", n).stream().collect(Collectors.toSet());
  }

  @Test
  void serverErrorsAndDroppedConnectionsAreRetriedAndEveryProfileArrivesExactlyOnce() {
    // Faults strike before the vendor applies anything, so a profile applied twice would mean a
    // double send.
    vendor.fault(
        (r, proceed) -> {
          switch (r.number()) {
            case 1:
              return FakeVendor.error(503, "UNAVAILABLE", "try later"); // ensureList
            case 3:
              return FakeVendor.error(500, "OOPS", "internal error");
            case 4:
              return FakeVendor.dropConnection();
            case 7:
              return FakeVendor.dropConnection();
            case 8:
              return FakeVendor.error(502, "BAD_GATEWAY", "upstream");
            default:
              return proceed.get();
          }
        });
    RecordingListener listener = new RecordingListener();
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(10, 1 << 20, 2, 1000).build();
    ExportResult result = start(provider, 95, FAST.withListener(listener)).await();

    assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(result.exported()).isEqualTo(95);
    assertThat(result.retries()).isEqualTo(5);
    assertThat(result.httpCalls()).isEqualTo(1 + 10 + 5).isEqualTo(vendor.requestCount());
    assertThat(vendor.appliedCounts().keySet()).isEqualTo(addresses(95));
    assertThat(vendor.appliedCounts().values()).containsOnly(1);
    assertThat(listener.events("retrying")).hasSize(5);
    assertThat(sink).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void refusedCredentialsFailAtOnceWithOneRequest(int status) {
    vendor.fault((r, proceed) -> FakeVendor.error(status, "AUTH", "bad key"));
    TestConnectorProvider provider = TestConnectorProvider.standard();
    ExportHandle handle = start(provider, 20, FAST);
    AuthenticationException e = catchThrowableOfType(AuthenticationException.class, handle::await);
    assertThat(e.httpStatus()).isEqualTo(status);
    assertThat(e.getMessage()).doesNotContain(FakeVendor.API_KEY);
    assertThat(vendor.requestCount()).isEqualTo(1);
    ExportResult partial = e.partialResult().orElseThrow();
    assertThat(partial.status()).isEqualTo(ExportStatus.FAILED);
    assertThat(partial.retries()).isZero();
    assertAddsUp(partial);
  }

  @Test
  void refusedCredentialsOnABatchStopTheExportAndAccountForEveryProfile() {
    vendor.fault(
        (r, proceed) -> r.isWrite() ? FakeVendor.error(401, "AUTH", "key revoked") : proceed.get());
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(10, 1 << 20, 1, 1000).build();
    ExportHandle handle = start(provider, 50, FAST);
    AuthenticationException e = catchThrowableOfType(AuthenticationException.class, handle::await);
    assertThat(vendor.writes()).hasSize(1);
    ExportResult partial = e.partialResult().orElseThrow();
    assertAddsUp(partial);
    assertThat(partial.exported()).isZero();
    assertThat(partial.retries()).isZero();
    assertThat(partial.rejected()).isEqualTo(10);
    assertThat(sink).hasSize(10).allSatisfy(r -> assertThat(r.vendorCode()).hasValue("HTTP_401"));
    assertThat(partial.segments().get(0).notAttemptedReason()).isPresent();
  }

  @Test
  void aNonIdempotentCallIsNotRepeatedAfterADroppedConnection() {
    vendor.fault(
        (r, proceed) -> r.writeNumber() == 1 ? FakeVendor.dropConnection() : proceed.get());
    TestConnectorProvider provider =
        TestConnectorProvider.builder()
            .limits(10, 1 << 20, 1, 1000)
            .idempotentWrites(false)
            .build();
    ExportResult result = start(provider, 25, FAST).await();
    assertAddsUp(result);
    // The first batch to go out (batch 1 or 2: one request at a time, but both are handed out at
    // once) went
    // out once and was never repeated; the other two went through.
    assertThat(vendor.writes()).hasSize(3);
    assertThat(result.retries()).isZero();
    // It may or may not have been applied: unconfirmed, not rejected, and not given to the rejected
    // sink.
    assertThat(result.unconfirmed()).isEqualTo(10);
    assertThat(result.rejected()).isZero();
    assertThat(result.exported()).isEqualTo(15);
    assertThat(sink).isEmpty();
    assertThat(result.rejectedSample())
        .hasSize(10)
        .allSatisfy(r -> assertThat(r.reason()).isEqualTo(RejectionReason.UNCONFIRMED));
    assertThat(result.rejectedSample().stream().map(r -> (r.row() - 1) / 10).distinct().toList())
        .as("one whole batch")
        .singleElement()
        .isIn(0L, 1L);
    assertThat(result.status()).isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED);
  }

  @Test
  void theSameDropIsRetriedWhenTheCallIsIdempotent() {
    vendor.fault(
        (r, proceed) -> r.writeNumber() == 1 ? FakeVendor.dropConnection() : proceed.get());
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(10, 1 << 20, 1, 1000).build();
    ExportResult result = start(provider, 25, FAST).await();
    assertThat(vendor.writes()).hasSize(4);
    assertThat(result.retries()).isEqualTo(1);
    assertThat(result.exported()).isEqualTo(25);
  }

  @Test
  void aNonIdempotentCallIsRepeatedAfterAnAnswerThatSaysItWasNotProcessed() {
    vendor.fault(
        (r, proceed) ->
            r.writeNumber() == 1
                ? FakeVendor.error(429, "SLOW_DOWN", "not processed").addHeader("Retry-After", "0")
                : proceed.get());
    TestConnectorProvider provider =
        TestConnectorProvider.builder()
            .limits(10, 1 << 20, 1, 1000)
            .idempotentWrites(false)
            .build();
    ExportResult result = start(provider, 10, FAST).await();
    assertThat(vendor.writes()).hasSize(2);
    assertThat(result.exported()).isEqualTo(10);
  }

  @Test
  void aNonIdempotentCallIsNotRepeatedAfterAServerError() {
    // A 503 or a gateway's 504 may stand in front of a vendor that applied the request.
    vendor.fault(
        (r, proceed) ->
            r.writeNumber() == 1 ? FakeVendor.error(504, "GATEWAY", "timeout") : proceed.get());
    TestConnectorProvider provider =
        TestConnectorProvider.builder()
            .limits(10, 1 << 20, 1, 1000)
            .idempotentWrites(false)
            .build();
    ExportResult result = start(provider, 10, FAST.withRejectedRecordSink(sink::add)).await();
    assertThat(vendor.writes()).hasSize(1);
    assertThat(result.unconfirmed()).isEqualTo(10);
    assertThat(result.rejected()).isZero();
    assertThat(sink).isEmpty();
  }

  @Test
  void maxAttemptsStopsRetryingAndTheRecordsAreRejectedAsDeliveryFailed() {
    vendor.fault(
        (r, proceed) -> r.isWrite() ? FakeVendor.error(503, "DOWN", "maintenance") : proceed.get());
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(10, 1 << 20, 1, 1000).build();
    ExportResult result =
        start(provider, 20, FAST.withRetryPolicy(FAST_RETRY.withMaxAttempts(3))).await();
    assertAddsUp(result);
    assertThat(vendor.writes()).hasSize(2 * 3);
    assertThat(result.retries()).isEqualTo(2 * 2);
    assertThat(result.exported()).isZero();
    assertThat(result.rejected()).isEqualTo(20);
    assertThat(result.status()).isEqualTo(ExportStatus.FAILED);
    assertThat(sink)
        .hasSize(20)
        .allSatisfy(
            r -> {
              assertThat(r.reason()).isEqualTo(RejectionReason.DELIVERY_FAILED);
              assertThat(r.vendorCode()).hasValue("HTTP_503");
              assertThat(r.message()).contains("3 times");
            });
  }

  @Test
  void theRetryBudgetIsSharedByTheWholeExport() {
    vendor.fault(
        (r, proceed) -> r.isWrite() ? FakeVendor.error(500, "DOWN", "maintenance") : proceed.get());
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(10, 1 << 20, 1, 1000).build();
    ExportResult result =
        start(provider, 30, FAST.withRetryPolicy(FAST_RETRY.withMaxAttempts(10).withRetryBudget(2)))
            .await();
    assertAddsUp(result);
    // Batch 1: first try + the whole budget of 2 retries; batches 2 and 3: one try each, no budget
    // left.
    assertThat(vendor.writes()).hasSize(3 + 1 + 1);
    assertThat(result.retries()).isEqualTo(2);
    assertThat(result.rejected()).isEqualTo(30);
    assertThat(sink)
        .allSatisfy(r -> assertThat(r.reason()).isEqualTo(RejectionReason.DELIVERY_FAILED));
    assertThat(sink)
        .filteredOn(r -> r.row() > 10)
        .allSatisfy(r -> assertThat(r.message()).contains("budget"));
  }
}
