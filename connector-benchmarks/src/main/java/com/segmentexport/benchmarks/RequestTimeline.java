package com.segmentexport.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Where a run's time went between its requests, from OkHttp's events: how long each request waited
 * for its answer once written, and how much of the run had no request in flight at all (time the
 * client spent between an answer and its next request). Shows, for a run that is slower than the raw
 * loop, whether the time went on the client's side or on waiting for the simulator.
 */
final class RequestTimeline implements EventListener.Factory {
  /** One call's instants, in {@link System#nanoTime()}. */
  private static final class Times {
    long start;
    long written;
    long answered;
    long end;
  }

  private final List<Times> calls = Collections.synchronizedList(new ArrayList<>());

  @Override
  public EventListener create(Call call) {
    Times t = new Times();
    return new EventListener() {
      @Override
      public void callStart(Call call) {
        t.start = System.nanoTime();
      }

      @Override
      public void requestHeadersEnd(Call call, Request request) {
        t.written = System.nanoTime(); // moved on by requestBodyEnd where there is a body
      }

      @Override
      public void requestBodyEnd(Call call, long byteCount) {
        t.written = System.nanoTime();
      }

      @Override
      public void responseHeadersEnd(Call call, Response response) {
        t.answered = System.nanoTime();
      }

      @Override
      public void callEnd(Call call) {
        t.end = System.nanoTime();
        calls.add(t);
      }
    };
  }

  /**
   * {@code " PREFIXAnswerMicros=… PREFIXIdleShare=…"}: the mean time from a request written to its
   * answer's headers read (the simulator's work, the network, and the client thread getting back to
   * the answer), and the share of the run, first call to last, with no call in flight.
   */
  String summary(String prefix) {
    List<Times> done = new ArrayList<>(calls);
    if (done.isEmpty()) {
      return String.format(Locale.ROOT, " %sAnswerMicros=0 %sIdleShare=0", prefix, prefix);
    }
    done.sort(Comparator.comparingLong(t -> t.start));
    long answering = 0;
    long busy = 0;
    long coveredTo = Long.MIN_VALUE;
    long first = done.get(0).start;
    long last = first;
    for (Times t : done) {
      answering += t.answered - t.written;
      last = Math.max(last, t.end);
      long from = Math.max(t.start, coveredTo);
      if (t.end > from) {
        busy += t.end - from;
      }
      coveredTo = Math.max(coveredTo, t.end);
    }
    double span = Math.max(1, last - first);
    return String.format(
        Locale.ROOT,
        " %sAnswerMicros=%.0f %sIdleShare=%.3f",
        prefix,
        answering / 1e3 / done.size(),
        prefix,
        1 - busy / span);
  }
}
