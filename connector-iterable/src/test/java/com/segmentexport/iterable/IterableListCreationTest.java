package com.segmentexport.iterable;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.testkit.AnswerRendezvous;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The list create is never repeated: a lost answer is resolved by reading the lists again; and two
 * exports of one JVM never make two lists of one name.
 */
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

  /**
   * Two exports of one JVM, on two connections to one account, exporting one segment name at once: one
   * list is made and both use it (each export reads the lists, sees none and creates it, unless creation
   * of a name is single-flight in the JVM). The first two reads of the lists are held until both were
   * sent (or, when the second export waits for the first's read instead of reading, for 2 s), so that
   * both exports read the lists before either creates one.
   */
  @Test
  @Timeout(60)
  void twoExportsOfOneJvmCreatingOneListNameAtOnceMakeOneList() throws Exception {
    try (IterableSimulator sim = new IterableSimulator("k").freshListRejections(1).start()) {
      // Iterable refuses a just-created list for a moment: the export that did not create it waits
      // too.
      Connectors connectors =
          Connectors.of(new IterableConnectorProvider())
              .withHttpClient(
                  new OkHttpClient.Builder()
                      .addInterceptor(
                          new AnswerRendezvous("GET", "/api/lists", 2, Duration.ofSeconds(2)))
                      .build());
      List<SegmentExporter> exporters = new ArrayList<>();
      List<ExportHandle> handles = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Connection connection =
            Connection.builder(new IterableConnectorProvider())
                .setting("baseUrl", sim.baseUrl())
                .setting("requestsPerSecond", "1000")
                .secret("apiKey", Secret.of("k"))
                .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
                .build();
        ExportDefinition definition =
            ExportDefinition.builder(connection)
                .segments("VIP")
                .mapping(FieldMapping.builder().email("email").build())
                .build();
        String email = "user" + i + "@example.org";
        SegmentExporter exporter = connectors.exporter(connection);
        exporters.add(exporter);
        handles.add(
            exporter.start(
                definition,
                name -> Segment.of(name, List.of(Profile.of("email", email))),
                ExportOptions.DEFAULT));
      }
      List<String> destinations = new ArrayList<>();
      for (ExportHandle h : handles) {
        ExportResult r = h.await();
        assertThat(r.status()).isEqualTo(ExportStatus.SUCCEEDED);
        destinations.add(r.segments().get(0).destinationId().orElseThrow());
      }
      exporters.forEach(SegmentExporter::close);

      assertThat(sim.listIds("VIP", "Standard")).hasSize(1);
      assertThat(sim.listCreations()).isEqualTo(1);
      assertThat(destinations).containsOnly(Long.toString(sim.listIds("VIP", "Standard").get(0)));
      assertThat(sim.members("VIP"))
          .containsExactlyInAnyOrder("user0@example.org", "user1@example.org");
    }
  }

  /**
   * A list the exports of a JVM know (read a moment ago) and Iterable no longer has: the export that
   * meets Iterable's invalidListId fails, and the next one reads the lists again and makes a new list,
   * instead of being sent to the gone list for as long as the directory would keep it.
   */
  @Test
  @Timeout(30)
  void aListDeletedAtIterableIsForgottenAndTheNextExportReadsTheListsAgain() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(
          json(
              "{\"lists\":[{\"id\":42,\"name\":\"VIP\",\"createdAt\":1719912000123,"
                  + "\"listType\":\"Standard\"}]}"));
      server.enqueue(json("{\"successCount\":1,\"failCount\":0,\"failedUpdates\":{}}"));
      server.enqueue(
          new MockResponse.Builder()
              .code(400)
              .setHeader("Content-Type", "application/json")
              .body(
                  "{\"msg\":\"error.lists.invalidListId: 42\",\"code\":\"BadParams\","
                      + "\"params\":null}")
              .build());
      server.enqueue(json("{\"lists\":[]}"));
      server.enqueue(json("{\"listId\":43}"));
      server.enqueue(json("{\"successCount\":1,\"failCount\":0,\"failedUpdates\":{}}"));
      server.start();

      Connectors connectors = Connectors.of(new IterableConnectorProvider());
      List<ExportStatus> statuses = new ArrayList<>();
      for (int run = 0; run < 3; run++) {
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
        try (SegmentExporter exporter = connectors.exporter(connection)) {
          statuses.add(
              exporter
                  .export(
                      definition,
                      name -> Segment.of(name, List.of(Profile.of("email", "a@example.org"))))
                  .status());
        }
      }

      assertThat(statuses)
          .containsExactly(ExportStatus.SUCCEEDED, ExportStatus.FAILED, ExportStatus.SUCCEEDED);
      List<String> calls = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        calls.add(take(server));
      }
      assertThat(calls)
          .containsExactly(
              "GET /api/lists",
              "POST /api/lists/subscribe",
              "POST /api/lists/subscribe",
              "GET /api/lists",
              "POST /api/lists",
              "POST /api/lists/subscribe");
      assertThat(server.getRequestCount()).isEqualTo(6);
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
