package com.segmentexport.iterable;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two connections with different API keys to one Iterable host share the JVM's connection pool (one
 * socket carries both accounts' requests), and every request carries its own connection's key: a
 * socket shares nothing an account owns.
 */
class IterableSharedConnectionTest {
  @Test
  @Timeout(60)
  void twoKeysOnOneSocketEachRequestCarriesItsOwnKey() throws Exception {
    List<RecordedRequest> requests = new ArrayList<>();
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              synchronized (requests) {
                requests.add(request);
              }
              String body =
                  request.getUrl().encodedPath().equals("/api/lists")
                      ? "{\"lists\":[{\"id\":42,\"name\":\"VIP\",\"createdAt\":1719912000123,"
                          + "\"listType\":\"Standard\"}]}"
                      : "{\"successCount\":1,\"failCount\":0,\"failedUpdates\":{}}";
              return new MockResponse.Builder()
                  .addHeader("Content-Type", "application/json")
                  .body(body)
                  .build();
            }
          });
      server.start();
      Connectors connectors =
          Connectors.of(new IterableConnectorProvider()); // the SDK's own client
      for (String key : List.of("key-of-account-a", "key-of-account-b")) {
        Connection connection =
            Connection.builder(new IterableConnectorProvider())
                .setting("baseUrl", server.url("/").toString())
                .setting("requestsPerSecond", "100")
                .secret("apiKey", Secret.of(key))
                .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
                .build();
        ExportDefinition definition =
            ExportDefinition.builder(connection)
                .segments("VIP")
                .mapping(FieldMapping.builder().email("email").build())
                .build();
        try (SegmentExporter exporter = connectors.exporter(connection)) {
          ExportResult result =
              exporter.export(
                  definition,
                  name -> Segment.of(name, List.of(Profile.of("email", "a@example.org"))));
          assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
        }
      }
    }

    // Each account reads its own lists (its own directory) and subscribes: 2 requests each.
    assertThat(requests).hasSize(4);
    assertThat(requests)
        .extracting(r -> r.getMethod() + " " + r.getUrl().encodedPath())
        .containsExactly(
            "GET /api/lists",
            "POST /api/lists/subscribe",
            "GET /api/lists",
            "POST /api/lists/subscribe");
    // One socket carried both accounts' requests...
    assertThat(requests).extracting(RecordedRequest::getConnectionIndex).containsOnly(0);
    // ...and each request its own connection's key, the other's nowhere.
    for (int i = 0; i < 4; i++) {
      String own = i < 2 ? "key-of-account-a" : "key-of-account-b";
      String other = i < 2 ? "key-of-account-b" : "key-of-account-a";
      RecordedRequest r = requests.get(i);
      assertThat(r.getHeaders().values("Api-Key")).containsExactly(own);
      assertThat(r.getHeaders().toString()).doesNotContain(other);
      assertThat(r.getBody() == null ? "" : r.getBody().utf8()).doesNotContain(other);
    }
  }
}
