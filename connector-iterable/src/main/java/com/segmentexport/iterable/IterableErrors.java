package com.segmentexport.iterable;

import com.segmentexport.api.DestinationException;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.Masking;
import com.segmentexport.spi.ResponseClassifier;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.Verdict;
import java.util.Map;

/**
 * Iterable's error envelope {@code {"msg", "code", "params"}} and signals: {@code 401 BadApiKey},
 * {@code 429 RateLimitExceeded} (with or without {@code Retry-After}), {@code 400} whose message names
 * {@code invalidListId} (a list just created, not yet usable), {@code 400 RequestFieldsTypesMismatched}.
 * Classified by HTTP status first: Iterable sometimes sends {@code "code":"Success"} on errors.
 */
final class IterableErrors {
  /** The code of a request whose field types clash with the project's. */
  static final String TYPES_MISMATCHED = "RequestFieldsTypesMismatched";

  /** The marker of a list id Iterable does not (yet) accept. */
  static final String INVALID_LIST_ID = "invalidListId";

  private static final int MAX_MESSAGE = 300;

  /** How every Iterable response is read. */
  static final ResponseClassifier CLASSIFIER =
      ResponseClassifier.DEFAULT.or(IterableErrors::classify);

  private IterableErrors() {}

  private static Verdict classify(HttpResponse response) {
    if (response.code() == 401) {
      return Verdict.authentication(
          "HTTP 401 " + parse(response).code() + ": Iterable refused the API key");
    }
    if (response.code() == 429) {
      return Verdict.throttle("HTTP 429 RateLimitExceeded");
    }
    return null;
  }

  /** A parsed error: Iterable's code (else {@code HTTP_<status>}) and its message, addresses masked. */
  /** True when an error's message names an invalid list id. */
  static boolean invalidListId(VendorError e) {
    return e.message().contains(INVALID_LIST_ID);
  }

  /** Reads an error body, JSON or not. */
  static VendorError parse(HttpResponse response) {
    Map<String, Object> body = Json.object(response.json());
    String code = Json.string(body, "code");
    String msg = Json.string(body, "msg");
    if (code == null || code.equals("Success")) {
      code = "HTTP_" + response.code();
    }
    return new VendorError(
        code, msg != null && !msg.isBlank() ? mask(msg) : "HTTP " + response.code());
  }

  /**
   * The fields a {@code RequestFieldsTypesMismatched} answer names in {@code params.validationErrors},
   * each with the type the project has for it ({@code expectedType}); empty when there are none.
   */
  static Map<String, String> expectedTypes(HttpResponse response) {
    Map<String, Object> params = Json.object(Json.object(response.json()).get("params"));
    Map<String, String> types = new java.util.HashMap<>();
    Json.object(params.get("validationErrors"))
        .forEach(
            (field, error) -> {
              String expected = Json.string(Json.object(error), "expectedType");
              if (expected != null) {
                types.put(field, expected);
              }
            });
    return types;
  }

  /**
   * A {@link DestinationException} for a refused request.
   *
   * @param what our summary, such as "Iterable refused to create the list"; no personal data
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
    String masked = Masking.emailsIn(text);
    return masked.length() > MAX_MESSAGE ? masked.substring(0, MAX_MESSAGE) + "..." : masked;
  }
}
