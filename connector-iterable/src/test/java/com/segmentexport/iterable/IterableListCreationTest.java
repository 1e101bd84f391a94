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
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** The list create is never repeated: a lost answer is resolved by reading the lists again. */
class IterableListCreationTest {
  @Test
  void aCreateWhoseAnswerIsLostIsNotRepeatedAndItsListIsUsed() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(json("{\"lists\":[]}"));
      server.enqueue(
          new MockResponse.Builder()
              .onResponseStart(SocketEffect.ShutdownConnection.INSTANCE)
              .build());
      server.enqueue(
          json(
              "{\"lists\":[{\"id\":42,\"name\":\"VIP\",\"createdAt\":1719912000123,"
                  + "\"listType\":\"Standard\"}]}"));
      server.enqueue(json("{\"successCount\":1,\"failCount\":0,\"failedUpdates\":{}}"));
      server.start();

      Connection connection =
          Connection.builder(new IterableConnectorProvider())
              .setting("baseUrl", server.url("/").toString())
              .setting("requestsPerSecond", "100")
              .secret("apiKey", Secret.of("k"))
              .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
              .build();
      ExportDefinition definition =
          ExportDefinition.builder(connection)
              .segments("VIP")
              .mapping(FieldMapping.builder().email("email").build())
              .build();
      ExportResult result;
      try (SegmentExporter exporter =
          Connectors.of(new IterableConnectorProvider())
              .withHttpClient(new OkHttpClient.Builder().retryOnConnectionFailure(false).build())
              .exporter(connection)) {
        result =
            exporter.export(
                definition,
                name -> Segment.of(name, List.of(Profile.of("email", "a@example.org"))));
      }

      assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
      assertThat(result.segments().get(0).destinationId()).hasValue("42");
      List<String> calls = List.of(take(server), take(server), take(server), take(server));
      assertThat(calls)
          .containsExactly(
              "GET /api/lists", "POST /api/lists", "GET /api/lists", "POST /api/lists/subscribe");
      assertThat(server.getRequestCount()).isEqualTo(4);
    }
  }

  private static String take(MockWebServer server) throws InterruptedException {
    RecordedRequest r = server.takeRequest();
    return r.getMethod() + " " + r.getUrl().encodedPath();
  }

  private static MockResponse json(String body) {
    return new MockResponse.Builder()
        .setHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }
}
