package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.ConnectionSpec;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The SDK's own HTTP client. */
class HttpClientsTest {
  private static final HttpUrl HTTPS = HttpUrl.get("https://api.vendor.example/v1/lists");
  private static final HttpUrl LOOPBACK = HttpUrl.get("http://localhost:8080/v1/lists");

  @Test
  void connectionsAreMadeOnTheCallingThreadNotRacedOnThreadsOfOkHttps() {
    // With fast fallback, 1,000 exports starting at once made OkHttp start 100+ connect threads.
    assertThat(HttpClients.newClient().fastFallback()).isFalse();
  }

  @Test
  void theClientSetsUpNoTlsUntilAnHttpsUrlNeedsIt() {
    // OkHttp loads the trust store and makes an SSL context when a client with a TLS spec is built:
    // ~0.1 s of every command-line start, even when every URL is loopback HTTP.
    OkHttpClient client = HttpClients.newClient();
    assertThat(client.connectionSpecs()).containsExactly(ConnectionSpec.CLEARTEXT);
    assertThat(HttpClients.forUrl(client, LOOPBACK)).isSameAs(client);
  }

  @Test
  void anHttpsUrlGetsTheClientsTlsSiblingMadeOnceSharingItsPoolAndRules() {
    OkHttpClient client = HttpClients.newClient();
    OkHttpClient tls = HttpClients.forUrl(client, HTTPS);

    assertThat(tls.connectionSpecs()).contains(ConnectionSpec.MODERN_TLS);
    assertThat(tls.sslSocketFactory()).isNotNull();
    assertThat(HttpClients.forUrl(client, HTTPS)).isSameAs(tls);
    assertThat(HttpClients.forUrl(tls, HTTPS)).isSameAs(tls);
    assertThat(tls.connectionPool()).isSameAs(client.connectionPool());
    assertThat(tls.dispatcher()).isSameAs(client.dispatcher());
    assertThat(tls.networkInterceptors()).isEqualTo(client.networkInterceptors());
    assertThat(tls.followRedirects()).isFalse();
    assertThat(tls.retryOnConnectionFailure()).isFalse();
    assertThat(tls.fastFallback()).isFalse();
    assertThat(tls.callTimeoutMillis()).isEqualTo(client.callTimeoutMillis());
    assertThat(tls.socketFactory()).isSameAs(client.socketFactory());
  }

  @Test
  void aHostsOwnClientIsUsedAsItIs() {
    OkHttpClient host = HttpClients.configure(new OkHttpClient.Builder()).build();
    assertThat(HttpClients.forUrl(host, HTTPS)).isSameAs(host);
  }

  /**
   * Many exports send from up to the engine's pool of threads at once: the connections they opened are
   * kept for the next batches, not closed down to OkHttp's default of 5 idle ones and opened again.
   */
  @Test
  @Timeout(60)
  void connectionsOfManyCallsAtOnceAreKeptForReuse() throws Exception {
    int calls = 20;
    CountDownLatch allArrived = new CountDownLatch(calls);
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
              // Answer none until all have arrived: 20 calls in flight on 20 connections.
              allArrived.countDown();
              allArrived.await(30, TimeUnit.SECONDS);
              return new MockResponse.Builder().body("ok").build();
            }
          });
      server.start();
      OkHttpClient client = HttpClients.newClient();
      ExecutorService threads = Executors.newFixedThreadPool(calls);
      try {
        List<Future<Integer>> codes = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
          codes.add(
              threads.submit(
                  () -> {
                    try (Response r =
                        client
                            .newCall(new Request.Builder().url(server.url("/")).build())
                            .execute()) {
                      r.body().string();
                      return r.code();
                    }
                  }));
        }
        for (Future<Integer> code : codes) {
          assertThat(code.get()).isEqualTo(200);
        }
      } finally {
        threads.shutdownNow();
      }
      // OkHttp closes idle connections beyond the pool's limit on a thread of its own, at once;
      // give
      // it a moment to do so before counting what it kept.
      Thread.sleep(300);
      assertThat(client.connectionPool().idleConnectionCount()).isEqualTo(calls);
      client.connectionPool().evictAll();
    }
  }
}
