package com.segmentexport.internal;

import static com.segmentexport.testsupport.Fixtures.CONSENT;
import static com.segmentexport.testsupport.Fixtures.FAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.Secret;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SettingDescriptor;
import com.segmentexport.testsupport.FakeVendor;
import com.segmentexport.testsupport.Fixtures;
import com.segmentexport.testsupport.TestConnectorProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.SocketFactory;
import mockwebserver3.MockResponse;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** §5 rule 6: HTTPS only, except loopback hosts. */
class HttpsOnlyTest {
  private final FakeVendor vendor = new FakeVendor();

  /** Counts every call the SDK hands to OkHttp, whatever its host. */
  private final AtomicInteger callsAttempted = new AtomicInteger();

  private final OkHttpClient countingClient =
      new OkHttpClient.Builder()
          .addInterceptor(
              chain -> {
                callsAttempted.incrementAndGet();
                return chain.proceed(chain.request());
              })
          // Any host name resolves to loopback, so a refused request can never leave the machine.
          .dns(host -> List.of(InetAddress.getLoopbackAddress()))
          .build();

  @AfterEach
  void stop() {
    vendor.close();
  }

  private static Connection.Builder builder(TestConnectorProvider p, String baseUrl) {
    return Connection.builder(p)
        .setting("baseUrl", baseUrl)
        .secret("apiKey", Secret.of(FakeVendor.API_KEY))
        .privacyConsent(CONSENT);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://api.vendor.example/v1",
        "http://10.0.0.7:8080/api",
        "ftp://api.vendor.example/"
      })
  void aConnectionWithAPlainHttpBaseUrlIsRefused(String url) {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () -> builder(TestConnectorProvider.standard(), url).build());
    assertThat(e.problems()).singleElement().asString().contains("baseUrl");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://api.vendor.example/v1",
        "http://localhost:8080/api",
        "http://127.0.0.1:9/api",
        "http://[::1]:9/api"
      })
  void httpsAndLoopbackBaseUrlsAreAccepted(String url) {
    assertThat(builder(TestConnectorProvider.standard(), url).build().setting("baseUrl"))
        .hasValue(url);
  }

  @Test
  void theEngineRefusesPlainHttpToANonLoopbackHostEvenWhenTheConnectorDidNotCheckTheUrl() {
    // A connector whose baseUrl setting is free text: the connection builds, the engine must still
    // refuse.
    TestConnectorProvider careless =
        TestConnectorProvider.builder().baseUrlKind(SettingDescriptor.Kind.TEXT).build();
    Connection c = builder(careless, "http://api.vendor.example:" + vendor.port() + "/api").build();
    Connectors connectors = Connectors.of(careless).withHttpClient(countingClient);
    try (SegmentExporter exporter = connectors.exporter(c)) {
      assertThatThrownBy(exporter::verify)
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("HTTPS");
      ExportHandle handle =
          exporter.start(
              Fixtures.definition(c, "VIP"),
              Fixtures.streaming("VIP", Fixtures.valid("a", 3)),
              FAST);
      ConfigurationException e = catchThrowableOfType(ConfigurationException.class, handle::await);
      assertThat(e).hasMessageContaining("HTTPS");
      ExportResult partial = e.partialResult().orElseThrow();
      assertThat(partial.httpCalls()).isZero();
      Fixtures.assertAddsUp(partial);
    }
    assertThat(callsAttempted).hasValue(0);
    assertThat(vendor.requestCount()).isZero();
  }

  @Test
  void aRefusalInABatchWriteKeepsItsTypeAndSendsNothing() {
    // The connector opens destinations without a call, so the first request is a batch write.
    TestConnectorProvider careless =
        TestConnectorProvider.builder()
            .baseUrlKind(SettingDescriptor.Kind.TEXT)
            .openCallsVendor(false)
            .build();
    Connection c = builder(careless, "http://api.vendor.example:" + vendor.port() + "/api").build();
    try (SegmentExporter exporter =
        Connectors.of(careless).withHttpClient(countingClient).exporter(c)) {
      ExportHandle handle =
          exporter.start(
              Fixtures.definition(c, "VIP"),
              Fixtures.streaming("VIP", Fixtures.valid("a", 3)),
              FAST);
      ExportException e = catchThrowableOfType(ExportException.class, handle::await);
      assertThat(e).isInstanceOf(ConfigurationException.class).hasMessageContaining("HTTPS");
      ExportResult partial = e.partialResult().orElseThrow();
      Fixtures.assertAddsUp(partial);
      assertThat(partial.exported()).isZero();
      assertThat(partial.read()).isEqualTo(3);
    }
    assertThat(callsAttempted).hasValue(0);
    assertThat(vendor.requestCount()).isZero();
  }

  @Test
  void aRedirectToPlainHttpOnAnotherHostIsNotFollowed() {
    vendor.fault(
        (r, proceed) ->
            r.number() == 1
                ? new MockResponse.Builder()
                    .code(307)
                    .addHeader(
                        "Location", "http://attacker.example:" + vendor.port() + "/api/lists/x")
                : proceed.get());
    TestConnectorProvider p = TestConnectorProvider.standard();
    Connection c = Fixtures.connection(p, vendor);
    try (SegmentExporter exporter = Connectors.of(p).withHttpClient(countingClient).exporter(c)) {
      ExportHandle handle =
          exporter.start(
              Fixtures.definition(c, "VIP"),
              Fixtures.streaming("VIP", Fixtures.valid("a", 3)),
              FAST);
      assertThatThrownBy(handle::await)
          .isInstanceOf(DestinationException.class)
          .hasMessageContaining("HTTP 307 with a redirect to attacker.example");
    }
    // The first request reached the loopback vendor; the redirect was not followed.
    assertThat(vendor.requestCount()).isEqualTo(1);
  }

  @Test
  void loopbackHostsAreRecognised() {
    assertThat(HttpClients.isLoopback("localhost")).isTrue();
    assertThat(HttpClients.isLoopback("LOCALHOST")).isTrue();
    assertThat(HttpClients.isLoopback("127.0.0.1")).isTrue();
    assertThat(HttpClients.isLoopback("127.255.255.254")).isTrue();
    assertThat(HttpClients.isLoopback("::1")).isTrue();
    assertThat(HttpClients.isLoopback("[::1]")).isTrue();
    assertThat(HttpClients.isLoopback("0:0:0:0:0:0:0:1")).isTrue();
    assertThat(HttpClients.isLoopback("[0000:0:0::0001]")).isTrue();
    assertThat(HttpClients.isLoopback("localhost.vendor.example")).isFalse();
    assertThat(HttpClients.isLoopback("128.0.0.1")).isFalse();
    assertThat(HttpClients.isLoopback("10.0.0.1")).isFalse();
  }

  /** Names and near-literals that only look loopback: DNS (or an attacker) decides where they go. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.evil.example",
        "127.0.0.1.nip.io",
        "localhost.example",
        "foo.localhost",
        "api.localhost",
        "1270.0.0.1",
        "127.1",
        "127.0.0.256",
        "127.0.0.1.",
        "::2",
        "::ffff:127.0.0.1",
        "1::1",
        "0:0:0:0:0:0:0:0:1",
        "::1%lo",
        "",
        "[]"
      })
  void lookalikesAreNotLoopback(String host) {
    assertThat(HttpClients.isLoopback(host)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.evil.example",
        "127.0.0.1.nip.io",
        "localhost.example",
        "foo.localhost",
        "1270.0.0.1",
        "127.1"
      })
  void aPlainHttpBaseUrlOnALookalikeHostIsRefusedAtBuild(String host) {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                builder(TestConnectorProvider.standard(), "http://" + host + ":8080/api").build());
    assertThat(e).as("http://%s must not build", host).isNotNull();
    assertThat(e.problems()).singleElement().asString().contains("baseUrl").contains("HTTPS");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.evil.example",
        "127.0.0.1.nip.io",
        "localhost.example",
        "foo.localhost",
        "1270.0.0.1",
        "127.1"
      })
  void aPlainHttpRequestToALookalikeHostIsRefusedAtRequestTime(String host) {
    TestConnectorProvider careless =
        TestConnectorProvider.builder().baseUrlKind(SettingDescriptor.Kind.TEXT).build();
    Connection c = builder(careless, "http://" + host + ":" + vendor.port() + "/api").build();
    try (SegmentExporter exporter =
        Connectors.of(careless).withHttpClient(everyHostIsTheVendor()).exporter(c)) {
      assertThatThrownBy(exporter::verify)
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("HTTPS");
    }
    assertThat(callsAttempted).hasValue(0);
    assertThat(vendor.requestCount()).isZero();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"[::1]", "[0:0:0:0:0:0:0:1]", "127.255.255.254", "127.0.0.1", "localhost"})
  void aPlainHttpBaseUrlOnALoopbackLiteralBuildsAndIsSent(String host) {
    Connection c =
        builder(TestConnectorProvider.standard(), "http://" + host + ":" + vendor.port() + "/api")
            .build();
    try (SegmentExporter exporter =
        Connectors.of(TestConnectorProvider.standard())
            .withHttpClient(everyHostIsTheVendor())
            .exporter(c)) {
      exporter.verify();
    }
    assertThat(vendor.requestCount()).isEqualTo(1);
  }

  @Test
  void anIpv6LoopbackNotWrittenAsAnAddressIsNotAUrlHost() {
    // Without brackets an IPv6 literal cannot be a URL's host at all.
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () -> builder(TestConnectorProvider.standard(), "http://0:0:0:0:0:0:0:1/api").build());
    assertThat(e.problems()).singleElement().asString().contains("baseUrl");
  }

  /**
   * A client whose every connection, whatever the host, reaches the fake vendor: what reaches it was
   * let through by the checks, without the test depending on DNS or on which loopback addresses exist.
   */
  private OkHttpClient everyHostIsTheVendor() {
    InetSocketAddress target =
        new InetSocketAddress(HttpUrl.get(vendor.baseUrl()).host(), vendor.port());
    return countingClient
        .newBuilder()
        .socketFactory(
            new SocketFactory() {
              @Override
              public Socket createSocket() {
                return new Socket() {
                  @Override
                  public void connect(SocketAddress endpoint, int timeout) throws IOException {
                    super.connect(target, timeout);
                  }
                };
              }

              @Override
              public Socket createSocket(String host, int port) {
                throw new UnsupportedOperationException();
              }

              @Override
              public Socket createSocket(
                  String host, int port, InetAddress localHost, int localPort) {
                throw new UnsupportedOperationException();
              }

              @Override
              public Socket createSocket(InetAddress host, int port) {
                throw new UnsupportedOperationException();
              }

              @Override
              public Socket createSocket(
                  InetAddress address, int port, InetAddress localAddress, int localPort) {
                throw new UnsupportedOperationException();
              }
            })
        .build();
  }
}
