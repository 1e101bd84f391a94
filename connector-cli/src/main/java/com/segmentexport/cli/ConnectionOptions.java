package com.segmentexport.cli;

import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorDescriptor;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Secret;
import com.segmentexport.api.SettingDescriptor;
import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * How a command builds its connection. Credentials come only from the environment
 * ({@code SEGMENT_EXPORT_<CONNECTOR>_<NAME>}) or a properties file ({@code <connector>.<name>}), never
 * from arguments, which would land in shell history.
 */
final class ConnectionOptions {
  static final String ENV_PREFIX = "SEGMENT_EXPORT_";
  static final String CONSENT_PROPERTY = "privacyConsent.acknowledgedBy";
  static final String CONSENT_ENV = "SEGMENT_EXPORT_PRIVACY_CONSENT_BY";

  @Option(
      names = {"-c", "--connector"},
      required = true,
      description = "Connector id (see 'connectors').")
  String connectorId;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Properties file with settings and credentials as <connector>.<name>=value.")
  Path config;

  @Option(
      names = "--setting",
      paramLabel = "NAME=VALUE",
      description = "A non-secret connection setting (region, baseUrl, requestsPerSecond...).")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(
      names = "--privacy-consent-by",
      paramLabel = "WHO",
      description =
          "Acknowledges the data-privacy consent for sending profiles to the vendor, as WHO "
              + "(or property "
              + CONSENT_PROPERTY
              + ", or env "
              + CONSENT_ENV
              + "). Required.")
  String consentBy;

  @Option(
      names = "--sandbox",
      description = "Use the connector's built-in simulator, in process: no account, no network.")
  boolean sandbox;

