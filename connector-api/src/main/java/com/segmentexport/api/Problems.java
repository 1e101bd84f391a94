package com.segmentexport.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Collects every problem of a {@link Connection} or an {@link ExportDefinition} being built, so that
 * one {@link ConfigurationException} lists them all: a form shows every mistake at once, not one per
 * attempt. Shared by both builders so that settings and export options are checked the same way.
 */
final class Problems {
  private final List<String> problems = new ArrayList<>();

  /** Adds one problem, one sentence. */
  void add(String problem) {
    problems.add(problem);
  }

  /** Adds several problems. */
  void addAll(Collection<String> more) {
    problems.addAll(more);
  }

  /** How many problems were found so far. */
  int size() {
    return problems.size();
  }

  /**
   * Checks values given by name against the descriptors that accept them: an unknown name, a value
   * its descriptor refuses (kind, allowed values, range, length), a required one neither given nor
   * defaulted.
   *
   * @param what how the values are called in a problem: {@code setting}, {@code export option}
   */
  void checkValues(
      String what,
      Map<String, String> given,
      Collection<SettingDescriptor> accepted,
      String connectorId) {
    for (Map.Entry<String, String> e : given.entrySet()) {
      SettingDescriptor d = find(accepted, e.getKey());
      if (d == null) {
        problems.add(unknown(what, e.getKey(), accepted, connectorId));
      } else {
        d.check(e.getValue()).ifPresent(problems::add);
      }
    }
    for (SettingDescriptor d : accepted) {
      if (d.required() && !given.containsKey(d.name()) && d.defaultValue().isEmpty()) {
        problems.add(what + " " + d.name() + " is required (" + d.description() + ")");
      }
    }
  }

  /**
   * Checks credentials given by name: an unknown name, a {@linkplain Secret#isMissing() missing} value,
   * a required one not given. Never mentions any part of a credential's value.
   */
  void checkCredentials(
      Map<String, Secret> given, Collection<SettingDescriptor> accepted, String connectorId) {
    for (Map.Entry<String, Secret> e : given.entrySet()) {
      if (find(accepted, e.getKey()) == null) {
        problems.add(unknown("credential", e.getKey(), accepted, connectorId));
      } else if (e.getValue().isMissing()) {
        problems.add(
            "credential '"
                + e.getKey()
                + "' is missing: its value is null or blank (was the environment "
                + "variable or property it is read from set?)");
      }
    }
    for (SettingDescriptor d : accepted) {
      if (d.required() && !given.containsKey(d.name())) {
        problems.add("credential " + d.name() + " is required (" + d.description() + ")");
      }
    }
  }

  /**
   * Throws if any problem was found.
   *
   * @throws ConfigurationException listing every problem, after {@code summary}
   */
  void throwIfAny(String summary) {
    if (!problems.isEmpty()) {
      throw new ConfigurationException(summary, problems);
    }
  }

  private static SettingDescriptor find(Collection<SettingDescriptor> accepted, String name) {
    for (SettingDescriptor d : accepted) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }

  private static String unknown(
      String what, String name, Collection<SettingDescriptor> accepted, String connectorId) {
    List<String> names = new ArrayList<>();
    for (SettingDescriptor d : accepted) {
      names.add(d.name());
    }
    return "unknown "
        + what
        + " '"
        + name
        + "' for connector "
        + connectorId
        + " (known: "
        + (names.isEmpty() ? "none" : String.join(", ", names))
        + ")";
  }
}
