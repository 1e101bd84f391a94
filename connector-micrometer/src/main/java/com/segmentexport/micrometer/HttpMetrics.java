package com.segmentexport.micrometer;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.http.Outcome;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.Response;

/**
 * Records the SDK's HTTP calls in Micrometer, through an OkHttp {@link EventListener} on the host's
 * client: give the client to {@link com.segmentexport.api.Connectors#withHttpClient(okhttp3.OkHttpClient)}.
 *
 * <pre>{@code
 * HttpMetrics http = new HttpMetrics();
 * http.bindTo(meterRegistry);
 * OkHttpClient client = new OkHttpClient.Builder().eventListenerFactory(http).build();
 * Connectors connectors = Connectors.load().withHttpClient(client);
 * }</pre>
 *
 * <table>
 *   <caption>Meters and their tags</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@value #REQUESTS}</td><td>timer (p50, p95, p99)</td><td>method, host, status, outcome</td>
 *     <td>each HTTP call, from its start to its end or failure; status is the response code, or
 *     {@code IO_ERROR} when no response came</td></tr>
 *   <tr><td>{@value #ACTIVE_REQUESTS}</td><td>gauge</td><td>(none)</td><td>calls in flight now</td></tr>
 * </table>
 *
 * <p>Tags hold no personal data: the host is the vendor's API host, and paths (which can carry a list
 * id or, for some vendors, an e-mail address) are never recorded. The client is shared by every
 * connection of the {@code Connectors}, so the vendor's host stands for the connector. Each retry is a
 * call of its own. A client can have one event listener factory: a host that already has one must
 * call this factory's listener from its own.
 *
 * <p>Thread-safe: one instance serves any number of clients and calls.
 */
public final class HttpMetrics implements MeterBinder, EventListener.Factory {
  /** Timer of HTTP calls. */
  public static final String REQUESTS = "segment.export.http.requests";

  /** Gauge of HTTP calls in flight. */
  public static final String ACTIVE_REQUESTS = "segment.export.http.requests.active";

  /** The status tag's value for a call that got no response. */
  static final String IO_ERROR = "IO_ERROR";

  private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
  private final AtomicInteger inFlight = new AtomicInteger();

  /** Metrics recorded nowhere until {@link #bindTo(MeterRegistry) bound} to a registry. */
  public HttpMetrics() {
    Gauge.builder(ACTIVE_REQUESTS, inFlight, AtomicInteger::get)
        .description("HTTP calls of the Segment Export SDK in flight")
        .baseUnit("requests")
        .register(registry);
  }

  /**
   * Records into {@code meterRegistry} too; may be called for several registries. Bind before the
   * client's first call: a registry bound later counts from then on.
   *
   * @param meterRegistry the host's registry
   */
  @Override
  public void bindTo(MeterRegistry meterRegistry) {
    requireNonNull(meterRegistry, "meterRegistry == null");
    registry.add(meterRegistry);
  }

  /**
   * The listener of one call; OkHttp calls this for every call of a client built with
   * {@code eventListenerFactory(this)}.
   *
   * @param call the call about to start
   * @return its listener
   */
  @Override
  public EventListener create(Call call) {
    return new CallRecorder();
  }

  /** Times one call; OkHttp calls a call's listener from one thread at a time. */
  private final class CallRecorder extends EventListener {
    private volatile long startNanos;
    private volatile int status = -1;
    private volatile boolean started;

    @Override
    public void callStart(Call call) {
      startNanos = System.nanoTime();
      started = true;
      inFlight.incrementAndGet();
    }

    @Override
    public void responseHeadersEnd(Call call, Response response) {
      status = response.code();
    }

    @Override
    public void callEnd(Call call) {
      finish(call);
    }

    @Override
    public void callFailed(Call call, IOException ioe) {
      finish(call);
    }

    private void finish(Call call) {
      if (!started) {
        return;
      }
      started = false;
      inFlight.decrementAndGet();
      Timer.builder(REQUESTS)
          .description("HTTP calls of the Segment Export SDK")
          .tags(
              "method",
              call.request().method(),
              "host",
              call.request().url().host(),
              "status",
              status < 0 ? IO_ERROR : Integer.toString(status),
              "outcome",
              status < 0 ? "UNKNOWN" : Outcome.forStatus(status).name())
          .publishPercentiles(0.5, 0.95, 0.99)
          .register(registry)
          .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
  }
}
