package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.ConnectionSpec;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

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
}
