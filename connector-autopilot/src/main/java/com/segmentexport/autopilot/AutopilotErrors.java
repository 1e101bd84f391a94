package com.segmentexport.autopilot;

import com.segmentexport.api.DestinationException;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.Json;
import com.segmentexport.spi.ResponseClassifier;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.Verdict;
import java.util.Map;

/**
 * Autopilot's error shapes and signals: bodies {@code {"error": "<reason phrase>", "message": "..."}}
 * (some clients see {@code code} instead of {@code error}); a missing key is {@code 400 No autopilotapikey
 * header provided.}, a wrong one 401; 429 carries no rate-limit header, so the engine backs off.
 */
final class AutopilotErrors {
  /** How every Autopilot response is read; see the class description. */
  static final ResponseClassifier CLASSIFIER =
      ResponseClassifier.DEFAULT.or(AutopilotErrors::classify);

  private AutopilotErrors() {}

  private static Verdict classify(HttpResponse response) {
    if (response.code() == 400 && parse(response).message().contains("autopilotapikey")) {
      return Verdict.authentication("HTTP 400: no autopilotapikey header was accepted");
    }
    if (response.code() == 401) {
      return Verdict.authentication("HTTP 401: Autopilot refused the API key");
    }
    return null;
  }

  /** A parsed vendor error: its {@code error} (or {@code code}) and message. */
  /** Reads an error body; falls back to {@code HTTP_<status>}. */
  static VendorError parse(HttpResponse response) {
    Map<String, Object> body = Json.object(response.json());
    String code = Json.string(body, "error");
    if (code == null) {
      code = Json.string(body, "code");
    }
    String message = Json.string(body, "message");
    return new VendorError(
        code != null ? code : "HTTP_" + response.code(),
        message != null && !message.isBlank() ? message : "HTTP " + response.code());
  }

  /**
   * A {@link DestinationException} for a refused request.
   *
   * @param what our summary; no personal data
   */
  static DestinationException destination(HttpResponse response, String what) {
    VendorError e = parse(response);
    return new DestinationException(
        response.code(),
        e.code(),
        e.message(),
        what + " (HTTP " + response.code() + " " + e.code() + ": " + e.message() + ")");
  }
}
