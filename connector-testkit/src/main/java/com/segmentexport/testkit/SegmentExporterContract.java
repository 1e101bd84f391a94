package com.segmentexport.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.DestinationKey;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportPlan;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.LimitExceededException;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.RetryPolicy;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentPlan;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.api.SettingDescriptor;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.api.SyncState;
import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.spi.MemberOutcome;
import com.segmentexport.state.JdbcSyncStateStore;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cases every connector passes (a TCK). A vendor module extends this class once, binding its
 * provider to its simulator; every case asserts on the simulator's final state and on the
 * {@link ExportResult}, not only on the counts the connector reports itself.
 *
 * <pre>{@code
 * class IterableContractTest extends SegmentExporterContract<IterableSimulator> {
 *   protected ConnectorProvider provider() { return new IterableConnectorProvider(); }
 *   protected IterableSimulator newSimulator() { return new IterableSimulator("test-key"); }
 *   protected Set<Capability> capabilities() { return EnumSet.complementOf(EnumSet.of(Capability.REPORTS_CREATED)); }
 *   ...
 * }
 * }</pre>
 *
 * <p>The connection, the bad credentials and the destination options come from the simulator's
 * {@link Sandbox} ({@link Sandboxes#bind}); a binding whose simulator has none overrides {@link
 * #connection}, {@link #connectionWithBadCredentials} and {@link #destination}. A connector without a
 * {@link Capability} declares so in {@link #capabilities()}, and the cases assert its documented
 * refusal instead. {@link ContractCoverage} fails a binding that did not run every case.
 *
 * <p>The incremental cases (19 to 22) run with a real sync state, an SQLite file of {@code
 * connector-state} in the case's temporary directory, and need the connector's {@link
 * com.segmentexport.spi.Connector#preview preview}: a plan must find the list and its state with reads only.
 *
 * <p>The subclass needs an accessible no-argument constructor: the bounded-memory case runs it again
 * in a forked JVM with a 64 MiB heap.
 *
 * @param <S> the vendor's simulator
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(ContractCoverage.class)
public abstract class SegmentExporterContract<S extends VendorSimulator> {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(SegmentExporterContract.class);

  /** The segment name most cases export. */
  protected static final String SEGMENT = "Contract segment";

  /** The custom field the mapping adds where the connector supports custom fields. */
  protected static final String CUSTOM_FIELD = "tier";

  /** A request rate high enough not to slow the cases that do not test rate limiting. */
  protected static final double FAST_RATE = 5_000;

  /** The read timeout of the client the contract uses, so that slow answers time out quickly. */
  protected static final Duration READ_TIMEOUT = Duration.ofMillis(1500);

  /** Backoff short enough for tests, attempts and budget as in production. */
  protected static final RetryPolicy FAST_RETRIES =
      RetryPolicy.DEFAULT.withDelays(Duration.ofMillis(20), Duration.ofMillis(400));

  /** The simulator of the current case, started. */
  protected S simulator;

  private Sandbox sandbox;

  // ---- what a vendor module binds
  // -----------------------------------------------------------------

  /** The provider under test. */
  protected abstract ConnectorProvider provider();

  /** A new, not yet started simulator of the vendor. */
  protected abstract S newSimulator();

  /**
   * What the connector can do (default: every {@link Capability}). For each capability left out, the
   * cases assert the connector's documented refusal or absence instead of the behaviour.
   */
  protected Set<Capability> capabilities() {
    return EnumSet.allOf(Capability.class);
  }

  /**
   * The sandbox around the current simulator ({@link Sandboxes#bind}): the settings, credentials and
   * destination options {@link #connection}, {@link #connectionWithBadCredentials} and {@link
   * #destination} use by default.
   */
  protected Sandbox sandbox() {
    if (sandbox == null || sandbox.simulator() != simulator) {
      sandbox = Sandboxes.bind(simulator);
    }
    return sandbox;
  }

  /**
   * A connection builder with valid credentials whose base URL points at the simulator: by default the
   * {@linkplain #sandbox() sandbox's} settings and secrets. The contract adds the privacy consent and
   * the request rate.
   */
  protected Connection.Builder connection(S simulator) {
    return builder(sandbox().settings(), sandbox().secrets());
  }

  /**
   * A connection builder like {@link #connection} but with credentials the simulator refuses: by
   * default the {@linkplain Sandbox#wrongSecrets() sandbox's wrong secrets}.
   */
  protected Connection.Builder connectionWithBadCredentials(S simulator) {
    return builder(sandbox().settings(), sandbox().wrongSecrets());
  }

  private Connection.Builder builder(Map<String, String> settings, Map<String, String> secrets) {
    Connection.Builder b = Connection.builder(provider());
    settings.forEach(b::setting);
    secrets.forEach((name, value) -> b.secret(name, Secret.of(value)));
    return b;
  }

  /**
   * Adds the vendor's destination options (a list id, an address-book id) where it needs them: by
   * default the {@linkplain #sandbox() sandbox's} export options.
   */
  protected ExportDefinition.Builder destination(S simulator, ExportDefinition.Builder builder) {
    sandbox().exportOptions().forEach(builder::option);
    return builder;
  }

  /** Whether the binding declared the capability. */
  protected final boolean has(Capability capability) {
    return capabilities().contains(capability);
  }

  /** The addresses (lower-cased) in the destination list the segment was exported to. */
  protected abstract Set<String> destinationMembers(S simulator, String segment);

  /**
   * How many destination lists the vendor holds for the segment: for a connector that creates its
   * list (named after the segment), the lists of that name; for one whose destination is given by id,
   * 1.
   */
  protected abstract int destinationCount(S simulator, String segment);

  /**
   * The fields the vendor holds for a contact of the segment's destination, in the vendor's own names,
   * with values as text; absent fields left out.
   */
  protected abstract Map<String, String> storedFields(S simulator, String segment, String email);

  /**
   * The fields the vendor should hold for a profile with these mapped values (null when blank), in
   * the vendor's own names, as {@link #storedFields} reports them.
   */
  protected abstract Map<String, String> expectedStoredFields(
      String firstName, String lastName, String tier);

  /** The vendor's documented most records per write request. */
  protected abstract int vendorMaxBatch();

  /** The category the simulator's {@link VendorSimulator#rejectAddress} uses for the per-record case. */
  protected String vendorRejectionCategory() {
    return null;
  }

  /** The reason the per-record case expects for such a rejection. */
  protected RejectionReason expectedVendorRejectionReason() {
    return RejectionReason.VENDOR_REJECTED;
  }

  /** Profiles the ordinary cases export: enough for three batches. */
  protected long ordinarySize() {
    return 2L * vendorMaxBatch() + 37;
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  @BeforeEach
  void startSimulator() {
    sandbox = null;
    simulator = newSimulator().start();
  }

  @AfterEach
  void stopSimulator() {
    if (simulator != null) {
      simulator.close();
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** The connectors under test: just this provider, with a short read timeout. */
  protected Connectors connectors() {
    return Connectors.of(provider())
        .withHttpClient(
            new OkHttpClient.Builder()
                .readTimeout(READ_TIMEOUT)
                .connectTimeout(READ_TIMEOUT)
                .build());
  }

  /** A valid connection at the given request rate. */
  protected Connection connectionAt(double requestsPerSecond) {
    return connection(simulator)
        .setting(StandardSettings.REQUESTS_PER_SECOND, Double.toString(requestsPerSecond))
        .privacyConsent(PrivacyConsent.acknowledgedBy("contract@segmentexport.test", Instant.now()))
        .build();
  }

  /** The mapping the contract uses: e-mail, first and last name, and a custom text field if supported. */
  protected FieldMapping mapping() {
    FieldMapping.Builder b =
        FieldMapping.builder()
            .email(ProfileGenerator.EMAIL)
            .firstName(ProfileGenerator.FIRST_NAME)
            .lastName(ProfileGenerator.LAST_NAME);
    if (has(Capability.CUSTOM_FIELDS)) {
      b.custom(CUSTOM_FIELD, ProfileGenerator.TIER);
    }
    return b.build();
  }

  /** A definition of the given segments on a connection, with the vendor's destination options. */
  protected ExportDefinition definition(Connection connection, String... segments) {
    return destination(
            simulator, ExportDefinition.builder(connection).segments(segments).mapping(mapping()))
        .build();
  }

  /** Runs an export to completion with the contract's fast retry policy. */
  protected ExportResult export(
      Connection connection, ExportDefinition definition, SegmentSource source) {
    try (SegmentExporter exporter = connectors().exporter(connection)) {
      return exporter.export(
          definition, source, ExportOptions.DEFAULT.withRetryPolicy(FAST_RETRIES));
    }
  }

  private static void assertAddsUp(ExportResult result) {
    for (SegmentResult s : result.segments()) {
      assertThat(s.read())
          .as("read of %s", s.name())
          .isEqualTo(
              s.exported()
                  + s.rejected()
                  + s.duplicates()
                  + s.unconfirmed()
                  + s.unchanged()
                  + s.notAttempted());
    }
  }

  private void assertStoredAsMapped(
      String segment, ProfileGenerator.Expectation expected, int every) {
    int i = 0;
    for (Map.Entry<String, Profile> e : expected.profilesByEmail().entrySet()) {
      if (i++ % every != 0) {
        continue;
      }
      Profile p = e.getValue();
      Map<String, String> want =
          expectedStoredFields(
              text(p, ProfileGenerator.FIRST_NAME),
              text(p, ProfileGenerator.LAST_NAME),
              has(Capability.CUSTOM_FIELDS) ? text(p, ProfileGenerator.TIER) : null);
      Map<String, String> stored = storedFields(simulator, segment, e.getKey());
      assertThat(stored)
          .as("fields of row for %s", e.getKey().hashCode())
          .containsAllEntriesOf(want);
    }
  }

  private static String text(Profile p, String field) {
    Object v = p.get(field);
    if (v == null || v.toString().isBlank()) {
      return null;
    }
    return v.toString().trim();
  }

  // ---- the cases -----------------------------------------------------------------------------

  /** The provider is found through {@link java.util.ServiceLoader} under its id. */
  @Test
  void providerIsDiscoverableThroughServiceLoader() {
    ConnectorProvider expected = provider();
    assertThat(Connectors.load().find(expected.id()))
        .hasValueSatisfying(p -> assertThat(p.getClass()).isEqualTo(expected.getClass()));
    assertThat(expected.destinationFields()).extracting(f -> f.name()).contains("Email");
    assertThat(has(Capability.CUSTOM_FIELDS))
        .as("Capability.CUSTOM_FIELDS declared as the provider's" + " supportsCustomFields()")
        .isEqualTo(expected.supportsCustomFields());
    assertThat(has(Capability.PROFILE_LIMIT_SETTING))
        .as(
            "Capability.PROFILE_LIMIT_SETTING declared as the"
                + " provider's settings have a connection setting %s",
            StandardSettings.MAX_PROFILES_PER_EXPORT)
        .isEqualTo(takesProfileLimitSetting(expected));
  }

  private static boolean takesProfileLimitSetting(ConnectorProvider provider) {
    return provider.settings().stream()
        .anyMatch(
            d ->
                d.name().equals(StandardSettings.MAX_PROFILES_PER_EXPORT)
                    && d.scope() == SettingDescriptor.Scope.CONNECTION);
  }

  /** Case 1: every valid profile arrives exactly once, with every mapped field, in the destination list. */
  @Test
  void everyValidProfileArrivesExactlyOnceWithItsFields() {
    ProfileGenerator generator =
        ProfileGenerator.builder()
            .seed(11)
            .unicodeNames(0.2)
            .longValues(0.05)
            .emptyFields(0.05)
            .build();
    long size = ordinarySize();
    ProfileGenerator.Expectation expected = generator.expect(size);
    Connection connection = connectionAt(FAST_RATE);

    ExportResult result =
        export(connection, definition(connection, SEGMENT), generator.source(size));

    assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(result.exported()).isEqualTo(expected.valid());
    assertThat(result.rejected()).isZero();
    assertAddsUp(result);
    assertThat(destinationMembers(simulator, SEGMENT)).isEqualTo(expected.validEmails());
    assertThat(simulator.receivedEmailCount())
        .as("addresses sent, repeats included")
        .isEqualTo(expected.valid());
    assertThat(simulator.maxBatchSize()).isLessThanOrEqualTo(vendorMaxBatch());
    assertStoredAsMapped(SEGMENT, expected, 1);
    assertThat(result.segments().get(0).destinationId()).isPresent();
  }

  /** Case 2: invalid, missing and duplicate addresses are rejected or counted, never sent. */
  @Test
  void invalidMissingAndDuplicateAddressesAreCountedAndNeverSent() {
    ProfileGenerator generator =
        ProfileGenerator.builder()
            .seed(12)
            .invalidEmails(0.1)
            .missingEmails(0.05)
            .duplicateEmails(0.1)
            .build();
    long size = ordinarySize();
    ProfileGenerator.Expectation expected = generator.expect(size);
    Connection connection = connectionAt(FAST_RATE);

    ExportResult result =
        export(connection, definition(connection, SEGMENT), generator.source(size));

    assertAddsUp(result);
    SegmentResult segment = result.segments().get(0);
    assertThat(segment.read()).isEqualTo(size);
    assertThat(segment.exported()).isEqualTo(expected.valid());
    assertThat(segment.rejected()).isEqualTo(expected.invalid() + expected.missing());
    assertThat(segment.duplicates()).isEqualTo(expected.duplicates());
    assertThat(result.status()).isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED);
    assertThat(simulator.receivedEmails()).isEqualTo(expected.validEmails());
    assertThat(simulator.receivedEmailCount()).isEqualTo(expected.valid());
    assertThat(destinationMembers(simulator, SEGMENT)).isEqualTo(expected.validEmails());
    assertThat(result.rejectedSample())
        .isNotEmpty()
        .allSatisfy(
            r -> {
              assertThat(r.reason())
                  .isIn(RejectionReason.INVALID_EMAIL, RejectionReason.MISSING_EMAIL);
              assertThat(r.row()).isBetween(1L, size);
            });
    for (RejectedRecord r : result.rejectedSample()) {
      Object raw = generator.profile(r.row() - 1).get(ProfileGenerator.EMAIL);
      if (raw != null && raw.toString().contains("@") && raw.toString().length() > 8) {
        assertThat(r.maskedIdentifier()).isNotEqualTo(raw.toString().trim());
      }
    }
  }

  /** Case 3: a definition without Email, or with a field the connector lacks, fails before any request. */
  @Test
  void configurationErrorsFailBeforeAnyRequest() {
    assertThatThrownBy(() -> FieldMapping.builder().firstName(ProfileGenerator.FIRST_NAME).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("Email");
    Connection connection = connectionAt(FAST_RATE);
    FieldMapping unknownField =
        FieldMapping.builder()
            .email(ProfileGenerator.EMAIL)
            .map("NoSuchDestinationField", ProfileGenerator.TIER)
            .build();
    assertThatThrownBy(
            () ->
                destination(
                        simulator,
                        ExportDefinition.builder(connection)
                            .segments(SEGMENT)
                            .mapping(unknownField))
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("NoSuchDestinationField");
    assertThatThrownBy(() -> connection(simulator).build())
        .as("no privacy consent")
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("consent");
    assertThatThrownBy(
            () ->
                connection(simulator)
                    .setting("noSuchSetting", "x")
                    .privacyConsent(PrivacyConsent.acknowledgedBy("a", Instant.now()))
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("noSuchSetting");
    FieldMapping custom =
        FieldMapping.builder()
            .email(ProfileGenerator.EMAIL)
            .custom(CUSTOM_FIELD, ProfileGenerator.TIER)
            .build();
    ThrowingCallable withCustomField =
        () ->
            destination(
                    simulator,
                    ExportDefinition.builder(connection).segments(SEGMENT).mapping(custom))
                .build();
    if (has(Capability.CUSTOM_FIELDS)) {
      assertThatCode(withCustomField)
          .as("a custom field, with Capability.CUSTOM_FIELDS")
          .doesNotThrowAnyException();
    } else {
      assertThatThrownBy(withCustomField)
          .as("a custom field, without Capability.CUSTOM_FIELDS")
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining(CUSTOM_FIELD);
    }
    assertThat(simulator.requestCount()).isZero();
  }

  /** Case 4: bad credentials fail fast with an authentication error and no retries. */
  @Test
  void badCredentialsFailFastWithoutRetries() {
    Connection bad =
        connectionWithBadCredentials(simulator)
            .setting(StandardSettings.REQUESTS_PER_SECOND, Double.toString(FAST_RATE))
            .privacyConsent(
                PrivacyConsent.acknowledgedBy("contract@segmentexport.test", Instant.now()))
            .build();
    try (SegmentExporter exporter = connectors().exporter(bad)) {
      assertThatThrownBy(exporter::verify).isInstanceOf(AuthenticationException.class);
      assertThat(simulator.requestCount()).as("verify sends one request").isEqualTo(1);

      ProfileGenerator generator = ProfileGenerator.builder().seed(13).build();
      ExportDefinition definition = definition(bad, SEGMENT);
      long t0 = System.nanoTime();
      assertThatThrownBy(
              () ->
                  exporter.export(
                      definition,
                      generator.source(50),
                      ExportOptions.DEFAULT.withRetryPolicy(FAST_RETRIES)))
          .isInstanceOf(AuthenticationException.class)
          .satisfies(
              e ->
                  assertThat(((AuthenticationException) e).partialResult())
                      .hasValueSatisfying(r -> assertThat(r.exported()).isZero()));
      assertThat(simulator.requestCount()).as("the export stops at the first refusal").isEqualTo(2);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }
    assertThat(simulator.receivedEmailCount()).isZero();
  }

  /** Case 5a: injected 429s, with and without a stated wait, are waited out and nothing is lost. */
  @Test
  void throttlingAnswersAreWaitedOut() {
    simulator.faults().throttleWrite(1, Duration.ofMillis(800)).throttleWrite(2, null);
    ProfileGenerator generator = ProfileGenerator.builder().seed(14).build();
    long size = ordinarySize();
    ProfileGenerator.Expectation expected = generator.expect(size);
    Connection connection = connectionAt(FAST_RATE);
    List<Duration> waits = new ArrayList<>();
    ExportListener listener =
        new ExportListener() {
          @Override
          public void throttled(Duration wait, String reason) {
            waits.add(wait);
          }
        };
    ExportResult result;
    try (SegmentExporter exporter = connectors().exporter(connection)) {
      result =
          exporter.export(
              definition(connection, SEGMENT),
              generator.source(size),
              ExportOptions.DEFAULT.withRetryPolicy(FAST_RETRIES).withListener(listener));
    }
    assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(result.exported()).isEqualTo(expected.valid());
    assertThat(destinationMembers(simulator, SEGMENT)).isEqualTo(expected.validEmails());
    assertThat(waits).hasSizeGreaterThanOrEqualTo(2);
    assertThat(result.throttledTime()).isPositive();
    assertThat(result.retries()).isGreaterThanOrEqualTo(2);
  }

  /**
   * Case 5b: with the connection's rate set to the vendor's limit, the simulator's rate limit is not
   * exceeded by more than its tolerance (a few requests, for clock differences), and a connection set
   * too fast backs off without losing a profile.
   */
  @Test
  void rateLimitIsRespected() {
    double rate = 20;
    simulator.rateLimit(rate, Math.max(1, Math.ceil(rate * 0.2)));
    ProfileGenerator generator = ProfileGenerator.builder().seed(15).build();
    long size = 12L * vendorMaxBatch();
    ProfileGenerator.Expectation expected = generator.expect(size);
    Connection connection = connectionAt(rate);
    ExportResult result =
        export(connection, definition(connection, SEGMENT), generator.source(size));
    assertThat(result.exported()).isEqualTo(expected.valid());
    int tolerance = Math.max(3, simulator.requestCount() / 20);
    assertThat(simulator.throttledCount())
        .as("requests over the limit, of %s", simulator.requestCount())
        .isLessThanOrEqualTo(tolerance);

    simulator.resetCounters();
    Connection tooFast = connectionAt(rate * 4);
    ExportResult second = export(tooFast, definition(tooFast, SEGMENT), generator.source(size));
    assertThat(second.exported()).isEqualTo(expected.valid());
    assertThat(destinationMembers(simulator, SEGMENT)).isEqualTo(expected.validEmails());
  }

  /** Case 6: 5xx, dropped connections and slow answers are retried; no profile lost or duplicated. */
  @Test
  void transientFailuresAreRetriedWithoutLossOrDuplication() {
    simulator
        .faults()
        .failWrite(1, 500)
        .failWrite(2, 503)
        .dropWrite(3)
        .dropWriteAfterApplying(4)
        .delayWrite(5, READ_TIMEOUT.plusMillis(700));
    ProfileGenerator generator = ProfileGenerator.builder().seed(16).build();
    long size = ordinarySize();
    ProfileGenerator.Expectation expected = generator.expect(size);
    Connection connection = connectionAt(FAST_RATE);

    ExportResult result =
        export(connection, definition(connection, SEGMENT), generator.source(size));

    assertThat(result.status()).isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(result.exported()).isEqualTo(expected.valid());
    assertThat(result.rejected()).isZero();
    assertThat(result.retries()).isGreaterThanOrEqualTo(5);
    assertThat(destinationMembers(simulator, SEGMENT)).isEqualTo(expected.validEmails());
    assertStoredAsMapped(SEGMENT, expected, 7);
  }

  /**
   * Case 7: the vendor's batch size and the connector's profile limit hold: a known size beyond the
   * limit fails before any request; an unknown one stops at the limit and counts the rest.
   */
  @Test
  void batchSizeAndProfileLimitAreRespected() {
    Connection connection = limitedConnection();
    long limit =
        connection
            .setting(StandardSettings.MAX_PROFILES_PER_EXPORT)
            .map(Long::parseLong)
            .orElseGet(
                () ->
                    provider()
                        .limits()
                        .maxProfilesPerExport()
                        .orElseThrow(
                            () ->
                                new AssertionError(
                                    "the connector must document a per-export profile limit")));
    long over = limit + 1;
    SegmentSource known =
        new SegmentSource() {
          @Override
          public com.segmentexport.api.Segment open(String name) {
            throw new AssertionError("must fail before opening the segment");
          }

          @Override
          public OptionalLong size(String name) {
            return OptionalLong.of(over);
          }
        };
    try (SegmentExporter exporter = connectors().exporter(connection)) {
      ExportDefinition definition = definition(connection, SEGMENT);
      assertThatThrownBy(() -> exporter.start(definition, known, ExportOptions.DEFAULT))
          .isInstanceOf(LimitExceededException.class)
          .hasMessageContaining(Long.toString(limit));
    }
    assertThat(simulator.requestCount()).isZero();

    ProfileGenerator generator = ProfileGenerator.builder().seed(17).build();
    long size = limit + 25;
    ExportResult result =
        export(
            connection,
            definition(connection, SEGMENT),
            name -> generator.segmentOfUnknownSize(name, size));
    assertAddsUp(result);
    assertThat(result.exported()).isEqualTo(limit);
    assertThat(result.notAttempted()).isEqualTo(25);
    assertThat(result.segments().get(0).notAttemptedReason())
        .hasValueSatisfying(reason -> assertThat(reason).contains(Long.toString(limit)));
    assertThat(simulator.receivedEmailCount()).isEqualTo(limit);
    assertThat(simulator.maxBatchSize()).isLessThanOrEqualTo(vendorMaxBatch());
  }

  /**
   * The connection the limit case uses: with {@link Capability#PROFILE_LIMIT_SETTING} (a customer's
   * contract), a small {@code maxProfilesPerExport}; without, the setting is refused and the documented
   * limit holds, however large.
   */
  private Connection limitedConnection() {
    Connection.Builder b =
        connection(simulator)
            .setting(StandardSettings.REQUESTS_PER_SECOND, Double.toString(FAST_RATE))
            .privacyConsent(
                PrivacyConsent.acknowledgedBy("contract@segmentexport.test", Instant.now()));
    String small = Integer.toString(3 * vendorMaxBatch() / 2);
    if (has(Capability.PROFILE_LIMIT_SETTING)) {
      b.setting(StandardSettings.MAX_PROFILES_PER_EXPORT, small);
    } else {
      assertThatThrownBy(
              () ->
                  connection(simulator)
                      .setting(StandardSettings.MAX_PROFILES_PER_EXPORT, small)
                      .privacyConsent(
                          PrivacyConsent.acknowledgedBy(
                              "contract@segmentexport.test", Instant.now()))
                      .build())
          .as(
              "%s without Capability.PROFILE_LIMIT_SETTING",
              StandardSettings.MAX_PROFILES_PER_EXPORT)
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining(StandardSettings.MAX_PROFILES_PER_EXPORT);
    }
    return b.build();
  }

  /** Case 8: per-record failures in the vendor's own shape become rejected records with its code. */
  @Test
  void perRecordVendorFailuresBecomeRejectedRecords() {
    ProfileGenerator generator = ProfileGenerator.builder().seed(18).build();
    long size = ordinarySize();
    ProfileGenerator.Expectation expected = generator.expect(size);
    long[] rows = {3, size / 2, size - 1};
    Set<String> refused = new HashSet<>();
    for (long row : rows) {
      String email = generator.validEmail(row);
      refused.add(email);
      simulator.rejectAddress(email, vendorRejectionCategory());
    }
    Connection connection = connectionAt(FAST_RATE);
    ExportResult result =
        export(connection, definition(connection, SEGMENT), generator.source(size));

    assertAddsUp(result);
    assertThat(result.status()).isEqualTo(ExportStatus.PARTIALLY_SUCCEEDED);
    assertThat(result.rejected()).isEqualTo(rows.length);
    assertThat(result.exported()).isEqualTo(expected.valid() - rows.length);
    assertThat(result.rejectedSample())
        .hasSize(rows.length)
        .allSatisfy(
            r -> {
              assertThat(r.reason()).isEqualTo(expectedVendorRejectionReason());
              assertThat(r.vendorCode()).isPresent();
              assertThat(r.message()).isNotBlank();
            });
    assertThat(result.rejectedSample())
        .extracting(RejectedRecord::row)
        .containsExactlyInAnyOrder(rows[0] + 1, rows[1] + 1, rows[2] + 1);
    Set<String> members = destinationMembers(simulator, SEGMENT);
    assertThat(members).doesNotContainAnyElementsOf(refused);
    Set<String> accepted = new HashSet<>(expected.validEmails());
    accepted.removeAll(refused);
    assertThat(members).isEqualTo(accepted);
  }

  /**
   * Starts a long export of generated profiles (every record kept in the sample, rejected ones also
   * given to {@code sink}) and returns once the vendor acknowledged its first batch.
   */
  private ExportHandle startAndAwaitFirstBatch(
      SegmentExporter exporter,
      Connection connection,
      long seed,
      long size,
      List<RejectedRecord> sink)
      throws InterruptedException {
    CountDownLatch firstBatch = new CountDownLatch(1);
    ExportListener listener =
        new ExportListener() {
          @Override
          public void batchAcknowledged(
              String segment, int records, int exported, int rejected, long soFar) {
            firstBatch.countDown();
          }
        };
    ExportHandle handle =
        exporter.start(
            definition(connection, SEGMENT),
            ProfileGenerator.builder().seed(seed).build().source(size),
            ExportOptions.DEFAULT
                .withRetryPolicy(FAST_RETRIES)
                .withListener(listener)
                .withRejectedRecordSink(sink::add)
                .withRejectedSampleSize((int) size));
    assertThat(firstBatch.await(30, TimeUnit.SECONDS))
        .as("the vendor acknowledged a first batch")
        .isTrue();
    return handle;
  }

  /** Case 9: cancellation stops promptly and the result says what was and was not sent. */
  @Test
  void cancellationStopsPromptlyWithAnHonestResult() throws Exception {
    simulator.latency(Duration.ofMillis(250));
    long size = 30L * vendorMaxBatch();
    // Four requests a second: when the first batch is answered, the next ones are in the
    // connector's
    // write, waiting for their turn in the rate budget or at the vendor, so cancel() lands in one
    // (a connector that ignores it keeps trying) whatever the machine's load.
    Connection connection = connectionAt(4);
    List<RejectedRecord> sink = java.util.Collections.synchronizedList(new ArrayList<>());
    try (SegmentExporter exporter = connectors().exporter(connection)) {
      ExportHandle handle = startAndAwaitFirstBatch(exporter, connection, 19, size, sink);
      long t0 = System.nanoTime();
      handle.cancel();
      ExportResult result =
          handle
              .await(Duration.ofSeconds(10))
              .orElseThrow(
                  () -> new AssertionError("the export did not stop within 10 s of cancel()"));
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
      assertThat(result.status()).isEqualTo(ExportStatus.CANCELLED);
      assertAddsUp(result);
      assertThat(result.exported()).isPositive().isLessThan(size);
      assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f).contains("cancel"));
      // Batches sent but not confirmed when the run stopped may be at the vendor: unconfirmed,
      // never
      // reported as rejected (a host would re-send them or tell a marketer they were not exported).
      assertThat(result.rejected()).as("rejected: nothing was refused").isZero();
      assertThat(sink).as("records given to the rejected sink").isEmpty();
      int members = destinationMembers(simulator, SEGMENT).size();
      assertThat((long) members)
          .isBetween(result.exported(), result.exported() + result.unconfirmed());
      int requestsAtStop = simulator.requestCount();
      Thread.sleep(400);
      assertThat(simulator.requestCount())
          .as("no request after the export ended")
          .isEqualTo(requestsAtStop);
    }
  }

  /**
   * Case 10: a segment of 1,000,000 generated profiles streams through a JVM with a 64 MiB heap (the
   * case forks one), so memory is bounded by batches in flight, not by segment size.
   */
  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void largeSegmentStreamsInBoundedMemory(@TempDir Path dir) throws Exception {
    Path resultFile = dir.resolve("forked-export-result.txt");
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx64m",
            "-XX:+UseSerialGC",
            "-cp",
            System.getProperty("java.class.path"),
            ForkedExport.class.getName(),
            getClass().getName(),
            "1000000",
            resultFile.toString());
    pb.redirectErrorStream(true);
    Process process = pb.start();
    // The output is read on a thread of its own: a forked JVM that hangs (an export waiting for a
    // batch no thread will run) must fail this case, not block the build on a read forever.
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    Thread drain =
        new Thread(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                  output.add(line);
                }
              } catch (IOException e) {
                output.add("(reading the forked export's output failed: " + e + ")");
              }
            },
            "forked-export-output");
    drain.setDaemon(true);
    drain.start();
    boolean ended = process.waitFor(240, TimeUnit.SECONDS);
    if (!ended) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    drain.join(TimeUnit.SECONDS.toMillis(10));
    String tail;
    synchronized (output) {
      tail = String.join("\n", output.subList(Math.max(0, output.size() - 40), output.size()));
    }
    assertThat(ended).as("the forked export ended within 240 s; its output:%n%s", tail).isTrue();
    assertThat(process.exitValue()).as("forked export output:\n%s", tail).isZero();
    String resultLine =
        Files.exists(resultFile)
            ? Files.readString(resultFile, StandardCharsets.UTF_8).trim()
            : "(no result)";
    LOG.info("{} forked export: {}", getClass().getSimpleName(), resultLine);
    if (!resultLine.startsWith("RESULT ")) {
      throw new AssertionError("no RESULT line from the forked export; its output:\n" + tail);
    }
    Map<String, String> counts = new LinkedHashMap<>();
    for (String part : resultLine.substring(7).split(" ")) {
      String[] kv = part.split("=", 2);
      counts.put(kv[0], kv[1]);
    }
    long limit = provider().limits().maxProfilesPerExport().orElse(Long.MAX_VALUE);
    assertThat(Long.parseLong(counts.get("read"))).isEqualTo(1_000_000L);
    assertThat(Long.parseLong(counts.get("exported"))).isEqualTo(Math.min(1_000_000L, limit));
    assertThat(Long.parseLong(counts.get("notAttempted")))
        .isEqualTo(1_000_000L - Math.min(1_000_000L, limit));
    // Completing under -Xmx64m is the proof (an OutOfMemoryError exits 1); the figures are
    // reported.
  }

  /** The large export, as the forked JVM runs it. */
  ExportResult runLargeExport(long size) {
    try (S sim = newSimulator().start()) {
      simulator = sim;
      sim.retainContacts(false);
      ProfileGenerator generator = ProfileGenerator.builder().seed(20).build();
      Connection connection = connectionAt(1_000_000);
      // Size not announced: the engine must stream, and stop at the vendor's limit if it has one.
      return export(
          connection,
          definition(connection, SEGMENT),
          name -> generator.segmentOfUnknownSize(name, size));
    }
  }

  /**
   * Kill and resume, after committed batches: a forked JVM runs an incremental export and halts right
   * after the sync state committed its second batch; the next run finishes the job.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void killedAfterCommittedBatchesTheNextRunFinishesTheJob(@TempDir Path dir) throws Exception {
    killAndResume(dir, CrashPoint.AFTER_COMMITTED_BATCHES);
  }

  /**
   * Kill and resume, between the vendor's answer and the state's commit: the vendor holds the batch,
   * the state does not know it; the next run sends it again (an upsert: still one contact each) and
   * finishes the job.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void killedBetweenTheVendorsAnswerAndTheCommitTheNextRunFinishesTheJob(@TempDir Path dir)
      throws Exception {
    killAndResume(dir, CrashPoint.BEFORE_A_COMMIT);
  }

  /**
   * Kill and resume, while the vendor imports: a connector with asynchronous imports announces each
   * one before it waits; the JVM halts right after the state remembered it, and the next run polls that
   * import to its end and records it before any new work. A connector without asynchronous work never
   * announces any: the forked export runs to its end.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void killedWhileTheVendorImportsTheNextRunFinishesTheImportFirst(@TempDir Path dir)
      throws Exception {
    if (!has(Capability.ASYNC_VENDOR_WORK)) {
      Path state = dir.resolve("state.db");
      assertThat(fork(dir, state, CrashPoint.DURING_VENDOR_WORK, 1))
          .as("no work announced, no crash")
          .isEqualTo(3);
      try (JdbcSyncStateStore store = JdbcSyncStateStore.sqlite(state)) {
        assertThat(store.destinations())
            .singleElement()
            .satisfies(key -> assertThat(store.open(key).pending()).isEmpty());
      }
      return;
    }
    killAndResume(dir, CrashPoint.DURING_VENDOR_WORK);
  }

  private static final long CRASH_SEED = 23;

  private void killAndResume(Path dir, CrashPoint point) throws Exception {
    Path state = dir.resolve("state.db");
    long size = ordinarySize();
    assertThat(fork(dir, state, point, 2))
        .as("the forked export halted at %s", point)
        .isEqualTo(CrashingStore.HALTED);
    long confirmedBefore;
    long pendingBefore;
    try (JdbcSyncStateStore store = JdbcSyncStateStore.sqlite(state)) {
      DestinationKey key = store.destinations().get(0);
      long[] confirmed = {0};
      store
          .open(key)
          .forEachMember(m -> confirmed[0] += m.outcome() == MemberOutcome.Kind.CONFIRMED ? 1 : 0);
      confirmedBefore = confirmed[0];
      pendingBefore = store.open(key).pending().size();
    }
    if (point == CrashPoint.DURING_VENDOR_WORK) {
      assertThat(pendingBefore).as("the import the crashed run waited for").isPositive();
    }

    ProfileGenerator generator = ProfileGenerator.builder().seed(CRASH_SEED).build();
    ProfileGenerator.Expectation expected = generator.expect(size);
    Connection connection = connectionAt(FAST_RATE);
    ExportResult resumed;
    try (JdbcSyncStateStore store = JdbcSyncStateStore.sqlite(state);
        SegmentExporter exporter = connectors().exporter(connection)) {
      resumed =
          exporter.export(
              definition(connection, SEGMENT),
              name -> generator.segment(name, size),
              ExportOptions.DEFAULT.withRetryPolicy(FAST_RETRIES).withSyncState(store));
      SegmentResult s = resumed.segment(SEGMENT).orElseThrow();
      assertThat(s.status()).isEqualTo(ExportStatus.SUCCEEDED);
      assertThat(s.unchanged())
          .as("nothing the vendor confirmed before the crash is sent again")
          .isGreaterThanOrEqualTo(confirmedBefore);
      assertThat(s.exported() + s.unchanged()).isEqualTo(expected.valid());
      Set<String> members = destinationMembers(simulator, SEGMENT);
      assertThat(members)
          .as("every valid profile is on the list, once")
          .containsExactlyInAnyOrderElementsOf(lowerCase(expected.profilesByEmail().keySet()));
      assertThat(destinationCount(simulator, SEGMENT)).isEqualTo(1);
      DestinationKey key = store.destinations().get(0);
      Set<String> remembered = new java.util.HashSet<>();
      store
          .open(key)
          .forEachMember(
              m -> {
                assertThat(m.outcome()).isEqualTo(MemberOutcome.Kind.CONFIRMED);
                remembered.add(m.email().toLowerCase(java.util.Locale.ROOT));
              });
      assertThat(remembered).as("the state agrees with the vendor").isEqualTo(members);
      assertThat(store.open(key).pending()).as("no work left pending").isEmpty();
    }
  }

  private static Set<String> lowerCase(Set<String> emails) {
    Set<String> out = new java.util.HashSet<>();
    emails.forEach(e -> out.add(e.toLowerCase(java.util.Locale.ROOT)));
    return out;
  }

  /** Runs {@link ForkedSyncExport} against this case's simulator; returns its exit status. */
  private int fork(Path dir, Path state, CrashPoint point, int batch) throws Exception {
    return fork(dir, state, point, batch, Map.of());
  }

  /**
   * Runs {@link ForkedSyncExport} against this case's simulator, with {@code extra} properties (a
   * mirroring run's); returns its exit status.
   */
  private int fork(Path dir, Path state, CrashPoint point, int batch, Map<String, String> extra)
      throws Exception {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("contract", getClass().getName());
    // The binding's own connection and destination, as the forked JVM rebuilds them.
    Connection connection = connectionAt(FAST_RATE);
    connection.settings().forEach((k, v) -> p.setProperty("setting." + k, v));
    for (SettingDescriptor d : provider().settings()) {
      if (d.kind() == SettingDescriptor.Kind.SECRET) {
        connection
            .secret(d.name())
            .ifPresent(secret -> p.setProperty("secret." + d.name(), secret.reveal()));
      }
    }
    definition(connection, SEGMENT).options().forEach((k, v) -> p.setProperty("option." + k, v));
    p.setProperty("segment", SEGMENT);
    p.setProperty("size", Long.toString(ordinarySize()));
    p.setProperty("seed", Long.toString(CRASH_SEED));
    p.setProperty("state", state.toString());
    p.setProperty("crash", point.name());
    p.setProperty("batch", Integer.toString(batch));
    extra.forEach(p::setProperty);
    Path file = dir.resolve("fork.properties");
    try (java.io.Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(out, null);
    }
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            ForkedSyncExport.class.getName(),
            file.toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("fork.log").toFile());
    Process process = pb.start();
    assertThat(process.waitFor(100, TimeUnit.SECONDS)).as("the forked export ends").isTrue();
    int status = process.exitValue();
    if (status != CrashingStore.HALTED && status != 3) {
      throw new AssertionError(
          "forked export exited " + status + ":\n" + Files.readString(dir.resolve("fork.log")));
    }
    return status;
  }

  // ---- a changed address (issue 23, item 6)
  // ------------------------------------------------------

  /** The profile-id field of {@link #aChangedAddressKeepsTheSameContact}'s profiles. */
  protected static final String PROFILE_ID = "profile_id";

  /**
   * How many contacts the vendor holds under this address, on the segment's destination or off it (a
   * vendor whose contacts live outside lists counts them all): by default 1 if the address is among the
   * {@linkplain #destinationMembers destination's members}, else 0. A binding whose simulator sees the
   * vendor's contacts overrides it, so that a contact left off the list still counts.
   */
  protected int contactsWithAddress(S simulator, String segment, String email) {
    return destinationMembers(simulator, segment).contains(email.toLowerCase(Locale.ROOT)) ? 1 : 0;
  }

  /**
   * A profile whose address changed reaches the vendor as the same contact, never a second one (issue 23).
   * With a SQLite sync state and a mapping that names a stable profile id, run 1 exports 30 profiles; run
   * 2 gives 3 of them new addresses (same ids, same fields). The list then holds the new addresses and not
   * the old ones, as many contacts as before, each moved contact with its fields; the vendor holds no
   * contact at an old address and one at each new one; run 2 sends only the 3 and counts 3 changes; run 3
   * sends nothing. Without {@link Capability#CHANGES_ADDRESS_IN_PLACE}, the documented fallback: the new
   * addresses are added, the old contacts stay on the list (for a mirror mode to remove), no change counted.
   */
  @Test
  void aChangedAddressKeepsTheSameContact(@TempDir Path dir) {
    int size = 30;
    Set<Integer> moved = Set.of(3, 14, 27);
    Connection connection = connectionAt(FAST_RATE);
    FieldMapping.Builder byId =
        FieldMapping.builder()
            .email(ProfileGenerator.EMAIL)
            .profileId(PROFILE_ID)
            .firstName(ProfileGenerator.FIRST_NAME)
            .lastName(ProfileGenerator.LAST_NAME);
    if (has(Capability.CUSTOM_FIELDS)) {
      byId.custom(CUSTOM_FIELD, ProfileGenerator.TIER);
    }
    ExportDefinition definition =
        destination(
                simulator,
                ExportDefinition.builder(connection).segments(SEGMENT).mapping(byId.build()))
            .build();
    List<Profile> before = movingProfiles(size, Set.of());
    List<Profile> after = movingProfiles(size, moved);
    try (JdbcSyncStateStore store = JdbcSyncStateStore.sqlite(dir.resolve("state.db"));
        SegmentExporter exporter = connectors().exporter(connection)) {
      ExportOptions options =
          ExportOptions.DEFAULT.withRetryPolicy(FAST_RETRIES).withSyncState(store);
      SegmentResult first =
          exporter
              .export(definition, name -> Segment.of(name, before), options)
              .segment(SEGMENT)
              .orElseThrow();
      assertThat(first.exported()).as("run 1 exports every profile").isEqualTo(size);
      Set<String> oldAddresses = new HashSet<>();
      Set<String> newAddresses = new HashSet<>();
      for (int i : moved) {
        oldAddresses.add(address(before.get(i)));
        newAddresses.add(address(after.get(i)));
      }
      int membersBefore = destinationMembers(simulator, SEGMENT).size();
      assertThat(membersBefore).isEqualTo(size);

      SegmentResult second =
          exporter
              .export(definition, name -> Segment.of(name, after), options)
              .segment(SEGMENT)
              .orElseThrow();

      assertThat(second.status()).as("run 2").isEqualTo(ExportStatus.SUCCEEDED);
      assertThat(second.unchanged()).as("run 2: profiles unchanged").isEqualTo(size - moved.size());
      assertThat(second.exported()).as("run 2: the moved profiles, sent").isEqualTo(moved.size());
      Set<String> members = destinationMembers(simulator, SEGMENT);
      assertThat(members).as("the new addresses on the list").containsAll(newAddresses);
      for (int i : moved) {
        Profile p = after.get(i);
        assertThat(storedFields(simulator, SEGMENT, address(p)))
            .as("the fields of a moved contact")
            .containsAllEntriesOf(
                expectedStoredFields(
                    text(p, ProfileGenerator.FIRST_NAME),
                    text(p, ProfileGenerator.LAST_NAME),
                    has(Capability.CUSTOM_FIELDS) ? text(p, ProfileGenerator.TIER) : null));
        assertThat(contactsWithAddress(simulator, SEGMENT, address(p)))
            .as("contacts the vendor holds at a new address")
            .isEqualTo(1);
      }
      long changed = second.counters().getOrDefault("addressChange.changed", 0L);
      if (has(Capability.CHANGES_ADDRESS_IN_PLACE)) {
        assertThat(members)
            .as("the old addresses left on the list")
            .doesNotContainAnyElementsOf(oldAddresses);
        assertThat(members)
            .as("contacts on the list: as many as before, never a second one for a moved profile")
            .hasSize(membersBefore);
        for (String old : oldAddresses) {
          assertThat(contactsWithAddress(simulator, SEGMENT, old))
              .as("contacts the vendor holds at an old address")
              .isZero();
        }
        assertThat(changed)
            .as("the connector's addressChange.changed counter")
            .isEqualTo(moved.size());
      } else {
        assertThat(members)
            .as(
                "without Capability.CHANGES_ADDRESS_IN_PLACE: the old contacts stay, for a mirror"
                    + " mode to remove")
            .containsAll(oldAddresses)
            .hasSize(membersBefore + moved.size());
        assertThat(changed)
            .as("without Capability.CHANGES_ADDRESS_IN_PLACE: no change counted")
            .isZero();
      }

      SegmentResult third =
          exporter
              .export(definition, name -> Segment.of(name, after), options)
              .segment(SEGMENT)
              .orElseThrow();
      assertThat(third.unchanged()).as("run 3: the state knows the new addresses").isEqualTo(size);
      assertThat(third.exported()).as("run 3: nothing sent").isZero();
    }
  }

  /** Profiles with stable ids; those at the {@code moved} positions under a new address. */
  private static List<Profile> movingProfiles(int size, Set<Integer> moved) {
    List<Profile> profiles = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      String email =
          moved.contains(i) ? "moved" + i + ".new@example.net" : "mover" + i + "@example.org";
      profiles.add(
          Profile.of(
              PROFILE_ID,
              "contract-" + i,
              ProfileGenerator.EMAIL,
              email,
              ProfileGenerator.FIRST_NAME,
              "First" + i,
              ProfileGenerator.LAST_NAME,
              "Last" + i,
              ProfileGenerator.TIER,
              i % 2 == 0 ? "gold" : "silver"));
    }
    return profiles;
  }

  private static String address(Profile p) {
    return p.get(ProfileGenerator.EMAIL).toString().toLowerCase(Locale.ROOT);
  }

  /**
   * The contact's subscription and consent state at the vendor, as text, compared before and after a
   * removal (which must change list membership only): an unsubscribe, a suppression or a deletion changes
   * it.
   */
  protected abstract String consentState(S simulator, String segment, String email);

  private static final long MIRROR_SEED = 31;

  private List<Profile> mirrorProfiles(long from, long to) {
    ProfileGenerator generator = ProfileGenerator.builder().seed(MIRROR_SEED).build();
    List<Profile> out = new ArrayList<>();
    for (long i = from; i < to; i++) {
      out.add(generator.profile(i));
    }
    return out;
  }

  private static Set<String> addresses(List<Profile> profiles) {
    Set<String> out = new java.util.TreeSet<>();
    profiles.forEach(
        p -> out.add(((String) p.get(ProfileGenerator.EMAIL)).trim().toLowerCase(Locale.ROOT)));
    return out;
  }

  private ExportResult mirror(
      Connection connection,
      JdbcSyncStateStore state,
      List<Profile> profiles,
      ExportOptions options) {
    ExportDefinition d =
        destination(
                simulator,
                ExportDefinition.builder(connection)
                    .segments(SEGMENT)
                    .mapping(mapping())
                    .syncMode(com.segmentexport.api.SyncMode.MIRROR))
            .build();
    try (SegmentExporter exporter = connectors().exporter(connection)) {
      return exporter.export(
          d,
          name -> Segment.of(name, profiles),
          options.withRetryPolicy(FAST_RETRIES).withSyncState(state));
    }
  }

  /**
   * Mirror mode (issue 24): members that left the segment are removed from the list — from the list only:
   * the contact still exists and its subscription and consent are unchanged; new profiles are added and
   * the rest left alone. A connector without removal refuses a mirroring definition before any request.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aMirrorRunRemovesWhoLeftFromTheListOnly(@TempDir Path dir) {
    Connection connection = connectionAt(FAST_RATE);
    if (!has(Capability.REMOVES_MEMBERS)) {
      assertThat(provider().supportsRemoval()).isFalse();
      assertThatThrownBy(
              () ->
                  destination(
                          simulator,
                          ExportDefinition.builder(connection)
                              .segments(SEGMENT)
                              .mapping(mapping())
                              .syncMode(com.segmentexport.api.SyncMode.MIRROR))
                      .build())
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("remove");
      assertThat(simulator.requestCount()).isZero();
      return;
    }
    assertThat(provider().supportsRemoval()).isTrue();
    long size = ordinarySize();
    long leaving = Math.max(1, size / 20); // 5%
    List<Profile> first = mirrorProfiles(0, size);
    List<Profile> second = new ArrayList<>(mirrorProfiles(leaving, size));
    second.addAll(mirrorProfiles(size, size + 3));
    try (JdbcSyncStateStore state = JdbcSyncStateStore.sqlite(dir.resolve("state.db"))) {
      assertThat(mirror(connection, state, first, ExportOptions.DEFAULT).status())
          .isEqualTo(ExportStatus.SUCCEEDED);
      List<String> gone = new ArrayList<>(addresses(mirrorProfiles(0, leaving)));
      Map<String, String> consentBefore = new LinkedHashMap<>();
      gone.forEach(e -> consentBefore.put(e, consentState(simulator, SEGMENT, e)));

      ExportResult result = mirror(connection, state, second, ExportOptions.DEFAULT);
      SegmentResult s = result.segment(SEGMENT).orElseThrow();
      assertThat(s.status()).as("mirror run: %s", s).isEqualTo(ExportStatus.SUCCEEDED);
      assertThat(s.removed()).isEqualTo(leaving);
      assertThat(s.exported()).isEqualTo(3);
      assertThat(destinationMembers(simulator, SEGMENT))
          .as("the list mirrors the segment")
          .containsExactlyInAnyOrderElementsOf(addresses(second));
      for (String e : gone) {
        assertThat(contactsWithAddress(simulator, SEGMENT, e))
            .as("a removed member's contact still exists")
            .isEqualTo(1);
        assertThat(consentState(simulator, SEGMENT, e))
            .as("a removed member's subscription and consent")
            .isEqualTo(consentBefore.get(e));
      }
    }
  }

  /**
   * Mirror mode's brake: a segment 30% smaller, or empty, removes nobody and says why; a member removed
   * and later back in the segment is on the list again.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aMirrorRunThatWouldRemoveTooManyRemovesNobodyAndAReturningMemberComesBack(
      @TempDir Path dir) {
    if (!has(Capability.REMOVES_MEMBERS)) {
      assertThat(provider().supportsRemoval()).isFalse();
      return; // the refusal is asserted by aMirrorRunRemovesWhoLeftFromTheListOnly
    }
    Connection connection = connectionAt(FAST_RATE);
    long size = ordinarySize();
    List<Profile> all = mirrorProfiles(0, size);
    try (JdbcSyncStateStore state = JdbcSyncStateStore.sqlite(dir.resolve("state.db"))) {
      mirror(connection, state, all, ExportOptions.DEFAULT);
      ExportResult truncated =
          mirror(connection, state, mirrorProfiles(0, size * 7 / 10), ExportOptions.DEFAULT);
      assertThat(truncated.status()).isEqualTo(ExportStatus.REMOVALS_HELD_BACK);
      assertThat(truncated.removed()).isZero();
      assertThat(truncated.removalsHeldBack()).isEqualTo(size - size * 7 / 10);
      assertThat(truncated.segment(SEGMENT).orElseThrow().removalsHeldBackReason()).isPresent();
      ExportResult empty = mirror(connection, state, List.of(), ExportOptions.DEFAULT);
      assertThat(empty.status()).isEqualTo(ExportStatus.REMOVALS_HELD_BACK);
      assertThat(destinationMembers(simulator, SEGMENT))
          .as("nothing was removed")
          .containsExactlyInAnyOrderElementsOf(addresses(all));

      List<Profile> without = mirrorProfiles(3, size);
      assertThat(mirror(connection, state, without, ExportOptions.DEFAULT).removed()).isEqualTo(3);
      ExportResult back = mirror(connection, state, all, ExportOptions.DEFAULT);
      assertThat(back.exported()).as("the three come back").isEqualTo(3);
      assertThat(destinationMembers(simulator, SEGMENT))
          .containsExactlyInAnyOrderElementsOf(addresses(all));
    }
  }

  /**
   * How many times the vendor was asked to take a member off the segment's list, repeats counted: each
   * member named in a removal call counts once per call, whether it was on the list or not (the
   * simulator's removals and removal no-ops). A mirroring run that removes each member who left exactly
   * once makes this the number who left.
   */
  protected abstract long memberRemovalRequests(S simulator);

  /**
   * Puts a member on the segment's list as someone other than this SDK would (a marketer's manual import
   * into the list the SDK exports to), after a run made the list.
   */
  protected abstract void addMemberByHand(S simulator, String segment, String email);

  /**
   * Mirror mode removes only the members it put on the list (issue 24): a member a marketer added by hand
   * survives every mirroring run — one that removes who left, and one forced to mirror an empty segment,
   * which removes every member the SDK manages.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void membersSomeoneElseAddedSurviveEveryMirrorRun(@TempDir Path dir) {
    if (!has(Capability.REMOVES_MEMBERS)) {
      assertThat(provider().supportsRemoval()).isFalse();
      return; // the refusal is asserted by aMirrorRunRemovesWhoLeftFromTheListOnly
    }
    Connection connection = connectionAt(FAST_RATE);
    long size = ordinarySize();
    String byHand = "marketer.import@example.net";
    try (JdbcSyncStateStore state = JdbcSyncStateStore.sqlite(dir.resolve("state.db"))) {
      mirror(connection, state, mirrorProfiles(0, size), ExportOptions.DEFAULT);
      addMemberByHand(simulator, SEGMENT, byHand);
      assertThat(
              mirror(connection, state, mirrorProfiles(3, size), ExportOptions.DEFAULT).removed())
          .isEqualTo(3);
      assertThat(destinationMembers(simulator, SEGMENT))
          .as("who left is gone, the hand-added member stays")
          .contains(byHand)
          .doesNotContainAnyElementsOf(addresses(mirrorProfiles(0, 3)))
          .hasSize((int) size - 3 + 1);
      ExportResult emptied =
          mirror(
              connection,
              state,
              List.of(),
              ExportOptions.DEFAULT.withRemovalLimit(
                  com.segmentexport.api.RemovalLimit.share(1).allowingAnEmptySegment()));
      assertThat(emptied.removed()).as("%s", emptied).isEqualTo(size - 3);
      assertThat(destinationMembers(simulator, SEGMENT))
          .as("an emptied mirror leaves only the members someone else added")
          .containsExactly(byHand);
    }
  }

  /**
   * A mirroring run that failed removes nobody (issue 24): the segment's source fails part-way through, so
   * the members it did not read yet are not "gone"; the list keeps every member, and the vendor is asked to
   * remove none.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aFailedMirrorRunRemovesNobody(@TempDir Path dir) {
    if (!has(Capability.REMOVES_MEMBERS)) {
      assertThat(provider().supportsRemoval()).isFalse();
      return; // the refusal is asserted by aMirrorRunRemovesWhoLeftFromTheListOnly
    }
    Connection connection = connectionAt(FAST_RATE);
    long size = ordinarySize();
    List<Profile> all = mirrorProfiles(0, size);
    try (JdbcSyncStateStore state = JdbcSyncStateStore.sqlite(dir.resolve("state.db"))) {
      mirror(connection, state, all, ExportOptions.DEFAULT);
      ExportDefinition d =
          destination(
                  simulator,
                  ExportDefinition.builder(connection)
                      .segments(SEGMENT)
                      .mapping(mapping())
                      .syncMode(com.segmentexport.api.SyncMode.MIRROR))
              .build();
      java.util.Iterator<Profile> few = all.subList(0, 10).iterator();
      SegmentSource failing =
          name ->
              Segment.of(
                  name,
                  java.util.OptionalLong.empty(),
                  new java.util.Iterator<>() {
                    @Override
                    public boolean hasNext() {
                      return true;
                    }

                    @Override
                    public Profile next() {
                      if (!few.hasNext()) {
                        throw new IllegalStateException("the warehouse went away");
                      }
                      return few.next();
                    }
                  },
                  () -> {});
      try (SegmentExporter exporter = connectors().exporter(connection)) {
        assertThatThrownBy(
                () ->
                    exporter.export(
                        d,
                        failing,
                        ExportOptions.DEFAULT
                            .withRetryPolicy(FAST_RETRIES)
                            .withSyncState(state)
                            .withRemovalLimit(
                                com.segmentexport.api.RemovalLimit.share(1)
                                    .allowingAnEmptySegment())))
            .isInstanceOf(com.segmentexport.api.ExportException.class);
      }
      assertThat(memberRemovalRequests(simulator)).as("removal requests").isZero();
      assertThat(destinationMembers(simulator, SEGMENT))
          .as("the list after a failed mirroring run")
          .containsExactlyInAnyOrderElementsOf(addresses(all));
    }
  }

  /**
   * Kill and resume during removals (issue 24): run 1 mirrors a segment; run 2, in a forked JVM, mirrors
   * it without a removal batch and ten more of its members and is halted in the middle of its removals —
   * right after the state forgot the first removal batch's members, or, for a connector whose removal is
   * work the vendor finishes later, right after the state remembered that work. The next run finishes the
   * job: every member who left is off the list, the vendor was asked to remove each of them exactly once
   * (a removal the crashed run left at the vendor is finished, not sent again), the others are untouched,
   * and the state knows exactly the members on the list, with no work left pending.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void killedDuringRemovalsTheNextRunRemovesEveryoneWhoLeftOnce(@TempDir Path dir)
      throws Exception {
    if (!has(Capability.REMOVES_MEMBERS)) {
      assertThat(provider().supportsRemoval()).isFalse();
      return; // the refusal is asserted by aMirrorRunRemovesWhoLeftFromTheListOnly
    }
    long size = ordinarySize();
    long leaving = vendorMaxBatch() + 10L; // two removal batches at least
    double share = 0.6;
    List<Profile> first = mirrorProfiles(0, size);
    List<Profile> second = mirrorProfiles(leaving, size);
    Path statePath = dir.resolve("state.db");
    Connection connection = connectionAt(FAST_RATE);
    try (JdbcSyncStateStore state = JdbcSyncStateStore.sqlite(statePath)) {
      assertThat(mirror(connection, state, first, ExportOptions.DEFAULT).status())
          .isEqualTo(ExportStatus.SUCCEEDED);
    }
    assertThat(memberRemovalRequests(simulator)).as("run 1 removes nobody").isZero();
    Map<String, String> mirrorRun =
        Map.of(
            "mode", "MIRROR",
            "from", Long.toString(leaving),
            "seed", Long.toString(MIRROR_SEED),
            "size", Long.toString(size),
            "removalShare", Double.toString(share));
    assertThat(fork(dir, statePath, CrashPoint.DURING_REMOVALS, 1, mirrorRun))
        .as("the forked mirroring run halted during its removals")
        .isEqualTo(CrashingStore.HALTED);

    long managedAfterCrash;
    try (JdbcSyncStateStore store = JdbcSyncStateStore.sqlite(statePath)) {
      DestinationKey key = store.destinations().get(0);
      managedAfterCrash = store.open(key).memberCount();
      if (has(Capability.ASYNC_VENDOR_WORK)) {
        assertThat(store.open(key).pending())
            .as("the removal the crashed run waited for, remembered")
            .isNotEmpty();
      } else {
        assertThat(managedAfterCrash)
            .as("the crashed run forgot its first removal batch, and only that")
            .isEqualTo(size - vendorMaxBatch());
      }
    }
    long removedBeforeCrash = size - managedAfterCrash;

    try (JdbcSyncStateStore store = JdbcSyncStateStore.sqlite(statePath)) {
      SegmentResult s =
          mirror(
                  connection,
                  store,
                  second,
                  ExportOptions.DEFAULT.withRemovalLimit(
                      com.segmentexport.api.RemovalLimit.share(share)))
              .segment(SEGMENT)
              .orElseThrow();
      assertThat(s.status()).as("the resumed run: %s", s).isEqualTo(ExportStatus.SUCCEEDED);
      assertThat(s.exported()).as("nobody new to send").isZero();
      assertThat(s.removed()).isEqualTo(leaving - removedBeforeCrash);
      assertThat(destinationMembers(simulator, SEGMENT))
          .as("the list mirrors the segment")
          .containsExactlyInAnyOrderElementsOf(addresses(second));
      assertThat(memberRemovalRequests(simulator))
          .as("removal requests per member who left: each removed once, none twice")
          .isEqualTo(leaving);
      DestinationKey key = store.destinations().get(0);
      Set<String> remembered = new java.util.TreeSet<>();
      store
          .open(key)
          .forEachMember(
              m -> {
                assertThat(m.outcome()).isEqualTo(MemberOutcome.Kind.CONFIRMED);
                remembered.add(m.email().toLowerCase(Locale.ROOT));
              });
      assertThat(remembered).as("the state agrees with the list").isEqualTo(addresses(second));
      assertThat(store.open(key).pending()).as("no work left pending").isEmpty();
    }
  }

  /**
   * A mirroring run's removals go through the connection's rate budget: with the connection's rate set to
   * the vendor's limit, removing members (a call each at some vendors) stays within it, as writes do. And
   * a plan of that run foresees them: the members to remove, and their calls in its estimate (the
   * connector's {@code estimatedRemovalCalls}) within a few calls of what the run makes.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aMirrorRunsRemovalsKeepToTheVendorsRate(@TempDir Path dir) {
    if (!has(Capability.REMOVES_MEMBERS)) {
      assertThat(provider().supportsRemoval()).isFalse();
      return; // the refusal is asserted by aMirrorRunRemovesWhoLeftFromTheListOnly
    }
    long size = ordinarySize();
    long leaving = 40;
    try (JdbcSyncStateStore state = JdbcSyncStateStore.sqlite(dir.resolve("state.db"))) {
      mirror(connectionAt(FAST_RATE), state, mirrorProfiles(0, size), ExportOptions.DEFAULT);
      double rate = 20;
      ExportOptions allowing =
          ExportOptions.DEFAULT.withRemovalLimit(com.segmentexport.api.RemovalLimit.share(0.5));
      com.segmentexport.api.ExportPlan plan;
      Connection limited = connectionAt(rate);
      try (SegmentExporter exporter = connectors().exporter(limited)) {
        plan =
            exporter.plan(
                destination(
                        simulator,
                        ExportDefinition.builder(limited)
                            .segments(SEGMENT)
                            .mapping(mapping())
                            .syncMode(com.segmentexport.api.SyncMode.MIRROR))
                    .build(),
                name -> Segment.of(name, mirrorProfiles(leaving, size)),
                allowing.withRetryPolicy(FAST_RETRIES).withSyncState(state));
      }
      assertThat(plan.segments().get(0).toRemove()).isEqualTo(leaving);
      assertThat(plan.segments().get(0).removalsHeldBackReason()).isEmpty();
      simulator.resetCounters();
      simulator.rateLimit(rate, Math.max(1, Math.ceil(rate * 0.2)));
      ExportResult result = mirror(limited, state, mirrorProfiles(leaving, size), allowing);
      int made = simulator.requestCount() - simulator.throttledCount();
      assertThat((double) plan.calls())
          .as("the plan's estimate of the run's calls (it made %s, removing %s)", made, leaving)
          .isCloseTo(made, org.assertj.core.data.Offset.offset(Math.max(6.0, made * 0.1)));
      assertThat(result.removed()).as("%s", result).isEqualTo(leaving);
      int tolerance = Math.max(3, simulator.requestCount() / 20);
      assertThat(simulator.throttledCount())
          .as("requests over the vendor's rate, of %s", simulator.requestCount())
          .isLessThanOrEqualTo(tolerance);
      assertThat(destinationMembers(simulator, SEGMENT))
          .containsExactlyInAnyOrderElementsOf(addresses(mirrorProfiles(leaving, size)));
    }
  }

  /** Case 11: no secret and no raw e-mail address appears in the logs captured during a run. */
  @Test
  void logsHoldNoSecretAndNoRawAddress() {
    assertThat(LogCapture.isBound())
        .as("bind slf4j-jdk14 in test scope so that the contract can read the SDK's logs")
        .isTrue();
    ProfileGenerator generator =
        ProfileGenerator.builder().seed(21).invalidEmails(0.05).duplicateEmails(0.05).build();
    long size = ordinarySize();
    simulator.faults().failWrite(1, 503).dropWrite(2);
    simulator.rejectAddress(
        generator.validEmail(firstValidRow(generator)), vendorRejectionCategory());
    Connection connection = connectionAt(FAST_RATE);
    ExportResult result;
    List<String> logs;
    try (LogCapture capture = LogCapture.start()) {
      result = export(connection, definition(connection, SEGMENT), generator.source(size));
      logs = capture.messages();
    }
    assertThat(logs).as("the engine logs each run").isNotEmpty();
    assertThat(result.rejected()).isPositive();
    List<String> forbidden = new ArrayList<>(simulator.credentials());
    for (long i = 0; i < size; i++) {
      Object raw = generator.profile(i).get(ProfileGenerator.EMAIL);
      if (raw != null && raw.toString().trim().length() > 6) {
        forbidden.add(raw.toString().trim().toLowerCase(Locale.ROOT));
      }
    }
    String all =
        String.join("\n", logs).toLowerCase(Locale.ROOT)
            + "\n"
            + result.toString().toLowerCase(Locale.ROOT);
    for (String f : forbidden) {
      assertThat(all).doesNotContain(f.toLowerCase(Locale.ROOT));
    }
  }

  private static long firstValidRow(ProfileGenerator generator) {
    long i = 0;
    while (generator.kind(i) != ProfileGenerator.Kind.VALID) {
      i++;
    }
    return i;
  }

  /** Case 12: running the same export again changes nothing at the destination. */
  @Test
  void rerunningTheSameExportChangesNothing() {
    ProfileGenerator generator = ProfileGenerator.builder().seed(22).unicodeNames(0.3).build();
    long size = ordinarySize();
    ProfileGenerator.Expectation expected = generator.expect(size);
    Connection connection = connectionAt(FAST_RATE);
    ExportDefinition definition = definition(connection, SEGMENT);

    ExportResult first = export(connection, definition, generator.source(size));
    Object afterFirst = simulator.snapshot();
    ExportResult second = export(connection, definition, generator.source(size));

    assertThat(first.exported()).isEqualTo(expected.valid());
    assertThat(second.exported()).isEqualTo(expected.valid());
    assertThat(simulator.snapshot()).isEqualTo(afterFirst);
    assertThat(destinationMembers(simulator, SEGMENT)).isEqualTo(expected.validEmails());
    if (has(Capability.REPORTS_CREATED)) {
      assertThat(first.segments().get(0).created()).as("new contacts of the first run").isPresent();
      assertThat(second.segments().get(0).created()).as("new contacts of the re-run").hasValue(0);
    } else {
      assertThat(first.segments().get(0).created())
          .as("created(), without Capability.REPORTS_CREATED")
          .isEmpty();
      assertThat(second.segments().get(0).created())
          .as("created(), without Capability.REPORTS_CREATED")
          .isEmpty();
    }
  }

  /**
   * Case 13: a request that creates a destination and is applied by the vendor, but answered by a
   * gateway's 504, is not repeated blindly: the connector reads the vendor's state and adopts the list
   * the lost create made. One list, every profile on it.
   */
  @Test
  void aCreateAnsweredAmbiguouslyLeavesOneDestination() {
    Connection bare = connectionAt(FAST_RATE);
    ThrowingCallable withoutDestination =
        () -> ExportDefinition.builder(bare).segments(SEGMENT).mapping(mapping()).build();
    if (has(Capability.CREATES_DESTINATION)) {
      assertThatCode(withoutDestination)
          .as("a definition naming no destination, with Capability.CREATES_DESTINATION")
          .doesNotThrowAnyException();
    } else {
      assertThatThrownBy(withoutDestination)
          .as("a definition naming no destination, without Capability.CREATES_DESTINATION")
          .isInstanceOf(ConfigurationException.class);
      assertThat(simulator.requestCount()).isZero();
    }
    simulator.faults().failCreateAfterApplying(1, 504).dropCreateAfterApplying(2);
    ProfileGenerator generator = ProfileGenerator.builder().seed(23).build();
    long size = ordinarySize();
    ProfileGenerator.Expectation expected = generator.expect(size);
    Connection connection = connectionAt(FAST_RATE);

    ExportResult result =
        export(connection, definition(connection, SEGMENT), generator.source(size));

    assertThat(result.status())
        .as("status; failure: %s", result.failure())
        .isEqualTo(ExportStatus.SUCCEEDED);
    assertThat(destinationCount(simulator, SEGMENT)).as("lists made for the segment").isEqualTo(1);
    assertThat(destinationMembers(simulator, SEGMENT)).isEqualTo(expected.validEmails());
    assertThat(simulator.receivedEmailCount()).isEqualTo(expected.valid());
  }

  /**
   * Two hosts sharing a sync state (two stores on one state file, as two processes or Kafka Connect
   * workers would share one) export the same new segment at the same moment, every vendor answer slowed
   * down so that both would look the list up before either made it: one list is made, and it holds both
   * hosts' profiles. The engine finds or creates a list under the store's claim; a connector must look
   * the list up afresh under it (a look-up it remembers, a miss included, would make a second list).
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void twoHostsSharingAStateMakeOneListForANewSegment(@TempDir Path dir) throws Exception {
    if (!has(Capability.CREATES_DESTINATION)) {
      return; // the host names the list: nothing is created
    }
    simulator.latency(Duration.ofMillis(100));
    long size = ordinarySize();
    ProfileGenerator first = ProfileGenerator.builder().seed(41).build();
    ProfileGenerator second = ProfileGenerator.builder().seed(42).build();
    Set<String> expected = new HashSet<>(first.expect(size).validEmails());
    expected.addAll(second.expect(size).validEmails());
    Path state = dir.resolve("state.db");
    ExecutorService hosts = Executors.newFixedThreadPool(2);
    try (JdbcSyncStateStore hostA = JdbcSyncStateStore.sqlite(state);
        JdbcSyncStateStore hostB = JdbcSyncStateStore.sqlite(state)) {
      CyclicBarrier together = new CyclicBarrier(2);
      Connection a = connectionAt(FAST_RATE);
      Connection b = connectionAt(FAST_RATE);
      Future<ExportResult> ranA =
          hosts.submit(
              () -> {
                together.await();
                return export(a, definition(a, SEGMENT), first.source(size), hostA);
              });
      Future<ExportResult> ranB =
          hosts.submit(
              () -> {
                together.await();
                return export(b, definition(b, SEGMENT), second.source(size), hostB);
              });
      for (ExportResult result :
          List.of(ranA.get(100, TimeUnit.SECONDS), ranB.get(100, TimeUnit.SECONDS))) {
        assertThat(result.status())
            .as(
                "status; failure: %s; %s; rejected %s",
                result.failure(), result, result.rejectedSample())
            .isEqualTo(ExportStatus.SUCCEEDED);
      }
    } finally {
      hosts.shutdownNow();
      simulator.latency(Duration.ZERO);
    }
    assertThat(destinationCount(simulator, SEGMENT))
        .as("lists made for the segment by two hosts at once")
        .isEqualTo(1);
    assertThat(new HashSet<>(destinationMembers(simulator, SEGMENT))).isEqualTo(expected);
  }

  /**
   * Case 14: when the host's source fails, the batches already handed to the vendor are confirmed
   * before the run ends: each of their profiles is exported (and on the list) or rejected, none is
   * left unconfirmed or counted rejected for want of waiting.
   */
  @Test
  void batchesHandedOutBeforeTheSourceFailsAreConfirmed() {
    simulator.latency(Duration.ofMillis(150));
    ProfileGenerator generator = ProfileGenerator.builder().seed(24).build();
    long size = 4L * vendorMaxBatch() + 200;
    SegmentSource failing =
        name -> {
          java.util.Iterator<Profile> profiles =
              generator.segmentOfUnknownSize(name, size).profiles();
          java.util.Iterator<Profile> failingAtTheEnd =
              new java.util.Iterator<>() {
                @Override
                public boolean hasNext() {
                  return true;
                }

                @Override
                public Profile next() {
                  if (!profiles.hasNext()) {
                    throw new IllegalStateException("the warehouse cursor was closed");
                  }
                  return profiles.next();
                }
              };
          return com.segmentexport.api.Segment.of(
              name, OptionalLong.empty(), failingAtTheEnd, () -> {});
        };
    Connection connection = connectionAt(FAST_RATE);
    List<RejectedRecord> sink = java.util.Collections.synchronizedList(new ArrayList<>());
    ExportResult result;
    try (SegmentExporter exporter = connectors().exporter(connection)) {
      com.segmentexport.api.ExportException e =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              com.segmentexport.api.ExportException.class,
              () ->
                  exporter.export(
                      definition(connection, SEGMENT),
                      failing,
                      ExportOptions.DEFAULT
                          .withRetryPolicy(FAST_RETRIES)
                          .withRejectedRecordSink(sink::add)));
      assertThat(e).as("the source's failure ends the export").isNotNull();
      result = e.partialResult().orElseThrow(() -> new AssertionError("no partial result"));
    }
    assertAddsUp(result);
    SegmentResult segment = result.segments().get(0);
    assertThat(segment.read()).isEqualTo(size);
    assertThat(segment.unconfirmed()).as("unconfirmed").isZero();
    assertThat(segment.rejected()).as("rejected").isZero();
    assertThat(sink).isEmpty();
    assertThat(segment.exported()).as("batches confirmed before the end").isPositive();
    assertThat((long) destinationMembers(simulator, SEGMENT).size()).isEqualTo(segment.exported());
  }

  /**
   * Case 15: a vendor's rate limit belongs to the account. Two connections the host rebuilt from the
   * same stored row (new objects, new ids), on two {@link Connectors} instances, export in parallel:
   * together they stay within the vendor's rate, and the vendor refuses nothing.
   */
  @Test
  void rebuiltConnectionsShareTheAccountsRateBudget() throws Exception {
    double rate = 5;
    // The host sets its connections under the vendor's limit, for timing jitter (on a loaded
    // machine
    // requests paced at 4.5/s reached the vendor bunched up, one refused of 13); two budgets would
    // still send 1.6 times the limit.
    double connectionRate = 4;
    simulator.rateLimit(rate, 2);
    long size = 2L * vendorMaxBatch();
    List<ExportHandle> handles = new ArrayList<>();
    List<SegmentExporter> exporters = new ArrayList<>();
    try {
      for (String segment : List.of(SEGMENT + " A", SEGMENT + " B")) {
        ProfileGenerator generator = ProfileGenerator.builder().seed(250 + handles.size()).build();
        Connection rebuilt =
            connection(simulator)
                .id(java.util.UUID.randomUUID().toString())
                .setting(StandardSettings.REQUESTS_PER_SECOND, Double.toString(connectionRate))
                .privacyConsent(
                    PrivacyConsent.acknowledgedBy("contract@segmentexport.test", Instant.now()))
                .build();
        SegmentExporter exporter = connectors().exporter(rebuilt);
        exporters.add(exporter);
        handles.add(
            exporter.start(
                definition(rebuilt, segment),
                generator.source(size),
                ExportOptions.DEFAULT.withRetryPolicy(FAST_RETRIES)));
      }
      for (ExportHandle handle : handles) {
        ExportResult result = handle.await();
        assertAddsUp(result);
        assertThat(result.rejected() + result.unconfirmed() + result.notAttempted()).isZero();
      }
    } finally {
      exporters.forEach(SegmentExporter::close);
    }
    assertThat(simulator.throttledCount())
        .as("requests the vendor refused as over its rate, of %s", simulator.requestCount())
        .isZero();
  }

  /**
   * Case 16: records sent but not confirmed when the run stops (a request waiting to be retried, an
   * import still running) may be at the vendor: they are counted unconfirmed, never rejected, and never
   * given to the rejected-record sink, which a host uses to re-send or to tell a marketer they were not
   * exported.
   */
  @Test
  void recordsSentButUnconfirmedAtACancelAreNotRejected() throws Exception {
    long size = 30L * vendorMaxBatch();
    Connection connection = connectionAt(FAST_RATE);
    List<RejectedRecord> sink = java.util.Collections.synchronizedList(new ArrayList<>());
    try (SegmentExporter exporter = connectors().exporter(connection)) {
      ExportHandle handle = startAndAwaitFirstBatch(exporter, connection, 26, size, sink);
      // From now on the vendor answers every write 503: the writes in flight wait to be retried.
      simulator.faults().failEveryWrite(503);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (simulator.calls().stream().noneMatch(c -> c.write() && c.status() == 503)) {
        assertThat(System.nanoTime()).as("a write answered 503 within 10 s").isLessThan(deadline);
        Thread.sleep(2);
      }
      handle.cancel();
      ExportResult result =
          handle
              .await(Duration.ofSeconds(10))
              .orElseThrow(
                  () -> new AssertionError("the export did not stop within 10 s of cancel()"));
      assertAddsUp(result);
      assertThat(result.status()).isEqualTo(ExportStatus.CANCELLED);
      assertThat(result.rejected()).as("rejected: nothing was refused").isZero();
      assertThat(sink).as("records given to the rejected sink").isEmpty();
      assertThat(result.unconfirmed())
          .as("records sent and waiting for a retry at the cancel")
          .isPositive();
      assertThat(result.rejectedSample())
          .filteredOn(r -> r.reason() == RejectionReason.UNCONFIRMED)
          .hasSize((int) result.unconfirmed());
      int members = destinationMembers(simulator, SEGMENT).size();
      assertThat((long) members)
          .isBetween(result.exported(), result.exported() + result.unconfirmed());
    }
  }

  /**
   * Case 17: vendor calls never follow a redirect, so a credential never reaches another host. The
   * connection's base URL is an HTTPS server that answers every request with a 307 to another HTTPS
   * host (OkHttp would forward every header but {@code Authorization} there); verify and export fail
   * with a {@link DestinationException} naming the status and that host, and the other host receives
   * nothing, least of all the vendor's credential header.
   */
  @Test
  void aRedirectToAnotherHostNeverCarriesTheCredentials() throws Exception {
    HeldCertificate certificate =
        new HeldCertificate.Builder()
            .addSubjectAlternativeName("127.0.0.1")
            .addSubjectAlternativeName("localhost")
            .build();
    HandshakeCertificates serverSide =
        new HandshakeCertificates.Builder().heldCertificate(certificate).build();
    HandshakeCertificates clientSide =
        new HandshakeCertificates.Builder()
            .addTrustedCertificate(certificate.certificate())
            .build();
    List<RecordedRequest> reachedElsewhere = new CopyOnWriteArrayList<>();
    try (MockWebServer elsewhere = new MockWebServer();
        MockWebServer redirecting = new MockWebServer()) {
      elsewhere.useHttps(serverSide.sslSocketFactory());
      elsewhere.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              reachedElsewhere.add(request);
              return new MockResponse.Builder()
                  .code(200)
                  .addHeader("Content-Type", "application/json")
                  .body("{}")
                  .build();
            }
          });
      elsewhere.start(InetAddress.getByName("localhost"), 0);
      String otherHost = "https://localhost:" + elsewhere.getPort();
      redirecting.useHttps(serverSide.sslSocketFactory());
      redirecting.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              return new MockResponse.Builder()
                  .code(307)
                  .addHeader("Location", otherHost + request.getUrl().encodedPath())
                  .build();
            }
          });
      redirecting.start(InetAddress.getByName("127.0.0.1"), 0);
      String base =
          HttpUrl.get(simulator.baseUrl())
              .newBuilder()
              .scheme("https")
              .host("127.0.0.1")
              .port(redirecting.getPort())
              .build()
              .toString();
      Connection connection =
          connection(simulator)
              .setting(StandardSettings.BASE_URL, base)
              .setting(StandardSettings.REQUESTS_PER_SECOND, Double.toString(FAST_RATE))
              .privacyConsent(
                  PrivacyConsent.acknowledgedBy("contract@segmentexport.test", Instant.now()))
              .build();
      Connectors trusting =
          Connectors.of(provider())
              .withHttpClient(
                  new OkHttpClient.Builder()
                      .sslSocketFactory(clientSide.sslSocketFactory(), clientSide.trustManager())
                      .readTimeout(READ_TIMEOUT)
                      .connectTimeout(READ_TIMEOUT)
                      .build());
      Throwable verifyFailure;
      Throwable exportFailure;
      try (SegmentExporter exporter = trusting.exporter(connection)) {
        verifyFailure = catchThrowable(exporter::verify);
        ProfileGenerator generator = ProfileGenerator.builder().seed(23).build();
        ExportDefinition definition = definition(connection, SEGMENT);
        exportFailure =
            catchThrowable(
                () ->
                    exporter.export(
                        definition,
                        generator.source(ordinarySize()),
                        ExportOptions.DEFAULT.withRetryPolicy(FAST_RETRIES)));
      }

      assertThat(redirecting.getRequestCount()).as("requests to the base URL").isPositive();
      for (RecordedRequest r : reachedElsewhere) {
        assertThat(credentialHeaders(r.getHeaders(), simulator.credentials()))
            .as(
                "credential headers that reached the redirect's target with %s %s",
                r.getMethod(), r.getUrl().encodedPath())
            .isEmpty();
      }
      assertThat(reachedElsewhere).as("requests that reached the redirect's target").isEmpty();
      for (Throwable failure : List.of(verifyFailure, exportFailure)) {
        assertThat(failure)
            .isInstanceOf(DestinationException.class)
            .hasMessageContaining("307")
            .hasMessageContaining("localhost");
        assertThat(((DestinationException) failure).httpStatus()).isEqualTo(307);
      }
    }
  }

  /** The names of the headers that carry one of the credentials, as such or in HTTP basic auth. */
  private static List<String> credentialHeaders(Headers headers, List<String> credentials) {
    List<String> found = new ArrayList<>();
    for (int i = 0; i < headers.size(); i++) {
      String value = headers.value(i);
      String decoded = "";
      if (value.regionMatches(true, 0, "Basic ", 0, 6)) {
        try {
          decoded =
              new String(
                  Base64.getDecoder().decode(value.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          decoded = "";
        }
      }
      for (String credential : credentials) {
        if (value.contains(credential) || decoded.contains(credential)) {
          found.add(headers.name(i));
        }
      }
    }
    return found;
  }

  /**
   * Case 18: a vendor's wait holds every request of the budget, not only the one that was told: with
   * a connection set faster than the vendor's limit and several batches in flight, no request arrives
   * while the vendor's bucket is still empty after a 429 — for each way vendors say how long to wait
   * ({@code Retry-After} in seconds or as a date, {@code X-RateLimit-Remaining: 0} with a reset time) —
   * and nothing is lost.
   */
  @Test
  void aVendorsWaitHoldsEveryRequestOfTheBudget() {
    // Ten write requests a signal, five times the vendor's burst, so that its bucket runs dry even
    // on a loaded machine.
    long size = 10L * vendorMaxBatch();
    boolean first = true;
    for (VendorSimulator.WaitSignal signal :
        List.of(
            VendorSimulator.WaitSignal.RETRY_AFTER_SECONDS,
            VendorSimulator.WaitSignal.RETRY_AFTER_DATE,
            VendorSimulator.WaitSignal.RATE_LIMIT_RESET)) {
      if (!first) {
        // A vendor account of its own for each signal (a new simulator is a new base URL): the
        // account's rate budget slowed down after the previous signal's 429s, which would keep this
        // one
        // from reaching the vendor's limit at all.
        simulator.close();
        simulator = newSimulator().start();
      }
      first = false;
      // A token every 200 ms: a request refused into the empty bucket is caught up to 125 ms after
      // the simulator's grace for requests already on their way (75 ms, for loaded machines).
      simulator.rateLimit(5, 2);
      // New contacts each time: contacts the account already holds can cost a vendor more calls
      // each.
      ProfileGenerator generator = ProfileGenerator.builder().seed(27 + signal.ordinal()).build();
      ProfileGenerator.Expectation expected = generator.expect(size);
      simulator.waitSignal(signal).resetCounters();
      // Six times faster than the vendor allows: the vendor's 429s, not the connection's rate,
      // set the pace.
      Connection connection =
          connection(simulator)
              .setting(StandardSettings.REQUESTS_PER_SECOND, "30")
              .privacyConsent(
                  PrivacyConsent.acknowledgedBy("contract@segmentexport.test", Instant.now()))
              .build();
      String segment = SEGMENT + " " + signal;
      ExportResult result =
          export(connection, definition(connection, segment), generator.source(size));
      assertThat(simulator.waitViolations())
          .as(
              "requests sent into the vendor's empty bucket after a 429 (%s), "
                  + "of %s requests:%n%s",
              signal, simulator.requestCount(), timeline(simulator.calls()))
          .isZero();
      assertAddsUp(result);
      assertThat(result.exported()).as("exported with %s", signal).isEqualTo(expected.valid());
      assertThat(simulator.throttledCount())
          .as("the vendor pushed back with %s", signal)
          .isPositive();
    }
  }

  // ---- incremental sync (issue 23): a real SQLite sync state in the case's temporary directory
  // ----------

  /** The real sync state the incremental cases use: an SQLite file, {@code state.db}, in {@code dir}. */
  protected static JdbcSyncStateStore syncState(Path dir) {
    return JdbcSyncStateStore.sqlite(dir.resolve("state.db"));
  }

  /** Runs an export to completion with the contract's fast retry policy and this sync state. */
  protected ExportResult export(
      Connection connection, ExportDefinition definition, SegmentSource source, SyncState state) {
    try (SegmentExporter exporter = connectors().exporter(connection)) {
      return exporter.export(
          definition,
          source,
          ExportOptions.DEFAULT
              .withRetryPolicy(FAST_RETRIES)
              .withSyncState(state)
              .withRejectedSampleSize(1000));
    }
  }

  /** The generator's first {@code size} profiles, as a list the cases can change. */
  private static List<Profile> profiles(ProfileGenerator generator, long size) {
    List<Profile> list = new ArrayList<>();
    for (long i = 0; i < size; i++) {
      list.add(generator.profile(i));
    }
    return list;
  }

  /** A copy of the profile with one field set to another value. */
  private static Profile with(Profile profile, String field, Object value) {
    Map<String, Object> fields = new LinkedHashMap<>(profile.fields());
    fields.put(field, value);
    return Profile.of(fields);
  }

  /** The rows of valid, first-seen addresses, in order. */
  private static List<Long> validRows(ProfileGenerator generator, long size) {
    List<Long> rows = new ArrayList<>();
    for (long i = 0; i < size; i++) {
      if (generator.kind(i) == ProfileGenerator.Kind.VALID) {
        rows.add(i);
      }
    }
    return rows;
  }

  private static SegmentSource sourceOf(List<Profile> profiles) {
    return name -> com.segmentexport.api.Segment.of(name, profiles);
  }

  /** The calls the simulator saw that write a contact (those its fault plan counts as writes). */
  private List<VendorSimulator.Call> contactWrites() {
    return simulator.calls().stream().filter(VendorSimulator.Call::write).toList();
  }

  /**
   * Case 19: a second run of an unchanged segment with the sync state sends no profile: the vendor receives
   * no contact write, its state does not change, and every profile is reported unchanged.
   */
  @Test
  void aSecondRunOfAnUnchangedSegmentSendsNothing(@TempDir Path dir) {
    ProfileGenerator generator = ProfileGenerator.builder().seed(31).build();
    long size = ordinarySize();
    ProfileGenerator.Expectation expected = generator.expect(size);
    Connection connection = connectionAt(FAST_RATE);
    ExportDefinition definition = definition(connection, SEGMENT);
    try (JdbcSyncStateStore state = syncState(dir)) {
      ExportResult first = export(connection, definition, generator.source(size), state);
      assertThat(first.exported())
          .as("exported by the first run; failure: %s", first.failure())
          .isEqualTo(expected.valid());
      Object afterFirst = simulator.snapshot();
      simulator.resetCounters();

      ExportResult second = export(connection, definition, generator.source(size), state);

      assertThat(contactWrites())
          .as("contact writes of the second run of an unchanged segment")
          .isEmpty();
      assertThat(simulator.receivedEmailCount()).as("addresses the second run sent").isZero();
      assertThat(simulator.snapshot())
          .as("the vendor's state after the second run")
          .isEqualTo(afterFirst);
      assertAddsUp(second);
      SegmentResult segment = second.segments().get(0);
      assertThat(second.status()).isEqualTo(ExportStatus.SUCCEEDED);
      assertThat(segment.unchanged())
          .as("unchanged profiles of the second run")
          .isEqualTo(expected.valid());
      assertThat(segment.exported()).as("exported by the second run").isZero();
      assertThat(segment.destinationId()).isEqualTo(first.segments().get(0).destinationId());
      assertThat(destinationMembers(simulator, SEGMENT)).isEqualTo(expected.validEmails());
    }
  }

  /**
   * Case 20: with the sync state, a profile one of whose mapped fields changed is sent again, alone, and
   * the vendor then holds the new value.
   */
  @Test
  void aChangedFieldResendsExactlyThatProfile(@TempDir Path dir) {
    ProfileGenerator generator = ProfileGenerator.builder().seed(32).build();
    long size = ordinarySize();
    ProfileGenerator.Expectation expected = generator.expect(size);
    List<Profile> segment = profiles(generator, size);
    long row = validRows(generator, size).get((int) (expected.valid() / 2));
    String email = generator.validEmail(row);
    Connection connection = connectionAt(FAST_RATE);
    ExportDefinition definition = definition(connection, SEGMENT);
    try (JdbcSyncStateStore state = syncState(dir)) {
      ExportResult first = export(connection, definition, sourceOf(segment), state);
      assertThat(first.exported())
          .as("exported by the first run; failure: %s", first.failure())
          .isEqualTo(expected.valid());
      Profile changed = with(segment.get((int) row), ProfileGenerator.FIRST_NAME, "Renamed");
      segment.set((int) row, changed);
      simulator.resetCounters();

      ExportResult second = export(connection, definition, sourceOf(segment), state);

      assertThat(simulator.receivedEmails())
          .as("addresses the second run sent: only the changed profile's")
          .containsExactly(email);
      assertThat(simulator.receivedEmailCount())
          .as("addresses the second run sent, repeats included")
          .isOne();
      Map<String, String> want =
          expectedStoredFields(
              "Renamed",
              text(changed, ProfileGenerator.LAST_NAME),
              has(Capability.CUSTOM_FIELDS) ? text(changed, ProfileGenerator.TIER) : null);
      assertThat(storedFields(simulator, SEGMENT, email))
          .as("the changed profile's fields at the vendor")
          .containsAllEntriesOf(want);
      assertAddsUp(second);
      assertThat(second.exported()).as("exported by the second run").isOne();
      assertThat(second.unchanged())
          .as("unchanged in the second run")
          .isEqualTo(expected.valid() - 1);
      assertThat(destinationMembers(simulator, SEGMENT)).isEqualTo(expected.validEmails());
    }
  }

  /**
   * Case 21: a profile the vendor rejected on one run (a per-record refusal in its own shape) is not
   * remembered as confirmed: the next run sends it again, and once the vendor takes it, it is on the list.
   * A connector that reported the refused profile as exported would leave it out of every later run.
   */
  @Test
  void aProfileTheVendorRejectedIsRetriedOnTheNextRun(@TempDir Path dir) {
    ProfileGenerator generator = ProfileGenerator.builder().seed(33).build();
    long size = ordinarySize();
    ProfileGenerator.Expectation expected = generator.expect(size);
    String refused = generator.validEmail(validRows(generator, size).get(3));
    simulator.rejectAddress(refused, vendorRejectionCategory());
    Connection connection = connectionAt(FAST_RATE);
    ExportDefinition definition = definition(connection, SEGMENT);
    try (JdbcSyncStateStore state = syncState(dir)) {
      ExportResult first = export(connection, definition, generator.source(size), state);
      simulator.acceptAddress(refused); // the vendor's refusal was passing
      simulator.resetCounters();

      ExportResult second = export(connection, definition, generator.source(size), state);

      assertThat(simulator.receivedEmails())
          .as(
              "addresses the second run sent: only the profile the vendor rejected on the first run")
          .containsExactly(refused);
      assertThat(destinationMembers(simulator, SEGMENT))
          .as("the list after the retry")
          .contains(refused)
          .isEqualTo(expected.validEmails());
      assertAddsUp(first);
      assertThat(first.rejected()).as("rejected by the vendor on the first run").isOne();
      assertThat(first.exported()).isEqualTo(expected.valid() - 1);
      assertAddsUp(second);
      assertThat(second.exported()).as("exported by the second run").isOne();
      assertThat(second.rejected()).as("rejected on the second run").isZero();
      assertThat(second.unchanged())
          .as("unchanged in the second run")
          .isEqualTo(expected.valid() - 1);
    }
  }

  /**
   * Case 22: a plan writes nothing and predicts the run that follows it. Before the first run (a list a
   * connector would create does not exist yet) and again after a run, with a changed, a new and a
   * formerly refused profile among invalid and repeated ones, the plan makes only GET requests (the
   * simulator saw no other method and no contact write), leaves the sync state's file as it was (its
   * members, outcomes and runs), and the run then sends exactly the profiles it said, and counts the
   * same unchanged, invalid and duplicate ones.
   */
  @Test
  void aPlanPredictsTheRunAndWritesNothing(@TempDir Path dir) throws Exception {
    ProfileGenerator generator =
        ProfileGenerator.builder()
            .seed(34)
            .invalidEmails(0.05)
            .missingEmails(0.02)
            .duplicateEmails(0.05)
            .build();
    long size = ordinarySize();
    ProfileGenerator.Expectation expected = generator.expect(size);
    List<Profile> segment = profiles(generator, size);
    List<Long> valid = validRows(generator, size);
    String refused = generator.validEmail(valid.get(2));
    long changedRow = valid.get(valid.size() / 2);
    String changed = generator.validEmail(changedRow);
    String newcomer = generator.validEmail(size + 7);
    simulator.rejectAddress(refused, vendorRejectionCategory());
    Connection connection = connectionAt(FAST_RATE);
    ExportDefinition definition = definition(connection, SEGMENT);
    Path file = dir.resolve("state.db");
    try (JdbcSyncStateStore state = syncState(dir)) {
      ExportOptions options =
          ExportOptions.DEFAULT.withRetryPolicy(FAST_RETRIES).withSyncState(state);
      int listsBefore = destinationCount(simulator, SEGMENT);

      // Before any run: nothing in the state, the list (where the connector makes it) not made yet.
      ExportPlan before =
          planWritingNothing(connection, definition, sourceOf(segment), options, file);
      SegmentPlan beforeSegment = before.segments().get(0);
      assertThat(destinationCount(simulator, SEGMENT))
          .as("lists for the segment after the plan")
          .isEqualTo(listsBefore);
      assertThat(beforeSegment.destinationExists())
          .as("whether the plan found the list")
          .hasValue(!has(Capability.CREATES_DESTINATION) || listsBefore > 0);
      assertThat(beforeSegment.toAdd())
          .as("profiles to add before any run")
          .isEqualTo(expected.valid());
      assertThat(beforeSegment.toUpdate() + beforeSegment.toRetry() + beforeSegment.unchanged())
          .isZero();
      ExportResult first = export(connection, definition, sourceOf(segment), state);
      assertThat(simulator.receivedEmailCount())
          .as("addresses the first run sent, as planned")
          .isEqualTo(before.toSend());
      assertPlanned(beforeSegment, first.segments().get(0), expected.duplicates(), 1);

      // After it: one profile changed, one new, and the vendor takes the one it refused.
      segment.set(
          (int) (long) changedRow,
          with(segment.get((int) (long) changedRow), ProfileGenerator.FIRST_NAME, "Renamed"));
      segment.add(
          Profile.of(
              ProfileGenerator.EMAIL,
              newcomer,
              ProfileGenerator.FIRST_NAME,
              "New",
              ProfileGenerator.LAST_NAME,
              "Comer",
              ProfileGenerator.TIER,
              "gold"));
      simulator.acceptAddress(refused);
      ExportPlan plan =
          planWritingNothing(connection, definition, sourceOf(segment), options, file);
      SegmentPlan planned = plan.segments().get(0);
      assertThat(planned.destinationExists()).hasValue(true);
      assertThat(planned.destinationId()).isEqualTo(first.segments().get(0).destinationId());
      assertThat(planned.toAdd()).as("new profiles planned").isOne();
      assertThat(planned.toUpdate()).as("changed profiles planned").isOne();
      assertThat(planned.toRetry()).as("profiles planned again after the vendor's refusal").isOne();
      assertThat(planned.unchanged())
          .as("unchanged profiles planned")
          .isEqualTo(expected.valid() - 2);

      simulator.resetCounters();
      ExportResult second = export(connection, definition, sourceOf(segment), state);
      assertThat(simulator.receivedEmails())
          .as("addresses the run after the plan sent")
          .containsExactlyInAnyOrder(refused, changed, newcomer);
      assertThat(simulator.receivedEmailCount())
          .as("addresses the run sent, as planned")
          .isEqualTo(plan.toSend());
      assertPlanned(planned, second.segments().get(0), expected.duplicates(), 0);
    }
  }

  /**
   * Plans with the simulator's counters reset, and asserts that the plan made only GET requests, wrote
   * no contact, and left the sync state's file as it was.
   */
  private ExportPlan planWritingNothing(
      Connection connection,
      ExportDefinition definition,
      SegmentSource source,
      ExportOptions options,
      Path stateFile)
      throws SQLException {
    StateRows before = StateRows.of(stateFile);
    simulator.resetCounters();
    ExportPlan plan;
    try (SegmentExporter exporter = connectors().exporter(connection)) {
      plan = exporter.plan(definition, source, options);
    }
    assertThat(
            simulator.calls().stream()
                .filter(c -> !c.method().equals("GET"))
                .map(c -> c.method() + " " + c.path())
                .toList())
        .as("requests other than GET during the plan")
        .isEmpty();
    assertThat(contactWrites()).as("contact writes during the plan").isEmpty();
    assertThat(StateRows.of(stateFile))
        .as("the sync state's file after the plan")
        .isEqualTo(before);
    return plan;
  }

  /**
   * The run did what the plan said: it sent what the plan would send (exported, or refused by the vendor:
   * {@code vendorRefusals}), and counted the same unchanged, invalid, duplicate and over-the-cap profiles.
   */
  private static void assertPlanned(
      SegmentPlan plan, SegmentResult run, long duplicates, long vendorRefusals) {
    assertThat(run.read()).as("read").isEqualTo(plan.read());
    assertThat(run.exported() + vendorRefusals)
        .as("sent (exported, or refused by the vendor), as planned")
        .isEqualTo(plan.toSend());
    assertThat(run.unchanged()).as("unchanged, as planned").isEqualTo(plan.unchanged());
    assertThat(run.duplicates())
        .as("duplicates, as planned")
        .isEqualTo(plan.duplicates())
        .isEqualTo(duplicates);
    assertThat(run.rejected() - vendorRefusals).as("invalid, as planned").isEqualTo(plan.invalid());
    assertThat(run.notAttempted()).as("over the cap, as planned").isEqualTo(plan.overCap());
    assertThat(run.unconfirmed()).as("unconfirmed").isZero();
  }

  /**
   * What a sync state's SQLite file holds, read with plain JDBC (the store's documented tables): counts,
   * and sums of the times each row was written, so that a rewritten row shows.
   */
  private record StateRows(
      long destinations,
      long members,
      long confirmed,
      long memberTimes,
      long runs,
      long runTimes,
      long pending) {
    static StateRows of(Path file) throws SQLException {
      try (java.sql.Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
          Statement s = c.createStatement()) {
        return new StateRows(
            one(s, "SELECT COUNT(*) FROM segment_export_destination"),
            one(s, "SELECT COUNT(*) FROM segment_export_member"),
            one(s, "SELECT COUNT(*) FROM segment_export_member WHERE outcome = 'CONFIRMED'"),
            one(s, "SELECT COALESCE(SUM(updated_at), 0) FROM segment_export_member"),
            one(s, "SELECT COUNT(*) FROM segment_export_run"),
            one(
                s,
                "SELECT COALESCE(SUM(COALESCE(started_at, 0) + COALESCE(finished_at, 0)), 0) FROM segment_export_run"),
            one(s, "SELECT COUNT(*) FROM segment_export_pending"));
      }
    }

    private static long one(Statement s, String sql) throws SQLException {
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** The calls as lines of milliseconds since the first, method, path and status, for failure messages. */
  private static String timeline(List<VendorSimulator.Call> calls) {
    StringBuilder b = new StringBuilder();
    long t0 = calls.isEmpty() ? 0 : calls.get(0).atNanos();
    for (VendorSimulator.Call c : calls) {
      b.append(
          String.format(
              Locale.ROOT,
              "  +%5d ms %s %s -> %d%n",
              (c.atNanos() - t0) / 1_000_000,
              c.method(),
              c.path(),
              c.status()));
    }
    return b.toString();
  }
}
