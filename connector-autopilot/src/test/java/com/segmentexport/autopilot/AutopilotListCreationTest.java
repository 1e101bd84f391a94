package com.segmentexport.autopilot;

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
import com.segmentexport.testkit.autopilot.AutopilotSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two exports of one JVM never make two lists of one title. */
class AutopilotListCreationTest {
  /**
   * Two exports on two connections to one account export one segment name at once, against an account
   * that takes a second list of a taken title (as ap-php documents): one list is made and both use it.
   * The first two reads of the lists are held until both were sent (or, when the second export waits for
   * the first's read instead of reading, for 2 s), so that both read the lists before either creates one.
   */
  @Test
  @Timeout(60)
  void twoExportsOfOneJvmCreatingOneListTitleAtOnceMakeOneList() throws Exception {
    try (AutopilotSimulator sim = new AutopilotSimulator("k").duplicateListNames(true).start()) {
      Connectors connectors =
          Connectors.of(new AutopilotConnectorProvider())
              .withHttpClient(
                  new OkHttpClient.Builder()
                      .addInterceptor(
                          new AnswerRendezvous("GET", "/v1/lists", 2, Duration.ofSeconds(2)))
                      .build());
      List<SegmentExporter> exporters = new ArrayList<>();
      List<ExportHandle> handles = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Connection connection =
            Connection.builder(new AutopilotConnectorProvider())
                .setting("baseUrl", sim.baseUrl())
                .setting("requestsPerSecond", "1000")
                .secret(AutopilotConnectorProvider.API_KEY, Secret.of("k"))
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

      assertThat(sim.listsTitled("VIP")).isEqualTo(1);
      assertThat(destinations).containsOnly(sim.listId("VIP"));
      assertThat(sim.members("VIP"))
          .containsExactlyInAnyOrder("user0@example.org", "user1@example.org");
    }
  }
}
