package com.segmentexport.autopilot;

import static java.util.Objects.requireNonNull;

import com.segmentexport.api.DestinationException;
import com.segmentexport.spi.AddressChange;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.OutcomeUnknownException;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.VendorHttp;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import okhttp3.HttpUrl;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives one Autopilot contact a new address, as the same contact: the single upsert
 * {@code POST /v1/contact} with {@code {"contact": {"Email": current, "_NewEmail": new}}}. For the sync
 * state's changed addresses (issue 23, item 6): {@link AutopilotDestination} calls it for each record with
 * a previous address, before its upsert. Facts and sources: {@code docs/vendors-address-change.md}.
 *
 * <p>Autopilot's own documents in the store do not describe {@code _NewEmail} (n8n does: "will change
 * the email address of the contact identified by the Email field"), nor what it does when no contact has
 * the current address (the upsert may create one) or another contact has the new one (Autopilot allows
 * two contacts with one address). So the change is only sent once both addresses were read with
 * {@code GET /v1/contact/{email}}:
 * <ul>
 *   <li>no contact at the current address: {@link Outcome#CURRENT_UNKNOWN}, nothing sent; the caller adds
 *       the new address;
 *   <li>another contact at the new address: {@link Outcome#NEW_ADDRESS_TAKEN}, nothing sent;
 *   <li>otherwise the change; 200 naming the same {@code contact_id}: {@link Outcome#CHANGED}; 404 or 409
 *       (the other readings, should the accounts change between the reads and the write):
 *       {@code CURRENT_UNKNOWN} or {@code NEW_ADDRESS_TAKEN}; 400: {@link Outcome#REFUSED}; an answer
 *       naming another contact, or any other refusal: a {@link DestinationException}.
 * </ul>
 *
 * <p>The change is <b>not idempotent</b>: repeated after Autopilot applied it, no contact has the current
 * address any more and the upsert may create one (a duplicate). It is sent once; when its outcome is
 * unknown (Autopilot completes requests whose answer timed out), both addresses are read back: the
 * contact at the new address and none at the current one is the change made; the contact still at the
 * current address and none at the new one is the change not made, sent once more; anything else leaves
 * the {@link OutcomeUnknownException} to the caller. The bulk upsert is never used for a change: whether
 * it honours {@code _NewEmail} is not known. Identical addresses need no call. Thread-safe.
 */
final class AutopilotAddressChange implements AddressChange {
  private static final Logger log = LoggerFactory.getLogger(AutopilotAddressChange.class);

  private final AutopilotConnector connector;
  private final VendorHttp http;

  AutopilotAddressChange(AutopilotConnector connector, VendorHttp http) {
    this.connector = requireNonNull(connector, "connector == null");
    this.http = requireNonNull(http, "http == null");
  }

  /**
   * Gives the contact at {@code oldEmail} the address {@code newEmail}.
   *
   * @param oldEmail the address Autopilot knows the contact by
   * @param newEmail the profile's address now
   * @return the outcome
   * @throws OutcomeUnknownException if the change failed ambiguously and reading the addresses back did
   *     not settle it
   * @throws DestinationException if Autopilot refused a read, or the change otherwise
   */
  @Override
  public Result change(String oldEmail, String newEmail) {
    requireNonNull(oldEmail, "oldEmail == null");
    requireNonNull(newEmail, "newEmail == null");
    if (oldEmail.equals(newEmail)) {
      return new Result(Outcome.CHANGED, null, "the addresses are the same");
    }
    String id = contactId(oldEmail);
    if (id == null) {
      return new Result(
          Outcome.CURRENT_UNKNOWN, null, "no Autopilot contact has the current address");
    }
    String holder = contactId(newEmail);
    if (holder != null && !holder.equals(id)) {
      return new Result(
          Outcome.NEW_ADDRESS_TAKEN, null, "another Autopilot contact has the new address");
    }
    try {
      return send(id, oldEmail, newEmail);
    } catch (OutcomeUnknownException e) {
      String atOld = contactId(oldEmail);
      String atNew = contactId(newEmail);
      if (id.equals(atNew) && atOld == null) {
        log.info(
            "autopilot: an address change failed ambiguously ({}); the contact has the new address",
            e.getMessage());
        return new Result(Outcome.CHANGED, null, "changed (confirmed by reading the contact back)");
      }
      if (id.equals(atOld) && atNew == null) {
        log.info(
            "autopilot: an address change failed ambiguously ({}) and was not made; sending it again",
            e.getMessage());
        return send(id, oldEmail, newEmail);
      }
      throw e;
    }
  }

  private Result send(String id, String oldEmail, String newEmail) {
    RequestBody body =
        Json.body(
            w ->
                w.beginObject()
                    .name("contact")
                    .beginObject()
                    .name("Email")
                    .value(oldEmail)
                    .name("_NewEmail")
                    .value(newEmail)
                    .endObject()
                    .endObject());
    // Not idempotent: replayed after Autopilot applied it, the upsert may create a contact at the
    // old address.
    HttpResponse r =
        http.execute(
            connector.request(connector.url("contact")).post(body).build(),
            AutopilotConnector.spec("change-address", false));
    if (r.isSuccessful()) {
      String answered = Json.string(Json.object(r.json()), "contact_id");
      if (!id.equals(answered)) {
        throw new DestinationException(
            r.code(),
            null,
            null,
            "Autopilot answered an address change with another "
                + "contact than the one at the current address; the change may have made a second contact");
      }
      return new Result(Outcome.CHANGED, null, "changed");
    }
    VendorError e = AutopilotErrors.parse(r);
    switch (r.code()) {
      case 404:
        return new Result(Outcome.CURRENT_UNKNOWN, e.code(), e.message());
      case 409:
        return new Result(Outcome.NEW_ADDRESS_TAKEN, e.code(), e.message());
      case 400:
        return new Result(Outcome.REFUSED, e.code(), e.message());
      default:
        throw AutopilotErrors.destination(r, "Autopilot refused to change a contact's address");
    }
  }

  /** The id of the contact at this address ({@code GET /v1/contact/{email}}), or null on 404. */
  private String contactId(String email) {
    HttpUrl url =
        connector
            .url("contact")
            .newBuilder()
            .addEncodedPathSegment(URLEncoder.encode(email, StandardCharsets.UTF_8))
            .build();
    HttpResponse r =
        http.execute(
            connector.request(url).get().build(), AutopilotConnector.spec("get-contact", true));
    if (r.code() == 404) {
      return null;
    }
    String id = r.isSuccessful() ? Json.string(Json.object(r.json()), "contact_id") : null;
    if (id == null) {
      throw AutopilotErrors.destination(
          r, "Autopilot's contact could not be read for an address change");
    }
    return id;
  }
}
