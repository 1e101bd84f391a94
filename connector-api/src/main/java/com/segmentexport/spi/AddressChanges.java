package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

import com.segmentexport.api.DestinationException;
import com.segmentexport.api.RejectionReason;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a vendor's {@link AddressChange} to the moved records of a batch (those with a {@linkplain
 * ExportRecord#previousEmail() previous address}) before the connector's own write, so that the write
 * updates the same contact under the new address rather than adding a second one. The vendor's calls
 * stay in the connector; what the outcomes mean for the records is the same at every vendor, and is
 * here:
 *
 * <table>
 *   <caption>Each outcome and what becomes of the record</caption>
 *   <tr><th>Outcome</th><th>The record</th><th>Counter ({@link BatchResult.Builder#count})</th></tr>
 *   <tr><td>{@link AddressChange.Outcome#CHANGED CHANGED}</td><td>written as usual</td>
 *       <td>{@value #CHANGED}</td></tr>
 *   <tr><td>{@link AddressChange.Outcome#CURRENT_UNKNOWN CURRENT_UNKNOWN}</td>
 *       <td>written as usual (the write adds the contact)</td><td>{@value #CURRENT_UNKNOWN}</td></tr>
 *   <tr><td>{@link AddressChange.Outcome#NEW_ADDRESS_TAKEN NEW_ADDRESS_TAKEN}</td>
 *       <td>written (the write updates the contact at the new address); logged at INFO by row,
 *       without addresses</td><td>{@value #NEW_ADDRESS_TAKEN}</td></tr>
 *   <tr><td>{@link AddressChange.Outcome#REFUSED REFUSED}</td>
 *       <td>rejected ({@code VENDOR_REJECTED}, with the vendor's code and message), left out</td>
 *       <td></td></tr>
 *   <tr><td>{@link OutcomeUnknownException}</td>
 *       <td>unconfirmed and left out: the next run tries again</td><td></td></tr>
 *   <tr><td>other {@link DestinationException}</td>
 *       <td>rejected ({@code VENDOR_REJECTED} for a 4xx other than 408 and 429, else {@code
 *       DELIVERY_FAILED}) and left out</td><td></td></tr>
 * </table>
 *
 * <p>{@link com.segmentexport.api.AuthenticationException} and {@link ExportCancelledException}
 * propagate. The batch's other records are not touched. A destination creates one, with its wording,
 * and calls it from {@link Destination#write}:
 *
 * <pre>{@code
 * this.addressChanges =
 *     new AddressChanges(new AcmeAddressChange(connector, http), "Acme", "list " + listId,
 *         "contact", "upserted");
 * ...
 * List<ExportRecord> rest = addressChanges.apply(batch, batch.records(), result);
 * // write rest (batch.withRecords(rest, bytes) when it is not the whole batch)
 * }</pre>
 *
 * <p>One change at a time, each through the rate-limited {@link VendorHttp} of the change like every
 * call: changes are rare (a profile's address seldom changes), so they are not worth a parallel path.
 * Thread-safe when its {@link AddressChange} is. The vendors' calls and readings are in {@code
 * docs/vendors-address-change.md}.
 */
public final class AddressChanges {
  /** Counter: contacts given their profile's new address, as the same contact. */
  public static final String CHANGED = "addressChange.changed";

  /** Counter: moved profiles the vendor had no contact for at the old address (the write adds them). */
  public static final String CURRENT_UNKNOWN = "addressChange.currentUnknown";

  /** Counter: moved profiles whose new address another contact has (it is updated; the old one stays). */
  public static final String NEW_ADDRESS_TAKEN = "addressChange.newAddressTaken";

  private static final Logger log = LoggerFactory.getLogger(AddressChanges.class);

  private final AddressChange change;
  private final String vendor;
  private final String destination;
  private final String contact;
  private final String written;

  /**
   * Creates the helper of one destination. The words make its messages, which never hold an address:
   * "whether <i>vendor</i> changed this <i>contact</i>'s address is unknown (...); the <i>contact</i>
   * was not <i>written</i> under the new address" for an unconfirmed record, and "<i>vendor</i>
   * <i>destination</i>: row 7 of segment 'VIP' has a new address another <i>contact</i> already has;
   * ..." in the log.
   *
   * @param change the vendor's calls
   * @param vendor the vendor's name, as in messages ("Iterable", "Campaign Monitor")
   * @param destination the destination, for the log ("list 123", "address book 7")
   * @param contact the vendor's word for a contact ("user", "subscriber", "contact")
   * @param written what the connector's write does to a record, as a past participle ("subscribed",
   *     "upserted", "imported")
   */
  public AddressChanges(
      AddressChange change, String vendor, String destination, String contact, String written) {
    this.change = requireNonNull(change, "change == null");
    this.vendor = requireNonNull(vendor, "vendor == null");
    this.destination = requireNonNull(destination, "destination == null");
    this.contact = requireNonNull(contact, "contact == null");
    this.written = requireNonNull(written, "written == null");
  }

  /**
   * Changes the address of each of {@code records} with a previous address, one at a time, and records
   * the outcomes in {@code result}; the other records are left alone.
   *
   * @param batch the batch the records are of (for the log)
   * @param records the batch's records to consider: all of them, or those the connector has not
   *     already rejected
   * @param result the batch's result, given the counters, rejections and unconfirmed records
   * @return the records to write, in their order: all of {@code records} but those rejected or
   *     unconfirmed here; {@code records} itself when none of them has a previous address
   * @throws com.segmentexport.api.AuthenticationException if the vendor refused the credentials
   * @throws ExportCancelledException if the export was cancelled
   */
  public List<ExportRecord> apply(
      Batch batch, List<ExportRecord> records, BatchResult.Builder result) {
    requireNonNull(batch, "batch == null");
    requireNonNull(records, "records == null");
    requireNonNull(result, "result == null");
    if (records.stream().noneMatch(r -> r.previousEmail().isPresent())) {
      return records;
    }
    List<ExportRecord> rest = new ArrayList<>(records.size());
    for (ExportRecord r : records) {
      if (r.previousEmail().isEmpty() || changed(batch, r, result)) {
        rest.add(r);
      }
    }
    return rest;
  }

  /** Changes one record's address; returns whether it is to be written. */
  private boolean changed(Batch batch, ExportRecord r, BatchResult.Builder result) {
    AddressChange.Result outcome;
    try {
      outcome = change.change(r.previousEmail().get(), r.email());
    } catch (OutcomeUnknownException e) {
      result.unconfirmed(
          r,
          "whether "
              + vendor
              + " changed this "
              + contact
              + "'s address is unknown ("
              + e.getMessage()
              + "); the "
              + contact
              + " was not "
              + written
              + " under the new address");
      return false;
    } catch (DestinationException e) {
      // Any other refusal of the change concerns this contact: the batch's other records go on.
      result.reject(r, e);
      return false;
    }
    switch (outcome.outcome()) {
      case CHANGED:
        result.count(CHANGED, 1);
        return true;
      case CURRENT_UNKNOWN:
        result.count(CURRENT_UNKNOWN, 1); // the write adds a contact at the new address
        return true;
      case NEW_ADDRESS_TAKEN:
        // The write updates the contact at the new address; the one at the old address stays, for a
        // mirror mode to remove.
        log.info(
            "{} {}: row {} of segment '{}' has a new address another {} already has; that {} is "
                + "updated, the one at the old address is left as it is",
            vendor,
            destination,
            r.row(),
            batch.segment(),
            contact,
            contact);
        result.count(NEW_ADDRESS_TAKEN, 1);
        return true;
      default:
        result.reject(r, RejectionReason.VENDOR_REJECTED, outcome.vendorCode(), outcome.message());
        return false;
    }
  }
}
