package com.segmentexport.kafka;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorDescriptor;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.DestinationField;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.RetryPolicy;
import com.segmentexport.api.Secret;
import com.segmentexport.api.SettingDescriptor;
import com.segmentexport.api.StandardFields;
import com.segmentexport.api.StandardSettings;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The sink's configuration: its {@link ConfigDef} (built from the connectors on the class path, so
 * that every connector's settings and secrets are keys Connect knows and masks), and the parsed,
 * cross-checked form the connector and its tasks use.
 *
 * <p>Keys: {@code export.connector}; {@code export.setting.<name>} for a connection setting, {@code
 * export.secret.<name>} (type PASSWORD) for a credential, {@code export.option.<name>} for a destination
 * option, as the connector's descriptors name them; the privacy consent; the field mapping; how a
 * record names its segment; the window; the retry back-off; the optional PostgreSQL sync state.
 */
final class SinkConfig extends AbstractConfig {
  static final String CONNECTOR = "export.connector";
  static final String SETTING_PREFIX = "export.setting.";
  static final String SECRET_PREFIX = "export.secret.";
  static final String OPTION_PREFIX = "export.option.";
  static final String CONSENT_BY = "export.privacy.consent.by";
  static final String CONSENT_AT = "export.privacy.consent.at";
  static final String MAPPING = "export.mapping";
  static final String MAPPING_PROFILE_ID = "export.mapping.profile.id";
  static final String SEGMENT_SOURCE = "export.segment.source";
  static final String SEGMENT_NAME = "export.segment.name";
  static final String WINDOW_MAX_RECORDS = "export.window.max.records";
  static final String WINDOW_FLUSH_MS = "export.window.flush.ms";
  static final String WINDOWS_MAX_IN_FLIGHT = "export.windows.max.in.flight";
  static final String WINDOW_CLOSE_WHEN_IDLE = "export.window.close.when.idle";
  static final String RETRY_BACKOFF_MS = "export.retry.backoff.ms";
  static final String RETRY_BACKOFF_MAX_MS = "export.retry.backoff.max.ms";
  static final String ENGINE_RETRY_ATTEMPTS = "export.engine.retry.max.attempts";
  static final String ENGINE_RETRY_MAX_DELAY_MS = "export.engine.retry.max.delay.ms";
  static final String STATE_URL = "export.state.jdbc.url";
  static final String STATE_USER = "export.state.jdbc.user";
  static final String STATE_PASSWORD = "export.state.jdbc.password";
  static final String STATE_SCHEMA = "export.state.schema";

  /** Set by the connector on each task's configuration: the connector's {@code tasks.max}. */
  static final String TASK_COUNT = "export.internal.task.count";

  /** Where a record's segment name comes from. */
  enum SegmentSource {
    TOPIC,
    FIELD,
    HEADER
  }

  private static final String GROUP_VENDOR = "Vendor";
  private static final String GROUP_MAPPING = "Mapping";
  private static final String GROUP_WINDOW = "Windows";
  private static final String GROUP_STATE = "Sync state";

  private final Connectors connectors;

  SinkConfig(Connectors connectors, Map<String, String> props) {
    // Not Kafka's dump of every value at INFO: export.privacy.consent.by is often an e-mail
    // address,
    // and no address goes to the logs. The worker logs the connector's own keys itself.
    super(definition(connectors), props, false);
    this.connectors = connectors;
  }

