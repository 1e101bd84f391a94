package com.segmentexport.campaignmonitor;

import com.segmentexport.api.RejectionReason;
import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.testkit.Capability;
import com.segmentexport.testkit.SegmentExporterContract;
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The contract against the Campaign Monitor simulator, with custom field keys accepted bare only
 * (the documented form), so that every case proves the connector writes keys that way. Connection,
 * credentials and the list (by id) come from the simulator's sandbox.
 */
class CampaignMonitorContractTest extends SegmentExporterContract<CampaignMonitorSimulator> {
  static final String API_KEY = "contract-api-key-0123456789abcdef";

  CampaignMonitorContractTest() {}

  @Override
  protected ConnectorProvider provider() {
    return new CampaignMonitorConnectorProvider();
  }

  @Override
  protected CampaignMonitorSimulator newSimulator() {
    return new CampaignMonitorSimulator(API_KEY).acceptBracketedKeys(false);
  }

  /** The list is given by id (listId); the connector never creates one. */
  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.complementOf(
        EnumSet.of(Capability.CREATES_DESTINATION, Capability.ASYNC_VENDOR_WORK));
  }

  private String list() {
    return sandbox().exportOptions().get(CampaignMonitorConnectorProvider.LIST_ID);
  }

  /** One list: the sandbox's. */
  @Override
  protected int destinationCount(CampaignMonitorSimulator simulator, String segment) {
    return 1;
  }

  @Override
  protected Set<String> destinationMembers(CampaignMonitorSimulator simulator, String segment) {
    return simulator.activeSubscribers(list());
  }

  /** Whether the address is suppressed, or unsubscribed from the list (what unsubscribe.json would do). */
  @Override
  protected String consentState(CampaignMonitorSimulator simulator, String segment, String email) {
    return "suppressed="
        + simulator.isSuppressed(email)
        + " unsubscribed="
        + simulator.subscriberState(list(), email).map("Unsubscribed"::equals).orElse(false);
  }

  /** The list's subscriber record at this address, in any state (a subscriber is a per-list record). */
  @Override
  protected int contactsWithAddress(
      CampaignMonitorSimulator simulator, String segment, String email) {
    return simulator.subscriber(list(), email).isPresent() ? 1 : 0;
  }

  /** The subscriber's Name and its custom fields by field name ({@code tier}). */
  @Override
  protected Map<String, String> storedFields(
      CampaignMonitorSimulator simulator, String segment, String email) {
    Map<String, String> out = new LinkedHashMap<>();
    simulator
        .subscriber(list(), email)
        .ifPresent(
            s -> {
              if (!s.name().isEmpty()) {
                out.put("Name", s.name());
              }
              out.putAll(s.customFields());
            });
    return out;
  }

  @Override
  protected Map<String, String> expectedStoredFields(
      String firstName, String lastName, String tier) {
    Map<String, String> expected = new LinkedHashMap<>();
    String name =
        ((firstName == null ? "" : firstName) + " " + (lastName == null ? "" : lastName)).trim();
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

  /** Subscribers named in {@code DELETE subscribers/{listid}.json} calls, Active or already Deleted. */
  @Override
  protected long memberRemovalRequests(CampaignMonitorSimulator simulator) {
    return simulator.deletions() + simulator.deletionNoOps();
  }

  @Override
  protected void addMemberByHand(CampaignMonitorSimulator simulator, String segment, String email) {
    simulator.addSubscriber(list(), email, CampaignMonitorSimulator.ACTIVE);
  }
}
