package com.segmentexport.iterable;

import com.segmentexport.api.RejectionReason;
import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.testkit.Capability;
import com.segmentexport.testkit.SegmentExporterContract;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The contract against the Iterable simulator, with every new list refusing its first subscribe
 * ({@code invalidListId}), so that every case also proves the fresh-list retry. Connection and
 * credentials come from the simulator's sandbox; Iterable's answers do not say which users were new.
 */
class IterableContractTest extends SegmentExporterContract<IterableSimulator> {
  static final String API_KEY = "contract-server-key-5f2c1e";

  IterableContractTest() {}

  @Override
  protected ConnectorProvider provider() {
    return new IterableConnectorProvider();
  }

  @Override
  protected IterableSimulator newSimulator() {
    return new IterableSimulator(API_KEY).freshListRejections(1);
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.complementOf(
        EnumSet.of(Capability.REPORTS_CREATED, Capability.ASYNC_VENDOR_WORK));
  }

  /** The Standard lists named after the segment. */
  @Override
  protected int destinationCount(IterableSimulator simulator, String segment) {
    return simulator.listIds(segment, "Standard").size();
  }

  @Override
  protected Set<String> destinationMembers(IterableSimulator simulator, String segment) {
    return simulator.members(segment);
  }

  /** Iterable has one user per address, on the list or not. */
  /** Whether the user is unsubscribed from everything (what a channel unsubscribe would do). */
  @Override
  protected String consentState(IterableSimulator simulator, String segment, String email) {
    return "globallyUnsubscribed=" + simulator.isGloballyUnsubscribed(email);
  }

  @Override
  protected int contactsWithAddress(IterableSimulator simulator, String segment, String email) {
    return simulator.hasUser(email) ? 1 : 0;
  }

  /** The user's dataFields: firstName, lastName and the custom field under its own name. */
  @Override
  protected Map<String, String> storedFields(
      IterableSimulator simulator, String segment, String email) {
    return simulator.dataFields(email);
  }

  @Override
  protected Map<String, String> expectedStoredFields(
      String firstName, String lastName, String tier) {
    Map<String, String> expected = new LinkedHashMap<>();
    if (firstName != null) {
      expected.put("firstName", firstName);
    }
    if (lastName != null) {
      expected.put("lastName", lastName);
    }
    if (tier != null) {
      expected.put(CUSTOM_FIELD, tier);
    }
    return expected;
  }

  @Override
  protected int vendorMaxBatch() {
    return IterableSimulator.MAX_SUBSCRIBERS;
  }

  @Override
  protected String vendorRejectionCategory() {
    return "conflictEmails";
  }

  @Override
  protected RejectionReason expectedVendorRejectionReason() {
    return RejectionReason.VENDOR_REJECTED;
  }

  /** Users named in {@code lists/unsubscribe} requests, on the list or not. */
  @Override
  protected long memberRemovalRequests(IterableSimulator simulator) {
    return simulator.listRemovals() + simulator.listRemovalNoOps();
  }

  @Override
  protected void addMemberByHand(IterableSimulator simulator, String segment, String email) {
    simulator.addListMember(simulator.listIds(segment, "Standard").get(0), email);
  }
}
