package com.segmentexport.autopilot;

import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.testkit.Capability;
import com.segmentexport.testkit.SegmentExporterContract;
import com.segmentexport.testkit.autopilot.AutopilotSimulator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The contract against the Autopilot simulator, in its default reading of {@code _autopilot_list}
 * (honoured for contacts the upsert creates). Connection and credentials come from the simulator's
 * sandbox; Autopilot's answers do not say which contacts were new.
 */
class AutopilotContractTest extends SegmentExporterContract<AutopilotSimulator> {
  static final String API_KEY = "contract-autopilot-key-0123456789";

  AutopilotContractTest() {}

  @Override
  protected ConnectorProvider provider() {
    return new AutopilotConnectorProvider();
  }

  @Override
  protected AutopilotSimulator newSimulator() {
    return new AutopilotSimulator(API_KEY);
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.complementOf(
        EnumSet.of(Capability.REPORTS_CREATED, Capability.ASYNC_VENDOR_WORK));
  }

  /** The lists titled after the segment. */
  @Override
  protected int destinationCount(AutopilotSimulator simulator, String segment) {
    return simulator.listsTitled(segment);
  }

  @Override
  protected Set<String> destinationMembers(AutopilotSimulator simulator, String segment) {
    return simulator.members(segment);
  }

  /** Autopilot's contacts at this address, on the list or not (it allows several). */
  /** Whether the contact is unsubscribed (what a contact unsubscribe would do). */
  @Override
  protected String consentState(AutopilotSimulator simulator, String segment, String email) {
    return "unsubscribed=" + simulator.isUnsubscribed(email);
  }

  @Override
  protected int contactsWithAddress(AutopilotSimulator simulator, String segment, String email) {
    return simulator.contactsWithAddress(email);
  }

  @Override
  protected Map<String, String> storedFields(
      AutopilotSimulator simulator, String segment, String email) {
    return simulator.contactFields(email);
  }

  /** FirstName, LastName and the custom text field under its typed key. */
  @Override
  protected Map<String, String> expectedStoredFields(
      String firstName, String lastName, String tier) {
    Map<String, String> expected = new LinkedHashMap<>();
    if (firstName != null) {
      expected.put("FirstName", firstName);
    }
    if (lastName != null) {
      expected.put("LastName", lastName);
    }
    if (tier != null) {
      expected.put("string--" + CUSTOM_FIELD, tier);
    }
    return expected;
  }

  @Override
  protected int vendorMaxBatch() {
    return AutopilotSimulator.MAX_BULK_CONTACTS;
  }

  /** Contacts named in {@code DELETE /v1/list/{id}/contact/{id}} calls, on the list or not. */
  @Override
  protected long memberRemovalRequests(AutopilotSimulator simulator) {
    return simulator.listRemovals() + simulator.listRemovalNoOps();
  }

  @Override
  protected void addMemberByHand(AutopilotSimulator simulator, String segment, String email) {
    simulator.addListMember(simulator.listId(segment), email);
  }
}
