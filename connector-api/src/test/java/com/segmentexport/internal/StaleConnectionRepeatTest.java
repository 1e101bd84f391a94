package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST_RETRY;
import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.spi.CallSpec;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.RecordingListener;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request written on a keep-alive connection the server closed while it sat idle is repeated once on
 * a fresh connection, and that costs nothing to the other exports sharing the JVM's pool: their idle
 * connections to other hosts stay.
 */
class StaleConnectionRepeatTest {
  /** The JVM's one client, shared by every export (as {@code Connectors} shares it). */
  private final OkHttpClient client = HttpClients.newClient();

  private final FakeVendor vendor = new FakeVendor();
  private final Connection connection =
      Fixtures.connection(TestConnectorProvider.standard(), vendor);
  private final RecordingListener listener = new RecordingListener();
  private final RunStats stats = new RunStats(0); // no retry budget: only the free repeat

  @AfterEach
  void stop() {
    vendor.close();
    client.connectionPool().evictAll();
  }

  private DefaultVendorHttp http() {
    return new DefaultVendorHttp(
        client,
        new RateLimiter(1000),
        new RunControl(connection),
        FAST_RETRY,
        stats,
        new SafeListener(listener));
  }

  private Request me() {
    return new Request.Builder()
        .url(vendor.baseUrl() + "/me")
        .header("Authorization", "Bearer " + FakeVendor.API_KEY)
        .build();
  }

  /** The vendor answers its first {@code n} requests and then closes their connections silently. */
  private void closeAfterAnswering(int n) {
    vendor.fault(
        (r, proceed) ->
            r.number() <= n
                ? proceed.get().onResponseEnd(new SocketEffect.CloseSocket(true, true, true))
                : proceed.get());
  }

  @Test
  void anotherHostsIdleConnectionSurvivesTheRepeat() throws Exception {
    try (MockWebServer otherHost = new MockWebServer()) {
      otherHost.start();
      for (int i = 0; i < 2; i++) {
        otherHost.enqueue(new MockResponse.Builder().code(200).body("{}").build());
      }
      DefaultVendorHttp otherExport = http();
      Request other = new Request.Builder().url(otherHost.url("/ping")).build();
      assertThat(otherExport.execute(other, CallSpec.idempotent("ping")).code()).isEqualTo(200);
      closeAfterAnswering(1);
      DefaultVendorHttp http = http();
      assertThat(http.execute(me(), CallSpec.idempotent("verify")).code()).isEqualTo(200);
      Thread.sleep(100); // the server's close reaches the client; the connection sits in the pool

      HttpResponse repeated = http.execute(me(), CallSpec.idempotent("verify"));
      assertThat(repeated.code()).isEqualTo(200);
      assertThat(listener.events("retrying"))
          .singleElement()
          .satisfies(e -> assertThat(e.arg(3).toString()).contains("reused connection"));

      assertThat(otherExport.execute(other, CallSpec.idempotent("ping")).code()).isEqualTo(200);
      RecordedRequest first = otherHost.takeRequest();
      RecordedRequest second = otherHost.takeRequest();
      assertThat(second.getConnectionIndex())
          .as("the other host's second request went out on its first connection")
          .isEqualTo(first.getConnectionIndex());
      assertThat(second.getExchangeIndex()).isEqualTo(1);
    }
  }

  /**
   * Why the repeat must not take another pooled connection: the server that closed one idle connection
   * closed the others too, and a repeat written on one of those fails again, now against the retry
   * budget (none here).
   */
  @Test
  void theRepeatGoesOutOnAFreshConnectionWhenEveryIdleOneToTheServerIsClosed() throws Exception {
    CountDownLatch bothArrived = new CountDownLatch(2);
    vendor.fault(
        (r, proceed) -> {
          if (r.number() > 2) {
            return proceed.get();
          }
          // The first two requests are in flight together: two connections, both closed after.
          bothArrived.countDown();
          assertThat(bothArrived.await(30, TimeUnit.SECONDS)).isTrue();
          return proceed.get().onResponseEnd(new SocketEffect.CloseSocket(true, true, true));
        });
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<HttpResponse> a = threads.submit(() -> http().execute(me(), CallSpec.idempotent("a")));
      Future<HttpResponse> b = threads.submit(() -> http().execute(me(), CallSpec.idempotent("b")));
      assertThat(a.get(30, TimeUnit.SECONDS).code()).isEqualTo(200);
      assertThat(b.get(30, TimeUnit.SECONDS).code()).isEqualTo(200);
    } finally {
      threads.shutdownNow();
    }
    Thread.sleep(100); // both closes reach the client; both connections sit in the pool
    assertThat(client.connectionPool().idleConnectionCount()).isEqualTo(2);

    HttpResponse repeated = http().execute(me(), CallSpec.idempotent("verify"));

    assertThat(repeated.code()).isEqualTo(200);
    assertThat(stats.retries.get()).as("the one free repetition").isEqualTo(1);
    assertThat(vendor.requestCount())
        .as("two first requests, the failed one not received, the repeat")
        .isEqualTo(3);
  }
}
