package com.segmentexport.campaignmonitor;

import static java.util.Objects.requireNonNull;

import com.segmentexport.spi.AddressChange;
import com.segmentexport.spi.CallSpec;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.OutcomeUnknownException;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.VendorHttp;
import java.util.Locale;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives one subscriber of a list a new address, as the same subscriber record:
 * {@code PUT subscribers/{listid}.json?email={current}} whose body's {@code EmailAddress} is the new
 * address, with {@code ConsentToTrack: Unchanged} (required since API v3.2), {@code Resubscribe: false}
 * and no other detail ("any details omitted will not be changed": state, join date, name, custom fields
 * stay). For the sync state's changed addresses (issue 23, item 6): {@link CampaignMonitorDestination}
 * calls it for each record with a previous address, before its import. Facts and sources: {@code docs/vendors-address-change.md}.
 *
 * <p>A subscriber is a per-list record: the change applies to this list only. What Campaign Monitor
 * answers, and what {@link #change} returns:
 * <ul>
 *   <li>200: {@link Outcome#CHANGED}.
 *   <li>400, code 203 "Subscriber Not In List": {@link Outcome#CURRENT_UNKNOWN}; the caller adds the new
 *       address.
 *   <li>400, code 201 "Already subscribed" (the new address is on the list): {@link Outcome#NEW_ADDRESS_TAKEN};
 *       nothing changed, never merged.
 *   <li>400, code 1 or 211 (invalid address): {@link Outcome#REFUSED}, with the code and message.
 *   <li>Anything else (an unknown list, 214/215, ...): a {@link com.segmentexport.api.DestinationException}.
 * </ul>
 * An inactive subscriber (unsubscribed, deleted, bounced) is renamed and stays inactive.
 *
 * <p>The call is <b>not idempotent</b>: repeated after Campaign Monitor applied it, the current address is
 * no longer on the list (203). It is sent once; when its outcome is unknown (a timeout, a dropped
 * connection, a 5xx), both addresses are read with {@code GET subscribers/{listid}.json?email=}: the new
 * address on the list and the current one not is the change made; the current one on the list and the new
 * one not is the change not made, sent once more; anything else leaves the {@link OutcomeUnknownException}
 * to the caller. An expired OAuth token (121) is refreshed and the call sent again by
 * {@link CampaignMonitorConnector#send}, which is safe: Campaign Monitor refused it unapplied. Addresses
 * differing only in case are one subscriber here (the connector writes addresses lower-cased): no call is
 * made. Thread-safe.
 */
final class CampaignMonitorAddressChange implements AddressChange {
  private static final Logger log = LoggerFactory.getLogger(CampaignMonitorAddressChange.class);

  /** The new address is already on the list. */
  static final int ALREADY_SUBSCRIBED = 201;

  /** The current address is not on the list. */
  static final int NOT_IN_LIST = 203;

  /** The new address is not valid. */
  static final int INVALID_NEW_ADDRESS = 211;

  /** An address is not valid. */
  static final int INVALID_ADDRESS = 1;

  private final CampaignMonitorConnector connector;
  private final VendorHttp http;
  private final String listId;

  CampaignMonitorAddressChange(CampaignMonitorConnector connector, VendorHttp http, String listId) {
    this.connector = requireNonNull(connector, "connector == null");
    this.http = requireNonNull(http, "http == null");
    this.listId = requireNonNull(listId, "listId == null");
  }

  /**
   * Gives the list's subscriber at {@code oldEmail} the address {@code newEmail}.
   *
   * @param oldEmail the address the list has the subscriber under
   * @param newEmail the profile's address now
   * @return the outcome
   * @throws OutcomeUnknownException if the change failed ambiguously and reading the addresses back did
   *     not settle it
   * @throws com.segmentexport.api.DestinationException if Campaign Monitor refused the call otherwise
   */
  @Override
  public Result change(String oldEmail, String newEmail) {
    requireNonNull(oldEmail, "oldEmail == null");
    requireNonNull(newEmail, "newEmail == null");
    if (oldEmail.trim().toLowerCase(Locale.ROOT).equals(newEmail.trim().toLowerCase(Locale.ROOT))) {
      return new Result(Outcome.CHANGED, null, "the addresses differ only in case");
    }
    try {
      return send(oldEmail, newEmail);
    } catch (OutcomeUnknownException e) {
      boolean atOld = onList(oldEmail);
      boolean atNew = onList(newEmail);
      if (atNew && !atOld) {
        log.info(
            "Campaign Monitor: an address change failed ambiguously ({}); the subscriber has the new address",
            e.getMessage());
        return new Result(
            Outcome.CHANGED, null, "changed (confirmed by reading the subscriber back)");
      }
      if (atOld && !atNew) {
        log.info(
            "Campaign Monitor: an address change failed ambiguously ({}) and was not made; sending it again",
            e.getMessage());
        return send(oldEmail, newEmail);
      }
      throw e;
    }
  }

  private Result send(String oldEmail, String newEmail) {
    RequestBody body =
        Json.body(
            w ->
                w.beginObject()
                    .name("EmailAddress")
                    .value(newEmail)
                    .name("ConsentToTrack")
                    .value("Unchanged")
                    .name("Resubscribe")
                    .value(false)
                    .name("RestartSubscriptionBasedAutoresponders")
                    .value(false)
                    .endObject());
    // Not idempotent: replayed after Campaign Monitor applied it, the current address is no longer
    // on the list.
    HttpResponse r =
        connector.send(
            http,
            subscriber(oldEmail).put(body),
            CallSpec.once("update-subscriber").classifiedBy(CampaignMonitorErrors.CLASSIFIER));
    if (r.isSuccessful()) {
      return new Result(Outcome.CHANGED, null, "changed");
    }
    VendorError e = CampaignMonitorErrors.parse(r);
    if (r.code() == 400) {
      switch (CampaignMonitorErrors.number(e)) {
        case NOT_IN_LIST:
          return new Result(Outcome.CURRENT_UNKNOWN, e.code(), e.message());
        case ALREADY_SUBSCRIBED:
          return new Result(Outcome.NEW_ADDRESS_TAKEN, e.code(), e.message());
        case INVALID_ADDRESS:
        case INVALID_NEW_ADDRESS:
          return new Result(Outcome.REFUSED, e.code(), e.message());
        default:
          break;
      }
    }
    throw CampaignMonitorErrors.destination(
        r, "Campaign Monitor refused to change a subscriber's address on list " + listId);
  }

  /** Whether the list has a subscriber, in any state, at this address (code 203 when not). */
  private boolean onList(String email) {
    HttpResponse r =
        connector.send(
            http, subscriber(email).get(), CampaignMonitorConnector.spec("get-subscriber"));
    if (r.isSuccessful()) {
      return true;
    }
    if (r.code() == 400
        && CampaignMonitorErrors.number(CampaignMonitorErrors.parse(r)) == NOT_IN_LIST) {
      return false;
    }
    throw CampaignMonitorErrors.destination(
        r,
        "Campaign Monitor's subscriber could not be read back after an "
            + "ambiguous address change on list "
            + listId);
  }

  /** A request for {@code subscribers/{listid}.json?email=}. */
  private Request.Builder subscriber(String email) {
    Request base = connector.request("subscribers/" + listId + ".json").build();
    return base.newBuilder().url(base.url().newBuilder().addQueryParameter("email", email).build());
  }
}
