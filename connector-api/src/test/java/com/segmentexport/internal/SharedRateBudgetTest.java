package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.Secret;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.spi.ConnectorContext;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A vendor's rate limit belongs to the account: two connections a host rebuilt from the same row, on two
 * {@link Connectors} instances, share one budget; connection ids play no part.
 */
class SharedRateBudgetTest {
  private static final double RATE = 5;
  private final FakeVendor vendor = new FakeVendor();
  private final TestConnectorProvider provider =
      TestConnectorProvider.builder().limits(10, 1 << 20, 1, RATE).build();

  @AfterEach
  void stop() {
    vendor.close();
  }

  /** The connection a host builds from its stored row: a new object, with a new id, each time. */
  private Connection rebuilt() {
    return Fixtures.connectionBuilder(provider, vendor).id(UUID.randomUUID().toString()).build();
  }

  private String key(Connection c) {
    return RateLimiters.accountKey(c, provider.create(new ConnectorContext(c)));
  }

  @Test
  void theBudgetIsKeyedByAccountNotByConnectionObject() {
    Connection a = rebuilt();
    Connection b = rebuilt();
    assertThat(a.id()).isNotEqualTo(b.id());
    assertThat(key(a)).isEqualTo(key(b));
    assertThat(key(a)).doesNotContain(FakeVendor.API_KEY);

    Connection otherKey =
        Fixtures.connectionBuilder(provider, vendor)
            .secret("apiKey", Secret.of("another-key"))
            .build();
    assertThat(key(otherKey)).isNotEqualTo(key(a));
    try (FakeVendor elsewhere = new FakeVendor()) {
      assertThat(key(Fixtures.connection(provider, elsewhere)))
          .as("another endpoint")
          .isNotEqualTo(key(a));
    }
  }

  @Test
  void twoRebuiltConnectionsOnTwoConnectorsShareTheAccountsRate() {
    List<ExportHandle> handles = new ArrayList<>();
    List<SegmentExporter> exporters = new ArrayList<>();
    for (String segment : List.of("A", "B")) {
      Connection c = rebuilt();
      SegmentExporter exporter = Connectors.of(provider).exporter(c);
      exporters.add(exporter);
      handles.add(
          exporter.start(
              Fixtures.definition(c, segment),
              Fixtures.streaming(segment, Fixtures.valid(segment.toLowerCase(), 40)),
              FAST));
    }
    for (ExportHandle h : handles) {
      ExportResult r = h.await();
      assertThat(r.status()).isEqualTo(ExportStatus.SUCCEEDED);
      assertThat(r.exported()).isEqualTo(40);
    }
    exporters.forEach(SegmentExporter::close);
    // 2 x (1 list + 4 writes) = 10 requests: at 5/s together, no second holds more than 5 (+1 at
    // its edge).
    assertThat(vendor.requestCount()).isEqualTo(10);
    assertThat(maxInAnyWindow(Duration.ofSeconds(1))).isLessThanOrEqualTo((int) RATE + 1);
  }

  private int maxInAnyWindow(Duration window) {
    List<Long> at = vendor.received().stream().map(FakeVendor.Received::atNanos).sorted().toList();
    int max = 0;
    for (int i = 0, j = 0; i < at.size(); i++) {
      while (at.get(i) - at.get(j) >= window.toNanos()) {
        j++;
      }
      max = Math.max(max, i - j + 1);
    }
    return max;
  }
}
