package com.segmentexport.dotdigital;

import com.segmentexport.api.DestinationException;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.Masking;
import com.segmentexport.spi.ResponseClassifier;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.Verdict;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * dotdigital's error shapes and signals: v2 bodies {@code {"message": "... ERROR_X"}}, v3 bodies
 * {@code {"errorCode": "contacts:x", "description": "...", "details": [...]}}, throttling as 429 with
 * {@code X-RateLimit-*} headers or as the deprecated flat scheme's {@code 400 ERROR_APIUSAGE_EXCEEDED}.
 * {@code 429 contacts:tooManyActiveImports} is handed to the connector, which waits for an import slot.
 */
final class DotdigitalErrors {
  /** The v2 code of the deprecated flat rate limit (2000 calls per rolling hour), sent with HTTP 400. */
  static final String API_USAGE_EXCEEDED = "ERROR_APIUSAGE_EXCEEDED";

  /** The v3 code for a 26th concurrent import. */
  static final String TOO_MANY_ACTIVE_IMPORTS = "contacts:tooManyActiveImports";

  private static final Pattern V2_CODE = Pattern.compile("\\b(ERROR_[A-Z0-9_]+)\\b");
  private static final int MAX_MESSAGE = 300;

  /** How every dotdigital response is read; see the class description. */
  static final ResponseClassifier CLASSIFIER =
      ResponseClassifier.DEFAULT.or(DotdigitalErrors::classify);

  private DotdigitalErrors() {}

  private static Verdict classify(HttpResponse response) {
    int code = response.code();
    if (code == 400) {
      VendorError e = parse(response);
      if (API_USAGE_EXCEEDED.equals(e.code())) {
        return Verdict.throttle(
            API_USAGE_EXCEEDED + ": the account's hourly API call cap was reached");
      }
      return null;
    }
    if (code == 429) {
      VendorError e = parse(response);
      if (TOO_MANY_ACTIVE_IMPORTS.equals(e.code())) {
        // A concurrency signal, not a rate limit: the import waits for a slot itself, without
        // slowing
        // or pausing the connection (whose polls are what frees the slots).
        return Verdict.accept();
      }
      String scope = response.header("X-RateLimit-Scope");
      return Verdict.throttle(
          "HTTP 429"
              + (scope != null && scope.matches("[A-Za-z]{1,20}")
                  ? " (" + scope + " tier rate limit)"
                  : ""));
    }
    if (code == 401) {
      return Verdict.authentication(
          "HTTP 401: dotdigital refused the API user's e-mail address or password");
    }
    if (code == 403) {
      return Verdict.authentication(
          "HTTP 403: access denied (the API user may lack this permission, or the "
              + "request went to another region's endpoint)");
    }
    return null;
  }

  /** A parsed vendor error: its code (v3 errorCode, v2 ERROR_ token, else HTTP_status) and message. */
  /** Reads a v2 or v3 error body; e-mail addresses in the vendor's text are masked. */
  static VendorError parse(HttpResponse response) {
    Map<String, Object> body = Json.object(response.json());
    String errorCode = Json.string(body, "errorCode");
    if (errorCode != null) {
      StringBuilder message =
          new StringBuilder(nonNull(Json.string(body, "description"), errorCode));
      List<Object> details = Json.array(body.get("details"));
      for (int i = 0; i < details.size() && i < 3; i++) {
        Map<String, Object> d = Json.object(details.get(i));
        String item = Json.string(d, "item");
        String description = Json.string(d, "description");
        if (item != null || description != null) {
          message
              .append(i == 0 ? ": " : "; ")
              .append(item != null ? item + " " : "")
              .append(description != null ? description : "");
        }
      }
      return new VendorError(errorCode, mask(message.toString().trim()));
    }
    String text = Json.string(body, "message");
    if (text == null) {
      text = Json.string(body, "Message");
    }
    if (text != null) {
      Matcher m = V2_CODE.matcher(text);
      String code = null;
      while (m.find()) {
        code = m.group(1);
      }
      return new VendorError(code != null ? code : "HTTP_" + response.code(), mask(text));
    }
    return VendorError.ofStatus(response.code());
  }

  /**
   * A {@link DestinationException} for a refused request.
   *
   * @param what our summary, such as "dotdigital refused the import"; no personal data
   */
  static DestinationException destination(HttpResponse response, String what) {
    VendorError e = parse(response);
    return new DestinationException(
        response.code(),
        e.code(),
        e.message(),
        what + " (HTTP " + response.code() + " " + e.code() + ": " + e.message() + ")");
  }

  /** Masks anything that looks like an e-mail address and shortens the text for messages. */
  static String mask(String text) {
    if (text == null) {
      return null;
    }
    String out = Masking.emailsIn(text);
    return out.length() > MAX_MESSAGE ? out.substring(0, MAX_MESSAGE) + "..." : out;
  }

  private static String nonNull(String a, String b) {
    return a != null ? a : b;
  }
}
