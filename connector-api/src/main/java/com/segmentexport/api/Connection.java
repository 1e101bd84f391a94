package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A configured account at one vendor: credentials, settings, who may use it, and the data-privacy
 * consent without which no connection can be built.
 *
 * <pre>{@code
 * Connection iterable = Connection.builder("iterable")
 *     .displayName("Iterable (EU marketing)")
 *     .setting("dataCenter", "EU")
 *     .secret("apiKey", Secret.of(System.getenv("ITERABLE_API_KEY")))
 *     .access(ConnectionAccess.ADMINISTRATORS_AND_CONTRIBUTORS)
 *     .privacyConsent(PrivacyConsent.acknowledgedBy("admin@acme.example", Instant.now()))
 *     .build();
 * }</pre>
 *
 * <p>Settings are validated against the provider's {@link ConnectorDescriptor#settings()} when the
 * connection is built; nothing is sent to the vendor until {@link SegmentExporter#verify()} or an
 * export runs. A connection is immutable except for its lifecycle: {@link #remove()} refuses new
 * exports and stops those in flight.
 */
public final class Connection {
  private final String id;
  private final String displayName;
  private final ConnectorDescriptor provider;
  private final Map<String, String> settings;
  private final Map<String, Secret> secrets;
  private final ConnectionAccess access;
  private final PrivacyConsent privacyConsent;
  private final AtomicBoolean removed = new AtomicBoolean();

  private Connection(Builder b, ConnectorDescriptor provider) {
    this.id = b.id != null ? b.id : UUID.randomUUID().toString();
    this.displayName = b.displayName != null ? b.displayName : provider.displayName();
    this.provider = provider;
    this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(b.settings));
    this.secrets = Collections.unmodifiableMap(new LinkedHashMap<>(b.secrets));
    this.access = b.access;
    this.privacyConsent = b.privacyConsent;
  }

  /**
   * Starts a connection to the connector with this id, found through {@link Connectors#load()}: the
   * providers visible to the SDK's own class loader. A host that loads connectors from another class
   * loader (a plug-in directory) uses {@link #builder(Connectors, String)} instead.
   *
   * @param connectorId the connector's id
   * @return a new builder
   */
  public static Builder builder(String connectorId) {
    requireNonNull(connectorId, "connectorId == null");
    return new Builder(connectorId, null);
  }

  /**
   * Starts a connection to the connector with this id among these connectors (for example
   * {@code Connectors.load(pluginClassLoader)}).
   *
   * @param connectors where to find the connector
   * @param connectorId the connector's id
   * @return a new builder
   * @throws ConfigurationException naming the available ids when there is no such connector
   */
  public static Builder builder(Connectors connectors, String connectorId) {
    requireNonNull(connectors, "connectors == null");
    requireNonNull(connectorId, "connectorId == null");
    return new Builder(connectorId, connectors.provider(connectorId));
  }

  /** The provider {@link #builder(String)} names, with a way out when discovery did not find it. */
  private static ConnectorDescriptor discovered(String connectorId) {
    try {
      return Connectors.defaultInstance().provider(connectorId);
    } catch (ConfigurationException e) {
      throw new ConfigurationException(
          e.getMessage()
              + ". Connection.builder(\""
              + connectorId
              + "\") looks only on "
              + "the SDK's own class loader (Connectors.load()); if your connectors are loaded by another one (a "
              + "plug-in directory), use Connection.builder(Connectors.load(thatClassLoader), \""
              + connectorId
              + "\")");
    }
  }

  /**
   * Starts a connection to this connector (one of {@link Connectors#providers()}).
   *
   * @param provider the connector's description
   * @return a new builder
   */
  public static Builder builder(ConnectorDescriptor provider) {
    requireNonNull(provider, "provider == null");
    return new Builder(provider.id(), provider);
  }

  /**
   * A stable identifier; the connection's rate limiter is shared by every export with this id.
   *
   * @return a stable identifier
   */
  public String id() {
    return id;
  }

  /** {@return the name shown to users} */
  public String displayName() {
    return displayName;
  }

  /** {@return the id of the connector this connection uses} */
  public String connectorId() {
    return provider.id();
  }

  /** {@return the connector this connection was validated against, as hosts see it} */
  public ConnectorDescriptor provider() {
    return provider;
  }

  /** {@return who may run exports on this connection} */
  public ConnectionAccess access() {
    return access;
  }

  /** {@return the data-privacy consent given for this connection} */
  public PrivacyConsent privacyConsent() {
    return privacyConsent;
  }

  /**
   * A setting's value: the one given when the connection was built, else the provider's default.
   *
   * @param name the setting's name
   * @return a setting's value
   */
  public Optional<String> setting(String name) {
    requireNonNull(name, "name == null");
    String value = settings.get(name);
    if (value != null) {
      return Optional.of(value);
    }
    return provider.settings().stream()
        .filter(d -> d.name().equals(name))
        .findFirst()
        .flatMap(SettingDescriptor::defaultValue);
  }

  /**
   * An {@link SettingDescriptor.Kind#INTEGER} setting as a long: the one given, else the default; empty
   * when neither. Never fails to parse: the value passed its descriptor when the connection was built.
   *
   * @param name the setting's name
   * @return an {@link SettingDescriptor.Kind#INTEGER} setting as a long
   * @throws IllegalArgumentException if the connector declares no such INTEGER connection setting
   */
  public OptionalLong longSetting(String name) {
    SettingDescriptor d = declared(name, SettingDescriptor.Kind.INTEGER);
    return setting(name).map(v -> OptionalLong.of(d.longValue(v))).orElse(OptionalLong.empty());
  }

  /**
   * An {@link SettingDescriptor.Kind#INTEGER} setting whose range fits in an int: the one given, else
   * the default; empty when neither.
   *
   * @param name the setting's name
   * @return an {@link SettingDescriptor.Kind#INTEGER} setting whose range fits in an int
   * @throws IllegalArgumentException if the connector declares no such INTEGER connection setting
   * @throws IllegalStateException if the setting's range does not fit in an int (read it as a long)
   */
  public OptionalInt intSetting(String name) {
    SettingDescriptor d = declared(name, SettingDescriptor.Kind.INTEGER);
    return setting(name).map(v -> OptionalInt.of(d.intValue(v))).orElse(OptionalInt.empty());
  }

  /**
   * A {@link SettingDescriptor.Kind#DECIMAL} setting: the one given, else the default; empty when
   * neither. Positive, finite and within the descriptor's range.
   *
   * @param name the setting's name
   * @return a {@link SettingDescriptor.Kind#DECIMAL} setting
   * @throws IllegalArgumentException if the connector declares no such DECIMAL connection setting
   */
  public OptionalDouble decimalSetting(String name) {
    SettingDescriptor d = declared(name, SettingDescriptor.Kind.DECIMAL);
    return setting(name)
        .map(v -> OptionalDouble.of(d.decimalValue(v)))
        .orElse(OptionalDouble.empty());
  }

  /**
   * A {@link SettingDescriptor.Kind#BOOLEAN} setting: the one given, else the default; false when
   * neither.
   *
   * @param name the setting's name
   * @return a {@link SettingDescriptor.Kind#BOOLEAN} setting
   * @throws IllegalArgumentException if the connector declares no such BOOLEAN connection setting
   */
  public boolean flag(String name) {
    SettingDescriptor d = declared(name, SettingDescriptor.Kind.BOOLEAN);
    return setting(name).map(d::booleanValue).orElse(false);
  }

  private SettingDescriptor declared(String name, SettingDescriptor.Kind kind) {
    requireNonNull(name, "name == null");
    return SettingDescriptor.declared(provider, SettingDescriptor.Scope.CONNECTION, name, kind);
  }

  /** {@return the settings given explicitly (no secrets)} */
  public Map<String, String> settings() {
    return settings;
  }

  /**
   * {@return a credential, if given}
   *
   * @param name the secret's name
   */
  public Optional<Secret> secret(String name) {
    requireNonNull(name, "name == null");
    return Optional.ofNullable(secrets.get(name));
  }

  /**
   * Removes this connection: later exports are refused with {@link ConnectionRemovedException} and
   * exports in flight stop sending new batches and finish as {@link ExportStatus#CANCELLED}. An export
   * waiting for another export of the account (its creation of a list, its claim on a list in a shared
   * sync state) stops waiting at once.
   */
  public void remove() {
    if (!removed.getAndSet(true)) {
      // Exports waiting for another export (its creation of a list, its claim on a list) hear it
      // now; every other wait of an export looks at isRemoved() often.
      Connectors.connectionRemoved(this);
    }
  }

  /** {@return true once {@link #remove()} has been called} */
  public boolean isRemoved() {
    return removed.get();
  }

  /**
   * Checks that a caller with {@code role} may use this connection.
   *
   * @param role the role the caller acts as
   * @throws AccessDeniedException if the role is not allowed
   */
  public void checkAccess(Role role) {
    if (!access.allows(role)) {
      throw new AccessDeniedException(
          "Role "
              + role
              + " may not use connection '"
              + displayName
              + "' (access: "
              + access
              + ")");
    }
  }

  @Override
  public String toString() {
    return "Connection{id="
        + id
        + ", connector="
        + provider.id()
        + ", displayName="
        + displayName
        + ", settings="
        + settings
        + ", secrets="
        + secrets.keySet()
        + ", access="
        + access
        + "}";
  }

  /** Builds a {@link Connection}. */
  public static final class Builder {
    private final String connectorId;
    private final ConnectorDescriptor provider;
    private String id;
    private String displayName;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final Map<String, Secret> secrets = new LinkedHashMap<>();
    private ConnectionAccess access = ConnectionAccess.ADMINISTRATORS;
    private PrivacyConsent privacyConsent;

    private Builder(String connectorId, ConnectorDescriptor provider) {
      this.connectorId = connectorId;
      this.provider = provider;
    }

    /**
     * Sets a stable id (for example the host's primary key); a random UUID otherwise.
     *
     * @param id the connection's id, stable across restarts
     * @return this builder
     */
    public Builder id(String id) {
      this.id = requireNonNull(id, "id == null");
      return this;
    }

    /**
     * Sets the name shown to users.
     *
     * @param displayName the name shown to users
     * @return this builder
     */
    public Builder displayName(String displayName) {
      this.displayName = requireNonNull(displayName, "displayName == null");
      return this;
    }

    /**
     * Sets a non-secret setting such as a region or base URL.
     *
     * @param name the setting's name
     * @param value its value, checked against the setting's descriptor when the connection is built
     * @return this builder
     */
    public Builder setting(String name, String value) {
      requireNonNull(name, "name == null");
      requireNonNull(value, "value == null");
      settings.put(name, value);
      return this;
    }

    /**
     * Sets a credential. A {@linkplain Secret#isMissing() missing} one (made from {@code null} or a
     * blank value, such as an unset environment variable) is reported by {@link #build()}.
     *
     * @param name the secret's name
     * @param value the credential
     * @return this builder
     */
    public Builder secret(String name, Secret value) {
      requireNonNull(name, "name == null");
      requireNonNull(value, "value == null");
      secrets.put(name, value);
      return this;
    }

    /**
     * Sets who may use the connection; administrators only by default.
     *
     * @param access who may use the connection
     * @return this builder
     */
    public Builder access(ConnectionAccess access) {
      this.access = requireNonNull(access, "access == null");
      return this;
    }

    /**
     * Records the data-privacy consent; required.
     *
     * @param consent the privacy consent
     * @return this builder
     */
    public Builder privacyConsent(PrivacyConsent consent) {
      this.privacyConsent = requireNonNull(consent, "consent == null");
      return this;
    }

    /**
     * Validates and builds the connection. Makes no network call.
     *
     * @return the connection
     * @throws ConfigurationException listing every problem at once: no privacy consent, an unknown
     *     setting or credential name, a setting its descriptor refuses (kind, allowed values, range,
     *     length), a required setting or credential not given, a credential given as a missing secret,
     *     the connector's own rules ({@link ConnectorDescriptor#validate(Connection)}); or, alone, an
     *     unknown connector
     */
    public Connection build() {
      Problems problems = new Problems();
      if (privacyConsent == null) {
        problems.add(
            "privacy consent is required: record who agreed to send profile data to the vendor "
                + "with privacyConsent(PrivacyConsent.acknowledgedBy(who, when))");
      }
      ConnectorDescriptor p = provider != null ? provider : discovered(connectorId);
      List<SettingDescriptor> plain = new ArrayList<>();
      List<SettingDescriptor> credentials = new ArrayList<>();
      for (SettingDescriptor d : p.settings()) {
        if (d.scope() == SettingDescriptor.Scope.CONNECTION) {
          (d.kind() == SettingDescriptor.Kind.SECRET ? credentials : plain).add(d);
        }
      }
      int before = problems.size();
      problems.checkValues("setting", settings, plain, p.id());
      problems.checkCredentials(secrets, credentials, p.id());
      Connection connection = new Connection(this, p);
      // The connector's own rules read settings typed: they run when every value passed its
      // descriptor.
      if (problems.size() == before) {
        problems.addAll(p.validate(connection));
      }
      problems.throwIfAny("Invalid " + p.id() + " connection");
      return connection;
    }
  }
}
