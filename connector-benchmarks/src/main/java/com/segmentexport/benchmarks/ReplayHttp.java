package com.segmentexport.benchmarks;

import com.segmentexport.spi.CallSpec;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.VendorHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Request;

/**
 * A {@link VendorHttp} for the CPU benchmark: live against a simulator while a connector opens its
 * destination, recording while it writes the benchmark's batches once, then replaying the recorded
 * answers in order so that the measured loop runs the engine's and the connector's code with no
 * network. Request bodies are built by the connector (that is the serialisation being measured); the
 * replay only reads their length.
 */
final class ReplayHttp implements VendorHttp {
  enum Mode {
    LIVE,
    RECORD,
    REPLAY
  }

  private final VendorHttp live;
  private final List<HttpResponse> recorded = new ArrayList<>();
  private Mode mode = Mode.LIVE;
  private int cursor;
  long bytesSent;

  ReplayHttp(VendorHttp live) {
    this.live = live;
  }

  void mode(Mode mode) {
    this.mode = mode;
    this.cursor = 0;
  }

  int recordedCalls() {
    return recorded.size();
  }

  @Override
  public HttpResponse execute(Request request, CallSpec spec) {
    switch (mode) {
      case LIVE:
        return live.execute(request, spec);
      case RECORD:
        HttpResponse r = live.execute(request, spec);
        recorded.add(r);
        return r;
      default:
        try {
          bytesSent += request.body() == null ? 0 : request.body().contentLength();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        HttpResponse answer = recorded.get(cursor);
        cursor = (cursor + 1) % recorded.size();
        return answer;
    }
  }

  @Override
  public void pause(Duration duration, boolean sent) {
    if (mode != Mode.REPLAY) {
      live.pause(duration, sent);
    }
  }
}
