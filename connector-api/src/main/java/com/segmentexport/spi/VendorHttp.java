package com.segmentexport.spi;

import java.time.Duration;
import okhttp3.Request;

/**
 * Sends a connector's requests: through the connection's rate limiter, with the export's retry
 * policy, honouring {@code Retry-After} and {@code X-RateLimit-*} headers, counting calls and
 * retries, stopping on cancellation.
 *
 * <p>Connectors never call OkHttp directly; they build a {@link Request} (with their auth header)
 * and pass it here with a {@link CallSpec} that says whether repeating it is safe and how the
 * vendor's responses are classified.
 */
public interface VendorHttp {
  /**
   * Executes a request until the {@link CallSpec#classifier() classifier} accepts a response, or
   * fails.
   *
   * @param request the request to send
   * @param spec how the call is retried and classified
   * @return the accepted response, its body read in full (any status the classifier returned as
   *     {@link Verdict#accept()})
   * @throws com.segmentexport.api.AuthenticationException on an authentication verdict (never retried)
   * @throws com.segmentexport.api.DestinationException when retries are exhausted, the retry budget is
   *     spent, a wait would exceed the policy's cap, or an unsafe request failed ambiguously
   * @throws ExportCancelledException when the export was cancelled or its connection removed
   */
  HttpResponse execute(Request request, CallSpec spec);

  /**
   * Waits before polling an asynchronous vendor job (an import still running), waking at once when
   * the export is cancelled or its connection removed. Connectors use this instead of
   * {@link Thread#sleep}, so that cancellation stays prompt.
   *
   * @param duration how long to pause
   * @param sent whether the job was already accepted by the vendor (reported on cancellation)
   * @throws ExportCancelledException if the export stopped while waiting
   */
  default void pause(Duration duration, boolean sent) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExportCancelledException("interrupted while waiting", sent);
    }
  }
}
