package com.segmentexport.dotdigital;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.DestinationException;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.Verdict;
import java.nio.charset.StandardCharsets;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

/** v2 and v3 error bodies and dotdigital's throttling signals. */
class DotdigitalErrorsTest {
  private static HttpResponse response(int code, String body, String... headers) {
    return new HttpResponse(code, Headers.of(headers), body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsTheTrailingCodeOfAV2Message() {
    VendorError e =
        DotdigitalErrors.parse(
            response(400, "{\"message\":\"Contact is suppressed. ERROR_CONTACT_SUPPRESSED\"}"));
    assertThat(e.code()).isEqualTo("ERROR_CONTACT_SUPPRESSED");
    assertThat(e.message()).isEqualTo("Contact is suppressed. ERROR_CONTACT_SUPPRESSED");
    assertThat(
            DotdigitalErrors.parse(
                    response(404, "{\"message\":\"Error: ERROR_ADDRESSBOOK_NOT_FOUND\"}"))
                .code())
        .isEqualTo("ERROR_ADDRESSBOOK_NOT_FOUND");
    assertThat(
            DotdigitalErrors.parse(
                    response(
                        401, "{\"message\":\"Authorization has been denied for this request.\"}"))
                .code())
        .isEqualTo("HTTP_401");
  }

  @Test
  void readsV3ErrorsWithTheirDetails() {
    VendorError e =
        DotdigitalErrors.parse(
            response(
                400,
                "{\"errorCode\":\"contacts:badRequest\","
                    + "\"description\":\"The Identifiers field is required\",\"details\":[{\"item\":\"contacts[0].identifiers\","
                    + "\"description\":\"Required\"}]}"));
    assertThat(e.code()).isEqualTo("contacts:badRequest");
    assertThat(e.message())
        .isEqualTo("The Identifiers field is required: contacts[0].identifiers Required");
    DestinationException d =
        DotdigitalErrors.destination(
            response(
                404,
                "{\"errorCode\":\"contacts:importNotFound\"," + "\"description\":\"Not found\"}"),
            "status");
    assertThat(d.httpStatus()).isEqualTo(404);
    assertThat(d.vendorCode()).hasValue("contacts:importNotFound");
    assertThat(DotdigitalErrors.parse(response(502, "<html>Bad gateway</html>")).code())
        .isEqualTo("HTTP_502");
  }

  @Test
  void masksAddressesInVendorText() {
    VendorError e =
        DotdigitalErrors.parse(
            response(
                400,
                "{\"errorCode\":\"contacts:badRequest\","
                    + "\"description\":\"Duplicate identifier detected for email ana.ruiz@example.org\"}"));
    assertThat(e.message()).doesNotContain("ana.ruiz@example.org").contains("a***@e***.org");
  }

  @Test
  void classifiesDotdigitalsThrottlingAndAuthenticationSignals() {
    assertThat(
            DotdigitalErrors.CLASSIFIER
                .classify(
                    response(
                        400,
                        "{\"message\":\"Your account has generated excess "
                            + "API activity and is being temporarily capped. Please contact support. ERROR_APIUSAGE_EXCEEDED\"}"))
                .kind())
        .isEqualTo(Verdict.Kind.THROTTLE);
    assertThat(
            DotdigitalErrors.CLASSIFIER
                .classify(response(400, "{\"message\":\"Error: ERROR_PARAMETER_INVALID\"}"))
                .kind())
        .isEqualTo(Verdict.Kind.ACCEPT);
    Verdict imports =
        DotdigitalErrors.CLASSIFIER.classify(
            response(
                429,
                "{\"errorCode\":\"contacts:tooManyActiveImports\","
                    + "\"description\":\"Please wait for an import to complete and then resubmit.\"}"));
    assertThat(imports.kind())
        .as("handed to the connector, which waits for a slot")
        .isEqualTo(Verdict.Kind.ACCEPT);
    Verdict tier =
        DotdigitalErrors.CLASSIFIER.classify(
            response(429, "", "X-RateLimit-Scope", "Low", "X-RateLimit-Reset", "1700000000"));
    assertThat(tier.kind()).isEqualTo(Verdict.Kind.THROTTLE);
    assertThat(tier.reason()).contains("Low");
    assertThat(DotdigitalErrors.CLASSIFIER.classify(response(401, "")).kind())
        .isEqualTo(Verdict.Kind.AUTHENTICATION);
    assertThat(
            DotdigitalErrors.CLASSIFIER
                .classify(response(403, "{\"message\":\"Forbidden: Access is denied\"}"))
                .kind())
        .isEqualTo(Verdict.Kind.AUTHENTICATION);
    assertThat(DotdigitalErrors.CLASSIFIER.classify(response(503, "")).kind())
        .isEqualTo(Verdict.Kind.RETRY);
  }

  @Test
  void failureCodesForSuppressedContactsBecomeTheirOwnReasons() {
    assertThat(DotdigitalDestination.reasonFor("unsubscribed"))
        .isEqualTo(RejectionReason.UNSUBSCRIBED);
    assertThat(DotdigitalDestination.reasonFor("contactUnsubscribed"))
        .isEqualTo(RejectionReason.UNSUBSCRIBED);
    assertThat(DotdigitalDestination.reasonFor("globallySuppressed"))
        .isEqualTo(RejectionReason.SUPPRESSED);
    assertThat(DotdigitalDestination.reasonFor("hardBounced"))
        .isEqualTo(RejectionReason.SUPPRESSED);
    assertThat(DotdigitalDestination.reasonFor("invalidEmail"))
        .isEqualTo(RejectionReason.VENDOR_REJECTED);
    assertThat(DotdigitalDestination.reasonFor(null)).isEqualTo(RejectionReason.VENDOR_REJECTED);
  }
}