  /** The keys of the sink, with every connector's settings, secrets and options. */
  static ConfigDef definition(Connectors connectors) {
    ConfigDef def = new ConfigDef();
    List<String> ids = new ArrayList<>();
    connectors.providers().forEach(p -> ids.add(p.id()));
    def.define(
        CONNECTOR,
        Type.STRING,
        ConfigDef.NO_DEFAULT_VALUE,
        ConfigDef.ValidString.in(ids.toArray(new String[0])),
        Importance.HIGH,
        "The SDK connector that exports the records: one of " + String.join(", ", ids) + ".",
        GROUP_VENDOR,
        1,
        ConfigDef.Width.SHORT,
        "Connector");
    // Every connector's settings: one key each, documented with the connectors that have it.
    Map<String, List<String[]>> byKey = new TreeMap<>();
    Map<String, SettingDescriptor> firstOf = new TreeMap<>();
    for (ConnectorDescriptor p : connectors.providers()) {
      for (SettingDescriptor d : p.settings()) {
        String key = keyOf(d);
        byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(new String[] {p.id(), describe(d)});
        firstOf.putIfAbsent(key, d);
      }
    }
    int order = 2;
    for (Map.Entry<String, List<String[]>> e : byKey.entrySet()) {
      SettingDescriptor d = firstOf.get(e.getKey());
      StringBuilder doc = new StringBuilder();
      for (String[] usage : e.getValue()) {
        doc.append(doc.length() == 0 ? "" : " ").append(usage[0]).append(": ").append(usage[1]);
      }
      if (d.name().equals(StandardSettings.REQUESTS_PER_SECOND)) {
        doc.append(
            " On Kafka Connect this is the vendor account's rate for the whole connector: each task"
                + " sends at this rate divided by tasks.max.");
      }
      def.define(
          e.getKey(),
          d.kind() == SettingDescriptor.Kind.SECRET ? Type.PASSWORD : Type.STRING,
          null,
          Importance.MEDIUM,
          doc.toString(),
          GROUP_VENDOR,
          order++,
          ConfigDef.Width.MEDIUM,
          e.getKey());
    }
    def.define(
            CONSENT_BY,
            Type.STRING,
            ConfigDef.NO_DEFAULT_VALUE,
            new ConfigDef.NonEmptyString(),
            Importance.HIGH,
            "Who acknowledged the data-privacy consent for sending these profiles to the vendor"
                + " (required: without it nothing runs).",
            GROUP_VENDOR,
            order++,
            ConfigDef.Width.MEDIUM,
            "Privacy consent by")
        .define(
            CONSENT_AT,
            Type.STRING,
            null,
            Importance.LOW,
            "When the consent was acknowledged, as an ISO-8601 instant (2026-12-01T09:00:00Z);"
                + " default: when the task starts.",
            GROUP_VENDOR,
            order++,
            ConfigDef.Width.MEDIUM,
            "Privacy consent at");
    def.define(
            MAPPING,
            Type.LIST,
            ConfigDef.NO_DEFAULT_VALUE,
            new ConfigDef.NonNullValidator(),
            Importance.HIGH,
            "The field mapping, as DestinationField=recordField entries: Email (required), the"
                + " connector's standard fields (FirstName, LastName, ...), and custom fields, typed"
                + " as name:TYPE=recordField (TEXT, INTEGER, NUMBER, BOOLEAN, DATE, DATETIME).",
            GROUP_MAPPING,
            1,
            ConfigDef.Width.LONG,
            "Field mapping")
        .define(
            MAPPING_PROFILE_ID,
            Type.STRING,
            null,
            Importance.LOW,
            "The record field holding the profile's stable id (optional): with a sync state, a"
                + " profile whose address changed is moved at the vendor, not added twice.",
            GROUP_MAPPING,
            2,
            ConfigDef.Width.MEDIUM,
            "Profile id field")
        .define(
            SEGMENT_SOURCE,
            Type.STRING,
            "topic",
            ConfigDef.CaseInsensitiveValidString.in("topic", "field", "header"),
            Importance.MEDIUM,
            "What names a record's segment (the vendor list it goes to): its topic, a field of its"
                + " value, or one of its headers (the last two named by "
                + SEGMENT_NAME
                + "). A record without one goes to the dead-letter queue.",
            GROUP_MAPPING,
            3,
            ConfigDef.Width.SHORT,
            "Segment from")
        .define(
            SEGMENT_NAME,
            Type.STRING,
            null,
            Importance.MEDIUM,
            "The value field or header that names the segment, when "
                + SEGMENT_SOURCE
                + " says so.",
            GROUP_MAPPING,
            4,
            ConfigDef.Width.MEDIUM,
            "Segment field or header");
    def.define(
            WINDOW_MAX_RECORDS,
            Type.INT,
            10_000,
            ConfigDef.Range.between(1, 1_000_000),
            Importance.MEDIUM,
            "The most records of one segment in one window: a window is one export run of the"
                + " engine, and closes when it holds this many records or is "
                + WINDOW_FLUSH_MS
                + " old.",
            GROUP_WINDOW,
            1,
            ConfigDef.Width.SHORT,
            "Window size")
        .define(
            WINDOW_FLUSH_MS,
            Type.LONG,
            5_000L,
            ConfigDef.Range.between(1, 3_600_000),
            Importance.MEDIUM,
            "How long a window collects records before it is exported, in milliseconds.",
            GROUP_WINDOW,
            2,
            ConfigDef.Width.SHORT,
            "Flush interval")
        .define(
            WINDOW_CLOSE_WHEN_IDLE,
            Type.BOOLEAN,
            true,
            Importance.LOW,
            "Whether a window closes before its flush interval when the task's partitions have no"
                + " more records for now (the worker's poll found none) and no other window of its"
                + " segment is being exported or waits to be: a burst of records is exported at"
                + " once rather than after export.window.flush.ms; a slow stream then makes one"
                + " run after another. Set false for a connector whose every run is costly"
                + " (Autopilot reads the list's whole membership per run).",
            GROUP_WINDOW,
            2,
            ConfigDef.Width.SHORT,
            "Close when idle")
        .define(
            WINDOWS_MAX_IN_FLIGHT,
            Type.INT,
            4,
            ConfigDef.Range.between(1, 64),
            Importance.LOW,
            "The most windows a task exports at once (a window holding a profile that an earlier"
                + " window of its segment still has to deliver waits for it, so that a profile's"
                + " later values land after its earlier ones). While twice as many closed windows,"
                + " or twice export.window.max.records records, wait, the task pauses its"
                + " partitions.",
            GROUP_WINDOW,
            3,
            ConfigDef.Width.SHORT,
            "Windows in flight")
        .define(
            RETRY_BACKOFF_MS,
            Type.LONG,
            1_000L,
            ConfigDef.Range.between(1, 3_600_000),
            Importance.LOW,
            "The first wait before a window that the vendor did not fully confirm (a 5xx after the"
                + " engine's retries, a timeout) is exported again; doubled each time.",
            GROUP_WINDOW,
            4,
            ConfigDef.Width.SHORT,
            "Retry back-off")
        .define(
            RETRY_BACKOFF_MAX_MS,
            Type.LONG,
            60_000L,
            ConfigDef.Range.between(1, 3_600_000),
            Importance.LOW,
            "The longest wait between two exports of the same window.",
            GROUP_WINDOW,
            5,
            ConfigDef.Width.SHORT,
            "Retry back-off max")
        .define(
            ENGINE_RETRY_ATTEMPTS,
            Type.INT,
            RetryPolicy.DEFAULT.maxAttempts(),
            ConfigDef.Range.between(1, 100),
            Importance.LOW,
            "Attempts the engine makes of one request within a run (5xx, timeouts, 429) before the"
                + " run gives its records up as not delivered; the window then runs again after"
                + " "
                + RETRY_BACKOFF_MS
                + ".",
            GROUP_WINDOW,
            6,
            ConfigDef.Width.SHORT,
            "Engine attempts")
        .define(
            ENGINE_RETRY_MAX_DELAY_MS,
            Type.LONG,
            RetryPolicy.DEFAULT.maxDelay().toMillis(),
            ConfigDef.Range.between(1, 3_600_000),
            Importance.LOW,
            "The longest wait between two attempts of one request within a run.",
            GROUP_WINDOW,
            7,
            ConfigDef.Width.SHORT,
            "Engine max retry delay");
    def.define(
            STATE_URL,
            Type.STRING,
            null,
            Importance.MEDIUM,
            "A PostgreSQL JDBC URL (jdbc:postgresql://host/db) for the sync state that every task"
                + " shares: profiles the vendor already holds as they are are not sent again."
                + " Without it every record is sent.",
            GROUP_STATE,
            1,
            ConfigDef.Width.LONG,
            "State JDBC URL")
        .define(
            STATE_USER,
            Type.STRING,
            null,
            Importance.MEDIUM,
            "The sync state's database user.",
            GROUP_STATE,
            2,
            ConfigDef.Width.MEDIUM,
            "State user")
        .define(
            STATE_PASSWORD,
            Type.PASSWORD,
            null,
            Importance.MEDIUM,
            "The sync state's database password.",
            GROUP_STATE,
            3,
            ConfigDef.Width.MEDIUM,
            "State password")
        .define(
            STATE_SCHEMA,
            Type.STRING,
            null,
            Importance.LOW,
            "The schema of the sync state's tables (created when missing); default: the user's"
                + " default schema.",
            GROUP_STATE,
            4,
            ConfigDef.Width.MEDIUM,
            "State schema");
    def.defineInternal(TASK_COUNT, Type.INT, 1, Importance.LOW);
    return def;
  }

