package com.segmentexport.campaignmonitor;

import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectorProvider;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.Secret;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.testkit.SegmentExporterContract;
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The contract against the Campaign Monitor simulator, with custom field keys accepted bare only
 * (the documented form), so that every case proves the connector writes keys that way.
 */
class CampaignMonitorContractTest extends SegmentExporterContract<CampaignMonitorSimulator> {
  static final String API_KEY = "contract-api-key-0123456789abcdef";
  static final String LIST = "Contract list";

  CampaignMonitorContractTest() {}

  @Override
  protected ConnectorProvider provider() {
    return new CampaignMonitorConnectorProvider();
  }

  @Override
  protected CampaignMonitorSimulator newSimulator() {
    return new CampaignMonitorSimulator(API_KEY).acceptBracketedKeys(false);
  }

  @Override
  protected Connection.Builder connection(CampaignMonitorSimulator simulator) {
    return Connection.builder(provider())
        .setting(StandardSettings.BASE_URL, simulator.baseUrl())
        .secret(CampaignMonitorConnectorProvider.API_KEY, Secret.of(API_KEY));
  }

  @Override
  protected Connection.Builder connectionWithBadCredentials(CampaignMonitorSimulator simulator) {
    return Connection.builder(provider())
        .setting(StandardSettings.BASE_URL, simulator.baseUrl())
        .secret(CampaignMonitorConnectorProvider.API_KEY, Secret.of("not-the-api-key"));
  }

  @Override
  protected ExportDefinition.Builder destination(CampaignMonitorSimulator simulator, ExportDefinition.Builder builder) {
    return builder.option(CampaignMonitorConnectorProvider.LIST_ID, simulator.ensureList(LIST));
  }

  /** The list is given by id (listId); the connector never creates one. */
  @Override
  protected int destinationCount(CampaignMonitorSimulator simulator, String segment) {
    return 1;
  }

  @Override
  protected Set<String> destinationMembers(CampaignMonitorSimulator simulator, String segment) {
    return simulator.activeSubscribers(simulator.ensureList(LIST));
  }

  /** The subscriber's Name and its custom fields by field name ({@code tier}). */
  @Override
  protected Map<String, String> storedFields(CampaignMonitorSimulator simulator, String segment, String email) {
    Map<String, String> out = new LinkedHashMap<>();
    simulator.subscriber(simulator.ensureList(LIST), email).ifPresent(s -> {
      if (!s.name().isEmpty()) {
        out.put("Name", s.name());
      }
      out.putAll(s.customFields());
    });
    return out;
  }

  @Override
  protected Map<String, String> expectedStoredFields(String firstName, String lastName, String tier) {
    Map<String, String> expected = new LinkedHashMap<>();
    String name = ((firstName == null ? "" : firstName) + " " + (lastName == null ? "" : lastName)).trim();
    if (!name.isEmpty()) {
      expected.put("Name", name);
    }
    if (tier != null) {
      expected.put("tier", tier);
    }
    return expected;
  }

  @Override
  protected int vendorMaxBatch() {
    return CampaignMonitorSimulator.MAX_IMPORT_SUBSCRIBERS;
  }

  /** The simulator's default per-row refusal is code 1, Invalid Email Address. */
  @Override
  protected RejectionReason expectedVendorRejectionReason() {
    return RejectionReason.INVALID_EMAIL;
  }
}
