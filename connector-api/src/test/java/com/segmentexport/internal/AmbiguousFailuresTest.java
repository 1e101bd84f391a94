package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST_RETRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.segmentexport.api.Connection;
import com.segmentexport.api.DestinationException;
import com.segmentexport.spi.CallSpec;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.OutcomeUnknownException;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.RecordingListener;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.io.IOException;
import java.net.ServerSocket;
import mockwebserver3.SocketEffect;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request that is not safe to repeat (a list create) is never repeated after a failure that leaves its
 * effect unknown: a 5xx (a gateway's 502/504 in front of a vendor that did the work), a timeout or a
 * dropped connection. The caller is told the outcome is unknown, so that it can read the vendor's state.
 */
class AmbiguousFailuresTest {
  private final FakeVendor vendor = new FakeVendor();
  private final Connection connection =
      Fixtures.connection(TestConnectorProvider.standard(), vendor);
  private final RecordingListener listener = new RecordingListener();

  @AfterEach
  void stop() {
    vendor.close();
  }

  private DefaultVendorHttp http() {
    return new DefaultVendorHttp(
        HttpClients.newClient(),
        new RateLimiter(1000),
        new RunControl(connection),
        FAST_RETRY,
        new RunStats(FAST_RETRY.retryBudget()),
        new SafeListener(listener));
  }

  private Request create() {
    return new Request.Builder()
        .url(vendor.baseUrl() + "/lists")
        .header("Authorization", "Bearer " + FakeVendor.API_KEY)
        .post(RequestBody.create("{\"name\":\"VIP\"}", MediaType.get("application/json")))
        .build();
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503, 504})
  void aServerErrorToACallThatIsNotSafeToRepeatIsNeverRepeated(int status) {
    vendor.fault((r, proceed) -> FakeVendor.error(status, "GATEWAY", "upstream timed out"));
    OutcomeUnknownException e =
        catchThrowableOfType(
            OutcomeUnknownException.class,
            () -> http().execute(create(), CallSpec.once("create-list")));
    assertThat(vendor.requestCount()).as("sent once, never repeated").isEqualTo(1);
    assertThat(e.httpStatus()).isEqualTo(status);
    assertThat(e)
        .isInstanceOf(DestinationException.class)
        .hasMessageContaining("create-list")
        .hasMessageContaining("may or may not have applied");
    assertThat(listener.events("retrying")).isEmpty();
  }

  @Test
  void aDroppedConnectionAfterSendingACallThatIsNotSafeToRepeatIsNeverRepeated() {
    vendor.fault((r, proceed) -> FakeVendor.dropConnection());
    OutcomeUnknownException e =
        catchThrowableOfType(
            OutcomeUnknownException.class,
            () -> http().execute(create(), CallSpec.once("create-list")));
    assertThat(vendor.requestCount()).isEqualTo(1);
    assertThat(e.httpStatus()).isZero();
  }

  @Test
  void theSameServerErrorsAreRetriedForIdempotentCalls() {
    vendor.fault(
        (r, proceed) ->
            r.number() <= 2 ? FakeVendor.error(504, "GATEWAY", "timeout") : proceed.get());
    HttpResponse r =
        http()
            .execute(
                new Request.Builder()
                    .url(vendor.baseUrl() + "/me")
                    .header("Authorization", "Bearer " + FakeVendor.API_KEY)
                    .build(),
                CallSpec.idempotent("verify"));
    assertThat(r.code()).isEqualTo(200);
    assertThat(vendor.requestCount()).isEqualTo(3);
  }

  /**
   * A keep-alive connection the server closed while it sat in the pool: the next request written on it
   * fails at once. It is repeated on a fresh connection without spending the retry budget or warning.
   */
  @Test
  void aRequestOnAConnectionTheServerClosedWhileIdleIsRepeatedAtNoCost() throws Exception {
    vendor.fault(
        (r, proceed) ->
            r.number() == 1
                ? proceed.get().onResponseEnd(new SocketEffect.CloseSocket(true, true, true))
                : proceed.get());
    RunStats stats = new RunStats(0); // no retry budget at all
    DefaultVendorHttp http =
        new DefaultVendorHttp(
            HttpClients.newClient(),
            new RateLimiter(1000),
            new RunControl(connection),
            FAST_RETRY,
            stats,
            new SafeListener(listener));
    Request me =
        new Request.Builder()
            .url(vendor.baseUrl() + "/me")
            .header("Authorization", "Bearer " + FakeVendor.API_KEY)
            .build();
    assertThat(http.execute(me, CallSpec.idempotent("verify")).code()).isEqualTo(200);
    Thread.sleep(
        100); // the server's close reaches the client; the connection still sits in the pool

    HttpResponse second = http.execute(me, CallSpec.idempotent("verify"));

    assertThat(second.code()).isEqualTo(200);
    assertThat(stats.retries.get())
        .as("counted as a repetition, though the budget was 0")
        .isEqualTo(1);
    assertThat(listener.events("retrying"))
        .singleElement()
        .satisfies(e -> assertThat(e.arg(3).toString()).contains("reused connection"));
  }

  @Test
  void aConnectionNeverMadeIsRetriedEvenForACallThatIsNotSafeToRepeat() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Request request =
        new Request.Builder()
            .url("http://127.0.0.1:" + closedPort + "/lists")
            .post(RequestBody.create("{}", MediaType.get("application/json")))
            .build();
    DestinationException e =
        catchThrowableOfType(
            DestinationException.class,
            () -> http().execute(request, CallSpec.once("create-list")));
    assertThat(e).isNotInstanceOf(OutcomeUnknownException.class).hasMessageContaining("times");
    assertThat(listener.events("retrying")).isNotEmpty();
  }
}
