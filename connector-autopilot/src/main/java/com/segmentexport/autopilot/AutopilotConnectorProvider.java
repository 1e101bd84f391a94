package com.segmentexport.autopilot;

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
import java.util.List;
import java.util.OptionalLong;

/**
 * Exports segments into Autopilot (REST API v1) lists named exactly as the segments.
 *
 * <h2>Connection</h2>
 * <ul>
 *   <li>{@value #API_KEY} (secret): the account's API key, sent as the {@code autopilotapikey} header.
 *   <li>{@code baseUrl} (default {@value #DEFAULT_BASE_URL}), {@code requestsPerSecond} (default 5, the
 *       documented limit), {@code maxConcurrentBatches} (default 28: batches whose list
 *       membership one count read confirms, see below), {@value #MAX_CONCURRENT_UPSERTS} (default 4:
 *       upserts into one list sent and not yet answered at once, for all the exports of the JVM
 *       writing to it, so that answers slower than the rate's spacing do not slow the export),
 *       {@code maxProfilesPerExport} (at most and by default 100,000, across all segments of an export).
 * </ul>
 *
 * <h2>Requests</h2>
 * Each batch is one bulk upsert carrying the list; then the list's count confirms that the contacts
 * joined it, one count read for a group of up to {@code maxConcurrentBatches} upserted batches (contacts
 * it does not confirm are checked and added one by one). With the default, about 29 requests carry 28
 * batches; with 1, each batch costs two requests.
 *
 * <h2>Fields</h2>
 * {@code Email}, {@code FirstName}, {@code LastName} and the other standard Autopilot fields listed by
 * {@link #destinationFields()} go to the contact's field of that name; a custom field goes into
 * {@code custom} under a typed key, {@code <type>--<Name>} with spaces as {@code --}
 * ({@code "Loyalty Tier"} as text is {@code string--Loyalty--Tier}). Empty values are left out.
 */
public final class AutopilotConnectorProvider implements ConnectorProvider {
  /** The provider id. */
  public static final String ID = "autopilot";

  /** Secret: the API key. */
  public static final String API_KEY = "apiKey";

  /** The production API base URL. */
  public static final String DEFAULT_BASE_URL = "https://api2.autopilothq.com/v1";

  /** Contacts per {@code POST /v1/contacts} (documented; more is a 400). */
  static final int MAX_BULK_CONTACTS = 100;

  /** Bytes of profile data per request: Autopilot documents no cap, so a conservative one. */
  static final long MAX_BULK_BYTES = 2L * 1024 * 1024;

  /**
   * Batches in flight by default: the upserts of a group of this many share one count read (2,800
   * contacts in memory). Not more: a group's first batch waits for all of its upserts (5.6 s at 5
   * requests/s), and the shared contract wants a result before a 30-batch segment is confirmed whole.
   */
  static final int DEFAULT_CONCURRENT_BATCHES = 28;

  /** Setting: upserts into one list unanswered at once. */
  public static final String MAX_CONCURRENT_UPSERTS = "maxConcurrentUpserts";

  /**
   * Upserts unanswered at once by default. At 5 requests/s one goes every 200 ms; an upsert answered
   * more slowly than that would hold the export under the rate with one at a time. 4 keep the rate
   * with answers of up to 800 ms. A count read still waits until none is unanswered.
   */
  static final int DEFAULT_CONCURRENT_UPSERTS = 4;

  /** The documented rate limit. */
  static final double DEFAULT_REQUESTS_PER_SECOND = 5;

  /** Autopilot's limit on profiles per export, across all of its segments. */
  static final long MAX_PROFILES_PER_EXPORT = 100_000L;

  private static final List<String> STANDARD =
      List.of(
          StandardFields.FIRST_NAME,
          StandardFields.LAST_NAME,
          "Salutation",
          "Company",
          "Title",
          "Industry",
          "Phone",
          "MobilePhone",
          "Website",
          "MailingStreet",
          "MailingCity",
          "MailingState",
          "MailingPostalCode",
          "MailingCountry",
          "LeadSource",
          "Status");

  /** Creates the provider; performs no I/O. */
  public AutopilotConnectorProvider() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String displayName() {
    return "Autopilot";
  }

  @Override
  public List<SettingDescriptor> settings() {
    return List.of(
        SettingDescriptor.secret(
            API_KEY, "The Autopilot API key (sent as the autopilotapikey header)"),
        StandardSettings.baseUrl(DEFAULT_BASE_URL),
        StandardSettings.requestsPerSecond(
            DEFAULT_REQUESTS_PER_SECOND,
            "Autopilot documents 5 requests per second; 429 answers are backed off exponentially"),
        StandardSettings.maxConcurrentBatches(DEFAULT_CONCURRENT_BATCHES),
        SettingDescriptor.connection(MAX_CONCURRENT_UPSERTS, SettingDescriptor.Kind.INTEGER)
            .description(
                "Upserts into one list sent and not yet answered at once, for all the exports of this"
                    + " JVM writing to it (at most maxConcurrentBatches); a count read waits until"
                    + " none is")
            .range(SettingDescriptor.Range.between(1, StandardSettings.MAX_CONCURRENCY))
            .defaultValue(DEFAULT_CONCURRENT_UPSERTS)
            .build(),
        StandardSettings.maxProfilesPerExport(
            MAX_PROFILES_PER_EXPORT,
            "Most profiles one export may send across its segments (Autopilot allows at most 100,000)"));
  }

  @Override
  public List<DestinationField> destinationFields() {
    List<DestinationField> fields = new ArrayList<>();
    fields.add(new DestinationField(StandardFields.EMAIL, "E-mail address", FieldType.TEXT, true));
    for (String name : STANDARD) {
      fields.add(DestinationField.text(name));
    }
    return List.copyOf(fields);
  }

  @Override
  public boolean supportsCustomFields() {
    return true;
  }

  /**
   * Removes members with {@code DELETE /v1/list/{list_id}/contact/{contact_id_or_email}}, one call per
   * contact: this list only.
   */
  @Override
  public boolean supportsRemoval() {
    return true;
  }

  @Override
  public ConnectorLimits limits() {
    return new ConnectorLimits(
        MAX_BULK_CONTACTS,
        MAX_BULK_BYTES,
        DEFAULT_CONCURRENT_BATCHES,
        DEFAULT_REQUESTS_PER_SECOND,
        OptionalLong.of(MAX_PROFILES_PER_EXPORT));
  }

  /** Custom field names must not be blank nor contain {@code --} (which reads back as a space). */
  @Override
  public List<String> validate(ExportDefinition definition) {
    List<String> problems = new ArrayList<>();
    for (FieldMapping.Entry e : definition.mapping().entries()) {
      if (e.custom() && (e.destination().isBlank() || e.destination().contains("--"))) {
        problems.add(
            "custom field '"
                + e.destination()
                + "' is not a valid Autopilot field name: it must not be "
                + "blank nor contain '--'");
      }
    }
    return problems;
  }

  /** The key a custom field is written under: {@code <type>--<Name>}, spaces as {@code --}. */
  static String customKey(String name, FieldType type) {
    return vendorType(type) + "--" + name.trim().replaceAll("\\s+", "--");
  }

  private static String vendorType(FieldType type) {
    switch (type) {
      case INTEGER:
        return "integer";
      case NUMBER:
        return "float";
      case BOOLEAN:
        return "boolean";
      case DATE:
      case DATETIME:
        return "date";
      default:
        return "string";
    }
  }

  @Override
  public Connector create(ConnectorContext context) {
    return new AutopilotConnector(context.connection());
  }
}