  private static String keyOf(SettingDescriptor d) {
    if (d.kind() == SettingDescriptor.Kind.SECRET) {
      return SECRET_PREFIX + d.name();
    }
    return (d.scope() == SettingDescriptor.Scope.EXPORT ? OPTION_PREFIX : SETTING_PREFIX)
        + d.name();
  }

  private static String describe(SettingDescriptor d) {
    StringBuilder s = new StringBuilder(d.description().isBlank() ? d.name() : d.description());
    if (!s.toString().endsWith(".")) {
      s.append('.');
    }
    if (d.required()) {
      s.append(" Required.");
    }
    d.defaultValue().ifPresent(v -> s.append(" Default ").append(v).append('.'));
    if (!d.allowedValues().isEmpty()) {
      s.append(" One of ").append(String.join(", ", d.allowedValues())).append('.');
    }
    return s.toString();
  }

  // ---- the parsed configuration ----------------------------------------------------------------

  ConnectorDescriptor provider() {
    return connectors.provider(getString(CONNECTOR));
  }

  String connectorId() {
    return getString(CONNECTOR);
  }

  /** The connection settings given for the chosen connector (not its secrets). */
  Map<String, String> settings() {
    return valuesFor(SettingDescriptor.Scope.CONNECTION, false);
  }

