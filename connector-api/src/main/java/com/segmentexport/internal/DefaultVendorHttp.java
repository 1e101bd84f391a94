package com.segmentexport.internal;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.RetryPolicy;
import com.segmentexport.spi.CallSpec;
import com.segmentexport.spi.ExportCancelledException;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.OutcomeUnknownException;
import com.segmentexport.spi.VendorHttp;
import com.segmentexport.spi.Verdict;
import java.io.IOException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's {@link VendorHttp}: rate limiting, retries with backoff, vendor wait signals, and a
 * cap on the requests one export has in flight at once.
 */
final class DefaultVendorHttp implements VendorHttp {
  private static final Logger log = LoggerFactory.getLogger(DefaultVendorHttp.class);

  /** Consecutive throttling answers tolerated for one request before giving up. */
  private static final int MAX_THROTTLES_PER_REQUEST = 50;

  /** Where the wait after a throttling answer without a stated wait starts, in seconds. */
  static final int THROTTLE_BASE_SECONDS = 2;

  /** The IMF-fixdate of HTTP ({@code Sat, 05 Dec 2026 10:00:00 GMT}): built once, thread-safe. */
  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  static {
    // The first HTTP date a JVM parses loads the date formats and their locale data (57 ms measured
    // with OkHttp's per-thread formats): paid once when the engine starts, not between a vendor's
    // 429
    // with an HTTP-date Retry-After and the pause it asks for, while other requests' slots come and
    // go
    // into the vendor's empty bucket.
    httpDate("Thu, 01 Jan 1970 00:00:00 GMT");
  }

  private final OkHttpClient client;
  private final AccountBudgets budgets;
  private final RunControl control;
  private final RetryPolicy policy;
  private final RunStats stats;
  private final ExportListener listener;
  private final Semaphore requestSlots;
  private final Clock wallClock;
  private final LongUnaryOperator jitter;

  /** Without a cap on requests in flight (set-up checks and single calls). */
  DefaultVendorHttp(
      OkHttpClient client,
      RateLimiter limiter,
      RunControl control,
      RetryPolicy policy,
      RunStats stats,
      ExportListener listener) {
    this(client, AccountBudgets.of(limiter), control, policy, stats, listener, Integer.MAX_VALUE);
  }

  /** Without a cap on requests in flight, on an account's budgets. */
  DefaultVendorHttp(
      OkHttpClient client,
      AccountBudgets budgets,
      RunControl control,
      RetryPolicy policy,
      RunStats stats,
      ExportListener listener) {
    this(client, budgets, control, policy, stats, listener, Integer.MAX_VALUE);
  }

  /**
   * @param maxRequestsInFlight most requests sent and not yet answered at once (a connector's
   *     {@code maxConcurrentBatches}); further callers wait for one to be answered
   */
  DefaultVendorHttp(
      OkHttpClient client,
      AccountBudgets budgets,
      RunControl control,
      RetryPolicy policy,
      RunStats stats,
      ExportListener listener,
      int maxRequestsInFlight) {
    this(
        client,
        budgets,
        control,
        policy,
        stats,
        listener,
        maxRequestsInFlight,
        Clock.systemUTC(),
        bound -> ThreadLocalRandom.current().nextLong(bound));
  }

  /**
   * @param wallClock the clock a vendor's absolute times (an HTTP-date {@code Retry-After}, a Unix-time
   *     {@code X-RateLimit-Reset}) are read against
   * @param jitter a random number in {@code [0, bound)} for each backoff's random half
   */
  DefaultVendorHttp(
      OkHttpClient client,
      AccountBudgets budgets,
      RunControl control,
      RetryPolicy policy,
      RunStats stats,
      ExportListener listener,
      int maxRequestsInFlight,
      Clock wallClock,
      LongUnaryOperator jitter) {
    this.wallClock = wallClock;
    this.jitter = jitter;
    this.requestSlots = new Semaphore(maxRequestsInFlight);
    this.client = client;
    this.budgets = budgets;
    this.control = control;
    this.policy = policy;
    this.stats = stats;
    this.listener = listener;
  }

  @Override
  public HttpResponse execute(Request request, CallSpec spec) {
    if (!request.url().isHttps() && !HttpClients.isLoopback(request.url().host())) {
      throw new ConfigurationException(
          "refusing plain HTTP to " + request.url().host() + ": HTTPS is required");
    }
    acquireSlot(spec);
    try {
      return sendUntilSettled(request, spec);
    } finally {
      requestSlots.release();
    }
  }

