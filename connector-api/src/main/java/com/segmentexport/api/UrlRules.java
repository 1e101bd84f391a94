package com.segmentexport.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/** HTTPS-only rule for URLs, with loopback hosts (simulators, tests) exempt. */
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
    if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
      return Optional.of(name + " must be an absolute http(s) URL");
    }
    if (scheme.equals("http") && !isLoopback(uri.getHost())) {
      return Optional.of(name + " must use HTTPS (plain HTTP is allowed only for loopback hosts)");
    }
    return Optional.empty();
  }

  /** True for localhost, 127.0.0.0/8 and ::1, where plain HTTP is allowed. */
  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost") || h.endsWith(".localhost") || h.startsWith("127.") || h.equals("::1")
        || h.equals("0:0:0:0:0:0:0:1");
  }
}
