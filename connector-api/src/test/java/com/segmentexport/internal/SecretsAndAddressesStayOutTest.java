package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.FAST;
import static com.segmentexport.testsupport.Fixtures.assertAddsUp;
import static com.segmentexport.testsupport.Fixtures.connection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.Secret;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.RecordSchema;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.LogCapture;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** §5 rule 5: secrets never, and e-mail addresses only masked, in logs, exception messages and toString(). */
class SecretsAndAddressesStayOutTest {
  private final FakeVendor vendor = new FakeVendor();

  @AfterEach
  void stop() {
    vendor.close();
  }

  @Test
  void toStringHidesSecretsAndAddresses() {
    Secret secret = Secret.of(FakeVendor.API_KEY);
    assertThat(secret.toString()).isEqualTo("Secret[hidden]");
    assertThat(secret).isEqualTo(Secret.of(FakeVendor.API_KEY)).isNotEqualTo(Secret.of("other"));
    assertThat(secret.reveal()).isEqualTo(FakeVendor.API_KEY);

    TestConnectorProvider provider = TestConnectorProvider.standard();
    Connection c = connection(provider, vendor);
    assertThat(c.toString()).doesNotContain(FakeVendor.API_KEY).contains("apiKey");
    ExportDefinition d = Fixtures.definition(c, "VIP");
    assertThat(d.toString()).doesNotContain(FakeVendor.API_KEY);

    Profile p =
        Profile.of("email", "ana.silva@example.org", "first", "Ana", "phone", "+351 912 345 678");
    assertThat(p.toString()).contains("email", "first").doesNotContain("ana.silva", "Ana", "912");

    RecordSchema schema =
        new RecordSchema(
            List.of(
                new MappedField(0, "Email", com.segmentexport.api.FieldType.TEXT, false),
                new MappedField(1, "FirstName", com.segmentexport.api.FieldType.TEXT, false)));
    ExportRecord record = new ExportRecord(7, "ana.silva@example.org", new Object[] {null, "Ana"});
    assertThat(record.toString()).contains("a***@e***.org").doesNotContain("ana.silva", "Ana");
    Batch batch = new Batch("VIP", 1, schema, List.of(record), 100);
    assertThat(batch.toString()).doesNotContain("ana.silva");
    HttpResponse response =
        new HttpResponse(
            400,
            Headers.of("X-Echo", "x"),
            "{\"error\":\"ana.silva@example.org is invalid\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(response.toString()).doesNotContain("ana.silva");
  }

  /** Distinct local parts, so that even a partly masked leak is caught. */
  private static final List<String> ADDRESSES =
      List.of(
          "ana.silva@example.org",
          "bruno.costa@example.org",
          "carla.mendes@example.org",
          "duarte.reis@example.org",
          "eva.lopes@example.org",
          "filipa.nunes@example.org",
          "goncalo.pires@example.org",
          "helena.faria@example.org",
          "ines.rocha@example.org",
          "joao.matos@example.org",
          "leonor.vaz@example.org",
          "miguel.sousa@example.org");

  @Test
  void logsOfAnExportWithRejectionsRetriesAndFailuresHoldNeitherAddressesNorTheKey() {
    vendor.rejectAddress("carla.mendes@example.org");
    vendor.fault(
        (r, proceed) -> {
          switch (r.writeNumber()) {
            case 1:
              return FakeVendor.error(503, "DOWN", "unavailable");
            case 2:
              return FakeVendor.dropConnection();
            case 3:
              return FakeVendor.error(429, "SLOW", "slow down").addHeader("Retry-After", "0.05");
            case 6:
              return FakeVendor.error(400, "BAD", "rejected: duarte.reis@example.org");
            default:
              return proceed.get();
          }
        });
    List<Profile> profiles = new ArrayList<>();
    for (String a : ADDRESSES) {
      profiles.add(Profile.of("email", a, "first", "F", "score", "7"));
    }
    profiles.add(Profile.of("email", "not valid ana.silva@example.org", "first", "F"));
    profiles.add(Profile.of("email", "bruno.costa@example..org", "first", "F"));
    profiles.add(Profile.of("email", "eva.lopes@example.org", "score", "not a number"));
    profiles.add(Profile.of("email", "EVA.LOPES@example.org", "first", "duplicate"));
    FieldMapping mapping =
        FieldMapping.builder().email("email").firstName("first").map("Score", "score").build();
    ExportListener throwing =
        new ExportListener() {
          @Override
          public void batchAcknowledged(
              String segment, int records, int exported, int rejected, long soFar) {
            throw new IllegalStateException("listener bug for eva.lopes@example.org");
          }
        };
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(2, 1 << 20, 1, 1000).build();
    Connection c = connection(provider, vendor);
    ExportResult result;
    String exceptionText;
    try (LogCapture logs = LogCapture.start()) {
      try (SegmentExporter exporter = Connectors.of(provider).exporter(c)) {
        exporter.verify();
        result =
            exporter.export(
                ExportDefinition.builder(c).segments("VIP").mapping(mapping).build(),
                Fixtures.streaming("VIP", profiles),
                FAST.withListener(throwing)
                    .withRejectedRecordSink(
                        r -> {
                          throw new IllegalStateException("sink bug for " + r.maskedIdentifier());
                        }));
      }
      // And a run that fails on refused credentials.
      Connection bad =
          Fixtures.connectionBuilder(provider, vendor)
              .secret("apiKey", Secret.of("wrong-" + FakeVendor.API_KEY))
              .build();
      try (SegmentExporter exporter = Connectors.of(provider).exporter(bad)) {
        ExportHandle handle =
            exporter.start(
                Fixtures.definition(bad, "VIP"), Fixtures.streaming("VIP", profiles), FAST);
        AuthenticationException e =
            catchThrowableOfType(AuthenticationException.class, handle::await);
        exceptionText = stackTrace(e);
        AuthenticationException onVerify =
            catchThrowableOfType(AuthenticationException.class, exporter::verify);
        exceptionText += stackTrace(onVerify);
      }

      assertAddsUp(result);
      assertThat(result.retries()).isEqualTo(3);
      assertThat(result.rejected()).isPositive();
      String text = logs.text();
      // The capture works at every level: a retry warning and a debug line are there.
      assertThat(text).contains("WARNING").contains("FINE").contains(TestConnectorProvider.UPSERT);
      assertNoPersonalDataOrSecret(text);
    }
    assertNoPersonalDataOrSecret(exceptionText);
    // The vendor's own message is passed on as the vendor wrote it (here it quotes an address);
    // apart from
    // it, the result holds masked identifiers only.
    assertNoPersonalDataOrSecret(
        result.toString().replace("rejected: duarte.reis@example.org", ""));
    for (RejectedRecord r : result.rejectedSample()) {
      assertThat(r.maskedIdentifier()).doesNotContain("@example.org");
    }
    for (SegmentResult s : result.segments()) {
      assertNoPersonalDataOrSecret(s.toString());
    }
  }

  private static void assertNoPersonalDataOrSecret(String text) {
    assertThat(text).doesNotContain(FakeVendor.API_KEY);
    for (String a : ADDRESSES) {
      String local = a.substring(0, a.indexOf('@'));
      assertThat(text).as("text mentioning %s", local).doesNotContainIgnoringCase(local);
    }
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString() + t.getMessage() + t;
  }

  @Test
  void anExceptionsPartialResultCarriesOnlyMaskedAddresses() {
    vendor.fault(
        (r, proceed) -> r.isWrite() ? FakeVendor.error(401, "AUTH", "revoked") : proceed.get());
    TestConnectorProvider provider =
        TestConnectorProvider.builder().limits(5, 1 << 20, 1, 1000).build();
    Connection c = connection(provider, vendor);
    List<Profile> profiles = new ArrayList<>();
    for (String a : ADDRESSES) {
      profiles.add(Profile.of("email", a));
    }
    try (SegmentExporter exporter = Connectors.of(provider).exporter(c)) {
      ExportException e =
          catchThrowableOfType(
              ExportException.class,
              () ->
                  exporter.export(
                      Fixtures.definition(c, "S"), Fixtures.streaming("S", profiles), FAST));
      ExportResult partial = e.partialResult().orElseThrow();
      assertThat(partial.rejectedSample()).hasSize(5);
      assertNoPersonalDataOrSecret(partial.toString());
      assertNoPersonalDataOrSecret(stackTrace(e));
    }
  }
}
