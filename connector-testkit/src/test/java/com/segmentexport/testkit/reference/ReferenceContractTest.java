package com.segmentexport.testkit.reference;

import com.segmentexport.api.Connection;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.Secret;
import com.segmentexport.api.StandardSettings;
import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.testkit.Capability;
import com.segmentexport.testkit.SegmentExporterContract;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Runs the contract against the reference vendor: proves the contract is passable as written. */
class ReferenceContractTest extends SegmentExporterContract<ReferenceSimulator> {
  @Override
  protected ConnectorProvider provider() {
    return new ReferenceConnectorProvider();
  }

  @Override
  protected ReferenceSimulator newSimulator() {
    return new ReferenceSimulator("ref-key-0123456789");
  }

  @Override
  protected Connection.Builder connection(ReferenceSimulator simulator) {
    return Connection.builder(provider())
        .setting(StandardSettings.BASE_URL, simulator.baseUrl())
        .secret("apiKey", Secret.of("ref-key-0123456789"));
  }

  @Override
  protected Connection.Builder connectionWithBadCredentials(ReferenceSimulator simulator) {
    return Connection.builder(provider())
        .setting(StandardSettings.BASE_URL, simulator.baseUrl())
        .secret("apiKey", Secret.of("wrong-key"));
  }

  /** The reference vendor has no sandbox: its lists are made by name, with no option. */
  @Override
  protected ExportDefinition.Builder destination(
      ReferenceSimulator simulator, ExportDefinition.Builder builder) {
    return builder;
  }

  /**
   * The reference vendor's answers do not say which members were new, and its limit (100,000 profiles
   * an export) is no setting.
   */
  @Override
  protected String consentState(ReferenceSimulator simulator, String segment, String email) {
    return "unsubscribed=" + simulator.isUnsubscribed(email);
  }

  /** The vendor's contacts outlive their list membership. */
  @Override
  protected int contactsWithAddress(ReferenceSimulator simulator, String segment, String email) {
    return simulator.hasContact(email) ? 1 : 0;
  }

  @Override
  protected long memberRemovalRequests(ReferenceSimulator simulator) {
    return simulator.removals() + simulator.removalNoOps();
  }

  @Override
  protected void addMemberByHand(ReferenceSimulator simulator, String segment, String email) {
    simulator.addByHand(segment, email);
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.complementOf(
        EnumSet.of(
            Capability.REPORTS_CREATED,
            Capability.PROFILE_LIMIT_SETTING,
            Capability.ASYNC_VENDOR_WORK));
  }

  @Override
  protected Set<String> destinationMembers(ReferenceSimulator simulator, String segment) {
    return simulator.membersOf(segment).keySet();
  }

  @Override
  protected int destinationCount(ReferenceSimulator simulator, String segment) {
    return simulator.listsNamed(segment);
  }

  @Override
  protected Map<String, String> storedFields(
      ReferenceSimulator simulator, String segment, String email) {
    return simulator.membersOf(segment).getOrDefault(email, Map.of());
  }

  @Override
  protected Map<String, String> expectedStoredFields(
      String firstName, String lastName, String tier) {
    Map<String, String> m = new LinkedHashMap<>();
    if (firstName != null) {
      m.put("FirstName", firstName);
    }
    if (lastName != null) {
      m.put("LastName", lastName);
    }
    if (tier != null) {
      m.put("tier", tier);
    }
    return m;
  }

  @Override
  protected int vendorMaxBatch() {
    return ReferenceSimulator.MAX_BATCH;
  }
}
