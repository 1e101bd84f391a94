package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The SDK's own HTTP client. */
class HttpClientsTest {
  @Test
  void connectionsAreMadeOnTheCallingThreadNotRacedOnThreadsOfOkHttps() {
    // With fast fallback, 1,000 exports starting at once made OkHttp start 100+ connect threads.
    assertThat(HttpClients.newClient().fastFallback()).isFalse();
  }
}
