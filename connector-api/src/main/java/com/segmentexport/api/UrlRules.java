package com.segmentexport.api;

import com.segmentexport.internal.HttpClients;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import okhttp3.HttpUrl;

/**
 * HTTPS-only rule for URLs, with loopback hosts (simulators, tests) exempt. The host is read with
 * OkHttp's own URL parser, the one that decides where a request goes, and judged by
 * {@link HttpClients#isLoopback} (from its text, never by a DNS lookup).
 */
final class UrlRules {
  private UrlRules() {}

  static Optional<String> check(String name, String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      return Optional.of(name + " is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    HttpUrl url = HttpUrl.parse(value);
    if (url == null || !(scheme.equals("https") || scheme.equals("http"))) {
      return Optional.of(name + " must be an absolute http(s) URL");
    }
    if (!url.isHttps() && !HttpClients.isLoopback(url.host())) {
      return Optional.of(
          name
              + " must use HTTPS (plain HTTP is allowed only for the loopback hosts localhost,"
              + " 127.x.x.x and [::1])");
    }
    return Optional.empty();
  }
}
