package com.segmentexport.testkit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** Starts a {@link Sandbox} for a connector id. */
public final class Sandboxes {
  private static final Map<String, Supplier<Sandbox>> FACTORIES = new LinkedHashMap<>();

  static {
    FACTORIES.put("dotdigital", () -> {
      com.segmentexport.testkit.dotdigital.DotdigitalSimulator dd =
          new com.segmentexport.testkit.dotdigital.DotdigitalSimulator("apiuser-sandbox@apiconnector.com",
              "sandbox-password").start();
      long book = dd.createAddressBook("Sandbox address book");
      return of("dotdigital", dd, Map.of("baseUrl", dd.baseUrl()),
          Map.of("username", "apiuser-sandbox@apiconnector.com", "password", "sandbox-password"),
          Map.of("addressBookId", Long.toString(book)));
    });
    FACTORIES.put("campaignmonitor", () -> {
      com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator cm =
          new com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator("sandbox-api-key").start();
      String list = cm.createList("Sandbox list");
      return of("campaignmonitor", cm, Map.of("baseUrl", cm.baseUrl()), Map.of("apiKey", "sandbox-api-key"),
          Map.of("listId", list));
    });
    FACTORIES.put("iterable", () -> {
      // Lists are found or created by name; a new list refuses its first subscribe, as Iterable's can.
      com.segmentexport.testkit.iterable.IterableSimulator it =
          new com.segmentexport.testkit.iterable.IterableSimulator("sandbox-api-key").freshListRejections(1).start();
      return of("iterable", it, Map.of("baseUrl", it.baseUrl()), Map.of("apiKey", "sandbox-api-key"), Map.of());
    });
    FACTORIES.put("autopilot", () -> {
      com.segmentexport.testkit.autopilot.AutopilotSimulator ap =
          new com.segmentexport.testkit.autopilot.AutopilotSimulator("sandbox-autopilot-key").start();
      return of("autopilot", ap, Map.of("baseUrl", ap.baseUrl()), Map.of("apiKey", "sandbox-autopilot-key"), Map.of());
    });
  }

  private Sandboxes() {}

  /** The connector ids a sandbox exists for. */
  public static Set<String> supported() {
    return Set.copyOf(FACTORIES.keySet());
  }

  /**
   * Starts the sandbox of a connector.
   *
   * @throws IllegalArgumentException naming the supported ids when there is none for {@code connectorId}
   */
  public static Sandbox start(String connectorId) {
    Supplier<Sandbox> factory = FACTORIES.get(connectorId);
    if (factory == null) {
      throw new IllegalArgumentException("No sandbox for connector '" + connectorId + "' (available: "
          + String.join(", ", FACTORIES.keySet()) + ")");
    }
    return factory.get();
  }

  /** A sandbox from its parts; the simulator must be started. */
  public static Sandbox of(String connectorId, VendorSimulator simulator, Map<String, String> settings,
      Map<String, String> secrets, Map<String, String> exportOptions) {
    Map<String, String> s = Map.copyOf(settings);
    Map<String, String> c = Map.copyOf(secrets);
    Map<String, String> o = Map.copyOf(exportOptions);
    return new Sandbox() {
      @Override
      public String connectorId() {
        return connectorId;
      }

      @Override
      public VendorSimulator simulator() {
        return simulator;
      }

      @Override
      public Map<String, String> settings() {
        return s;
      }

      @Override
      public Map<String, String> secrets() {
        return c;
      }

      @Override
      public Map<String, String> exportOptions() {
        return o;
      }

      @Override
      public void close() {
        simulator.close();
      }
    };
  }
}
