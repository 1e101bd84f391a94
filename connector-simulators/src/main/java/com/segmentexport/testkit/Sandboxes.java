package com.segmentexport.testkit;

import com.segmentexport.testkit.autopilot.AutopilotSimulator;
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator;
import com.segmentexport.testkit.dotdigital.DotdigitalSimulator;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** Starts a {@link Sandbox} for a connector id. */
public final class Sandboxes {
  /** The address book {@link #bind} gives a dotdigital simulator. */
  public static final String DOTDIGITAL_ADDRESS_BOOK = "Sandbox address book";

  /** The list {@link #bind} gives a Campaign Monitor simulator. */
  public static final String CAMPAIGN_MONITOR_LIST = "Sandbox list";

  private static final Map<String, Supplier<Sandbox>> FACTORIES = new LinkedHashMap<>();

  static {
    FACTORIES.put(
        "dotdigital",
        () ->
            bind(
                new DotdigitalSimulator("apiuser-sandbox@apiconnector.com", "sandbox-password")
                    .start()));
    FACTORIES.put(
        "campaignmonitor", () -> bind(new CampaignMonitorSimulator("sandbox-api-key").start()));
    // Lists are found or created by name; a new list refuses its first subscribe, as Iterable's
    // can.
    FACTORIES.put(
        "iterable",
        () -> bind(new IterableSimulator("sandbox-api-key").freshListRejections(1).start()));
    FACTORIES.put("autopilot", () -> bind(new AutopilotSimulator("sandbox-autopilot-key").start()));
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
      throw new IllegalArgumentException(
          "No sandbox for connector '"
              + connectorId
              + "' (available: "
              + String.join(", ", FACTORIES.keySet())
              + ")");
    }
    return factory.get();
  }

  /**
   * A sandbox around a simulator the caller configured and started (its knobs, its credentials): the
   * settings and secrets the vendor's connector needs to reach it, and a destination created in it
   * where the connector takes one by id ({@value #DOTDIGITAL_ADDRESS_BOOK}, {@value
   * #CAMPAIGN_MONITOR_LIST}). Closing the sandbox stops the simulator.
   *
   * @throws IllegalArgumentException for a simulator of no known vendor
   */
  public static Sandbox bind(VendorSimulator started) {
    Map<String, String> settings = Map.of("baseUrl", started.baseUrl());
    if (started instanceof DotdigitalSimulator dd) {
      List<String> credentials = dd.credentials();
      return of(
          "dotdigital",
          dd,
          settings,
          Map.of("username", credentials.get(0), "password", credentials.get(1)),
          Map.of("addressBookId", Long.toString(dd.ensureAddressBook(DOTDIGITAL_ADDRESS_BOOK))));
    }
    if (started instanceof CampaignMonitorSimulator cm) {
      return of(
          "campaignmonitor",
          cm,
          settings,
          Map.of("apiKey", cm.credentials().get(0)),
          Map.of("listId", cm.ensureList(CAMPAIGN_MONITOR_LIST)));
    }
    if (started instanceof IterableSimulator it) {
      return of("iterable", it, settings, Map.of("apiKey", it.credentials().get(0)), Map.of());
    }
    if (started instanceof AutopilotSimulator ap) {
      return of("autopilot", ap, settings, Map.of("apiKey", ap.credentials().get(0)), Map.of());
    }
    throw new IllegalArgumentException(
        "No sandbox for a "
            + started.vendor()
            + " simulator (available: "
            + String.join(", ", FACTORIES.keySet())
            + ")");
  }

  /** A sandbox from its parts; the simulator must be started. */
  public static Sandbox of(
      String connectorId,
      VendorSimulator simulator,
      Map<String, String> settings,
      Map<String, String> secrets,
      Map<String, String> exportOptions) {
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
