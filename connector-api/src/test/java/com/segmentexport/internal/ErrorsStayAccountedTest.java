package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.assertAddsUp;
import static com.segmentexport.testsupport.Fixtures.connection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.DestinationField;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.SettingDescriptor;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.ConnectorContext;
import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.spi.Destination;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * §5 rule 2 under the worst failures: an {@link Error} thrown by the host's segment or by a connector
 * (a heap exhausted, a linkage error) still leaves every profile read accounted for in the result.
 */
class ErrorsStayAccountedTest {
  private final FakeVendor vendor = new FakeVendor();

  @AfterEach
  void stop() {
    vendor.close();
  }

  @Test
  void anErrorWhileReadingKeepsTheSegmentsCounts() {
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(3, 64 * 1024, 2, 1000).build();
    Connection connection = connection(provider, vendor);
    List<Profile> first = Fixtures.valid("r", 7);
    Iterator<Profile> failing =
        Fixtures.failingAfter(
            first, () -> new StackOverflowError("the host's cursor blew its stack"));
    try (SegmentExporter exporter = Connectors.of(provider).exporter(connection)) {
      assertThatThrownBy(
              () ->
                  exporter.export(
                      Fixtures.definition(connection, "S"),
                      name -> Segment.of(name, () -> failing),
                      FAST))
          .isInstanceOf(ExportException.class)
          .hasMessageContaining("StackOverflowError")
          .satisfies(
              e -> {
                ExportResult r = ((ExportException) e).partialResult().orElseThrow();
                assertAddsUp(r);
                SegmentResult s = r.segment("S").orElseThrow();
                assertThat(s.read()).isEqualTo(7);
                assertThat(s.exported() + s.notAttempted()).isEqualTo(7);
                assertThat(r.status()).isEqualTo(ExportStatus.FAILED);
              });
    }
  }

  @Test
  void anErrorInAConnectorsWriteCountsItsBatchUnconfirmedInsteadOfLosingIt() {
    TestConnectorProvider delegate =
        TestConnectorProvider.builder().limits(3, 64 * 1024, 1, 1000).build();
    ConnectorProvider provider = new FailingSecondWrite(delegate);
    Connection connection = connection(provider, vendor);
    ExportResult r;
    try (SegmentExporter exporter = Connectors.of(provider).exporter(connection)) {
      ExportException e =
          catchThrowableOfType(
              ExportException.class,
              () ->
                  exporter.export(
                      Fixtures.definition(connection, "S"),
                      Fixtures.streaming("S", Fixtures.valid("w", 10)),
                      FAST));
      assertThat(e).hasMessageContaining("NoClassDefFoundError");
      r = e.partialResult().orElseThrow();
    }
    assertAddsUp(r);
    SegmentResult s = r.segment("S").orElseThrow();
    // The failure stops the reader wherever it is: at least the two batches written were read. Two
    // batches
    // are handed out at once (one more than the one request in flight): the other one is exported
    // if its
    // request went out before the failure stopped the export, and not attempted if not; so is a
    // batch
    // handed out after it.
    assertThat(s.read()).isBetween(6L, 10L);
    assertThat(s.exported()).isIn(0L, 3L, 6L, 7L);
    // Whether the connector had sent the batch before it failed is unknown: unconfirmed, not
    // rejected.
    assertThat(s.unconfirmed()).isEqualTo(3);
    assertThat(r.rejectedSample())
        .filteredOn(x -> x.reason() == RejectionReason.UNCONFIRMED)
        .hasSize(3)
        .allSatisfy(x -> assertThat(x.message()).contains("NoClassDefFoundError"));
    assertThat(r.status()).isEqualTo(ExportStatus.FAILED);
  }

  /** The delegate's connector, except that the second batch written throws an Error. */
  private static final class FailingSecondWrite implements ConnectorProvider {
    private final ConnectorProvider delegate;

    FailingSecondWrite(ConnectorProvider delegate) {
      this.delegate = delegate;
    }

    @Override
    public String id() {
      return delegate.id();
    }

    @Override
    public String displayName() {
      return delegate.displayName();
    }

    @Override
    public List<SettingDescriptor> settings() {
      return delegate.settings();
    }

    @Override
    public List<DestinationField> destinationFields() {
      return delegate.destinationFields();
    }

    @Override
    public boolean supportsCustomFields() {
      return delegate.supportsCustomFields();
    }

    @Override
    public ConnectorLimits limits() {
      return delegate.limits();
    }

    @Override
    public Connector create(ConnectorContext context) {
      Connector connector = delegate.create(context);
      return new Connector() {
        @Override
        public ConnectorLimits limits() {
          return connector.limits();
        }

        @Override
        public void verify(com.segmentexport.spi.VendorHttp http) {
          connector.verify(http);
        }

        @Override
        public Destination open(com.segmentexport.spi.DestinationRequest request) {
          Destination destination = connector.open(request);
          return new Destination() {
            @Override
            public String id() {
              return destination.id();
            }

            @Override
            public com.segmentexport.spi.BatchResult write(com.segmentexport.spi.Batch batch) {
              if (batch.sequence() == 2) {
                throw new NoClassDefFoundError("com/example/Missing");
              }
              return destination.write(batch);
            }
          };
        }
      };
    }
  }
}
