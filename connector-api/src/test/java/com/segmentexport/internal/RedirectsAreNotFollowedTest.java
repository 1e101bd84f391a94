package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST_RETRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.segmentexport.api.Connection;
import com.segmentexport.api.DestinationException;
import com.segmentexport.spi.CallSpec;
import com.segmentexport.spi.Verdict;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.RecordingListener;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Vendor calls never follow redirects: a 3xx is a failure naming its status and target host. */
class RedirectsAreNotFollowedTest {
  private static final String TOKEN_IN_QUERY = "tok3n-in-the-query";
  private final FakeVendor vendor = new FakeVendor();

  /** Where the redirects point: it must never be reached. */
  private final MockWebServer elsewhere = new MockWebServer();

  private final Connection connection =
      Fixtures.connection(TestConnectorProvider.standard(), vendor);
  private RunStats stats;

  @AfterEach
  void stop() {
    vendor.close();
    elsewhere.close();
  }

  private DefaultVendorHttp http(OkHttpClient client) {
    stats = new RunStats(FAST_RETRY.retryBudget());
    return new DefaultVendorHttp(
        client,
        new RateLimiter(1000),
        new RunControl(connection),
        FAST_RETRY,
        stats,
        new SafeListener(new RecordingListener()));
  }

  /**
   * A host's own client that follows redirects and resolves every name to loopback: were a redirect
   * followed, it would reach {@link #elsewhere}.
   */
  private OkHttpClient hostClientThatFollowsRedirects() {
    return HttpClients.configure(
            new OkHttpClient.Builder()
                .followRedirects(true)
                .followSslRedirects(true)
                .dns(host -> List.of(InetAddress.getLoopbackAddress())))
        .build();
  }

  private Request subscribe() {
    return new Request.Builder()
        .url(vendor.baseUrl() + "/lists/1/members")
        .header("Api-Key", FakeVendor.API_KEY)
        .build();
  }

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void aRedirectFailsTheCallNamingItsStatusAndTargetHostAndIsNeitherFollowedNorRetried(int status)
      throws IOException {
    elsewhere.start();
    String location =
        "http://localhost:" + elsewhere.getPort() + "/private/path?token=" + TOKEN_IN_QUERY;
    vendor.fault(
        (r, proceed) -> new MockResponse.Builder().code(status).addHeader("Location", location));
    AtomicInteger classified = new AtomicInteger();
    CallSpec spec =
        CallSpec.idempotent("subscribe")
            .classifiedBy(
                r -> {
                  classified.incrementAndGet();
                  return Verdict.retry("a classifier that would retry anything");
                });

    DestinationException e =
        catchThrowableOfType(
            DestinationException.class,
            () -> http(hostClientThatFollowsRedirects()).execute(subscribe(), spec));

    assertThat(e).isNotNull();
    assertThat(e.httpStatus()).isEqualTo(status);
    assertThat(e.getMessage())
        .contains(
            "'subscribe'", "HTTP " + status, "redirect to localhost", "never follow redirects")
        .doesNotContain(TOKEN_IN_QUERY)
        .doesNotContain("/private/path")
        .doesNotContain(FakeVendor.API_KEY);
    assertThat(elsewhere.getRequestCount())
        .as("requests that reached the redirect's target")
        .isZero();
    assertThat(vendor.requestCount()).as("not retried").isEqualTo(1);
    assertThat(stats.retries.get()).isZero();
    assertThat(classified).as("the connector's classifier never sees a 3xx").hasValue(0);
  }

  @Test
  void aRedirectWithoutALocationIsAFailureToo() {
    vendor.fault((r, proceed) -> new MockResponse.Builder().code(302));
    DestinationException e =
        catchThrowableOfType(
            DestinationException.class,
            () ->
                http(HttpClients.newClient())
                    .execute(subscribe(), CallSpec.idempotent("subscribe")));
    assertThat(e.httpStatus()).isEqualTo(302);
    assertThat(e).hasMessageContaining("HTTP 302 without a Location");
    assertThat(vendor.requestCount()).isEqualTo(1);
  }

  @Test
  void theSdksClientsFollowNoRedirectWhateverTheHostsBuilderSaid() {
    assertThat(HttpClients.newClient().followRedirects()).isFalse();
    assertThat(HttpClients.newClient().followSslRedirects()).isFalse();
    OkHttpClient hosts = hostClientThatFollowsRedirects();
    assertThat(hosts.followRedirects()).isFalse();
    assertThat(hosts.followSslRedirects()).isFalse();
  }
}
