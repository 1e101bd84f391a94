package com.segmentexport.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.testkit.reference.ReferenceSimulatorAccess;
import java.io.IOException;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulator base's own behaviour, through the reference simulator. */
class VendorSimulatorTest {
  private final VendorSimulator simulator = ReferenceSimulatorAccess.create("key").start();
  private final OkHttpClient client =
      new OkHttpClient.Builder()
          .retryOnConnectionFailure(false)
          .readTimeout(Duration.ofSeconds(2))
          .build();

  @AfterEach
  void stop() {
    simulator.close();
  }

  private Response call(String method, String path, String body, String key) throws IOException {
    Request.Builder b = new Request.Builder().url(simulator.url(path));
    if (key != null) {
      b.header("X-Api-Key", key);
    }
    b.method(
        method, body == null ? null : RequestBody.create(body, MediaType.get("application/json")));
    return client.newCall(b.build()).execute();
  }

  private int status(String method, String path, String body, String key) throws IOException {
    try (Response r = call(method, path, body, key)) {
      return r.code();
    }
  }

  @Test
  void refusesMissingAndWrongCredentials() throws IOException {
    assertThat(status("GET", "/lists", null, null)).isEqualTo(401);
    assertThat(status("GET", "/lists", null, "nope")).isEqualTo(401);
    assertThat(status("GET", "/lists", null, "key")).isEqualTo(200);
    assertThat(simulator.requestCount()).isEqualTo(3);
  }

  @Test
  void tokenBucketAnswers429BeyondTheLimit() throws IOException {
    simulator.rateLimit(2, 2);
    int ok = 0;
    int throttled = 0;
    for (int i = 0; i < 6; i++) {
      try (Response r = call("GET", "/lists", null, "key")) {
        if (r.code() == 429) {
          throttled++;
          assertThat(r.header("Retry-After")).isNotNull();
        } else {
          ok++;
        }
      }
    }
    assertThat(ok).isBetween(2, 3);
    assertThat(throttled).isEqualTo(6 - ok);
    assertThat(simulator.throttledCount()).isEqualTo(throttled);
    assertThat(simulator.maxAcceptedInWindow(Duration.ofSeconds(1))).isLessThanOrEqualTo(3);
  }

  @Test
  void faultPlanAppliesToTheKthWrite() throws IOException {
    assertThat(status("POST", "/lists", "{\"name\":\"a\"}", "key")).isEqualTo(201);
    simulator.faults().failWrite(1, 503).dropWrite(2).dropWriteAfterApplying(3);
    String batch = "{\"members\":[{\"email\":\"x@example.org\"}]}";
    assertThat(status("POST", "/lists/list-1/members", batch, "key")).isEqualTo(503);
    assertThatThrownBy(() -> status("POST", "/lists/list-1/members", batch, "key"))
        .isInstanceOf(IOException.class);
    assertThat(ReferenceSimulatorAccess.members(simulator, "a")).isEmpty();
    assertThatThrownBy(() -> status("POST", "/lists/list-1/members", batch, "key"))
        .isInstanceOf(IOException.class);
    assertThat(ReferenceSimulatorAccess.members(simulator, "a")).containsExactly("x@example.org");
    assertThat(status("POST", "/lists/list-1/members", batch, "key")).isEqualTo(200);
    assertThat(simulator.writeCount()).isEqualTo(4);
  }

  @Test
  void delayedWritesAnswerLate() throws IOException {
    assertThat(status("POST", "/lists", "{\"name\":\"a\"}", "key")).isEqualTo(201);
    simulator.faults().delayWrite(1, Duration.ofMillis(400));
    long t0 = System.nanoTime();
    assertThat(
            status(
                "POST",
                "/lists/list-1/members",
                "{\"members\":[{\"email\":\"y@example.org\"}]}",
                "key"))
        .isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isGreaterThanOrEqualTo(Duration.ofMillis(380));
  }

  @Test
  void malformedBodiesAreRefusedAndCountsKept() throws IOException {
    assertThat(status("POST", "/lists", "not json", "key")).isEqualTo(400);
    assertThat(status("POST", "/lists", "{\"name\":\"a\"}", "key")).isEqualTo(201);
    StringBuilder big = new StringBuilder("{\"members\":[");
    for (int i = 0; i < 51; i++) {
      big.append(i > 0 ? "," : "").append("{\"email\":\"u").append(i).append("@example.org\"}");
    }
    assertThat(status("POST", "/lists/list-1/members", big.append("]}").toString(), "key"))
        .isEqualTo(400);
    assertThat(
            status(
                "POST",
                "/lists/list-1/members",
                "{\"members\":[{\"email\":\"A@Example.org\"},{\"email\":\"b@example.org\"}]}",
                "key"))
        .isEqualTo(200);
    assertThat(simulator.maxBatchSize()).isEqualTo(2);
    assertThat(simulator.receivedEmails())
        .containsExactlyInAnyOrder("a@example.org", "b@example.org");
    assertThat(simulator.receivedEmailCount()).isEqualTo(2);
  }
}
