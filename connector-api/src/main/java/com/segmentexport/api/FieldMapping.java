package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which profile field feeds which destination field.
 *
 * <pre>{@code
 * FieldMapping mapping = FieldMapping.builder()
 *     .email("EmailAddress")                 // required
 *     .map("FirstName", "GivenName")         // a standard destination field of the connector
 *     .map("LastName", "Surname")
 *     .custom("tier", "LoyaltyTier")         // a custom field (text unless a type is given)
 *     .custom("orders", "OrderCount", FieldType.INTEGER)
 *     .build();
 * }</pre>
 *
 * <p>Standard destination names must be among the connector's
 * {@link ConnectorDescriptor#destinationFields()}; custom fields are allowed where the connector
 * {@linkplain ConnectorDescriptor#supportsCustomFields() supports them}. Both are checked when an
 * {@link ExportDefinition} is built.
 */
public final class FieldMapping {
  /**
   * One mapped field.
   *
   * @param destination the destination field name
   * @param source the profile field name
   * @param type the declared type, if any (standard fields take the connector's type)
   * @param custom whether this is a custom field rather than a standard one
   */
  public record Entry(String destination, String source, Optional<FieldType> type, boolean custom) {
    /**
     * Checks the parts.
     *
     * @param destination the destination field name
     * @param source the profile field name
     * @param type the declared type, if any (standard fields take the connector's type)
     * @param custom whether this is a custom field rather than a standard one
     */
    public Entry {
      requireNonNull(destination, "destination == null");
      requireNonNull(source, "source == null");
      requireNonNull(type, "type == null");
      if (destination.isBlank()) {
        throw new IllegalArgumentException("destination field name is blank");
      }
      if (source.isBlank()) {
        throw new IllegalArgumentException("source field name is blank");
      }
    }
  }

  private final List<Entry> entries;
  private final String profileIdSource;

  private FieldMapping(List<Entry> entries, String profileIdSource) {
    this.entries = List.copyOf(entries);
    this.profileIdSource = profileIdSource;
  }

  /**
   * Starts a mapping.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return every mapped field, Email first} */
  public List<Entry> entries() {
    return entries;
  }

  /**
   * {@return the profile field holding the profile's stable id, when the mapping names one} With a
   * sync state, a profile is then remembered by its id rather than its address, so that a changed
   * address updates the same contact at the vendor.
   */
  public Optional<String> profileIdSource() {
    return Optional.ofNullable(profileIdSource);
  }

  /** {@return the profile field holding the e-mail address} */
  public String emailSource() {
    return entries.get(0).source();
  }

  /**
   * Checks this mapping against a connector.
   *
   * @param provider the connector's description
   * @return one sentence per problem; empty when the mapping fits the connector
   */
  public List<String> problemsFor(ConnectorDescriptor provider) {
    requireNonNull(provider, "provider == null");
    List<String> problems = new ArrayList<>();
    List<String> standard = new ArrayList<>();
    for (DestinationField f : provider.destinationFields()) {
      standard.add(f.name());
    }
    for (Entry e : entries) {
      boolean known = standard.contains(e.destination());
      if (!e.custom() && !known) {
        problems.add(
            "destination field '"
                + e.destination()
                + "' does not exist in "
                + provider.displayName()
                + " (fields: "
                + String.join(", ", standard)
                + (provider.supportsCustomFields()
                    ? "; use custom(...) for a custom field)"
                    : ")"));
      } else if (e.custom() && known) {
        problems.add(
            "'"
                + e.destination()
                + "' is a standard field of "
                + provider.displayName()
                + ": map it with map(...), not custom(...)");
      } else if (e.custom() && !provider.supportsCustomFields()) {
        problems.add(
            provider.displayName() + " does not support custom fields: '" + e.destination() + "'");
      }
    }
    for (DestinationField f : provider.destinationFields()) {
      if (f.required() && entries.stream().noneMatch(e -> e.destination().equals(f.name()))) {
        problems.add(
            "destination field '" + f.name() + "' is required by " + provider.displayName());
      }
    }
    return problems;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldMapping
        && ((FieldMapping) o).entries.equals(entries)
        && Objects.equals(((FieldMapping) o).profileIdSource, profileIdSource);
  }

  @Override
  public int hashCode() {
    return entries.hashCode() * 31 + Objects.hashCode(profileIdSource);
  }

  @Override
  public String toString() {
    return "FieldMapping"
        + entries
        + (profileIdSource == null ? "" : "{profileId=" + profileIdSource + "}");
  }

  /** Builds a {@link FieldMapping}. */
  public static final class Builder {
    private String emailSource;
    private int emailMappings; // more than one is a destination mapped twice
    private String profileIdSource;
    private final List<Entry> others = new ArrayList<>();

    private Builder() {}

    /**
     * Maps the e-mail address (required, once: {@link #build} refuses a second call).
     *
     * @param sourceField the profile's field name
     * @return this builder
     */
    public Builder email(String sourceField) {
      requireNonNull(sourceField, "sourceField == null");
      this.emailSource = sourceField;
      emailMappings++;
      return this;
    }

    /**
     * Names the profile field that holds the profile's stable id (a customer id that does not change
     * when the address does). Not sent to the vendor. With a sync state, the SDK then remembers each
     * profile by this id: when its address changes, the vendor's contact is updated to the new address
     * where the vendor can do that, instead of a second contact being added. A profile without a value
     * in this field is remembered by its address.
     *
     * @param sourceField the profile's field name
     * @return this builder
     */
    public Builder profileId(String sourceField) {
      requireNonNull(sourceField, "sourceField == null");
      if (sourceField.isBlank()) {
        throw new IllegalArgumentException("source field name is blank");
      }
      this.profileIdSource = sourceField;
      return this;
    }

    /**
     * Maps {@link StandardFields#FIRST_NAME}.
     *
     * @param sourceField the profile's field name
     * @return this builder
     */
    public Builder firstName(String sourceField) {
      return map(StandardFields.FIRST_NAME, sourceField);
    }

    /**
     * Maps {@link StandardFields#LAST_NAME}.
     *
     * @param sourceField the profile's field name
     * @return this builder
     */
    public Builder lastName(String sourceField) {
      return map(StandardFields.LAST_NAME, sourceField);
    }

    /**
     * Maps a standard destination field of the connector; {@code Email} is the same as {@link #email}.
     *
     * @param destinationField the destination's field name
     * @param sourceField the profile's field name
     * @return this builder
     */
    public Builder map(String destinationField, String sourceField) {
      requireNonNull(destinationField, "destinationField == null");
      requireNonNull(sourceField, "sourceField == null");
      if (destinationField.equals(StandardFields.EMAIL)) {
        return email(sourceField);
      }
      others.add(new Entry(destinationField, sourceField, Optional.empty(), false));
      return this;
    }

    /**
     * Maps a custom text field.
     *
     * @param destinationField the destination's field name
     * @param sourceField the profile's field name
     * @return this builder
     */
    public Builder custom(String destinationField, String sourceField) {
      return custom(destinationField, sourceField, FieldType.TEXT);
    }

    /**
     * Maps a custom field of the given type.
     *
     * @param destinationField the destination's field name
     * @param sourceField the profile's field name
     * @param type the declared type, if any (standard fields take the connector's type)
     * @return this builder
     */
    public Builder custom(String destinationField, String sourceField, FieldType type) {
      requireNonNull(type, "type == null");
      others.add(new Entry(destinationField, sourceField, Optional.of(type), true));
      return this;
    }

    /**
     * Builds the mapping.
     *
     * @return the mapping
     * @throws ConfigurationException if Email is not mapped or a destination is mapped twice
     */
    public FieldMapping build() {
      List<String> problems = new ArrayList<>();
      if (emailSource == null) {
        problems.add("the Email destination field must be mapped: call email(sourceField)");
      }
      if (emailMappings > 1) {
        problems.add("destination field '" + StandardFields.EMAIL + "' is mapped more than once");
      }
      Set<String> seen = new HashSet<>();
      seen.add(StandardFields.EMAIL.toLowerCase(Locale.ROOT));
      for (Entry e : others) {
        if (!seen.add(e.destination().toLowerCase(Locale.ROOT))) {
          problems.add("destination field '" + e.destination() + "' is mapped more than once");
        }
      }
      if (!problems.isEmpty()) {
        throw new ConfigurationException("Invalid field mapping", problems);
      }
      List<Entry> all = new ArrayList<>();
      all.add(new Entry(StandardFields.EMAIL, emailSource, Optional.of(FieldType.TEXT), false));
      all.addAll(others);
      return new FieldMapping(all, profileIdSource);
    }
  }
}
