package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import okhttp3.Headers;

/**
 * A vendor's response, body read in full (responses to batch writes are small).
 *
 * @param code the HTTP status
 * @param headers the response headers
 * @param body the body bytes (empty when there was none)
 */
public record HttpResponse(int code, Headers headers, byte[] body) {
  /**
   * Checks the parts.
   *
   * @param code the HTTP status
   * @param headers the response headers
   * @param body the body bytes (empty when there was none)
   */
  public HttpResponse {
    requireNonNull(headers, "headers == null");
    requireNonNull(body, "body == null");
  }

  /** {@return true for 2xx} */
  public boolean isSuccessful() {
    return code >= 200 && code < 300;
  }

  /**
   * {@return a header value, or null}
   *
   * @param name the header's name
   */
  public String header(String name) {
    return headers.get(name);
  }

  /** {@return the body as UTF-8 text} */
  public String bodyString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /**
   * The body parsed as JSON (see {@link Json#parse(byte[])}); null for an empty or non-JSON body.
   *
   * @return the body parsed as JSON (see {@link Json#parse(byte[])})
   */
  public Object json() {
    return Json.parseLenient(body);
  }

  /** Shows the status only: bodies may hold personal data. */
  @Override
  public String toString() {
    return "HttpResponse{code=" + code + ", bytes=" + body.length + "}";
  }
}