  /** The destination options given for the chosen connector. */
  Map<String, String> options() {
    return valuesFor(SettingDescriptor.Scope.EXPORT, false);
  }

  /** The secrets given for the chosen connector. */
  Map<String, Secret> secrets() {
    Map<String, Secret> secrets = new LinkedHashMap<>();
    for (SettingDescriptor d : provider().settings()) {
      if (d.kind() == SettingDescriptor.Kind.SECRET) {
        Password p = getPassword(keyOf(d));
        if (p != null && p.value() != null && !p.value().isBlank()) {
          secrets.put(d.name(), Secret.of(p.value()));
        }
      }
    }
    return secrets;
  }

  private Map<String, String> valuesFor(SettingDescriptor.Scope scope, boolean secrets) {
    Map<String, String> values = new LinkedHashMap<>();
    for (SettingDescriptor d : provider().settings()) {
      if (d.scope() == scope && (d.kind() == SettingDescriptor.Kind.SECRET) == secrets) {
        String v = getString(keyOf(d));
        if (v != null && !v.isBlank()) {
          values.put(d.name(), v.trim());
        }
      }
    }
    return values;
  }

  /** The keys given that the chosen connector does not have (settings of another connector). */
  List<String> foreignKeys() {
    TreeSet<String> own = new TreeSet<>();
    provider().settings().forEach(d -> own.add(keyOf(d)));
    List<String> foreign = new ArrayList<>();
    for (Map.Entry<String, ?> e : originals().entrySet()) {
      String k = e.getKey();
      boolean vendorKey =
          k.startsWith(SETTING_PREFIX)
              || k.startsWith(SECRET_PREFIX)
              || k.startsWith(OPTION_PREFIX);
      if (vendorKey && !own.contains(k) && e.getValue() != null) {
        foreign.add(k);
      }
    }
    return foreign;
  }

  /** The vendor account's rate for the whole connector: the setting, or the vendor's documented one. */
  double accountRequestsPerSecond() {
    String given = settings().get(StandardSettings.REQUESTS_PER_SECOND);
    if (given != null) {
      try {
        return Double.parseDouble(given);
      } catch (NumberFormatException e) {
        // The connection's own validation reports it.
      }
    }
    return provider().limits().requestsPerSecond();
  }

