package com.segmentexport.iterable;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/** Type clashes as Iterable answers them, scripted: what the connector does with each shape of answer. */
class IterableTypeClashTest {
  private static final String LISTS =
      "{\"lists\":[{\"id\":42,\"name\":\"VIP\",\"createdAt\":1719912000123,"
          + "\"listType\":\"Standard\"}]}";
  private static final String OK = "{\"successCount\":1,\"failCount\":0,\"failedUpdates\":{}}";

  private static MockResponse clash(String field, String expected) {
    return new MockResponse.Builder()
        .code(400)
        .setHeader("Content-Type", "application/json")
        .body(
            "{\"msg\":\"Project 1: The request does not have the same data types\",\"code\":"
                + "\"RequestFieldsTypesMismatched\",\"params\":{\"validationErrors\":{\""
                + field
                + "\":{\"incomingTypes\":"
                + "[\"string\",\"keyword\"],\"expectedType\":\""
                + expected
                + "\",\"_type\":\"UnexpectedType\","
                + "\"offendingValue\":\"x\",\"category\":\"user\"}}}}")
        .build();
  }

  private static ExportResult export(MockWebServer server, List<Profile> profiles) {
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
            .mapping(FieldMapping.builder().email("email").custom("signupDate", "signup").build())
            .build();
    try (SegmentExporter exporter =
        Connectors.of(new IterableConnectorProvider()).exporter(connection)) {
      return exporter.export(definition, name -> Segment.of(name, profiles));
    }
  }

  private static List<String> calls(MockWebServer server) throws InterruptedException {
    List<String> calls = new ArrayList<>();
    for (int i = server.getRequestCount(); i > 0; i--) {
      RecordedRequest r = server.takeRequest();
      calls.add(r.getMethod() + " " + r.getUrl().encodedPath());
    }
    return calls;
  }

  @Test
  void anAnswerNamingAFieldOfTheBatchRejectsItsClashingValuesAndSendsTheRestOnce()
      throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(json(LISTS));
      server.enqueue(json("{\"fields\":{\"email\":\"string\"}}")); // signupDate is not typed yet
      server.enqueue(clash("signupDate", "date")); // typed meanwhile, by another writer
      server.enqueue(json(OK));
      server.start();
      ExportResult result =
          export(
              server,
              List.of(
                  Profile.of("email", "a@example.org", "signup", "2024-01-02"),
                  Profile.of("email", "b@example.org", "signup", "soon"),
                  Profile.of("email", "c@example.org")));

      assertThat(result.exported()).isEqualTo(2);
      assertThat(result.rejectedSample())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.row()).isEqualTo(2);
                assertThat(r.reason()).isEqualTo(RejectionReason.INVALID_VALUE);
                assertThat(r.message())
                    .isEqualTo(
                        "data field 'signupDate' has the type date in Iterable's project; this "
                            + "profile's value is a string");
              });
      assertThat(calls(server))
          .containsExactly(
              "GET /api/lists",
              "GET /api/users/getFields",
              "POST /api/lists/subscribe",
              "POST /api/lists/subscribe");
    }
  }

  @Test
  void anAnswerNamingNoValueOfTheBatchIsNarrowedBySplitting() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(json(LISTS));
      server.enqueue(json("{\"fields\":{}}"));
      server.enqueue(clash("somethingElse", "long")); // names no field this export maps
      server.enqueue(json(OK));
      server.enqueue(clash("somethingElse", "long"));
      server.start();
      ExportResult result =
          export(
              server,
              List.of(
                  Profile.of("email", "a@example.org", "signup", "x"),
                  Profile.of("email", "b@example.org", "signup", "y")));

      assertThat(result.exported()).isEqualTo(1);
      assertThat(result.rejectedSample())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.row()).isEqualTo(2);
                assertThat(r.vendorCode()).hasValue("RequestFieldsTypesMismatched");
              });
      assertThat(calls(server))
          .containsExactly(
              "GET /api/lists",
              "GET /api/users/getFields",
              "POST /api/lists/subscribe",
              "POST /api/lists/subscribe",
              "POST /api/lists/subscribe");
    }
  }

  @Test
  void fieldTypesThatCannotBeReadLeaveTheClashesToTheAnswers() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(json(LISTS));
      server.enqueue(
          new MockResponse.Builder()
              .code(403)
              .body("{\"msg\":\"no\",\"code\":\"Forbidden\"}")
              .build());
      server.enqueue(json(OK));
      server.start();
      ExportResult result =
          export(server, List.of(Profile.of("email", "a@example.org", "signup", "x")));
      assertThat(result.exported()).isEqualTo(1);
      assertThat(calls(server))
          .containsExactly(
              "GET /api/lists", "GET /api/users/getFields", "POST /api/lists/subscribe");
    }
  }

  @Test
  void valuesAreTypedAsIterableTypesThemAndCompatibleWhereIterableTakesThem() {
    assertThat(IterableDestination.typeOf(7L)).isEqualTo("long");
    assertThat(IterableDestination.typeOf(new java.math.BigDecimal("7.00"))).isEqualTo("long");
    assertThat(IterableDestination.typeOf(new java.math.BigDecimal("7.5"))).isEqualTo("double");
    assertThat(IterableDestination.typeOf(true)).isEqualTo("boolean");
    assertThat(IterableDestination.typeOf(java.time.LocalDate.of(2024, 1, 2))).isEqualTo("date");
    assertThat(IterableDestination.typeOf(Instant.EPOCH)).isEqualTo("date");
    assertThat(IterableDestination.typeOf("2024-01-02 10:00:00 +00:00")).isEqualTo("date");
    assertThat(IterableDestination.typeOf("gold")).isEqualTo("string");

    assertThat(IterableDestination.compatible("double", "long")).isTrue();
    assertThat(IterableDestination.compatible("long", "double")).isFalse();
    assertThat(IterableDestination.compatible("string", "date")).isTrue();
    assertThat(IterableDestination.compatible("date", "string")).isFalse();
    assertThat(IterableDestination.compatible("Boolean", "boolean")).isTrue();
    assertThat(IterableDestination.compatible("geo_location", "string"))
        .as("left to Iterable")
        .isTrue();
  }

  private static MockResponse json(String body) {
    return new MockResponse.Builder()
        .setHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }
}