  /**
   * Sends, waits and repeats as the vendor's answers ask, holding one of the export's request slots
   * throughout: a request waiting out a throttle or a backoff still counts as in flight, as it does for
   * the vendor, and the pause it was told of is in the limiter before the next request can start.
   */
  private HttpResponse sendUntilSettled(Request request, CallSpec spec) {
    RateLimiter limiter = budgets.limiterFor(spec);
    boolean sent = false;
    boolean staleRetried = false;
    boolean freshConnection = false;
    int failures = 0;
    int throttles = 0;
    while (true) {
      awaitTurn(limiter, spec, sent);
      ConnectionUse use = new ConnectionUse();
      Request gated =
          request
              .newBuilder()
              .tag(PauseGate.class, new PauseGate(limiter, control))
              .tag(ConnectionUse.class, use)
              .build();
      if (control.isStopped()) {
        throw cancelled(spec, sent);
      }
      stats.httpCalls.incrementAndGet();
      HttpResponse response;
      String failure;
      try {
        boolean fresh = freshConnection;
        freshConnection = false;
        response = send(gated, spec, fresh);
        sent = true;
      } catch (InsecureRedirectException e) {
        throw new ConfigurationException(e.getMessage());
      } catch (PauseGate.StoppedWhilePaused e) {
        throw cancelled(spec, sent);
      } catch (IOException e) {
        boolean reached = !neverReachedTheVendor(e);
        sent |= reached;
        failure = e.getClass().getSimpleName();
        if (!spec.idempotent() && reached) {
          throw outcomeUnknown(spec, failure, 0, e);
        }
        if (use.reused() && !staleRetried && !(e instanceof java.io.InterruptedIOException)) {
          // Most likely a keep-alive connection the server had closed while it sat idle in the
          // pool: repeat
          // once at once, as OkHttp itself would, without spending the retry budget or warning.
          // (Counted as
          // a retry: it is a repetition.) A timeout is not this: the server was reached and was
          // slow.
          staleRetried = true;
          // The server closes idle connections: the others to it idle in the pool are likely closed
          // too, so the repetition goes out on a connection of its own. (Not by emptying the pool:
          // the JVM's exports share it, and their connections to other hosts are alive.)
          freshConnection = true;
          stats.retries.incrementAndGet();
          listener.retrying(
              spec.name(), failures + 2, Duration.ZERO, failure + " on a reused connection");
          log.debug(
              "{} failed on a reused connection ({}); repeating it on a fresh one",
              spec.name(),
              failure);
          continue;
        }
        failures++;
        retryOrFail(spec, failures, failure, null);
        continue;
      }
      Duration headerPause = pauseFromRateLimitHeaders(limiter, response.headers());
      Verdict verdict = spec.classifier().classify(response);
      if (headerPause != null && verdict.kind() != Verdict.Kind.THROTTLE) {
        // The vendor's quota is spent: the next requests wait for its reset. (A throttling answer
        // accounts for its own wait below.)
        stats.throttledNanos.addAndGet(headerPause.toNanos());
        listener.throttled(
            headerPause, spec.name() + ": the vendor's rate limit is used up until its reset");
        log.debug("{}: rate limit used up; pausing {} ms", spec.name(), headerPause.toMillis());
      }
      switch (verdict.kind()) {
        case ACCEPT:
          limiter.recover();
          log.debug("{} -> HTTP {}", spec.name(), response.code());
          return response;
        case AUTHENTICATION:
          log.warn("{} refused the credentials: {}", spec.name(), verdict.reason());
          // Stopped before the slot is released, so that no request waiting for it goes out with
          // the
          // refused credentials. (The engine's own stop, with the same reason, follows.)
          control.stop("failed: " + AuthenticationException.class.getSimpleName());
          throw new AuthenticationException(
              response.code(),
              "The vendor refused the connection's credentials on '"
                  + spec.name()
                  + "': "
                  + verdict.reason());
        case THROTTLE:
          throttles++;
          if (throttles > MAX_THROTTLES_PER_REQUEST) {
            throw new DestinationException(
                response.code(),
                null,
                null,
                "'" + spec.name() + "' was throttled " + throttles + " times in a row; giving up");
          }
          Duration throttleWait =
              verdict
                  .requestedWait()
                  .orElseGet(() -> waitFromHeaders(response.headers(), wallClock));
          if (throttleWait == null) {
            throttleWait = throttleBackoff(throttles);
          }
          if (throttleWait.compareTo(policy.maxThrottleWait()) > 0) {
            throw new DestinationException(
                response.code(),
                null,
                null,
                "The vendor asked to wait "
                    + throttleWait
                    + " before '"
                    + spec.name()
                    + "', longer than the policy allows ("
                    + policy.maxThrottleWait()
                    + ")");
          }
          limiter.throttled(throttleWait);
          stats.throttledNanos.addAndGet(throttleWait.toNanos());
          stats.retries.incrementAndGet();
          listener.throttled(throttleWait, spec.name() + ": " + verdict.reason());
          log.debug(
              "{} throttled ({}); waiting {} ms",
              spec.name(),
              verdict.reason(),
              throttleWait.toMillis());
          continue;
        case RETRY:
          if (!spec.idempotent() && response.code() >= 500) {
            // A gateway's 502/504 may stand in front of a vendor that applied the request.
            throw outcomeUnknown(spec, "HTTP " + response.code(), response.code(), null);
          }
          failures++;
          retryOrFail(spec, failures, verdict.reason(), response);
          continue;
        default:
          throw new AssertionError(verdict);
      }
    }
  }

