package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST_RETRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.RetryPolicy;
import com.segmentexport.spi.CallSpec;
import com.segmentexport.spi.ExportCancelledException;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Verdict;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.RecordingListener;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's VendorHttp on its own: what is retried, how often, and what it throws when it gives up. */
class DefaultVendorHttpTest {
  private final FakeVendor vendor = new FakeVendor();
  private final Connection connection =
      Fixtures.connection(TestConnectorProvider.standard(), vendor);
  private final RecordingListener listener = new RecordingListener();
  private RunControl control = new RunControl(connection);
  private RunStats stats;

  @AfterEach
  void stop() {
    vendor.close();
  }

  private DefaultVendorHttp http(RetryPolicy policy) {
    return http(policy, HttpClients.newClient());
  }

  private DefaultVendorHttp http(RetryPolicy policy, OkHttpClient client) {
    stats = new RunStats(policy.retryBudget());
    return new DefaultVendorHttp(
        client, new RateLimiter(1000), control, policy, stats, new SafeListener(listener));
  }

  private Request me() {
    return new Request.Builder()
        .url(vendor.baseUrl() + "/me")
        .header("Authorization", "Bearer " + FakeVendor.API_KEY)
        .build();
  }

  @Test
  void anHttpsUrlIsSentOverTlsByTheSdksOwnClientWhichSetsUpTlsOnDemand() throws Exception {
    // HttpClients.newClient() speaks plain HTTP only until an https URL asks for its TLS sibling: a
    // request sent without that sibling would fail in OkHttp before a byte reached the server.
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Integer> firstByte =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket s = server.accept();
                    InputStream in = s.getInputStream()) {
                  return in.read();
                } catch (IOException e) {
                  return -2;
                }
              });
      Request request =
          new Request.Builder().url("https://127.0.0.1:" + server.getLocalPort() + "/me").build();

      Throwable failure =
          catchThrowable(
              () ->
                  http(FAST_RETRY.withMaxAttempts(1))
                      .execute(request, CallSpec.idempotent("verify")));

      assertThat(firstByte.get(10, TimeUnit.SECONDS)).isEqualTo(0x16); // a TLS handshake record
      assertThat(failure).isNotNull(); // the server answered no handshake
    }
  }

  @Test
  void givesUpAfterMaxAttemptsWithADestinationException() {
    vendor.fault((r, proceed) -> FakeVendor.error(503, "DOWN", "maintenance"));
    DestinationException e =
        catchThrowableOfType(
            DestinationException.class,
            () -> http(FAST_RETRY.withMaxAttempts(3)).execute(me(), CallSpec.idempotent("verify")));
    assertThat(e.httpStatus()).isEqualTo(503);
    assertThat(e).hasMessageContaining("3 times");
    assertThat(vendor.requestCount()).isEqualTo(3);
    assertThat(stats.retries.get()).isEqualTo(2);
    assertThat(stats.httpCalls.get()).isEqualTo(3);
    assertThat(listener.events("retrying")).extracting(ev -> ev.arg(1)).containsExactly(2, 3);
  }

  @Test
  void givesUpWhenTheRetryBudgetIsSpent() {
    vendor.fault((r, proceed) -> FakeVendor.error(500, "DOWN", "maintenance"));
    DestinationException e =
        catchThrowableOfType(
            DestinationException.class,
            () -> http(FAST_RETRY.withRetryBudget(1)).execute(me(), CallSpec.idempotent("verify")));
    assertThat(e).hasMessageContaining("budget");
    assertThat(vendor.requestCount()).isEqualTo(2);
  }

  @Test
  void aDroppedConnectionEndsANonIdempotentCallAtOnce() {
    vendor.fault((r, proceed) -> FakeVendor.dropConnection());
    DestinationException e =
        catchThrowableOfType(
            DestinationException.class,
            () -> http(FAST_RETRY).execute(me(), CallSpec.once("createList")));
    assertThat(e.httpStatus()).isZero();
    assertThat(e.getCause()).isInstanceOf(IOException.class);
    assertThat(e).hasMessageContaining("not safe to repeat");
    assertThat(vendor.requestCount()).isEqualTo(1);
  }

  @Test
  void aTimeoutIsRetriedForAnIdempotentCall() {
    vendor.fault(
        (r, proceed) ->
            r.number() == 1
                ? new MockResponse.Builder().code(200).headersDelay(2, TimeUnit.SECONDS)
                : proceed.get());
    OkHttpClient impatient =
        HttpClients.configure(new OkHttpClient.Builder().readTimeout(Duration.ofMillis(200)))
            .build();
    HttpResponse response =
        http(FAST_RETRY, impatient).execute(me(), CallSpec.idempotent("verify"));
    assertThat(response.code()).isEqualTo(200);
    assertThat(vendor.requestCount()).isEqualTo(2);
    assertThat(stats.retries.get()).isEqualTo(1);
  }

  @Test
  void refusedCredentialsAreNeverRetried() {
    vendor.fault((r, proceed) -> FakeVendor.error(403, "FORBIDDEN", "no"));
    AuthenticationException e =
        catchThrowableOfType(
            AuthenticationException.class,
            () -> http(FAST_RETRY).execute(me(), CallSpec.idempotent("verify")));
    assertThat(e.httpStatus()).isEqualTo(403);
    assertThat(vendor.requestCount()).isEqualTo(1);
  }

  @Test
  void aConnectorsClassifierDecidesWhatAResponseMeans() {
    // A vendor that signals throttling with 400 and a code, and bad credentials with 400 and
    // another.
    vendor.fault(
        (r, proceed) ->
            r.number() == 1
                ? FakeVendor.error(400, "RATE", "slow")
                : r.number() == 2 ? FakeVendor.error(400, "KEY", "bad key") : proceed.get());
    CallSpec spec =
        CallSpec.idempotent("verify")
            .classifiedBy(
                com.segmentexport.spi.ResponseClassifier.DEFAULT.or(
                    resp -> {
                      String body = resp.bodyString();
                      if (body.contains("RATE")) {
                        return Verdict.throttle(Duration.ofMillis(20), "vendor RATE");
                      }
                      return body.contains("\"KEY\"") ? Verdict.authentication("vendor KEY") : null;
                    }));
    DefaultVendorHttp http = http(FAST_RETRY);
    AuthenticationException e =
        catchThrowableOfType(AuthenticationException.class, () -> http.execute(me(), spec));
    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(vendor.requestCount()).isEqualTo(2);
    assertThat(listener.events("throttled"))
        .singleElement()
        .satisfies(ev -> assertThat(ev.arg(0)).isEqualTo(Duration.ofMillis(20)));
  }

  @Test
  void aStoppedRunSendsNothing() {
    control.stop("cancelled by the caller");
    ExportCancelledException e =
        catchThrowableOfType(
            ExportCancelledException.class,
            () -> http(FAST_RETRY).execute(me(), CallSpec.idempotent("verify")));
    assertThat(e.sent()).isFalse();
    assertThat(vendor.requestCount()).isZero();
  }

  @Test
  void aRemovedConnectionSendsNothing() {
    connection.remove();
    control = new RunControl(connection);
    assertThat(
            catchThrowableOfType(
                    ExportCancelledException.class,
                    () -> http(FAST_RETRY).execute(me(), CallSpec.idempotent("verify")))
                .getMessage())
        .contains("connection removed");
    assertThat(vendor.requestCount()).isZero();
  }

  @Test
  void plainHttpToAnotherHostIsRefusedBeforeSending() {
    Request insecure = new Request.Builder().url("http://api.vendor.example/v1/me").build();
    assertThat(
            catchThrowableOfType(
                ConfigurationException.class,
                () -> http(FAST_RETRY).execute(insecure, CallSpec.idempotent("verify"))))
        .hasMessageContaining("HTTPS");
    assertThat(stats.httpCalls.get()).isZero();
  }

  @Test
  void pauseWaitsAndEndsAtOnceWhenTheRunStops() {
    FakeTime time = new FakeTime();
    control = time.control(connection);
    DefaultVendorHttp http = http(FAST_RETRY);
    http.pause(Duration.ofMillis(120), false);
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(120));

    time.at(Duration.ofMillis(220), () -> control.stop("cancelled by the caller"));
    ExportCancelledException e =
        catchThrowableOfType(
            ExportCancelledException.class, () -> http.pause(Duration.ofSeconds(30), true));
    assertThat(e.sent()).isTrue();
    assertThat(e).hasMessageContaining("cancelled by the caller");
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(220));
  }

  @Test
  void aRetryWaitsItsBackoffInTheRunsTime() {
    FakeTime time = new FakeTime();
    control = time.control(connection);
    stats = new RunStats(FAST_RETRY.retryBudget());
    RetryPolicy policy =
        RetryPolicy.DEFAULT.withDelays(Duration.ofSeconds(2), Duration.ofSeconds(60));
    DefaultVendorHttp http =
        new DefaultVendorHttp(
            HttpClients.newClient(),
            AccountBudgets.of(new RateLimiter(1000)),
            control,
            policy,
            stats,
            new SafeListener(listener),
            Integer.MAX_VALUE,
            java.time.Clock.systemUTC(),
            bound -> 0); // no jitter: the random half of each backoff is 0
    vendor.fault(
        (r, proceed) ->
            vendor.requestCount() <= 2
                ? FakeVendor.error(503, "DOWN", "maintenance")
                : proceed.get());

    HttpResponse r = http.execute(me(), CallSpec.idempotent("verify"));

    assertThat(r.code()).isEqualTo(200);
    assertThat(stats.retries.get()).isEqualTo(2);
    // Equal jitter with no random part: half of 2 s, then half of 4 s, waited in virtual time.
    assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(3));
  }
}