  boolean declaresRate() {
    return provider().settings().stream()
        .anyMatch(d -> d.name().equals(StandardSettings.REQUESTS_PER_SECOND));
  }

  int taskCount() {
    return getInt(TASK_COUNT);
  }

  PrivacyConsent consent(Instant defaultTime) {
    String at = getString(CONSENT_AT);
    Instant when = at == null || at.isBlank() ? defaultTime : Instant.parse(at.trim());
    return PrivacyConsent.acknowledgedBy(getString(CONSENT_BY), when);
  }

  /**
   * Builds the connection, its rate set to {@code requestsPerSecond} when the connector has the
   * setting (null: the rate as configured).
   *
   * @throws ConfigurationException listing every problem
   */
  Connection connection(Double requestsPerSecond, Instant consentTime) {
    Connection.Builder b =
        Connection.builder(connectors, connectorId())
            .displayName("Kafka Connect sink (" + connectorId() + ")")
            .privacyConsent(consent(consentTime));
    settings().forEach(b::setting);
    secrets().forEach(b::secret);
    if (requestsPerSecond != null && declaresRate()) {
      b.setting(StandardSettings.REQUESTS_PER_SECOND, plain(requestsPerSecond));
    }
    return b.build();
  }

  static String plain(double rate) {
    double bounded =
        Math.max(
            StandardSettings.MIN_REQUESTS_PER_SECOND,
            Math.min(StandardSettings.MAX_REQUESTS_PER_SECOND, rate));
    return java.math.BigDecimal.valueOf(bounded).stripTrailingZeros().toPlainString();
  }

  /**
   * The field mapping.
   *
   * @throws ConfigurationException listing every problem of the entries
   */
  FieldMapping mapping() {
    List<String> problems = new ArrayList<>();
    FieldMapping.Builder b = FieldMapping.builder();
    TreeSet<String> standard = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (DestinationField f : provider().destinationFields()) {
      standard.add(f.name());
    }
    for (String entry : getList(MAPPING)) {
      int eq = entry.indexOf('=');
      if (eq <= 0 || eq == entry.length() - 1) {
        problems.add(
            "mapping entry '"
                + entry
                + "' is not DestinationField=recordField (or name:TYPE=field)");
        continue;
      }
      String destination = entry.substring(0, eq).trim();
      String source = entry.substring(eq + 1).trim();
      Optional<FieldType> type = Optional.empty();
      int colon = destination.indexOf(':');
      if (colon > 0) {
        String t = destination.substring(colon + 1).trim().toUpperCase(Locale.ROOT);
        destination = destination.substring(0, colon).trim();
        try {
          type = Optional.of(FieldType.valueOf(t));
        } catch (IllegalArgumentException e) {
          problems.add("mapping entry '" + entry + "': unknown type " + t);
          continue;
        }
      }
      if (destination.equalsIgnoreCase(StandardFields.EMAIL)) {
        b.email(source);
      } else if (standard.contains(destination) && type.isEmpty()) {
        b.map(standard.ceiling(destination), source);
      } else if (type.isPresent()) {
        b.custom(destination, source, type.get());
      } else {
        b.custom(destination, source);
      }
    }
    String id = getString(MAPPING_PROFILE_ID);
    if (id != null && !id.isBlank()) {
      b.profileId(id.trim());
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException("The field mapping has problems", problems);
    }
    return b.build();
  }

  /** The record field that holds a profile's key within a window (its id, else its address). */
  String profileKeyField() {
    String id = getString(MAPPING_PROFILE_ID);
    return id != null && !id.isBlank() ? id.trim() : mapping().emailSource();
  }

  /** An export definition of one segment on this connection. */
  ExportDefinition definition(Connection connection, FieldMapping mapping, String segment) {
    ExportDefinition.Builder b =
        ExportDefinition.builder(connection)
            .name("kafka-connect:" + segment)
            .segments(segment)
            .mapping(mapping);
    options().forEach(b::option);
    return b.build();
  }

