package com.segmentexport.campaignmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.RetryPolicy;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.DestinationRequest;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.RecordSchema;
import com.segmentexport.spi.VendorHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The wire protocol, scripted exactly with MockWebServer: requests sent and answers read. */
class CampaignMonitorProtocolTest {
  private static final String LIST = "b2c3d4e5f60718293a4b5c6d7e8f9a0b";
  private static final RetryPolicy FAST =
      RetryPolicy.DEFAULT.withDelays(Duration.ofMillis(10), Duration.ofMillis(50));

  private final MockWebServer server = new MockWebServer();

  @BeforeEach
  void start() throws IOException {
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Connection connection() {
    return Connection.builder(new CampaignMonitorConnectorProvider())
        .setting(StandardSettings.BASE_URL, server.url("/api/v3.3/").toString())
        .setting(StandardSettings.REQUESTS_PER_SECOND, "1000")
        .secret(CampaignMonitorConnectorProvider.API_KEY, Secret.of("the-key"))
        .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
        .build();
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .setHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  private static final MockResponse LIST_DETAILS =
      json(200, "{\"ListID\":\"" + LIST + "\",\"Title\":\"T\"}");

  private ExportResult export(Connection c, FieldMapping mapping, Profile... profiles) {
    ExportDefinition d =
        ExportDefinition.builder(c)
            .segments("S")
            .mapping(mapping)
            .option(CampaignMonitorConnectorProvider.LIST_ID, LIST)
            .build();
    try (SegmentExporter exporter =
        Connectors.of(new CampaignMonitorConnectorProvider()).exporter(c)) {
      return exporter.export(
          d,
          name -> Segment.of("S", List.of(profiles)),
          ExportOptions.DEFAULT.withRetryPolicy(FAST));
    }
  }

  private static FieldMapping emailOnly() {
    return FieldMapping.builder().email("email").build();
  }

  private RecordedRequest take() throws InterruptedException {
    return server.takeRequest();
  }

  @Test
  void sendsTheImportInCampaignMonitorsShapeWithBasicAuthAndJsonPaths() throws Exception {
    // With a custom field mapped, the read of the list's fields also checks the list.
    server.enqueue(
        json(200, "[{\"FieldName\":\"tier\",\"Key\":\"[tier]\",\"DataType\":\"Text\"}]"));
    server.enqueue(
        json(
            201,
            "{\"FailureDetails\":[],\"TotalUniqueEmailsSubmitted\":1,\"TotalExistingSubscribers\":0,"
                + "\"TotalNewSubscribers\":1,\"DuplicateEmailsInSubmission\":[]}"));
    FieldMapping mapping =
        FieldMapping.builder()
            .email("email")
            .firstName("f")
            .lastName("l")
            .custom("tier", "t")
            .build();
    ExportResult result =
        export(
            connection(),
            mapping,
            Profile.of("email", "ana@Example.ORG", "f", "Ana", "l", "Ruiz", "t", "gold"));
    assertThat(result.exported()).isEqualTo(1);

    RecordedRequest fields = take();
    assertThat(fields.getMethod()).isEqualTo("GET");
    assertThat(fields.getUrl().encodedPath())
        .isEqualTo("/api/v3.3/lists/" + LIST + "/customfields.json");
    assertThat(fields.getHeaders().get("Authorization"))
        .isEqualTo(Credentials.basic("the-key", "x"));
    RecordedRequest imported = take();
    assertThat(imported.getMethod()).isEqualTo("POST");
    assertThat(imported.getUrl().encodedPath())
        .isEqualTo("/api/v3.3/subscribers/" + LIST + "/import.json");
    assertThat(imported.getHeaders().get("Content-Type"))
        .isEqualTo("application/json; charset=utf-8");
    assertThat(imported.getBody().utf8())
        .isEqualTo(
            "{\"Subscribers\":[{\"EmailAddress\":\"ana@example.org\","
                + "\"Name\":\"Ana Ruiz\",\"ConsentToTrack\":\"Unchanged\",\"CustomFields\":[{\"Key\":\"tier\",\"Value\":\"gold\"}]}],"
                + "\"Resubscribe\":false,\"QueueSubscriptionBasedAutoResponders\":false,"
                + "\"QueueSubscriptionBasedAutoresponders\":false,\"RestartSubscriptionBasedAutoresponders\":false}");
  }

  @Test
  void aBearerTokenIsSentAsSuch() throws Exception {
    server.enqueue(json(200, "[]"));
    Connection c =
        Connection.builder(new CampaignMonitorConnectorProvider())
            .setting(StandardSettings.BASE_URL, server.url("/api/v3.3/").toString())
            .secret(CampaignMonitorConnectorProvider.ACCESS_TOKEN, Secret.of("tok-1"))
            .privacyConsent(PrivacyConsent.acknowledgedBy("test", Instant.now()))
            .build();
    try (SegmentExporter exporter =
        Connectors.of(new CampaignMonitorConnectorProvider()).exporter(c)) {
      exporter.verify();
    }
    RecordedRequest r = take();
    assertThat(r.getUrl().encodedPath()).isEqualTo("/api/v3.3/clients.json");
    assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer tok-1");
  }

  @ParameterizedTest
  @ValueSource(ints = {50, 100, 102, 120, 121, 122})
  void credentialCodesAreAuthenticationErrors(int code) {
    server.enqueue(json(401, "{\"Code\":" + code + ",\"Message\":\"refused\"}"));
    try (SegmentExporter exporter =
        Connectors.of(new CampaignMonitorConnectorProvider()).exporter(connection())) {
      assertThatThrownBy(exporter::verify)
          .isInstanceOf(AuthenticationException.class)
          .hasMessageContaining(Integer.toString(code));
    }
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(ints = {209, 212, 214, 101})
  void a400WithoutResultDataFailsTheBatchOnceAndIsNotRetried(int code) throws Exception {
    server.enqueue(LIST_DETAILS);
    server.enqueue(json(400, "{\"Code\":" + code + ",\"Message\":\"Refused whole\"}"));
    server.enqueue(json(201, "{\"TotalNewSubscribers\":2}")); // must never be asked for
    ExportResult result =
        export(
            connection(),
            emailOnly(),
            Profile.of("email", "a@example.org"),
            Profile.of("email", "b@example.org"));
    assertThat(result.exported()).isZero();
    assertThat(result.rejectedSample())
        .hasSize(2)
        .allSatisfy(
            r -> {
              assertThat(r.reason()).isEqualTo(RejectionReason.BATCH_FAILED);
              assertThat(r.vendorCode()).hasValue(Integer.toString(code));
              assertThat(r.message()).isEqualTo("Refused whole");
            });
    assertThat(result.retries()).isZero();
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void aPartialSuccessCountsTheGoodRowsAndRejectsTheFailures() {
    server.enqueue(LIST_DETAILS);
    server.enqueue(
        json(
            400,
            "{\"Code\":210,\"Message\":\"Subscriber Import had some failures\",\"ResultData\":{"
                + "\"TotalUniqueEmailsSubmitted\":3,\"TotalExistingSubscribers\":1,\"TotalNewSubscribers\":1,"
                + "\"DuplicateEmailsInSubmission\":[],\"FailureDetails\":[{\"EmailAddress\":\"B@example.org\",\"Code\":208,"
                + "\"Message\":\"Is Unconfirmed\"}]}}"));
    ExportResult result =
        export(
            connection(),
            emailOnly(),
            Profile.of("email", "a@example.org"),
            Profile.of("email", "b@example.org"),
            Profile.of("email", "c@example.org"));
    assertThat(result.exported()).isEqualTo(2);
    assertThat(result.segments().get(0).created()).hasValue(1);
    assertThat(result.segments().get(0).updated()).hasValue(1);
    assertThat(result.rejectedSample())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.row()).isEqualTo(2);
              assertThat(r.reason()).isEqualTo(RejectionReason.VENDOR_REJECTED);
              assertThat(r.vendorCode()).hasValue("208");
              assertThat(r.message()).isEqualTo("Is Unconfirmed");
            });
    assertThat(result.retries()).isZero();
  }

  @Test
  void rowsCampaignMonitorReportsAsDuplicatesCountOnce() {
    server.enqueue(LIST_DETAILS);
    server.enqueue(
        json(
            201,
            "{\"FailureDetails\":[],\"TotalUniqueEmailsSubmitted\":2,\"TotalExistingSubscribers\":0,"
                + "\"TotalNewSubscribers\":2,\"DuplicateEmailsInSubmission\":[\"dup@example.org\"]}"));
    Connection c = connection();
    ExportDefinition d =
        ExportDefinition.builder(c)
            .segments("S")
            .mapping(emailOnly())
            .option(CampaignMonitorConnectorProvider.LIST_ID, LIST)
            .build();
    RecordSchema schema =
        new RecordSchema(List.of(new MappedField(0, "Email", FieldType.TEXT, false)));
    OkHttpClient client = new OkHttpClient();
    VendorHttp http =
        (request, spec) -> {
          try (Response r = client.newCall(request).execute()) {
            return new HttpResponse(r.code(), r.headers(), r.body().bytes());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
    // The engine drops repeats before batching; a batch is built by hand to hold one.
    Destination destination =
        new CampaignMonitorConnectorProvider()
            .create(new com.segmentexport.spi.ConnectorContext(c))
            .open(new DestinationRequest("S", d, schema, http));
    List<ExportRecord> records =
        List.of(
            new ExportRecord(1, "dup@example.org", new Object[1]),
            new ExportRecord(2, "other@example.org", new Object[1]),
            new ExportRecord(3, "Dup@example.org", new Object[1]));
    BatchResult result = destination.write(new Batch("S", 1, schema, records, 100));

    assertThat(result.exported()).isEqualTo(2);
    assertThat(result.rejections())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.record().row()).isEqualTo(3);
              assertThat(r.vendorCode())
                  .isEqualTo(CampaignMonitorDestination.DUPLICATE_IN_SUBMISSION);
            });
    assertThat(result.counters()).containsEntry("campaignmonitor.duplicatesInSubmission", 1L);
    assertThat(result.created()).hasValue(2);
  }

