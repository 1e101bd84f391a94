package com.segmentexport.testkit;

import static java.util.Objects.requireNonNull;

import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.DestinationField;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SettingDescriptor;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.ConnectorContext;
import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.DestinationRequest;
import com.segmentexport.spi.VendorHttp;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs a piece of a connector's code with the {@link VendorHttp} the engine itself hands connectors (its
 * rate budget, retry policy, idempotency rules, {@code Retry-After} handling), for unit tests of
 * connector helpers that are not reached through an export yet.
 *
 * <p>It wraps the provider so that {@link SegmentExporter#verify()} calls {@code action} with the
 * connector and the engine's {@code VendorHttp} instead of the connector's own check. The retry policy
 * is the one {@code verify} uses ({@code RetryPolicy.DEFAULT} with at most 3 attempts).
 *
 * <pre>{@code
 * Result r = EngineHttp.call(new IterableConnectorProvider(), p -> connection(p),
 *     (connector, http) -> new IterableAddressChange((IterableConnector) connector, http).change(a, b));
 * }</pre>
 */
public final class EngineHttp {
  private EngineHttp() {}

  /**
   * Calls {@code action} with a connector of {@code provider} and the engine's {@code VendorHttp}.
   *
   * @param provider the connector's provider
   * @param connection builds the connection from the (wrapping) provider it is given
   * @param action the code to run; its exceptions propagate
   * @param <T> what the action returns
   * @return what the action returned
   */
  public static <T> T call(
      ConnectorProvider provider,
      Function<ConnectorProvider, Connection> connection,
      BiFunction<Connector, VendorHttp, T> action) {
    requireNonNull(provider, "provider == null");
    requireNonNull(connection, "connection == null");
    requireNonNull(action, "action == null");
    AtomicReference<T> result = new AtomicReference<>();
    ConnectorProvider wrapper =
        new Wrapper(provider, (connector, http) -> result.set(action.apply(connector, http)));
    try (SegmentExporter exporter = Connectors.of(wrapper).exporter(connection.apply(wrapper))) {
      exporter.verify();
    }
    return result.get();
  }

  /** A provider like the wrapped one whose connectors run an action instead of their check. */
  private static final class Wrapper implements ConnectorProvider {
    private final ConnectorProvider delegate;
    private final java.util.function.BiConsumer<Connector, VendorHttp> action;

    Wrapper(
        ConnectorProvider delegate, java.util.function.BiConsumer<Connector, VendorHttp> action) {
      this.delegate = delegate;
      this.action = action;
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
    public List<String> validate(Connection connection) {
      return delegate.validate(connection);
    }

    @Override
    public List<String> validate(ExportDefinition definition) {
      return delegate.validate(definition);
    }

    @Override
    public Connector create(ConnectorContext context) {
      Connector real = delegate.create(context);
      return new Connector() {
        @Override
        public ConnectorLimits limits() {
          return real.limits();
        }

        @Override
        public void verify(VendorHttp http) {
          action.accept(real, http);
        }

        @Override
        public Destination open(DestinationRequest request) {
          return real.open(request);
        }

        @Override
        public String accountEndpoint() {
          return real.accountEndpoint();
        }

        @Override
        public void close() {
          real.close();
        }
      };
    }
  }
}
