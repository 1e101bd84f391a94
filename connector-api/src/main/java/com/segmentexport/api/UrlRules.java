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
    if (scheme.equals("http") && !com.segmentexport.internal.HttpClients.isLoopback(uri.getHost())) {
      return Optional.of(name + " must use HTTPS (plain HTTP is allowed only for loopback hosts)");
    }
    return Optional.empty();
  }
}
