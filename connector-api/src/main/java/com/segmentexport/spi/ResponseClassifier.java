package com.segmentexport.spi;

/**
 * Decides what a vendor's response means. Connectors extend {@link #DEFAULT} with the vendor's
 * quirks (a throttling signal sent as 400, an authentication error sent as 400).
 */
@FunctionalInterface
public interface ResponseClassifier {
  /**
   * The common HTTP reading: 401 and 403 are authentication failures, 429 is throttling, 408 and
   * 5xx are transient, everything else goes to the connector.
   */
  ResponseClassifier DEFAULT =
      response -> {
        int code = response.code();
        if (code == 401 || code == 403) {
          return Verdict.authentication("HTTP " + code);
        }
        if (code == 429) {
          return Verdict.throttle("HTTP 429");
        }
        if (code == 408 || code >= 500) {
          return Verdict.retry("HTTP " + code);
        }
        return Verdict.accept();
      };

  /**
   * Classifies one response.
   *
   * @param response the vendor's response
   * @return what the engine should do with the response
   */
  Verdict classify(HttpResponse response);

  /**
   * {@return this classifier, except that {@code first} decides wherever it returns a verdict}
   *
   * @param first consulted first; its {@code null} means ask this classifier
   */
  default ResponseClassifier or(java.util.function.Function<HttpResponse, Verdict> first) {
    ResponseClassifier fallback = this;
    return response -> {
      Verdict v = first.apply(response);
      return v != null ? v : fallback.classify(response);
    };
  }
}
