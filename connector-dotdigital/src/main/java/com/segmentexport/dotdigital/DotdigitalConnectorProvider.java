package com.segmentexport.dotdigital;

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
 * Exports segments into a dotdigital address book through the Contacts v3 bulk import.
 *
 * <h2>Connection</h2>
 * <ul>
 *   <li>{@value #USERNAME} and {@value #PASSWORD} (secrets): an API user's e-mail address and password
 *       (dotdigital: Settings &gt; Access &gt; API users), sent as HTTP Basic.
 *   <li>{@code baseUrl}: where the account's region is discovered ({@value #DEFAULT_BASE_URL}, r1, for
 *       every account). The connector asks {@code GET /v2/account-info} there for the account's
 *       {@code ApiEndpoint} (r1, r2 or r3) and sends everything else to it; the endpoint is cached for the
 *       connector's life.
 *   <li>{@code requestsPerSecond} (default 2), {@code maxConcurrentBatches} (imports in flight per export,
 *       default 5, at most 25), {@code maxProfilesPerExport} (at most and by default 1,000,000),
 *       {@value #IMPORT_TIMEOUT_SECONDS} (how long one import may stay unfinished, default 3600, at most
 *       86,400: a day).
 * </ul>
 *
 * <h2>Export options</h2>
 * <ul>
 *   <li>{@value #ADDRESS_BOOK_ID} (required, 1 to 2,147,483,647): the numeric id of the address book (list) profiles are added
 *       to. A book that does not exist fails the export before any profile is sent.
 *   <li>{@value #CREATE_MISSING_FIELDS} (default true): create mapped contact data fields the account
 *       lacks; when false a missing field fails the export before any profile is sent.
 * </ul>
 *
 * <h2>Fields</h2>
 * {@code FirstName}, {@code LastName}, {@code FullName}, {@code Gender} and {@code Postcode} go to the
 * default data fields {@code FIRSTNAME}, {@code LASTNAME}, {@code FULLNAME}, {@code GENDER} and
 * {@code POSTCODE}. A custom field goes to the data field of its name in capitals ({@code tier} to
 * {@code TIER}); its name must be 1 to 20 letters, digits, {@code _} or {@code -}. Empty values are left
 * out, never sent as {@code null} (which would clear the contact's data).
 *
 * <h2>Consent</h2>
 * Contacts that unsubscribed or are suppressed are never resubscribed: the import sends no e-mail
 * status, and such contacts are reported as {@code UNSUBSCRIBED} or {@code SUPPRESSED} rejections.
 */
public final class DotdigitalConnectorProvider implements ConnectorProvider {
  /** The provider id. */
  public static final String ID = "dotdigital";

  /** Secret: the API user's e-mail address. */
  public static final String USERNAME = "username";

  /** Secret: the API user's password. */
  public static final String PASSWORD = "password";

  /** Export option: the address book id. */
  public static final String ADDRESS_BOOK_ID = "addressBookId";

  /** Export option: whether missing data fields are created. */
  public static final String CREATE_MISSING_FIELDS = "createMissingFields";

  /** Connection setting: seconds one import may stay unfinished before its outcome is reported unknown. */
  public static final String IMPORT_TIMEOUT_SECONDS = "importTimeoutSeconds";

  /** The r1 endpoint, where every account's region is discovered. */
  public static final String DEFAULT_BASE_URL = "https://r1-api.dotdigital.com";

  /** Contacts per import: the official Magento connector's default batch ({@code mega_batch_size_contact}). */
  static final int MAX_IMPORT_RECORDS = 2000;

  /** Bytes of profile data per import: a fifth of the documented 50 MB body cap. */
  static final long MAX_IMPORT_BYTES = 10L * 1024 * 1024;

  /** Contact imports an account may have active at once (documented). */
  static final int MAX_ACTIVE_IMPORTS = 25;

  /** Imports in flight per export by default, leaving most of the account's 25 to other exports. */
  static final int DEFAULT_CONCURRENT_IMPORTS = 5;

  /** dotdigital's limit on profiles per export. */
  static final long MAX_PROFILES_PER_EXPORT = 1_000_000L;

  /** The default request rate. */
  static final double DEFAULT_REQUESTS_PER_SECOND = 2;

  /** Seconds one import may stay unfinished by default. */
  static final int DEFAULT_IMPORT_TIMEOUT_SECONDS = 3600;

  /** The longest an import may be given to finish: a day (dotdigital imports take minutes). */
  static final int MAX_IMPORT_TIMEOUT_SECONDS = 86_400;

  private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9_-]{1,20}");
  private static final Map<String, String> STANDARD =
      Map.of(
          StandardFields.FIRST_NAME, "FIRSTNAME",
          StandardFields.LAST_NAME, "LASTNAME",
          StandardFields.FULL_NAME, "FULLNAME",
          StandardFields.GENDER, "GENDER",
          StandardFields.POSTCODE, "POSTCODE");

  /** Creates the provider; performs no I/O. */
  public DotdigitalConnectorProvider() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String displayName() {
    return "dotdigital";
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
            USERNAME, "The API user's e-mail address (Settings > Access > API users)"),
        SettingDescriptor.secret(PASSWORD, "The API user's password"),
        StandardSettings.baseUrl(DEFAULT_BASE_URL),
        StandardSettings.requestsPerSecond(
            DEFAULT_REQUESTS_PER_SECOND,
            "dotdigital limits calls per minute per tier; 429 answers with X-RateLimit-Reset are waited out"),
        StandardSettings.maxConcurrentBatches(DEFAULT_CONCURRENT_IMPORTS, MAX_ACTIVE_IMPORTS),
        StandardSettings.maxProfilesPerExport(
            MAX_PROFILES_PER_EXPORT,
            "Most profiles one export may send (dotdigital allows at most 1,000,000)"),
        SettingDescriptor.connection(IMPORT_TIMEOUT_SECONDS, SettingDescriptor.Kind.INTEGER)
            .description(
                "Seconds one import may stay unfinished before its profiles are reported as not confirmed")
            .range(SettingDescriptor.Range.between(1, MAX_IMPORT_TIMEOUT_SECONDS))
            .defaultValue(DEFAULT_IMPORT_TIMEOUT_SECONDS)
            .build(),
        SettingDescriptor.export(ADDRESS_BOOK_ID, SettingDescriptor.Kind.INTEGER)
            .description("The id of the dotdigital address book (list) profiles are added to")
            .range(SettingDescriptor.Range.between(1, Integer.MAX_VALUE))
            .required()
            .build(),
        SettingDescriptor.export(CREATE_MISSING_FIELDS, SettingDescriptor.Kind.BOOLEAN)
            .description(
                "Create mapped contact data fields the account lacks (false: fail the export instead)")
            .defaultValue(true)
            .build());
  }

  @Override
  public List<DestinationField> destinationFields() {
    return List.of(
        new DestinationField(StandardFields.EMAIL, "E-mail address", FieldType.TEXT, true),
        new DestinationField(
            StandardFields.FIRST_NAME, "First name (FIRSTNAME)", FieldType.TEXT, false),
        new DestinationField(
            StandardFields.LAST_NAME, "Last name (LASTNAME)", FieldType.TEXT, false),
        new DestinationField(
            StandardFields.FULL_NAME, "Full name (FULLNAME)", FieldType.TEXT, false),
        new DestinationField(StandardFields.GENDER, "Gender (GENDER)", FieldType.TEXT, false),
        new DestinationField(
            StandardFields.POSTCODE, "Postcode (POSTCODE)", FieldType.TEXT, false));
  }

  @Override
  public boolean supportsCustomFields() {
    return true;
  }

  /**
   * Removes members with {@code POST /v2/address-books/{id}/contacts/delete} (their contact ids, in bulk):
   * that address book only, never an unsubscribe nor a contact deletion.
   */
  @Override
  public boolean supportsRemoval() {
    return true;
  }

  @Override
  public ConnectorLimits limits() {
    return new ConnectorLimits(
        MAX_IMPORT_RECORDS,
        MAX_IMPORT_BYTES,
        DEFAULT_CONCURRENT_IMPORTS,
        DEFAULT_REQUESTS_PER_SECOND,
        OptionalLong.of(MAX_PROFILES_PER_EXPORT));
  }

  /**
   * Checks dotdigital's rules: custom field names are 1 to 20 letters, digits, {@code _} or {@code -},
   * and no two mapped fields land in the same data field; a mirroring export has one segment, as every
   * segment goes to the same address book. (The address book id's range, 1 to
   * 2,147,483,647 as dotdigital's ids are 32-bit, is checked by its descriptor.)
   */
  @Override
  public List<String> validate(ExportDefinition definition) {
    List<String> problems = new ArrayList<>();
    // Every segment goes to the one address book of the option: each segment's mirror would remove
    // the members of the others.
    if (definition.syncMode().orElse(null) == SyncMode.MIRROR && definition.segments().size() > 1) {
      problems.add(
          "mirror mode takes one segment: every segment of this export goes to the address book "
              + ADDRESS_BOOK_ID
              + ", and each segment's removals would take the other segments' members off it"
              + " (mirror one segment per address book; to mirror several, export their union as"
              + " one segment)");
    }
    Map<String, String> taken = new HashMap<>();
    for (FieldMapping.Entry e : definition.mapping().entries()) {
      if (e.destination().equals(StandardFields.EMAIL) && !e.custom()) {
        continue;
      }
      if (e.custom() && !FIELD_NAME.matcher(e.destination()).matches()) {
        problems.add(
            "custom field '"
                + e.destination()
                + "' is not a valid dotdigital data field name: use 1 to 20 "
                + "letters, digits, '_' or '-'");
        continue;
      }
      String dataField = dataFieldName(e.destination(), e.custom());
      if (dataField.equals("EMAIL")) {
        problems.add(
            "custom field '" + e.destination() + "' would clash with the contact's e-mail address");
        continue;
      }
      String previous = taken.putIfAbsent(dataField, e.destination());
      if (previous != null) {
        problems.add(
            "fields '"
                + previous
                + "' and '"
                + e.destination()
                + "' both map to the dotdigital data field "
                + dataField);
      }
    }
    return problems;
  }

  /** The dotdigital data field a mapped destination field is written to. */
  static String dataFieldName(String destination, boolean custom) {
    String standard = custom ? null : STANDARD.get(destination);
    return standard != null ? standard : destination.toUpperCase(Locale.ROOT);
  }

  @Override
  public Connector create(ConnectorContext context) {
    return new DotdigitalConnector(this, context.connection());
  }
}
