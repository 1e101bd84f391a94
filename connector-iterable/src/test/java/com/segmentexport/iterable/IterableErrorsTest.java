package com.segmentexport.iterable;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.DestinationException;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.Verdict;
import java.nio.charset.StandardCharsets;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

/** Iterable's error bodies and signals, read as Iterable sends them. */
class IterableErrorsTest {
  private static HttpResponse response(int code, String body, String... headers) {
    return new HttpResponse(code, Headers.of(headers), body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void badApiKeyIsAnAuthenticationFailure() {
    Verdict v =
        IterableErrors.CLASSIFIER.classify(
            response(
                401,
                "{\"msg\":\"Invalid API key\",\"code\":\"BadApiKey\",\"params\":{\"ip\":\"1.2.3.4\"}}"));
    assertThat(v.kind()).isEqualTo(Verdict.Kind.AUTHENTICATION);
    assertThat(v.reason()).contains("BadApiKey");
  }

  @Test
  void rateLimitExceededIsThrottlingWithOrWithoutAJsonBody() {
    assertThat(
            IterableErrors.CLASSIFIER
                .classify(
                    response(
                        429,
                        "{\"msg\":\"Exceeded rate limit.\",\"code\":\"RateLimitExceeded\"}",
                        "Retry-After",
                        "60"))
                .kind())
        .isEqualTo(Verdict.Kind.THROTTLE);
    assertThat(IterableErrors.CLASSIFIER.classify(response(429, "Too Many Requests")).kind())
        .isEqualTo(Verdict.Kind.THROTTLE);
  }

  @Test
  void statusDecidesEvenWhenTheBodySaysSuccess() {
    VendorError e = IterableErrors.parse(response(400, "{\"msg\":\"bad\",\"code\":\"Success\"}"));
    assertThat(e.code()).isEqualTo("HTTP_400");
    assertThat(
            IterableErrors.CLASSIFIER
                .classify(response(503, "Request timeout. Try again later."))
                .kind())
        .isEqualTo(Verdict.Kind.RETRY);
  }

  @Test
  void invalidListIdIsRecognisedInTheMessage() {
    assertThat(
            IterableErrors.invalidListId(
                IterableErrors.parse(
                    response(
                        400,
                        "{\"msg\":\"error.lists.invalidListId\",\"code\":\"BadParams\",\"params\":null}"))))
        .isTrue();
    assertThat(
            IterableErrors.invalidListId(
                IterableErrors.parse(response(400, "{\"msg\":\"nope\",\"code\":\"BadParams\"}"))))
        .isFalse();
  }

  @Test
  void addressesInIterablesMessagesAreMasked() {
    DestinationException e =
        IterableErrors.destination(
            response(
                400,
                "{\"msg\":\"Invalid email: ana.silva@example.org\",\"code\":\"InvalidEmailAddressError\",\"params\":null}"),
            "Iterable refused");
    assertThat(e.getMessage())
        .contains("InvalidEmailAddressError")
        .contains("a***@e***.org")
        .doesNotContain("ana.silva");
    assertThat(e.vendorCode()).hasValue("InvalidEmailAddressError");
    assertThat(e.vendorMessage())
        .hasValueSatisfying(m -> assertThat(m).doesNotContain("ana.silva"));
  }
}