  /** Properties from {@code --config}, or empty. */
  Properties properties() {
    Properties p = new Properties();
    if (config != null) {
      String text;
      try {
        text = Files.readString(config, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        throw new UsageException("no such file: " + config + " (--config)");
      } catch (CharacterCodingException e) {
        throw new UsageException("--config " + config + " is not UTF-8 (save it as UTF-8)");
      } catch (IOException e) {
        throw new UsageException("cannot read --config " + config + ": " + e.getMessage());
      }
      // Notepad and PowerShell start UTF-8 with a byte-order mark, which would become part of the
      // first key.
      if (text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      try {
        p.load(new StringReader(text));
      } catch (IOException | IllegalArgumentException e) {
        throw new UsageException("cannot read --config " + config + ": " + e.getMessage());
      }
    }
    return p;
  }

  static String envName(String connectorId, String setting) {
    return ENV_PREFIX
        + (connectorId + "_" + setting).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  /** Starts the sandbox when asked; null otherwise. */
  Sandbox startSandbox() {
    if (!sandbox) {
      return null;
    }
    try {
      return Sandboxes.start(connectorId);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /**
   * Builds the connection: the properties file, the environment and {@code --setting}, later ones
   * winning. With a sandbox the connection points at the simulator alone: its base URL and
   * credentials are used, and every configured credential or URL setting is ignored, with one line on
   * {@code err} naming what was ignored and where it came from (never its value).
   */
  Connection connection(
      Connectors connectors, Map<String, String> env, Sandbox box, PrintWriter err) {
    ConnectorDescriptor provider;
    try {
      provider = connectors.provider(connectorId);
    } catch (ConfigurationException e) {
      throw new UsageException(e.getMessage());
    }
    Properties props = properties();
    refuseUnknownKeys(props, provider);
    Connection.Builder b = Connection.builder(provider);
    List<String> ignored = new ArrayList<>();
    for (SettingDescriptor d : provider.settings()) {
      if (d.scope() != SettingDescriptor.Scope.CONNECTION) {
        continue;
      }
      boolean secret = d.kind() == SettingDescriptor.Kind.SECRET;
      String value = null;
      String source = null;
      String key = connectorId + "." + d.name();
      if (props.getProperty(key) != null) {
        value = props.getProperty(key);
        source = "--config " + key;
      }
      String envName = envName(connectorId, d.name());
      if (env.get(envName) != null) {
        value = env.get(envName);
        source = envName;
      }
      if (!secret && settings.containsKey(d.name())) {
        value = settings.get(d.name());
        source = "--setting " + d.name();
      }
      if (box != null && isolatedInSandbox(d, box)) {
        if (value != null) {
          ignored.add(d.name() + " (" + source + ")");
        }
        value = secret ? box.secrets().get(d.name()) : box.settings().get(d.name());
      }
      if (value != null) {
        if (secret) {
          b.secret(d.name(), Secret.of(value));
        } else {
          b.setting(d.name(), value);
        }
      }
    }
    if (!ignored.isEmpty()) {
      err.println(
          "sandbox: ignored "
              + String.join(", ", ignored)
              + "; the sandbox uses only the simulator's address and credentials");
    }
    for (String name : settings.keySet()) {
      boolean isSecret =
          provider.settings().stream()
              .anyMatch(d -> d.name().equals(name) && d.kind() == SettingDescriptor.Kind.SECRET);
      if (isSecret) {
        throw new UsageException(
            "'"
                + name
                + "' is a credential: credentials are never taken from the command "
                + "line (they would land in shell history). Set "
                + envName(connectorId, name)
                + " or put "
                + connectorId
                + "."
                + name
                + " in a file given with --config.");
      }
      if (provider.settings().stream().noneMatch(d -> d.name().equals(name))) {
        b.setting(name, settings.get(name)); // reported as unknown by the builder
      }
    }
    String who =
        consentBy != null
            ? consentBy
            : env.getOrDefault(CONSENT_ENV, props.getProperty(CONSENT_PROPERTY));
    if (who == null || who.isBlank()) {
      throw new UsageException(
          "no data-privacy consent: exporting sends personal data to "
              + provider.displayName()
              + ". Acknowledge it with --privacy-consent-by \"Your Name\" (or property "
              + CONSENT_PROPERTY
              + ", or env "
              + CONSENT_ENV
              + ").");
    }
    b.privacyConsent(PrivacyConsent.acknowledgedBy(who, Instant.now()));
    try {
      return b.build();
    } catch (ConfigurationException e) {
      // Where credentials come from helps with a credential's problem only, not a setting's.
      boolean aboutCredentials =
          e.problems().stream()
              .anyMatch(
                  p ->
                      provider.settings().stream()
                          .anyMatch(
                              d ->
                                  d.kind() == SettingDescriptor.Kind.SECRET
                                      && p.contains(d.name())));
      throw new UsageException(
          String.join("; ", e.problems()) + (aboutCredentials ? describeSources(provider) : ""));
    }
  }

  /**
   * Refuses a key of this connector that names none of its connection settings (a misspelled
   * {@code requestPerSecond} would otherwise leave the default rate without a word). Keys of other
   * connectors are left alone: one file may serve every connector.
   */
  private void refuseUnknownKeys(Properties props, ConnectorDescriptor provider) {
    String prefix = connectorId + ".";
    List<String> known =
        provider.settings().stream()
            .filter(d -> d.scope() == SettingDescriptor.Scope.CONNECTION)
            .map(SettingDescriptor::name)
            .toList();
    List<String> unknown =
        props.stringPropertyNames().stream()
            .filter(k -> k.startsWith(prefix) && !known.contains(k.substring(prefix.length())))
            .sorted()
            .toList();
    if (unknown.isEmpty()) {
      return;
    }
    boolean options =
        unknown.stream()
            .anyMatch(
                k ->
                    provider.settings().stream()
                        .anyMatch(
                            d ->
                                d.scope() == SettingDescriptor.Scope.EXPORT
                                    && d.name().equals(k.substring(prefix.length()))));
    throw new UsageException(
        "--config "
            + config
            + ": "
            + String.join(", ", unknown)
            + (unknown.size() == 1 ? " is not a setting" : " are not settings")
            + " of "
            + connectorId
            + " (its settings: "
            + String.join(", ", known)
            + ")"
            + (options ? "; export options are given with --option NAME=VALUE" : ""));
  }

  /**
   * Whether a setting is taken from the sandbox alone: credentials, and every setting that says where
   * requests go (URLs, and whatever the sandbox itself sets, such as {@code baseUrl}).
   */
  private static boolean isolatedInSandbox(SettingDescriptor d, Sandbox box) {
    return d.kind() == SettingDescriptor.Kind.SECRET
        || d.kind() == SettingDescriptor.Kind.URL
        || box.settings().containsKey(d.name())
        || box.secrets().containsKey(d.name());
  }

  private String describeSources(ConnectorDescriptor provider) {
    List<String> secrets =
        provider.settings().stream()
            .filter(d -> d.kind() == SettingDescriptor.Kind.SECRET && d.required())
            .map(d -> envName(connectorId, d.name()))
            .toList();
    return secrets.isEmpty()
        ? ""
        : " (credentials come from "
            + String.join(", ", secrets)
            + " or a --config properties file)";
  }
}