  @Test
  void a429WithoutHeadersIsRetriedAndAServerErrorToo() {
    server.enqueue(LIST_DETAILS);
    server.enqueue(
        json(
            429, "{\"Code\":429,\"Message\":\"Subscriber was added too many times too quickly\"}"));
    server.enqueue(json(500, "{\"Code\":500,\"Message\":\"Sorry\"}"));
    server.enqueue(
        json(
            201,
            "{\"FailureDetails\":[],\"TotalNewSubscribers\":1,\"TotalExistingSubscribers\":0}"));
    ExportResult result = export(connection(), emailOnly(), Profile.of("email", "a@example.org"));
    assertThat(result.exported()).isEqualTo(1);
    assertThat(result.retries()).isEqualTo(2);
    assertThat(server.getRequestCount()).isEqualTo(4);
  }

  @Test
  void aListCampaignMonitorCallsInvalidIsADestinationErrorNotAnAuthenticationOne() {
    server.enqueue(json(401, "{\"Code\":101,\"Message\":\"Invalid ListID\"}"));
    assertThatThrownBy(
            () -> export(connection(), emailOnly(), Profile.of("email", "a@example.org")))
        .isInstanceOf(DestinationException.class)
        .isNotInstanceOf(AuthenticationException.class)
        .hasMessageContaining(LIST)
        .hasMessageContaining("does not exist");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }
}
