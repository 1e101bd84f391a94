package com.segmentexport.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * An OkHttp interceptor for tests of concurrent exports: holds the answers of the first {@code parties}
 * requests of one method and path until all of them were answered (or {@code patience} passed, for a
 * client that made fewer such requests, because one export waited for another's), so that several
 * exports all see the vendor's state as it was before any of them changed it. Hand it to {@code
 * Connectors.withHttpClient(new OkHttpClient.Builder().addInterceptor(rendezvous).build())}.
 */
public final class AnswerRendezvous implements Interceptor {
  private final String method;
  private final String path;
  private final int parties;
  private final Duration patience;
  private final CyclicBarrier barrier;
  private final AtomicInteger seen = new AtomicInteger();

  /**
   * Creates the interceptor.
   *
   * @param method the requests' method, such as {@code GET}
   * @param path their encoded path, such as {@code /api/lists}
   * @param parties how many such requests meet before any answer goes on
   * @param patience how long an answer waits for the others at most
   */
  public AnswerRendezvous(String method, String path, int parties, Duration patience) {
    this.method = requireNonNull(method, "method == null");
    this.path = requireNonNull(path, "path == null");
    this.parties = parties;
    this.patience = requireNonNull(patience, "patience == null");
    this.barrier = new CyclicBarrier(parties);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Response response = chain.proceed(chain.request());
    if (chain.request().method().equals(method)
        && chain.request().url().encodedPath().equals(path)
        && seen.incrementAndGet() <= parties) {
      try {
        barrier.await(patience.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (BrokenBarrierException | TimeoutException e) {
        // fewer such requests than parties: the answer goes on
      }
    }
    return response;
  }
}
