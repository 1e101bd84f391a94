package com.segmentexport.dotdigital;

import static java.util.Objects.requireNonNull;

import com.segmentexport.api.DestinationException;
import com.segmentexport.spi.AddressChange;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.VendorHttp;
import java.util.Locale;
import okhttp3.HttpUrl;
import okhttp3.RequestBody;

/**
 * Gives one dotdigital contact a new address, as the same contact: it reads the contact at the current
 * address ({@code GET /contacts/v3/email/{current}}) for its {@code contactId}, then writes the new
 * address to that contact ({@code PATCH /contacts/v3/contactId/{id}?merge-option=overwrite} with
 * {@code {"identifiers": {"email": new}}}). Contacts are account-wide: the contact keeps its id, status
 * (an unsubscribed contact stays unsubscribed), data fields and list memberships. For the sync state's
 * changed addresses (issue 23, item 6): {@link DotdigitalDestination} calls it for each record with a
 * previous address, before its import. Facts and sources: {@code docs/vendors-address-change.md}; that the {@code PATCH} renames rather than adds is
 * implied by dotdigital's documents, not stated.
 *
 * <p>What {@link #change} returns:
 * <ul>
 *   <li>{@code 404 contacts:contactNotFound} on the read: {@link Outcome#CURRENT_UNKNOWN}, nothing written;
 *       the caller adds the new address.
 *   <li>200 naming the same contact: {@link Outcome#CHANGED}.
 *   <li>{@code 409 contacts:idAlreadyExists} ("All identifiers must be unique!"):
 *       {@link Outcome#NEW_ADDRESS_TAKEN}; nothing changed, never merged.
 *   <li>{@code 400 contacts:invalidId}: {@link Outcome#REFUSED}, with the code and message.
 *   <li>201: the contact went between the read and the write, and the {@code PATCH}, an upsert, created one
 *       at the new address: {@link Outcome#CURRENT_UNKNOWN} (the caller's add of the new address updates it).
 *   <li>Anything else: a {@link DestinationException}.
 * </ul>
 *
 * <p>Both calls are <b>idempotent</b> and repeated by the engine after a 5xx or a timeout: the write
 * names the contact by its immutable {@code contactId} and sets one value, so a replay after dotdigital
 * applied it gives the same contact the same address (its own address is no clash). Addresses differing
 * only in case are one contact here (the connector writes addresses lower-cased): no call is made.
 * Thread-safe.
 */
final class DotdigitalAddressChange implements AddressChange {
  /** dotdigital's code for an identifier another contact has. */
  static final String ID_ALREADY_EXISTS = "contacts:idAlreadyExists";

  /** dotdigital's code for an identifier value it does not accept. */
  static final String INVALID_ID = "contacts:invalidId";

  private final DotdigitalConnector connector;
  private final VendorHttp http;

  DotdigitalAddressChange(DotdigitalConnector connector, VendorHttp http) {
    this.connector = requireNonNull(connector, "connector == null");
    this.http = requireNonNull(http, "http == null");
  }

  /**
   * Gives the contact at {@code oldEmail} the address {@code newEmail}.
   *
   * @param oldEmail the address dotdigital knows the contact by
   * @param newEmail the profile's address now
   * @return the outcome
   * @throws DestinationException if dotdigital refused a call otherwise (including an ambiguous failure the
   *     engine's retries did not overcome)
   */
  @Override
  public Result change(String oldEmail, String newEmail) {
    requireNonNull(oldEmail, "oldEmail == null");
    requireNonNull(newEmail, "newEmail == null");
    if (oldEmail.trim().toLowerCase(Locale.ROOT).equals(newEmail.trim().toLowerCase(Locale.ROOT))) {
      return new Result(Outcome.CHANGED, null, "the addresses differ only in case");
    }
    HttpUrl ep = connector.endpoint(http);
    HttpResponse read =
        http.execute(
            connector.get(
                ep.newBuilder()
                    .addPathSegments("contacts/v3/email")
                    .addPathSegment(oldEmail)
                    .build()),
            DotdigitalConnector.spec("get-contact"));
    if (read.code() == 404) {
      VendorError e = DotdigitalErrors.parse(read);
      return new Result(Outcome.CURRENT_UNKNOWN, e.code(), e.message());
    }
    long id = read.isSuccessful() ? Json.number(Json.object(read.json()), "contactId", -1) : -1;
    if (id < 1) {
      throw DotdigitalErrors.destination(
          read, "dotdigital's contact could not be read for an address change");
    }
    RequestBody body =
        Json.body(
            w ->
                w.beginObject()
                    .name("identifiers")
                    .beginObject()
                    .name("email")
                    .value(newEmail)
                    .endObject()
                    .endObject());
    HttpUrl url =
        ep.newBuilder()
            .addPathSegments("contacts/v3/contactId")
            .addPathSegment(Long.toString(id))
            .addQueryParameter("merge-option", "overwrite")
            .build();
    // Idempotent: the contact is named by its immutable id and given one value.
    HttpResponse r =
        http.execute(
            connector.request(url).patch(body).build(), DotdigitalConnector.spec("change-address"));
    if (r.code() == 200) {
      if (Json.number(Json.object(r.json()), "contactId", -1) != id) {
        throw new DestinationException(
            r.code(),
            null,
            null,
            "dotdigital answered an address change with another "
                + "contact than the one at the current address");
      }
      return new Result(Outcome.CHANGED, null, "changed");
    }
    if (r.code() == 201) {
      return new Result(
          Outcome.CURRENT_UNKNOWN,
          null,
          "the contact was gone before the change; dotdigital " + "created one at the new address");
    }
    VendorError e = DotdigitalErrors.parse(r);
    if (r.code() == 409 && e.code().equals(ID_ALREADY_EXISTS)) {
      return new Result(Outcome.NEW_ADDRESS_TAKEN, e.code(), e.message());
    }
    if (r.code() == 400 && e.code().equals(INVALID_ID)) {
      return new Result(Outcome.REFUSED, e.code(), e.message());
    }
    throw DotdigitalErrors.destination(r, "dotdigital refused to change a contact's address");
  }
}
