package com.segmentexport.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/** The route table the simulators dispatch with, and their counters. */
class RouteTableTest {
  private static final RouteTable.Handler ECHO =
      (request, p) ->
          new MockResponse.Builder()
              .code(200)
              .setHeader("X-Got", "GOT " + String.join(",", p))
              .build();

  private static String answer(RouteTable routes, String method, String path) {
    return routes
        .dispatch(
            method,
            path,
            null,
            m -> new MockResponse.Builder().code(405).setHeader("X-Got", "405 " + m).build())
        .map(r -> r.getCode() + ":" + r.getHeaders().get("X-Got"))
        .orElse("none");
  }

  @Test
  void aRouteMatchesItsMethodAndItsSegmentsAndPassesParameters() {
    RouteTable routes =
        new RouteTable(false).on("GET", "/lists/{}", ECHO).on("POST", "/lists/{}/fields", ECHO);
    assertThat(answer(routes, "GET", "/lists/abc")).isEqualTo("200:GOT abc");
    assertThat(answer(routes, "POST", "/lists/x/fields")).isEqualTo("200:GOT x");
    assertThat(answer(routes, "DELETE", "/lists/abc"))
        .as("known path, other method")
        .isEqualTo("405:405 DELETE");
    assertThat(answer(routes, "GET", "/lists")).as("too few segments").isEqualTo("none");
    assertThat(answer(routes, "GET", "/lists/a/b")).as("too many segments").isEqualTo("none");
    assertThat(answer(routes, "GET", "/LISTS/abc")).as("case-sensitive table").isEqualTo("none");
  }

  @Test
  void aCaseInsensitiveTableIgnoresTheCaseOfLiteralSegmentsOnlyAndTrailingSlashes() {
    RouteTable routes = new RouteTable(true).on("GET", "/v2/address-books/{}", ECHO);
    assertThat(answer(routes, "GET", "/V2/Address-Books/AbC")).isEqualTo("200:GOT AbC");
    assertThat(answer(routes, "GET", "/v2/address-books/7/")).isEqualTo("200:GOT 7");
  }

  @Test
  void countersCountEachConstantApart() {
    Counters<java.util.concurrent.TimeUnit> counters =
        new Counters<>(java.util.concurrent.TimeUnit.class);
    counters.increment(java.util.concurrent.TimeUnit.SECONDS);
    counters.increment(java.util.concurrent.TimeUnit.SECONDS);
    counters.atLeast(java.util.concurrent.TimeUnit.DAYS, 5);
    counters.atLeast(java.util.concurrent.TimeUnit.DAYS, 3);
    assertThat(counters.intValue(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(counters.get(java.util.concurrent.TimeUnit.DAYS)).isEqualTo(5);
    assertThat(counters.get(java.util.concurrent.TimeUnit.HOURS)).isZero();
  }
}
