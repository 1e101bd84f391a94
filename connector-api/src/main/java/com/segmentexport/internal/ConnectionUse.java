package com.segmentexport.internal;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import okhttp3.Connection;

/**
 * Whether one attempt of a request went out on a pooled connection that an earlier request had already
 * used. Servers close idle keep-alive connections when they like; a request written on one that the
 * server has just closed fails before the server reads it. OkHttp would repeat such a request itself,
 * but the SDK turns OkHttp's silent retries off to count every repetition, so {@link DefaultVendorHttp}
 * repeats an idempotent request that failed this way once, at no cost to the export's retry budget.
 * Carried as the request's tag; set by the SDK's network interceptor ({@link HttpClients#configure}).
 */
final class ConnectionUse {
  /** Connections that have carried a request, weakly: the pool decides how long they live. */
  private static final Map<Connection, Boolean> USED =
      Collections.synchronizedMap(new WeakHashMap<>());

  private volatile boolean reused;

  /** Notes the connection the attempt is written on. */
  void on(Connection connection) {
    reused = USED.put(connection, Boolean.TRUE) != null;
  }

  /** True if the attempt went out on a connection an earlier request had used. */
  boolean reused() {
    return reused;
  }
}