  SegmentSource segmentSource() {
    return SegmentSource.valueOf(getString(SEGMENT_SOURCE).toUpperCase(Locale.ROOT));
  }

  String segmentName() {
    return getString(SEGMENT_NAME);
  }

  int windowMaxRecords() {
    return getInt(WINDOW_MAX_RECORDS);
  }

  long windowFlushMillis() {
    return getLong(WINDOW_FLUSH_MS);
  }

  boolean windowCloseWhenIdle() {
    return getBoolean(WINDOW_CLOSE_WHEN_IDLE);
  }

  int windowsMaxInFlight() {
    return getInt(WINDOWS_MAX_IN_FLIGHT);
  }

  long retryBackoffMillis() {
    return getLong(RETRY_BACKOFF_MS);
  }

  long retryBackoffMaxMillis() {
    return getLong(RETRY_BACKOFF_MAX_MS);
  }

  /** The engine's retries within one run. */
  RetryPolicy retryPolicy() {
    long max = getLong(ENGINE_RETRY_MAX_DELAY_MS);
    java.time.Duration initial =
        java.time.Duration.ofMillis(Math.min(max, RetryPolicy.DEFAULT.initialDelay().toMillis()));
    return RetryPolicy.DEFAULT
        .withMaxAttempts(getInt(ENGINE_RETRY_ATTEMPTS))
        .withDelays(initial, java.time.Duration.ofMillis(max));
  }

  Optional<String> stateUrl() {
    String url = getString(STATE_URL);
    return url == null || url.isBlank() ? Optional.empty() : Optional.of(url.trim());
  }

  String stateUser() {
    return getString(STATE_USER);
  }

  String statePassword() {
    Password p = getPassword(STATE_PASSWORD);
    return p == null ? null : p.value();
  }

  String stateSchema() {
    String s = getString(STATE_SCHEMA);
    return s == null || s.isBlank() ? null : s.trim();
  }

