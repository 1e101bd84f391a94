package com.segmentexport.internal;

import java.io.IOException;

/**
 * The last check of a rate budget's pause, made on the connection just before a request is written:
 * a request that passed its rate limiter before a 429 to another request of its budget (and then spent
 * a few milliseconds opening a connection) waits out the pause there instead of arriving at the vendor
 * while the vendor's bucket is still empty. Carried as the request's tag; read by the SDK's network
 * interceptor ({@link HttpClients#configure}).
 */
final class PauseGate {
  private final RateLimiter limiter;
  private final RunControl control;

  PauseGate(RateLimiter limiter, RunControl control) {
    this.limiter = limiter;
    this.control = control;
  }

  /**
   * Waits while the budget is paused.
   *
   * @throws StoppedWhilePaused if the run stopped meanwhile (the request was not written)
   */
  void await() throws StoppedWhilePaused {
    long paused;
    while ((paused = limiter.pauseRemaining()) > 0) {
      // Wait the pause out, then take a slot anew: the requests held here must not all go at its
      // end.
      if (!control.sleep(paused) || !control.sleep(Math.max(0, limiter.reserve()))) {
        throw new StoppedWhilePaused();
      }
    }
  }

  /** The run stopped while a request waited at the gate; the request was not written. */
  static final class StoppedWhilePaused extends IOException {
    StoppedWhilePaused() {
      super("stopped while the vendor's pause held the request");
    }
  }
}
