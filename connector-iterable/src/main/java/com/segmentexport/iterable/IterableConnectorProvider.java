package com.segmentexport.iterable;

import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.DestinationField;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.SettingDescriptor;
import com.segmentexport.api.StandardFields;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.ConnectorContext;
import com.segmentexport.spi.ConnectorProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Exports segments into Iterable static lists, one list per segment, named exactly as the segment.
 *
 * <h2>Connection</h2>
 * <ul>
 *   <li>{@value #API_KEY} (secret): a server-side API key, sent as the {@code Api-Key} header.
 *   <li>{@value #DATA_CENTER}: {@code US} ({@value #US_BASE_URL}, the default) or {@code EU}
 *       ({@value #EU_BASE_URL}); a key works only in the data centre where it was created.
 *   <li>{@code baseUrl}: overrides the data centre's URL (a proxy, a simulator).
 *   <li>{@code requestsPerSecond} (default {@value #DEFAULT_REQUESTS_PER_SECOND}: Iterable states no
 *       limit for subscribe, and 5 per second for its other bulk write), {@code maxConcurrentBatches}
 *       (default {@value #DEFAULT_CONCURRENT_BATCHES}), {@code maxProfilesPerExport} (the customer's
 *       contract; unbounded by default).
 * </ul>
 *
 * <h2>Export options</h2>
 * {@value #UPDATE_EXISTING_USERS_ONLY} (default false) is sent as the subscribe request's
 * {@code updateExistingUsersOnly}.
 *
 * <h2>Fields</h2>
 * The e-mail address identifies the user. {@code FirstName} and {@code LastName} are written as the
 * {@code dataFields} {@code firstName} and {@code lastName}; a custom field under its own name. Dates
 * are sent as {@code yyyy-MM-dd}, instants as {@code yyyy-MM-dd HH:mm:ss +00:00} (UTC). Empty values
 * are left out.
 */
public final class IterableConnectorProvider implements ConnectorProvider {
  /** The provider id. */
  public static final String ID = "iterable";

  /** Secret: the server-side API key. */
  public static final String API_KEY = "apiKey";

  /** Connection setting: {@code US} or {@code EU}. */
  public static final String DATA_CENTER = "dataCenter";

  /** Export option: only update users that already exist. */
  public static final String UPDATE_EXISTING_USERS_ONLY = "updateExistingUsersOnly";

  /** The US data centre. */
  public static final String US_BASE_URL = "https://api.iterable.com";

  /** The EU data centre. */
  public static final String EU_BASE_URL = "https://api.eu.iterable.com";

  /** Subscribers per request: what integrators use (Iterable documents no cap for subscribe). */
  static final int MAX_SUBSCRIBERS = 1000;

  /** Bytes per request: Iterable's documented body cap for bulk user writes. */
  static final long MAX_BODY_BYTES = 4L * 1024 * 1024;

  /** Requests in flight per export by default. */
  static final int DEFAULT_CONCURRENT_BATCHES = 4;

  /** The default request rate. */
  static final double DEFAULT_REQUESTS_PER_SECOND = 5;

  private static final Map<String, String> STANDARD =
      Map.of(
          StandardFields.FIRST_NAME, "firstName",
          StandardFields.LAST_NAME, "lastName");
  private static final Set<String> RESERVED = Set.of("email", "userId");

  /** Creates the provider; performs no I/O. */
  public IterableConnectorProvider() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String displayName() {
    return "Iterable";
  }

  /**
   * The settings, described once: the engine asks for them several times for every export (checking a
   * connection, an export definition, the limits), and a thousand exports at once asked a thousand
   * times for new descriptors.
   */
  private final List<SettingDescriptor> settings = describeSettings();

  @Override
  public List<SettingDescriptor> settings() {
    return settings;
  }

  private static List<SettingDescriptor> describeSettings() {
    return List.of(
        SettingDescriptor.secret(
            API_KEY, "A server-side Iterable API key (sent as the Api-Key header)"),
        SettingDescriptor.connection(DATA_CENTER, SettingDescriptor.Kind.CHOICE)
            .description(
                "The project's data centre: US (api.iterable.com) or EU (api.eu.iterable.com)")
            .allowedValues("US", "EU")
            .defaultValue("US")
            .build(),
        SettingDescriptor.connection(StandardSettings.BASE_URL, SettingDescriptor.Kind.URL)
            .description(
                "API base URL instead of the data centre's; HTTPS required except for loopback hosts")
            .maxLength(StandardSettings.MAX_URL_LENGTH)
            .build(),
        StandardSettings.requestsPerSecond(
            DEFAULT_REQUESTS_PER_SECOND,
            "Iterable documents no limit for list subscribe; 429 RateLimitExceeded answers are waited out"),
        StandardSettings.maxConcurrentBatches(DEFAULT_CONCURRENT_BATCHES),
        StandardSettings.maxProfilesPerExport(
            "Most profiles one export may send (the customer's Iterable contract); unbounded when absent"),
        SettingDescriptor.export(UPDATE_EXISTING_USERS_ONLY, SettingDescriptor.Kind.BOOLEAN)
            .description(
                "Only update users that already exist (respected by Iterable in userID-based and hybrid "
                    + "projects)")
            .defaultValue(false)
            .build());
  }

  @Override
  public List<DestinationField> destinationFields() {
    return List.of(
        new DestinationField(
            StandardFields.EMAIL, "E-mail address (identifies the user)", FieldType.TEXT, true),
        new DestinationField(
            StandardFields.FIRST_NAME, "First name (dataFields.firstName)", FieldType.TEXT, false),
        new DestinationField(
            StandardFields.LAST_NAME, "Last name (dataFields.lastName)", FieldType.TEXT, false));
  }

  @Override
  public boolean supportsCustomFields() {
    return true;
  }

  /** Removes members with {@code lists/unsubscribe} and {@code channelUnsubscribe: false}: this list only. */
  @Override
  public boolean supportsRemoval() {
    return true;
  }

  @Override
  public ConnectorLimits limits() {
    return new ConnectorLimits(
        MAX_SUBSCRIBERS,
        MAX_BODY_BYTES,
        DEFAULT_CONCURRENT_BATCHES,
        DEFAULT_REQUESTS_PER_SECOND,
        OptionalLong.empty());
  }

  /**
   * Checks Iterable's rules: a custom field name has no {@code .} (which addresses nested objects), is
   * not an identifier ({@code email}, {@code userId}), and no two mapped fields land in one data field.
   */
  @Override
  public List<String> validate(ExportDefinition definition) {
    List<String> problems = new ArrayList<>();
    Map<String, String> taken = new HashMap<>();
    for (FieldMapping.Entry e : definition.mapping().entries()) {
      if (e.destination().equals(StandardFields.EMAIL) && !e.custom()) {
        continue;
      }
      String name = dataFieldName(e.destination(), e.custom());
      if (e.custom() && (name.isBlank() || name.contains("."))) {
        problems.add(
            "custom field '"
                + name
                + "' is not a valid Iterable data field name: it must not be blank "
                + "nor contain '.'");
        continue;
      }
      if (RESERVED.contains(name)) {
        problems.add(
            "custom field '" + name + "' would clash with Iterable's user identifier " + name);
        continue;
      }
      String previous = taken.putIfAbsent(name, e.destination());
      if (previous != null) {
        problems.add(
            "fields '"
                + previous
                + "' and '"
                + e.destination()
                + "' both map to the Iterable data field "
                + name);
      }
    }
    return problems;
  }

  /** The Iterable data field a mapped destination field is written to. */
  static String dataFieldName(String destination, boolean custom) {
    String standard = custom ? null : STANDARD.get(destination);
    return standard != null ? standard : destination;
  }

  @Override
  public Connector create(ConnectorContext context) {
    return new IterableConnector(this, context.connection());
  }
}
