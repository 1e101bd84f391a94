package com.segmentexport.dotdigital;

import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.testkit.Capability;
import com.segmentexport.testkit.SegmentExporterContract;
import com.segmentexport.testkit.dotdigital.DotdigitalSimulator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The contract against the dotdigital simulator, with the account on a second region so that every
 * case proves the connector sends its calls to the endpoint {@code account-info} announced.
 * Connection, credentials and the address book (by id) come from the simulator's sandbox.
 */
class DotdigitalContractTest extends SegmentExporterContract<DotdigitalSimulator> {
  static final String API_USER = "apiuser-contract@apiconnector.com";
  static final String PASSWORD = "contract-Pa55word";

  DotdigitalContractTest() {}

  @Override
  protected ConnectorProvider provider() {
    return new DotdigitalConnectorProvider();
  }

  @Override
  protected DotdigitalSimulator newSimulator() {
    return new DotdigitalSimulator(API_USER, PASSWORD).accountRegion("r2");
  }

  /** The address book is given by id (addressBookId); the connector never creates one. */
  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.complementOf(EnumSet.of(Capability.CREATES_DESTINATION));
  }

  private long book() {
    return Long.parseLong(
        sandbox().exportOptions().get(DotdigitalConnectorProvider.ADDRESS_BOOK_ID));
  }

  /** One address book: the sandbox's. */
  @Override
  protected int destinationCount(DotdigitalSimulator simulator, String segment) {
    return 1;
  }

  @Override
  protected Set<String> destinationMembers(DotdigitalSimulator simulator, String segment) {
    return simulator.addressBookMembers(book());
  }

  /** The contact's subscription status and whether it is unsubscribed from the address book. */
  @Override
  protected String consentState(DotdigitalSimulator simulator, String segment, String email) {
    return "status="
        + simulator.contactStatus(email).orElse("none")
        + " unsubscribedFromBook="
        + simulator.isUnsubscribedFrom(book(), email);
  }

  /** dotdigital's account-wide contact at this address, in an address book or not. */
  @Override
  protected int contactsWithAddress(DotdigitalSimulator simulator, String segment, String email) {
    return simulator.contactId(email).isPresent() ? 1 : 0;
  }

  /** The contact's data fields: FIRSTNAME, LASTNAME and the custom field in capitals (TIER). */
  @Override
  protected Map<String, String> storedFields(
      DotdigitalSimulator simulator, String segment, String email) {
    return simulator.contactDataFields(email);
  }

  @Override
  protected Map<String, String> expectedStoredFields(
      String firstName, String lastName, String tier) {
    Map<String, String> expected = new LinkedHashMap<>();
    if (firstName != null) {
      expected.put("FIRSTNAME", firstName);
    }
    if (lastName != null) {
      expected.put("LASTNAME", lastName);
    }
    if (tier != null) {
      expected.put("TIER", tier);
    }
    return expected;
  }

  /** The connector's import size: 2,000 contacts (dotdigital documents only the 50 MB body cap). */
  @Override
  protected int vendorMaxBatch() {
    return DotdigitalConnectorProvider.MAX_IMPORT_RECORDS;
  }

  /** Contact ids in removals from address books, in the book or not. */
  @Override
  protected long memberRemovalRequests(DotdigitalSimulator simulator) {
    return simulator.bookRemovals() + simulator.bookRemovalNoOps();
  }

  @Override
  protected void addMemberByHand(DotdigitalSimulator simulator, String segment, String email) {
    simulator.addContact(email, DotdigitalSimulator.SUBSCRIBED, java.util.Map.of());
    simulator.addToAddressBook(book(), email);
  }
}