  /**
   * Every problem across keys that one key's validator cannot see, by the key it belongs to: settings
   * of another connector, the connection (its settings, secrets and consent), the mapping and the
   * definition, the segment naming and the sync state. Makes no network call.
   */
  Map<String, List<String>> crossProblems() {
    Map<String, List<String>> problems = new LinkedHashMap<>();
    for (String k : foreignKeys()) {
      String name = k.substring(k.indexOf('.', "export.".length()) + 1);
      String instead =
          provider().settings().stream()
              .filter(d -> d.name().equals(name))
              .map(d -> " (give it as " + keyOf(d) + ")")
              .findFirst()
              .orElse("");
      add(problems, k, k + " is not a setting of the connector " + connectorId() + instead);
    }
    String at = getString(CONSENT_AT);
    if (at != null && !at.isBlank()) {
      try {
        Instant.parse(at.trim());
      } catch (DateTimeParseException e) {
        add(problems, CONSENT_AT, "not an ISO-8601 instant such as 2026-12-01T09:00:00Z");
      }
    }
    if (segmentSource() != SegmentSource.TOPIC
        && (segmentName() == null || segmentName().isBlank())) {
      add(
          problems,
          SEGMENT_NAME,
          "needed when " + SEGMENT_SOURCE + " is " + getString(SEGMENT_SOURCE));
    }
    if (segmentSource() == SegmentSource.TOPIC
        && segmentName() != null
        && !segmentName().isBlank()) {
      // Without it every record would go to the list named after its topic, the field unread.
      add(
          problems,
          SEGMENT_NAME,
          "names a field or header, but "
              + SEGMENT_SOURCE
              + " is topic: set "
              + SEGMENT_SOURCE
              + " to field or header, or remove "
              + SEGMENT_NAME);
    }
    if (stateUrl().isEmpty()) {
      // The state's other keys alone would run without any state, every record sent.
      for (String key : List.of(STATE_USER, STATE_PASSWORD, STATE_SCHEMA)) {
        Object given = originals().get(key);
        if (given != null && !given.toString().isBlank()) {
          add(problems, key, "given without " + STATE_URL + ": no sync state would be used");
        }
      }
    }
    if (stateUrl().isPresent() && !stateUrl().get().startsWith("jdbc:postgresql:")) {
      add(problems, STATE_URL, "the shared sync state is PostgreSQL: jdbc:postgresql://host/db");
    }
    if (getLong(RETRY_BACKOFF_MAX_MS) < getLong(RETRY_BACKOFF_MS)) {
      add(problems, RETRY_BACKOFF_MAX_MS, "smaller than " + RETRY_BACKOFF_MS);
    }
    // A window is one export: past the vendor's per-export cap its last records would never be
    // sent.
    java.util.OptionalLong cap = provider().limits().maxProfilesPerExport();
    String capSetting = settings().get(StandardSettings.MAX_PROFILES_PER_EXPORT);
    if (capSetting != null && capSetting.matches("\\d{1,18}")) {
      cap = java.util.OptionalLong.of(Long.parseLong(capSetting));
    }
    if (cap.isPresent() && windowMaxRecords() > cap.getAsLong()) {
      add(
          problems,
          WINDOW_MAX_RECORDS,
          "more than the "
              + cap.getAsLong()
              + " profiles "
              + connectorId()
              + " takes in one export (a window is one export)");
    }
    Connection connection = null;
    try {
      connection = connection(null, Instant.now());
    } catch (ConfigurationException e) {
      for (String p : e.problems().isEmpty() ? List.of(e.getMessage()) : e.problems()) {
        add(problems, keyFor(p, SettingDescriptor.Scope.CONNECTION), p);
      }
    } catch (DateTimeParseException e) {
      // reported above
    }
    FieldMapping mapping = null;
    try {
      mapping = mapping();
    } catch (ConfigurationException e) {
      for (String p : e.problems().isEmpty() ? List.of(e.getMessage()) : e.problems()) {
        add(problems, MAPPING, p);
      }
    }
    if (mapping != null
        && segmentSource() == SegmentSource.FIELD
        && mapping.emailSource().equals(segmentName())) {
      // Every profile would be a segment of its own: a list per person at the vendor, named after
      // the address, and the address in every line that names a segment.
      add(
          problems,
          SEGMENT_NAME,
          "is the field mapped to Email: a record's segment is a field that names its list, not"
              + " the address");
    }
    if (connection != null && mapping != null) {
      try {
        definition(connection, mapping, "segment");
      } catch (ConfigurationException e) {
        for (String p : e.problems().isEmpty() ? List.of(e.getMessage()) : e.problems()) {
          String key = keyFor(p, SettingDescriptor.Scope.EXPORT);
          add(problems, key.equals(CONNECTOR) ? MAPPING : key, p);
        }
      }
    }
    return problems;
  }

  /** The key a problem sentence is about: the first of the connector's settings it names. */
  private String keyFor(String problem, SettingDescriptor.Scope scope) {
    for (SettingDescriptor d : provider().settings()) {
      if (problem.contains(d.name()) && (d.scope() == scope || scope == null)) {
        return keyOf(d);
      }
    }
    for (SettingDescriptor d : provider().settings()) {
      if (problem.contains(d.name())) {
        return keyOf(d);
      }
    }
    if (problem.toLowerCase(Locale.ROOT).contains("consent")) {
      return CONSENT_BY;
    }
    return CONNECTOR;
  }

  private static void add(Map<String, List<String>> problems, String key, String problem) {
    problems.computeIfAbsent(key, k -> new ArrayList<>()).add(problem);
  }

  /**
   * Parses and cross-checks a configuration.
   *
   * @throws ConfigException with every problem when it is not usable
   */
  static SinkConfig parse(Connectors connectors, Map<String, String> props) {
    SinkConfig config = new SinkConfig(connectors, props);
    Map<String, List<String>> problems = config.crossProblems();
    if (!problems.isEmpty()) {
      StringBuilder message = new StringBuilder("The segment export sink's configuration has ");
      message.append(problems.values().stream().mapToInt(List::size).sum()).append(" problem(s):");
      problems.forEach(
          (k, ps) -> ps.forEach(p -> message.append("\n  ").append(k).append(": ").append(p)));
      throw new ConfigException(message.toString());
    }
    return config;
  }
}
