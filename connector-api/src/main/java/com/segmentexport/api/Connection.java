package com.segmentexport.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import static java.util.Objects.requireNonNull;

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
 * <p>Settings are validated against the provider's {@link ConnectorProvider#settings()} when the
 * connection is built; nothing is sent to the vendor until {@link SegmentExporter#verify()} or an
 * export runs. A connection is immutable except for its lifecycle: {@link #remove()} refuses new
 * exports and stops those in flight.
 */
public final class Connection {
  private final String id;
  private final String displayName;
  private final ConnectorProvider provider;
  private final Map<String, String> settings;
  private final Map<String, Secret> secrets;
  private final ConnectionAccess access;
  private final PrivacyConsent privacyConsent;
  private final AtomicBoolean removed = new AtomicBoolean();

  private Connection(Builder b, ConnectorProvider provider) {
    this.id = b.id != null ? b.id : UUID.randomUUID().toString();
    this.displayName = b.displayName != null ? b.displayName : provider.displayName();
    this.provider = provider;
    this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(b.settings));
    this.secrets = Collections.unmodifiableMap(new LinkedHashMap<>(b.secrets));
    this.access = b.access;
    this.privacyConsent = b.privacyConsent;
  }

  /** Starts a connection to the connector with this id, found through {@link Connectors#load()}. */
  public static Builder builder(String connectorId) {
    requireNonNull(connectorId, "connectorId == null");
    return new Builder(connectorId, null);
  }

  /** Starts a connection to this provider. */
  public static Builder builder(ConnectorProvider provider) {
    requireNonNull(provider, "provider == null");
    return new Builder(provider.id(), provider);
  }

  /** A stable identifier; the connection's rate limiter is shared by every export with this id. */
  public String id() {
    return id;
  }

  /** The name shown to users. */
  public String displayName() {
    return displayName;
  }

  /** The id of the connector this connection uses. */
  public String connectorId() {
    return provider.id();
  }

  /** The provider this connection was validated against. */
  public ConnectorProvider provider() {
    return provider;
  }

  /** Who may run exports on this connection. */
  public ConnectionAccess access() {
    return access;
  }

  /** The data-privacy consent given for this connection. */
  public PrivacyConsent privacyConsent() {
    return privacyConsent;
  }

  /**
   * A setting's value: the one given when the connection was built, else the provider's default.
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

  /** The settings given explicitly (no secrets). */
  public Map<String, String> settings() {
    return settings;
  }

  /** A credential, if given. */
  public Optional<Secret> secret(String name) {
    requireNonNull(name, "name == null");
    return Optional.ofNullable(secrets.get(name));
  }

  /**
   * Removes this connection: later exports are refused with {@link ConnectionRemovedException} and
   * exports in flight stop sending new batches and finish as {@link ExportStatus#CANCELLED}.
   */
  public void remove() {
    removed.set(true);
  }

  /** True once {@link #remove()} has been called. */
  public boolean isRemoved() {
    return removed.get();
  }

  /**
   * Checks that a caller with {@code role} may use this connection.
   *
   * @throws AccessDeniedException if the role is not allowed
   */
  public void checkAccess(Role role) {
    if (!access.allows(role)) {
      throw new AccessDeniedException(
          "Role " + role + " may not use connection '" + displayName + "' (access: " + access + ")");
    }
  }

  @Override
  public String toString() {
    return "Connection{id=" + id + ", connector=" + provider.id() + ", displayName=" + displayName
        + ", settings=" + settings + ", secrets=" + secrets.keySet() + ", access=" + access + "}";
  }

  /** Builds a {@link Connection}. */
  public static final class Builder {
    private final String connectorId;
    private final ConnectorProvider provider;
    private String id;
    private String displayName;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final Map<String, Secret> secrets = new LinkedHashMap<>();
    private ConnectionAccess access = ConnectionAccess.ADMINISTRATORS;
    private PrivacyConsent privacyConsent;

    private Builder(String connectorId, ConnectorProvider provider) {
      this.connectorId = connectorId;
      this.provider = provider;
    }

    /** Sets a stable id (for example the host's primary key); a random UUID otherwise. */
    public Builder id(String id) {
      this.id = requireNonNull(id, "id == null");
      return this;
    }

    /** Sets the name shown to users. */
    public Builder displayName(String displayName) {
      this.displayName = requireNonNull(displayName, "displayName == null");
      return this;
    }

    /** Sets a non-secret setting such as a region or base URL. */
    public Builder setting(String name, String value) {
      requireNonNull(name, "name == null");
      requireNonNull(value, "value == null");
      settings.put(name, value);
      return this;
    }

    /** Sets a credential. */
    public Builder secret(String name, Secret value) {
      requireNonNull(name, "name == null");
      requireNonNull(value, "value == null");
      secrets.put(name, value);
      return this;
    }

    /** Sets who may use the connection; administrators only by default. */
    public Builder access(ConnectionAccess access) {
      this.access = requireNonNull(access, "access == null");
      return this;
    }

    /** Records the data-privacy consent; required. */
    public Builder privacyConsent(PrivacyConsent consent) {
      this.privacyConsent = requireNonNull(consent, "consent == null");
      return this;
    }

    /**
     * Validates and builds the connection. Makes no network call.
     *
     * @throws ConfigurationException listing every problem: no privacy consent, an unknown
     *     connector, a missing or invalid setting or credential, an unknown setting name
     */
    public Connection build() {
      List<String> problems = new ArrayList<>();
      if (privacyConsent == null) {
        problems.add("privacy consent is required: record who agreed to send profile data to the vendor "
            + "with privacyConsent(PrivacyConsent.acknowledgedBy(who, when))");
      }
      ConnectorProvider p = provider != null ? provider : Connectors.defaultInstance().provider(connectorId);
      Map<String, SettingDescriptor> known = new LinkedHashMap<>();
      for (SettingDescriptor d : p.settings()) {
        if (d.scope() == SettingDescriptor.Scope.CONNECTION) {
          known.put(d.name(), d);
        }
      }
      for (Map.Entry<String, String> e : settings.entrySet()) {
        SettingDescriptor d = known.get(e.getKey());
        if (d == null || d.kind() == SettingDescriptor.Kind.SECRET) {
          problems.add(unknown("setting", e.getKey(), p, known, false));
        } else {
          d.check(e.getValue()).ifPresent(problems::add);
        }
      }
      for (String name : secrets.keySet()) {
        SettingDescriptor d = known.get(name);
        if (d == null || d.kind() != SettingDescriptor.Kind.SECRET) {
          problems.add(unknown("credential", name, p, known, true));
        }
      }
      for (SettingDescriptor d : known.values()) {
        boolean given = d.kind() == SettingDescriptor.Kind.SECRET
            ? secrets.containsKey(d.name())
            : settings.containsKey(d.name()) || d.defaultValue().isPresent();
        if (d.required() && !given) {
          problems.add((d.kind() == SettingDescriptor.Kind.SECRET ? "credential " : "setting ")
              + d.name() + " is required (" + d.description() + ")");
        }
      }
      if (!problems.isEmpty()) {
        throw new ConfigurationException("Invalid " + p.id() + " connection", problems);
      }
      return new Connection(this, p);
    }

    private static String unknown(
        String what, String name, ConnectorProvider p, Map<String, SettingDescriptor> known, boolean secret) {
      List<String> names = new ArrayList<>();
      for (SettingDescriptor d : known.values()) {
        if ((d.kind() == SettingDescriptor.Kind.SECRET) == secret) {
          names.add(d.name());
        }
      }
      return "unknown " + what + " '" + name + "' for connector " + p.id() + " (known: "
          + (names.isEmpty() ? "none" : String.join(", ", names)) + ")";
    }
  }
}