  @Override
  public void pause(Duration duration, boolean sent) {
    if (!control.sleep(duration.toNanos())) {
      throw new ExportCancelledException("stopped while waiting: " + control.stopReason(), sent);
    }
  }

  /**
   * Waits for this request's turn in its rate budget: its reserved slot, and then any pause the vendor
   * asked for while it waited (a 429 to another request of the budget). A pause found after the slot
   * sends the request back to wait it out and reserve again, so that no queued request goes out while
   * the vendor's bucket is still empty.
   */
  private void awaitTurn(RateLimiter limiter, CallSpec spec, boolean sent) {
    while (true) {
      long wait = limiter.reserve();
      if (wait > 0 && !control.sleep(wait)) {
        throw cancelled(spec, sent);
      }
      long paused = limiter.pauseRemaining();
      if (paused <= 0) {
        return;
      }
      if (!control.sleep(paused)) {
        throw cancelled(spec, sent);
      }
    }
  }

  /** Waits for one of the export's request slots; throws if the export stops meanwhile. */
  private void acquireSlot(CallSpec spec) {
    try {
      while (!requestSlots.tryAcquire(50, TimeUnit.MILLISECONDS)) {
        if (control.isStopped()) {
          throw cancelled(spec, false);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      control.stop("interrupted");
      throw cancelled(spec, false);
    }
  }

  /**
   * Sends once. A 3xx answer ends the call here, before any classifier sees it and before any retry:
   * vendor calls never follow redirects (see {@link HttpClients}).
   */
  private HttpResponse send(Request request, CallSpec spec, boolean freshConnection)
      throws IOException {
    OkHttpClient sender = HttpClients.forUrl(client, request.url());
    if (freshConnection) {
      sender = HttpClients.withFreshConnection(sender);
    }
    try (Response r = sender.newCall(request).execute()) {
      if (r.code() >= 300 && r.code() < 400) {
        throw redirected(request, spec, r);
      }
      ResponseBody body = r.body();
      byte[] bytes = body == null ? new byte[0] : body.bytes();
      return new HttpResponse(r.code(), r.headers(), bytes);
    }
  }

  /** The failure for a redirect: its status and the host it named, never the path or query. */
  private static DestinationException redirected(Request request, CallSpec spec, Response r) {
    String location = r.header("Location");
    HttpUrl target = location == null ? null : request.url().resolve(location);
    String where =
        location == null
            ? "without a Location"
            : target == null ? "to an unreadable Location" : "with a redirect to " + target.host();
    log.warn("{} was answered HTTP {} {}; not followed", spec.name(), r.code(), where);
    return new DestinationException(
        r.code(),
        null,
        null,
        "'"
            + spec.name()
            + "' was answered HTTP "
            + r.code()
            + " "
            + where
            + "; vendor calls never follow redirects (check the connection's base URL)");
  }

  private void retryOrFail(CallSpec spec, int failures, String reason, HttpResponse response) {
    int status = response == null ? 0 : response.code();
    if (failures >= policy.maxAttempts()) {
      throw new DestinationException(
          status,
          null,
          null,
          "'" + spec.name() + "' failed " + failures + " times (last: " + reason + "); giving up");
    }
    if (!stats.takeRetry()) {
      throw new DestinationException(
          status,
          null,
          null,
          "'" + spec.name() + "' failed (" + reason + ") and the export's retry budget is spent");
    }
    Duration delay = backoff(failures);
    stats.retries.incrementAndGet();
    listener.retrying(spec.name(), failures + 1, delay, reason);
    log.warn(
        "{} failed ({}); attempt {} in {} ms", spec.name(), reason, failures + 1, delay.toMillis());
    if (!control.sleep(delay.toNanos())) {
      throw cancelled(spec, true);
    }
  }

  /**
   * The wait after a throttling answer that names none: from {@value #THROTTLE_BASE_SECONDS} s (within
   * the policy's cap), doubling, with equal jitter, so that a small vendor bucket with a window of a
   * second or two refills rather than being hit again a quarter of a second later.
   */
  private Duration throttleBackoff(int attempt) {
    long cap = policy.maxDelay().toNanos();
    return jittered(
        Math.min(
            cap,
            Math.max(
                policy.initialDelay().toNanos(), TimeUnit.SECONDS.toNanos(THROTTLE_BASE_SECONDS))),
        cap,
        attempt);
  }

  /** Exponential backoff with "equal jitter": half fixed, half random, capped. */
  private Duration backoff(int attempt) {
    return jittered(policy.initialDelay().toNanos(), policy.maxDelay().toNanos(), attempt);
  }

  private Duration jittered(long initial, long cap, int attempt) {
    long exp = initial << Math.min(attempt - 1, 30);
    long d = exp <= 0 || exp > cap ? cap : exp;
    long half = d / 2;
    return Duration.ofNanos(half + (half > 0 ? jitter.applyAsLong(half + 1) : 0));
  }

  /** Pauses the limiter when the vendor says its quota is used up; returns the pause, or null. */
  private Duration pauseFromRateLimitHeaders(RateLimiter limiter, Headers headers) {
    String remaining = headers.get("X-RateLimit-Remaining");
    if (remaining != null && remaining.trim().equals("0")) {
      Duration untilReset = resetWait(headers.get("X-RateLimit-Reset"), wallClock);
      if (untilReset != null && !untilReset.isZero()) {
        Duration pause =
            untilReset.compareTo(policy.maxThrottleWait()) > 0
                ? policy.maxThrottleWait()
                : untilReset;
        limiter.throttled(pause);
        return pause;
      }
    }
    return null;
  }

  /** The wait a throttling response asks for: Retry-After, else X-RateLimit-Reset; null if neither. */
  static Duration waitFromHeaders(Headers headers, Clock wallClock) {
    String retryAfter = headers.get("Retry-After");
    if (retryAfter != null) {
      try {
        return Duration.ofMillis((long) (Double.parseDouble(retryAfter.trim()) * 1000));
      } catch (NumberFormatException e) {
        Instant at = httpDate(retryAfter.trim());
        if (at != null) {
          return Duration.ofMillis(Math.max(0, at.toEpochMilli() - wallClock.millis()));
        }
      }
    }
    return resetWait(headers.get("X-RateLimit-Reset"), wallClock);
  }

  /**
   * An HTTP date: the IMF-fixdate every server should send ({@code Sat, 05 Dec 2026 10:00:00 GMT}), or
   * the looser forms OkHttp reads (obsolete RFC 850 and asctime), or RFC 1123 with a one-digit day
   * ({@code Sat, 5 Dec 2026 ...}, as Java's own formatter writes it); null if none of them.
   */
  static Instant httpDate(String value) {
    try {
      return Instant.from(
          IMF_FIXDATE.parse(value)); // the usual form, without OkHttp's per-thread formats
    } catch (DateTimeException e) {
      // another form: OkHttp's reading, then Java's RFC 1123
    }
    Date date = okhttp3.Headers.of("Date", value).getDate("Date");
    if (date != null) {
      return date.toInstant();
    }
    try {
      return java.time.ZonedDateTime.parse(
              value, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
          .toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  /**
   * Reads {@code X-RateLimit-Reset}, which vendors send either as a Unix time (seconds or
   * milliseconds) or as seconds from now.
   */
  static Duration resetWait(String reset, Clock wallClock) {
    if (reset == null) {
      return null;
    }
    double v;
    try {
      v = Double.parseDouble(reset.trim());
    } catch (NumberFormatException e) {
      return null;
    }
    long nowMillis = wallClock.millis();
    long waitMillis;
    if (v > 1e12) {
      waitMillis = (long) v - nowMillis;
    } else if (v > 1e9) {
      waitMillis = (long) (v * 1000) - nowMillis;
    } else {
      waitMillis = (long) (v * 1000);
    }
    return Duration.ofMillis(Math.max(0, waitMillis));
  }

  /**
   * True for failures that prove the request never reached the vendor (no connection was made), so that
   * even a request that is not safe to repeat may be sent again.
   */
  private static boolean neverReachedTheVendor(IOException e) {
    return e instanceof java.net.ConnectException
        || e instanceof java.net.UnknownHostException
        || e instanceof java.net.NoRouteToHostException;
  }

  private static OutcomeUnknownException outcomeUnknown(
      CallSpec spec, String failure, int status, IOException e) {
    return new OutcomeUnknownException(
        status,
        "'"
            + spec.name()
            + "' failed ("
            + failure
            + ") and is not safe to repeat: the vendor may or may not have applied it",
        e);
  }

  private ExportCancelledException cancelled(CallSpec spec, boolean sent) {
    return new ExportCancelledException(
        "'" + spec.name() + "' stopped: " + control.stopReason(), sent);
  }
}
