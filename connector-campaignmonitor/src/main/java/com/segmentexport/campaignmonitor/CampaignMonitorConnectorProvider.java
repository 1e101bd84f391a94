package com.segmentexport.campaignmonitor;

import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.DestinationField;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.SettingDescriptor;
import com.segmentexport.api.StandardFields;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.api.SyncMode;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.ConnectorContext;
import com.segmentexport.spi.ConnectorProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Exports segments into a Campaign Monitor list through the synchronous bulk import
 * {@code POST subscribers/{listid}/import.json}.
 *
 * <h2>Connection</h2>
 * <ul>
 *   <li>{@value #API_KEY} (secret): sent as HTTP Basic user name (password {@code x}); or, instead,
 *       {@value #ACCESS_TOKEN} (secret, an OAuth access token sent as {@code Bearer}) with an optional
 *       {@value #REFRESH_TOKEN} (secret), exchanged at {@value #OAUTH_TOKEN_URL} for a new access token
 *       when Campaign Monitor answers that the token expired (code 121). Exactly one of the API key and
 *       the access token is required.
 *   <li>{@code baseUrl} ({@value #DEFAULT_BASE_URL}); {@value #OAUTH_TOKEN_URL}
 *       ({@value #DEFAULT_TOKEN_URL}).
 *   <li>{@code requestsPerSecond} (default 5), {@code maxConcurrentBatches} (imports in flight per
 *       export, default 3), {@code maxProfilesPerExport} (at most and by default 1,000,000).
 * </ul>
 *
 * <h2>Export options</h2>
 * <ul>
 *   <li>{@value #LIST_ID} (required): the 32-character list id. A list that does not exist, or belongs
 *       to another account, fails the export before any profile is sent.
 *   <li>{@value #CONSENT_TO_TRACK} ({@code Yes}, {@code No} or {@code Unchanged}, the default): sent as
 *       every subscriber's {@code ConsentToTrack}.
 *   <li>{@value #RESUBSCRIBE} (default false): re-add unsubscribed, deleted, bounced or suppressed
 *       addresses. Left false, Campaign Monitor refuses them per row and they are reported as
 *       {@code UNSUBSCRIBED}, {@code SUPPRESSED} or {@code VENDOR_REJECTED} rejections.
 *   <li>{@value #TRIGGER_AUTORESPONDERS} (default false): queue (and, for resubscribed addresses,
 *       restart) subscription-based autoresponders.
 * </ul>
 *
 * <h2>Fields</h2>
 * {@code FirstName} and {@code LastName} are joined into the subscriber's {@code Name}. A custom field
 * goes to the list's custom field of that name, created (per list) before the first import when the
 * list lacks it, typed from the mapping: text and booleans as {@code Text}, numbers as {@code Number},
 * dates and date-times as {@code Date}. Empty values are left out, so Campaign Monitor keeps what it
 * has.
 */
public final class CampaignMonitorConnectorProvider implements ConnectorProvider {
  /** The provider id. */
  public static final String ID = "campaignmonitor";

  /** Secret: the API key (Account settings &gt; API keys). */
  public static final String API_KEY = "apiKey";

  /** Secret: an OAuth access token, instead of the API key. */
  public static final String ACCESS_TOKEN = "accessToken";

  /** Secret: the OAuth refresh token that goes with {@link #ACCESS_TOKEN}. */
  public static final String REFRESH_TOKEN = "refreshToken";

  /** Connection setting: where OAuth tokens are refreshed. */
  public static final String OAUTH_TOKEN_URL = "oauthTokenUrl";

  /** Export option: the destination list id. */
  public static final String LIST_ID = "listId";

  /** Export option: the {@code ConsentToTrack} value sent for every subscriber. */
  public static final String CONSENT_TO_TRACK = "consentToTrack";

  /** Export option: whether inactive addresses are resubscribed. */
  public static final String RESUBSCRIBE = "resubscribe";

  /** Export option: whether subscription-based autoresponders are triggered. */
  public static final String TRIGGER_AUTORESPONDERS = "triggerAutoresponders";

  /** The API base URL. */
  public static final String DEFAULT_BASE_URL = "https://api.createsend.com/api/v3.3/";

  /** The OAuth token endpoint. */
  public static final String DEFAULT_TOKEN_URL = "https://api.createsend.com/oauth/token";

  /** Subscribers per import: Campaign Monitor's documented maximum (more is refused with code 209). */
  static final int MAX_IMPORT_SUBSCRIBERS = 1000;

  /** Bytes of profile data per import (Campaign Monitor documents no cap; 1,000 full rows stay far below it). */
  static final long MAX_IMPORT_BYTES = 4L * 1024 * 1024;

  /** Imports in flight per export by default. */
  static final int DEFAULT_CONCURRENT_IMPORTS = 3;

  /** Campaign Monitor's limit on profiles per export. */
  static final long MAX_PROFILES_PER_EXPORT = 1_000_000L;

  /** The default request rate (Campaign Monitor publishes none for subscriber endpoints). */
  static final double DEFAULT_REQUESTS_PER_SECOND = 5;

  private static final Pattern LIST_ID_FORM = Pattern.compile("[0-9a-fA-F]{32}");

  /** Creates the provider; performs no I/O. */
  public CampaignMonitorConnectorProvider() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String displayName() {
    return "Campaign Monitor";
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
        SettingDescriptor.optionalSecret(
            API_KEY, "The API key, sent as HTTP Basic user name (or use an access token)"),
        SettingDescriptor.optionalSecret(
            ACCESS_TOKEN, "An OAuth access token, instead of the API key"),
        SettingDescriptor.optionalSecret(
            REFRESH_TOKEN, "The OAuth refresh token, used when the access token expires"),
        StandardSettings.baseUrl(DEFAULT_BASE_URL),
        SettingDescriptor.connection(OAUTH_TOKEN_URL, SettingDescriptor.Kind.URL)
            .description("Where OAuth access tokens are refreshed")
            .maxLength(StandardSettings.MAX_URL_LENGTH)
            .defaultValue(DEFAULT_TOKEN_URL)
            .build(),
        StandardSettings.requestsPerSecond(
            DEFAULT_REQUESTS_PER_SECOND,
            "Campaign Monitor publishes no limit; its 429 answers are backed off"),
        StandardSettings.maxConcurrentBatches(DEFAULT_CONCURRENT_IMPORTS),
        StandardSettings.maxProfilesPerExport(
            MAX_PROFILES_PER_EXPORT,
            "Most profiles one export may send (Campaign Monitor exports allow at most 1,000,000)"),
        SettingDescriptor.export(LIST_ID, SettingDescriptor.Kind.TEXT)
            .description("The 32-character id of the Campaign Monitor list profiles are added to")
            .maxLength(32)
            .required()
            .build(),
        SettingDescriptor.export(CONSENT_TO_TRACK, SettingDescriptor.Kind.CHOICE)
            .description("ConsentToTrack sent for every subscriber")
            .allowedValues("Yes", "No", "Unchanged")
            .defaultValue("Unchanged")
            .build(),
        SettingDescriptor.export(RESUBSCRIBE, SettingDescriptor.Kind.BOOLEAN)
            .description(
                "Re-add addresses that unsubscribed, were deleted, bounced or are suppressed")
            .defaultValue(false)
            .build(),
        SettingDescriptor.export(TRIGGER_AUTORESPONDERS, SettingDescriptor.Kind.BOOLEAN)
            .description("Trigger subscription-based autoresponders for the subscribers added")
            .defaultValue(false)
            .build());
  }

  @Override
  public List<DestinationField> destinationFields() {
    return List.of(
        new DestinationField(
            StandardFields.EMAIL, "E-mail address (EmailAddress)", FieldType.TEXT, true),
        new DestinationField(
            StandardFields.FIRST_NAME, "First name (joined into Name)", FieldType.TEXT, false),
        new DestinationField(
            StandardFields.LAST_NAME, "Last name (joined into Name)", FieldType.TEXT, false));
  }

  @Override
  public boolean supportsCustomFields() {
    return true;
  }

  /**
   * Removes members with {@code DELETE subscribers/{listid}.json?email=} (state Deleted on that list: not an
   * unsubscribe, not suppressed), one call per address.
   */
  @Override
  public boolean supportsRemoval() {
    return true;
  }

  @Override
  public ConnectorLimits limits() {
    return new ConnectorLimits(
        MAX_IMPORT_SUBSCRIBERS,
        MAX_IMPORT_BYTES,
        DEFAULT_CONCURRENT_IMPORTS,
        DEFAULT_REQUESTS_PER_SECOND,
        OptionalLong.of(MAX_PROFILES_PER_EXPORT));
  }

  /**
   * Checks Campaign Monitor's rules: the list id is 32 hexadecimal characters; each custom field name has a letter or digit (the key
   * Campaign Monitor derives from it), and no two custom fields share a key. A mirroring export has one
   * segment, as every segment goes to the same list.
   */
  @Override
  public List<String> validate(ExportDefinition definition) {
    List<String> problems = new ArrayList<>();
    // Every segment goes to the one list of listId: each segment's mirror would remove the members
    // of the others.
    if (definition.syncMode().orElse(null) == SyncMode.MIRROR && definition.segments().size() > 1) {
      problems.add(
          "mirror mode takes one segment: every segment of this export goes to the list "
              + LIST_ID
              + ", and each segment's removals would take the other segments' members off it"
              + " (mirror one segment per list; to mirror several, export their union as one"
              + " segment)");
    }
    definition
        .option(LIST_ID)
        .map(String::trim)
        .ifPresent(
            id -> {
              if (!LIST_ID_FORM.matcher(id).matches()) {
                problems.add(
                    LIST_ID
                        + " must be a Campaign Monitor list id (32 hexadecimal characters) but was '"
                        + id
                        + "'");
              }
            });
    Map<String, String> keys = new HashMap<>();
    for (FieldMapping.Entry e : definition.mapping().entries()) {
      if (!e.custom()) {
        continue;
      }
      String key = fieldKey(e.destination());
      if (key.isEmpty()) {
        problems.add("custom field '" + e.destination() + "' needs at least one letter or digit");
        continue;
      }
      String previous = keys.putIfAbsent(key, e.destination());
      if (previous != null) {
        problems.add(
            "custom fields '"
                + previous
                + "' and '"
                + e.destination()
                + "' would be the same Campaign Monitor field ["
                + key
                + "]");
      }
    }
    return problems;
  }

  /**
   * Checks the connection's credentials when it is built: exactly one of an API key and an access token,
   * and a refresh token only with an access token.
   */
  @Override
  public List<String> validate(Connection connection) {
    return credentialProblems(connection);
  }

  /** Problems with a connection's credentials: exactly one of API key and access token. */
  static List<String> credentialProblems(Connection connection) {
    boolean key = connection.secret(API_KEY).isPresent();
    boolean token = connection.secret(ACCESS_TOKEN).isPresent();
    if (key && token) {
      return List.of("give either " + API_KEY + " or " + ACCESS_TOKEN + ", not both");
    }
    if (!key && !token) {
      return List.of("credential " + API_KEY + " (or an OAuth " + ACCESS_TOKEN + ") is required");
    }
    if (key && connection.secret(REFRESH_TOKEN).isPresent()) {
      return List.of(REFRESH_TOKEN + " goes with " + ACCESS_TOKEN + ", not with " + API_KEY);
    }
    return List.of();
  }

  /** The key Campaign Monitor derives from a field name, without brackets: {@code "Loyalty tier"} gives {@code loyaltytier}. */
  static String fieldKey(String name) {
    return name.replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
  }

  @Override
  public Connector create(ConnectorContext context) {
    return new CampaignMonitorConnector(this, context.connection());
  }
}
