package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.connection;
import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** While an export runs, its threads carry its run id and connector in the slf4j MDC, for host logs. */
class RunContextInLogsTest {
  private final FakeVendor vendor = new FakeVendor();

  @AfterEach
  void stop() {
    vendor.close();
  }

  @Test
  void everyThreadOfARunCarriesItsIdAndConnector() {
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(5, 1 << 20, 2, 1000).build();
    Connection c = connection(provider, vendor);
    Set<String> runIds = ConcurrentHashMap.newKeySet();
    Set<String> connectors = ConcurrentHashMap.newKeySet();
    ExportListener listener =
        new ExportListener() {
          @Override
          public void batchAcknowledged(
              String segment, int records, int exported, int rejected, long soFar) {
            runIds.add(String.valueOf(MDC.get(ExportRun.MDC_RUN_ID))); // on a worker thread
            connectors.add(String.valueOf(MDC.get(ExportRun.MDC_CONNECTOR)));
          }

          @Override
          public void segmentFinished(com.segmentexport.api.SegmentResult result) {
            runIds.add(String.valueOf(MDC.get(ExportRun.MDC_RUN_ID))); // on the run's own thread
          }
        };
    ExportResult first;
    try (SegmentExporter exporter = Connectors.of(provider).exporter(c)) {
      first =
          exporter.export(
              Fixtures.definition(c, "S"),
              Fixtures.streaming("S", Fixtures.valid("p", 20)),
              FAST.withListener(listener));
      assertThat(runIds).hasSize(1).doesNotContain("null");
      assertThat(connectors).containsExactly(provider.id());
      String firstRun = runIds.iterator().next();
      runIds.clear();
      exporter.export(
          Fixtures.definition(c, "S"),
          Fixtures.streaming("S", Fixtures.valid("q", 10)),
          FAST.withListener(listener));
      assertThat(runIds).hasSize(1).doesNotContain(firstRun, "null");
    }
    assertThat(first.exported()).isEqualTo(20);
    assertThat(MDC.get(ExportRun.MDC_RUN_ID)).as("the caller's thread is left as it was").isNull();
  }
}
