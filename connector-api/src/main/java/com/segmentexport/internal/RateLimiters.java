package com.segmentexport.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** One {@link RateLimiter} per connection id, shared by every exporter and export of a connection. */
public final class RateLimiters {
  private final ConcurrentMap<String, RateLimiter> limiters = new ConcurrentHashMap<>();

  /** Creates an empty registry. */
  public RateLimiters() {}

  RateLimiter forConnection(String connectionId, double requestsPerSecond) {
    return limiters.computeIfAbsent(connectionId, id -> new RateLimiter(requestsPerSecond));
  }
}
