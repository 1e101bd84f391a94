package com.segmentexport.campaignmonitor;

import com.segmentexport.api.DestinationException;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.ResponseClassifier;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.Verdict;
import java.util.Map;
import java.util.Set;

/**
 * Campaign Monitor's error envelope {@code {"Code": n, "Message": "..."}} (OAuth errors:
 * {@code {"error", "error_description"}}) and what its codes mean. HTTP 401 carries both credential
 * refusals (50, 100, 102, 120, 121, 122) and, for ids the caller does not own, 101 "Invalid ListID";
 * only the former are authentication failures. An expired token (121) is handed to the connector,
 * which refreshes it where a refresh token is configured. 429 (with or without {@code X-RateLimit-*},
 * never {@code Retry-After}) is throttling; a 400 is the connector's to read (a partial import success
 * is a 400 with code 210).
 */
final class CampaignMonitorErrors {
  /** Invalid ListID. */
  static final int INVALID_LIST_ID = 101;

  /** Expired OAuth token: refresh it. */
  static final int EXPIRED_TOKEN = 121;

  /** Subscriber import had some failures; the result is in {@code ResultData}. */
  static final int IMPORT_HAD_FAILURES = 210;

  /** Field name already exists. */
  static final int FIELD_EXISTS = 255;

  private static final Set<Integer> CREDENTIAL_CODES = Set.of(50, 100, 102, 120, 122);
  private static final int MAX_MESSAGE = 300;

  /** How every Campaign Monitor response is read; see the class description. */
  static final ResponseClassifier CLASSIFIER =
      ResponseClassifier.DEFAULT.or(CampaignMonitorErrors::classify);

  private CampaignMonitorErrors() {}

  private static Verdict classify(HttpResponse response) {
    if (response.code() != 401) {
      return null;
    }
    VendorError e = parse(response);
    int code = number(e);
    if (code == INVALID_LIST_ID || code == EXPIRED_TOKEN) {
      return Verdict.accept();
    }
    return Verdict.authentication(
        "HTTP 401, Campaign Monitor code "
            + e.code()
            + ": "
            + e.message()
            + (CREDENTIAL_CODES.contains(code) ? "" : " (treated as refused credentials)"));
  }

  /** An error's numeric {@code Code}, or {@code -1} when the body had none ({@code HTTP_<status>}). */
  static int number(VendorError e) {
    try {
      return Integer.parseInt(e.code());
    } catch (NumberFormatException notANumber) {
      return -1;
    }
  }

  /** Reads the error envelope (or an OAuth error) of a response. */
  static VendorError parse(HttpResponse response) {
    Map<String, Object> body = Json.object(response.json());
    long code = Json.number(body, "Code", -1);
    String message = Json.string(body, "Message");
    if (message == null) {
      message = Json.string(body, "error_description");
    }
    if (message == null) {
      message = Json.string(body, "error");
    }
    if (message == null) {
      message = "HTTP " + response.code();
    }
    return new VendorError(
        code >= 0 ? Long.toString(code) : "HTTP_" + response.code(), shorten(message));
  }

  /** True for a 401 saying the OAuth access token expired (code 121). */
  static boolean isExpiredToken(HttpResponse response) {
    return response.code() == 401 && number(parse(response)) == EXPIRED_TOKEN;
  }

  /**
   * A {@link DestinationException} for a refused request.
   *
   * @param what our summary, such as "Campaign Monitor refused the import"; no personal data
   */
  static DestinationException destination(HttpResponse response, String what) {
    VendorError e = parse(response);
    return new DestinationException(
        response.code(),
        e.code(),
        e.message(),
        what + " (HTTP " + response.code() + ", code " + e.code() + ": " + e.message() + ")");
  }

  private static String shorten(String text) {
    return text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) + "..." : text;
  }
}
