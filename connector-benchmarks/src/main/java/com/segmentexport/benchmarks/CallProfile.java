package com.segmentexport.benchmarks;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import okhttp3.Call;
import okhttp3.EventListener;

/**
 * Counts a run's calls by kind (method and path, with each path segment holding a digit shown as
 * {@code {id}}) and sums each kind's time from call start to call end: which calls an export spends
 * its time on. Reset between phases with {@link #reset}.
 */
final class CallProfile implements EventListener.Factory {
  private static final class Kind {
    final LongAdder calls = new LongAdder();
    final LongAdder nanos = new LongAdder();
  }

  private final Map<String, Kind> kinds = new ConcurrentHashMap<>();
  private final LongAdder connectsStarted = new LongAdder();
  private final LongAdder connectsFailed = new LongAdder();
  private final LongAdder connectNanos = new LongAdder();

  @Override
  public EventListener create(Call call) {
    String kind = kind(call);
    long[] start = new long[1];
    long[] connectStart = new long[1];
    return new EventListener() {
      @Override
      public void callStart(Call c) {
        start[0] = System.nanoTime();
      }

      @Override
      public void callEnd(Call c) {
        record(kind, System.nanoTime() - start[0]);
      }

      @Override
      public void connectStart(Call c, java.net.InetSocketAddress address, java.net.Proxy proxy) {
        connectsStarted.increment();
        connectStart[0] = System.nanoTime();
      }

      @Override
      public void connectEnd(
          Call c,
          java.net.InetSocketAddress address,
          java.net.Proxy proxy,
          okhttp3.Protocol protocol) {
        connectNanos.add(System.nanoTime() - connectStart[0]);
      }

      @Override
      public void connectFailed(
          Call c,
          java.net.InetSocketAddress address,
          java.net.Proxy proxy,
          okhttp3.Protocol protocol,
          java.io.IOException e) {
        connectsFailed.increment();
        connectNanos.add(System.nanoTime() - connectStart[0]);
      }

      @Override
      public void callFailed(Call c, java.io.IOException e) {
        record(kind + "(failed)", System.nanoTime() - start[0]);
      }
    };
  }

  private void record(String kind, long nanos) {
    Kind k = kinds.computeIfAbsent(kind, x -> new Kind());
    k.calls.increment();
    k.nanos.add(nanos);
  }

  private static String kind(Call call) {
    StringBuilder b = new StringBuilder(call.request().method()).append(' ');
    for (String s : call.request().url().pathSegments()) {
      b.append('/').append(s.matches(".*[0-9].*") ? "{id}" : s);
    }
    return b.toString();
  }

  void reset() {
    kinds.clear();
    connectsStarted.reset();
    connectsFailed.reset();
    connectNanos.reset();
  }

  /**
   * {@code kind: calls × mean ms (total s)} per kind, the costliest first, one per line; then the TCP
   * connections opened (OkHttp's {@code connectStart}), failed, and their total connect time.
   */
  String summary() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "  TCP connections opened %d, failed %d, connect time %.2f s%n",
            connectsStarted.sum(),
            connectsFailed.sum(),
            connectNanos.sum() / 1e9));
    kinds.entrySet().stream()
        .sorted((x, y) -> Long.compare(y.getValue().nanos.sum(), x.getValue().nanos.sum()))
        .forEach(
            e -> {
              long n = e.getValue().calls.sum();
              long ns = e.getValue().nanos.sum();
              b.append(
                  String.format(
                      Locale.ROOT,
                      "  %-45s %7d calls x %8.2f ms = %7.2f call-s%n",
                      e.getKey(),
                      n,
                      ns / 1e6 / Math.max(1, n),
                      ns / 1e9));
            });
    return b.toString();
  }
}
