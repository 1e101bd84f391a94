package com.segmentexport.iterable;

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
 * Gives one Iterable user a new address, as the same user: {@code POST /api/users/updateEmail} with
 * {@code currentEmail} and {@code newEmail}, which migrates "all profile data and events" (Iterable's
 * spec). For the sync state's changed addresses (issue 23, item 6): {@link IterableDestination} calls it
 * for each record with a previous address, before its subscribe. Facts and sources: {@code docs/vendors-address-change.md}.
 *
 * <p>What Iterable answers, and what {@link #change} returns:
 * <ul>
 *   <li>200 {@code Success}: {@link Outcome#CHANGED}.
 *   <li>400 {@code BadParams} "... User does not exist" (recorded): {@link Outcome#CURRENT_UNKNOWN}; the
 *       caller adds the new address (a subscribe creates the user).
 *   <li>{@code EmailAlreadyExists} "... New email already exists", with HTTP 400 or 409 (the spec lists
 *       both; read by code, not status): {@link Outcome#NEW_ADDRESS_TAKEN}; nothing changed, never merged.
 *   <li>{@code EmailAlreadyExists} "... New email is on the forgotten list" (GDPR), or 400
 *       {@code InvalidEmailAddressError}: {@link Outcome#REFUSED}, with Iterable's code and message.
 *   <li>Anything else: a {@link com.segmentexport.api.DestinationException}.
 * </ul>
 *
 * <p>The call is <b>not idempotent</b>: repeated after Iterable applied it, it would find no user at the
 * current address (or a user at the new one) and misreport the change. It is sent once
 * ({@link CallSpec#once}); when its outcome is unknown (a timeout, a dropped connection, a 5xx), both
 * addresses are read back with {@code GET /api/users/getByEmail}: a user at the new address and none at
 * the current one is the change made; a user at the current address and none at the new one is the change
 * not made, and it is sent once more; anything else leaves the {@link OutcomeUnknownException} to the
 * caller. Iterable processes profile writes asynchronously (it asks for 60 s before dependent calls), so
 * a read may be stale: a change then sent twice answers "User does not exist" ({@code CURRENT_UNKNOWN}),
 * and the caller's subscribe of the new address upserts the moved user, never a second one.
 *
 * <p>Only email-based projects change addresses this way; userID-based and hybrid projects use
 * {@code POST /api/users/update} with {@code dataFields.email} (Iterable's support article), which this
 * class does not do. Addresses differing only in case are one user to Iterable (it stores them
 * lower-cased): no call is made and the answer is {@link Outcome#CHANGED}. Thread-safe.
 */
final class IterableAddressChange implements AddressChange {
  private static final Logger log = LoggerFactory.getLogger(IterableAddressChange.class);

  /** Iterable's code for a new address that is taken or forgotten. */
  static final String EMAIL_ALREADY_EXISTS = "EmailAlreadyExists";

  private final IterableConnector connector;
  private final VendorHttp http;

  IterableAddressChange(IterableConnector connector, VendorHttp http) {
    this.connector = requireNonNull(connector, "connector == null");
    this.http = requireNonNull(http, "http == null");
  }

  /**
   * Gives the user at {@code oldEmail} the address {@code newEmail}.
   *
   * @param oldEmail the address Iterable knows the user by
   * @param newEmail the profile's address now
   * @return the outcome
   * @throws OutcomeUnknownException if the change failed ambiguously and reading the addresses back did
   *     not settle it
   * @throws com.segmentexport.api.DestinationException if Iterable refused the call otherwise
   */
  @Override
  public Result change(String oldEmail, String newEmail) {
    requireNonNull(oldEmail, "oldEmail == null");
    requireNonNull(newEmail, "newEmail == null");
    if (oldEmail.trim().toLowerCase(Locale.ROOT).equals(newEmail.trim().toLowerCase(Locale.ROOT))) {
      return new Result(
          Outcome.CHANGED, null, "the addresses differ only in case, which Iterable ignores");
    }
    try {
      return send(oldEmail, newEmail);
    } catch (OutcomeUnknownException e) {
      boolean atOld = exists(oldEmail);
      boolean atNew = exists(newEmail);
      if (atNew && !atOld) {
        log.info(
            "Iterable: an address change failed ambiguously ({}); the user has the new address",
            e.getMessage());
        return new Result(Outcome.CHANGED, null, "changed (confirmed by reading the user back)");
      }
      if (atOld && !atNew) {
        log.info(
            "Iterable: an address change failed ambiguously ({}) and was not made; sending it again",
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
                    .name("currentEmail")
                    .value(oldEmail)
                    .name("newEmail")
                    .value(newEmail)
                    .endObject());
    // Not idempotent: a replay after Iterable applied it answers "User does not exist".
    HttpResponse r =
        http.execute(
            connector.request("api/users/updateEmail").post(body).build(),
            CallSpec.once("update-email").classifiedBy(IterableErrors.CLASSIFIER));
    if (r.isSuccessful()) {
      return new Result(Outcome.CHANGED, null, "changed");
    }
    VendorError e = IterableErrors.parse(r);
    if (e.code().equals(EMAIL_ALREADY_EXISTS)) {
      return e.message().contains("forgotten")
          ? new Result(Outcome.REFUSED, e.code(), e.message())
          : new Result(Outcome.NEW_ADDRESS_TAKEN, e.code(), e.message());
    }
    if (r.code() == 400 && e.code().equals("BadParams") && e.message().contains("does not exist")) {
      return new Result(Outcome.CURRENT_UNKNOWN, e.code(), e.message());
    }
    if (r.code() == 400 && e.code().equals("InvalidEmailAddressError")) {
      return new Result(Outcome.REFUSED, e.code(), e.message());
    }
    throw IterableErrors.destination(r, "Iterable refused to change a user's address");
  }

  /** Whether Iterable has a user at this address ({@code GET /api/users/getByEmail}: {@code {}} when not). */
  private boolean exists(String email) {
    Request base = connector.request("api/users/getByEmail").get().build();
    Request request =
        base.newBuilder()
            .url(base.url().newBuilder().addQueryParameter("email", email).build())
            .build();
    HttpResponse r = http.execute(request, IterableConnector.idempotent("get-user"));
    if (!r.isSuccessful()) {
      throw IterableErrors.destination(
          r, "Iterable's user could not be read back after an ambiguous address change");
    }
    return !Json.object(Json.object(r.json()).get("user")).isEmpty();
  }
}
