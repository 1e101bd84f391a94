package com.segmentexport.testkit;

import com.squareup.moshi.JsonReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.HttpUrl;
import okio.Buffer;
import okio.ByteString;

/**
 * An in-process stand-in for a vendor's API, on MockWebServer: the vendor's paths, authentication,
 * body validation, batch limits and response shapes (in subclasses), plus what every vendor has in
 * common here: a token-bucket rate limit answered the vendor's way, a {@link FaultPlan}, latency, and
 * counters a test can inspect.
 *
 * <p>Subclasses are written from the vendors' documented behaviour, not from our connectors: a
 * connector that would fail against the vendor must fail against its simulator.
 *
 * <pre>{@code
 * try (IterableSimulator iterable = new IterableSimulator("test-key").start()) {
 *   iterable.rateLimit(10, 10);
 *   iterable.faults().failWrite(2, 503);
 *   // point a connection's baseUrl at iterable.baseUrl(), run an export, then inspect iterable's state
 * }
 * }</pre>
 */
public abstract class VendorSimulator implements AutoCloseable {
  /** One request as the simulator saw and answered it. */
  public record Call(
      String method, String path, long atNanos, long bodyBytes, int status, boolean write) {}

  private static final int MAX_CALLS_KEPT = 200_000;

  private final MockWebServer server = new MockWebServer();
  private final FaultPlan faults = new FaultPlan();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger writes = new AtomicInteger();
  private final AtomicInteger creates = new AtomicInteger();
  private final AtomicInteger throttled = new AtomicInteger();
  private final AtomicInteger violations = new AtomicInteger();

  /** A 429 was sent for an empty bucket, and the bucket has admitted no request since. */
  private boolean emptyAfterThrottle;

  /** When the first 429 of the current empty period was sent. */
  private long emptySince;

  /**
   * Requests arriving this soon after a 429 were on their way before its answer could reach the client
   * (sent concurrently): not counted as {@linkplain #waitViolations() violations}. Generous enough for a
   * loaded machine, where a request sent with the refused one can reach the server tens of milliseconds
   * after it; a test of the waits needs a rate limit whose tokens come further apart than this.
   */
  static final Duration IN_FLIGHT_GRACE = Duration.ofMillis(75);

  private volatile WaitSignal waitSignal = WaitSignal.VENDOR;
  private volatile boolean closeConnectionsAfterAnswers;
  private final AtomicInteger maxBatch = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicLong emailsReceived = new AtomicLong();
  private final List<Call> calls = new ArrayList<>();
  private final Set<String> receivedEmails = ConcurrentHashMap.newKeySet();
  private final Map<String, String> rejections = new ConcurrentHashMap<>();
  private volatile boolean retainContacts = true;
  private volatile boolean recordReceivedEmails = true;
  private volatile Duration latency = Duration.ZERO;

  private double ratePerSecond;
  private double burst;
  private double tokens;
  private long lastRefill;

  /** Creates a simulator; call {@link #start()} before use. */
  protected VendorSimulator() {
    // MockWebServer writes headers and body separately: without TCP_NODELAY each answer would wait
    // out the client's delayed ACK (about 40 ms), far slower than any vendor.
    server.setServerSocketFactory(new NoDelayServerSocketFactory());
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return dispatchRecorded(request);
          }
        });
  }

  /** The vendor's name, for messages. */
  public abstract String vendor();

  /** Starts listening on a loopback port. Returns this simulator. */
  @SuppressWarnings("unchecked")
  public final <T extends VendorSimulator> T start() {
    try {
      server.start(InetAddress.getByName("127.0.0.1"), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return (T) this;
  }

  /** Stops the server. */
  @Override
  public void close() {
    server.close();
  }

  /** The base URL a connection's {@code baseUrl} setting should point at. */
  public String baseUrl() {
    String base = server.url(basePath()).toString();
    return base.endsWith("/") && !basePath().endsWith("/")
        ? base.substring(0, base.length() - 1)
        : base;
  }

  /** The path prefix of the vendor's API base URL (such as {@code /api/v3.3/}); empty by default. */
  protected String basePath() {
    return "/";
  }

  /** A URL on this simulator. */
  public HttpUrl url(String path) {
    return server.url(path);
  }

  // ---- configuration ------------------------------------------------------------------------

  /** The faults to inject into write requests. */
  public FaultPlan faults() {
    return faults;
  }

  /**
   * Enforces a rate limit: a token bucket refilled at {@code perSecond} holding at most
   * {@code burst} requests. Requests beyond it are answered as the vendor answers them (429).
   */
  public synchronized VendorSimulator rateLimit(double perSecond, double burst) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("need perSecond > 0 and burst >= 1");
    }
    this.ratePerSecond = perSecond;
    this.burst = burst;
    this.tokens = burst;
    this.lastRefill = System.nanoTime();
    return this;
  }

  /** How a rate-limited answer tells the client how long to wait. */
  public enum WaitSignal {
    /** The vendor's own way (its simulator's default). */
    VENDOR,
    /** {@code Retry-After} in whole seconds, rounded up. */
    RETRY_AFTER_SECONDS,
    /** {@code Retry-After} as an HTTP date, the next whole second at or after the bucket's next token. */
    RETRY_AFTER_DATE,
    /** {@code X-RateLimit-Remaining: 0} with {@code X-RateLimit-Reset} as a Unix time in seconds, rounded up. */
    RATE_LIMIT_RESET
  }

  /**
   * Answers the rate limit's 429s with this wait signal instead of the vendor's own headers (the body
   * stays the vendor's), so that a client is tested against every way vendors say how long to wait.
   */
  public VendorSimulator waitSignal(WaitSignal signal) {
    this.waitSignal = signal;
    return this;
  }

  /**
   * Requests that arrived while the rate limit's bucket was still empty after a 429 (before the bucket
   * admitted any request): each is a client that did not wait as it was told, or kept sending requests it
   * had queued before the 429. Requests arriving within {@link #IN_FLIGHT_GRACE} of the 429 are not
   * counted: they were sent concurrently with the refused one, before its answer could reach the client.
   */
  public int waitViolations() {
    return violations.get();
  }

  /**
   * Closes every connection right after answering on it, without saying so ({@code Connection: close}
   * is not sent), as a server does that drops idle keep-alive connections sooner than its clients
   * expect: a client that writes its next request on such a pooled connection sees it fail.
   *
   * @param close whether to close connections after each answer
   * @return this simulator
   */
  public VendorSimulator closeConnectionsAfterAnswers(boolean close) {
    this.closeConnectionsAfterAnswers = close;
    return this;
  }

  /** Lifts the rate limit. */
  public synchronized VendorSimulator noRateLimit() {
    this.ratePerSecond = 0;
    return this;
  }

  /** Adds latency to every write (a vendor's processing time). */
  public VendorSimulator latency(Duration latency) {
    this.latency = latency;
    return this;
  }

  /**
   * Whether the simulator keeps contacts and received addresses (true by default). Turn off for
   * very large exports, where only counts matter.
   */
  public VendorSimulator retainContacts(boolean retain) {
    this.retainContacts = retain;
    return this;
  }

  /**
   * Whether {@link #receivedEmails()} collects the addresses that arrived while contacts are kept (true
   * by default). Off, the vendor's state (contacts, list members) is kept all the same and every rule is
   * enforced as before; only that log, a test's record of what was sent, is not: a set of every address
   * ever received, which with a million addresses costs the simulator's JVM a fifth of its CPU and a
   * table of millions of entries for its collector. {@link #receivedEmailCount()} still counts.
   */
  public VendorSimulator recordReceivedEmails(boolean record) {
    this.recordReceivedEmails = record;
    return this;
  }

  /** Whether contacts are kept. */
  protected boolean retainsContacts() {
    return retainContacts;
  }

  /**
   * Makes the vendor refuse this address per record, in its own per-record failure shape, with the
   * given vendor category (subclasses document which they understand; null picks the vendor's
   * commonest one).
   */
  public VendorSimulator rejectAddress(String email, String category) {
    rejections.put(email.toLowerCase(Locale.ROOT), category == null ? "" : category);
    return this;
  }

  /**
   * Stops refusing an address set to be refused with {@link #rejectAddress}: from now on the vendor takes
   * it like any other (the refusal was passing, such as a check that failed once).
   */
  public VendorSimulator acceptAddress(String email) {
    rejections.remove(email.toLowerCase(Locale.ROOT));
    return this;
  }

  /** The category an address was set to be refused with, if it was. */
  protected Optional<String> rejectionFor(String email) {
    return rejections.isEmpty()
        ? Optional.empty()
        : Optional.ofNullable(rejections.get(email.toLowerCase(Locale.ROOT)));
  }

  /** Clears counters and the call log (not the vendor's state). */
  public synchronized void resetCounters() {
    requests.set(0);
    writes.set(0);
    creates.set(0);
    throttled.set(0);
    violations.set(0);
    emptyAfterThrottle = false;
    maxBatch.set(0);
    maxInFlight.set(0);
    emailsReceived.set(0);
    receivedEmails.clear();
    calls.clear();
  }

  // ---- inspection ---------------------------------------------------------------------------

  /** Requests received, of any kind. */
  public int requestCount() {
    return requests.get();
  }

  /** Write requests received (those the fault plan counts). */
  public int writeCount() {
    return writes.get();
  }

  /** Requests answered 429 because they exceeded the rate limit. */
  public int throttledCount() {
    return throttled.get();
  }

  /** The largest number of records seen in one write. */
  public int maxBatchSize() {
    return maxBatch.get();
  }

  /** The most requests that were being handled at the same time. */
  public int maxConcurrentRequests() {
    return maxInFlight.get();
  }

  /**
   * Every address that arrived in any write, lower-cased (when contacts are retained and {@link
   * #recordReceivedEmails} is on).
   */
  public Set<String> receivedEmails() {
    return Set.copyOf(receivedEmails);
  }

  /** How many addresses arrived in writes, counting repeats (also when contacts are not retained). */
  public long receivedEmailCount() {
    return emailsReceived.get();
  }

  /** The calls seen, oldest first (the most recent 200,000). */
  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  /**
   * The most requests accepted (not answered 429) within any window of this length: with a
   * token bucket of rate r and burst b this stays at or under {@code r * window + b}.
   */
  public synchronized int maxAcceptedInWindow(Duration window) {
    List<Long> times = new ArrayList<>();
    for (Call c : calls) {
      if (c.status() != 429) {
        times.add(c.atNanos());
      }
    }
    times.sort(null);
    long w = window.toNanos();
    int best = 0;
    int start = 0;
    for (int end = 0; end < times.size(); end++) {
      while (times.get(end) - times.get(start) >= w) {
        start++;
      }
      best = Math.max(best, end - start + 1);
    }
    return best;
  }

  /** The credential values this simulator accepts (tests check they never reach a log). */
  public abstract List<String> credentials();

  /**
   * A deep, comparable copy of the vendor's state (lists, members, contacts, fields), to check that a
   * repeated export changes nothing.
   */
  public abstract Object snapshot();

  // ---- for subclasses ------------------------------------------------------------------------

  /** True if the request carries valid credentials in the vendor's form. */
  protected abstract boolean authenticated(RecordedRequest request);

  /** The vendor's answer to a request without valid credentials. */
  protected abstract MockResponse unauthorized(RecordedRequest request);

  /**
   * The vendor's answer to a rate-limited request.
   *
   * @param untilNextToken when the bucket will next allow a request (vendors that send
   *     {@code Retry-After} or {@code X-RateLimit-Reset} use it), or null for an injected fault
   *     without a wait
   */
  protected abstract MockResponse throttled(RecordedRequest request, Duration untilNextToken);

  /** The vendor's answer to a server-side failure with this status. */
  protected abstract MockResponse serverError(RecordedRequest request, int status);

  /** True for requests that change the destination (the ones faults apply to). */
  protected abstract boolean isWrite(RecordedRequest request);

  /**
   * True for requests that create a destination (a list), which {@link FaultPlan} counts apart from
   * writes; false (the default) for vendors whose destinations the export never creates.
   */
  protected boolean isCreate(RecordedRequest request) {
    return false;
  }

  /** Handles an authenticated, admitted request: validates it, applies it, answers it. */
  protected abstract MockResponse handle(RecordedRequest request);

  /** Notes a write's batch size. */
  protected final void noteBatch(int size) {
    maxBatch.accumulateAndGet(size, Math::max);
  }

  /** Notes an address that arrived in a write. */
  protected final void noteEmail(String email) {
    emailsReceived.incrementAndGet();
    if (retainContacts && recordReceivedEmails && email != null) {
      receivedEmails.add(email.toLowerCase(Locale.ROOT));
    }
  }

  /** A JSON response. */
  protected static MockResponse json(int status, String body) {
    return SimulatorJson.response(status, body);
  }

  /** Parses the request body as JSON (maps, lists, strings, doubles, booleans); null if absent. */
  protected static Object jsonBody(RecordedRequest request) {
    ByteString body = request.getBody();
    if (body == null || body.size() == 0) {
      return null;
    }
    try (JsonReader reader = JsonReader.of(new Buffer().write(body))) {
      return reader.readJsonValue();
    } catch (IOException | RuntimeException e) {
      throw new MalformedBodyException("request body is not JSON");
    }
  }

  /** The request path without the base path and query. */
  protected final String route(RecordedRequest request) {
    String path = request.getUrl().encodedPath();
    String base = basePath();
    if (!base.equals("/") && path.startsWith(base)) {
      path = path.substring(base.length());
    }
    return path.startsWith("/") ? path : "/" + path;
  }

  /** Thrown by subclasses when a body is not what the vendor accepts; answered as a 400. */
  protected static final class MalformedBodyException extends RuntimeException {
    /** Creates one with the message the vendor would give. */
    public MalformedBodyException(String message) {
      super(message);
    }
  }

  /** The vendor's answer to a malformed body. */
  protected abstract MockResponse badRequest(RecordedRequest request, String message);

  // ---- dispatch ------------------------------------------------------------------------------

  private MockResponse dispatchRecorded(RecordedRequest request) {
    // MockWebServer queues every request for takeRequest(); drop one so memory stays flat.
    try {
      server.takeRequest(0, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long at = System.nanoTime();
    requests.incrementAndGet();
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    boolean write = false;
    MockResponse response;
    try {
      write = isWrite(request);
      response = dispatchAuthenticated(request, write);
    } catch (MalformedBodyException e) {
      response = badRequest(request, e.getMessage());
    } finally {
      inFlight.decrementAndGet();
    }
    synchronized (this) {
      if (calls.size() >= MAX_CALLS_KEPT) {
        calls.remove(0);
      }
      calls.add(
          new Call(
              request.getMethod(),
              request.getUrl().encodedPath(),
              at,
              request.getBodySize(),
              response.getCode(),
              write));
    }
    if (closeConnectionsAfterAnswers) {
      response =
          new MockResponse.Builder(response)
              .onResponseEnd(new mockwebserver3.SocketEffect.CloseSocket(true, true, true))
              .build();
    }
    return response;
  }

  private MockResponse dispatchAuthenticated(RecordedRequest request, boolean write) {
    if (!authenticated(request)) {
      return unauthorized(request);
    }
    Duration wait = rateLimited(request) ? admit() : null;
    if (wait != null) {
      throttled.incrementAndGet();
      return signalled(throttled(request, wait), wait);
    }
    FaultPlan.Fault fault =
        write
            ? faults.forWrite(writes.incrementAndGet())
            : isCreate(request) ? faults.forCreate(creates.incrementAndGet()) : null;
    if (fault != null) {
      switch (fault.kind()) {
        case STATUS:
          return serverError(request, fault.status());
        case DROP_BEFORE_APPLYING:
          return dropped();
        case THROTTLE:
          return throttled(request, fault.duration());
        default:
          break;
      }
    }
    MockResponse response = handle(request);
    if (fault != null && fault.kind() == FaultPlan.Kind.DROP_AFTER_APPLYING) {
      return dropped();
    }
    if (fault != null && fault.kind() == FaultPlan.Kind.STATUS_AFTER_APPLYING) {
      return serverError(request, fault.status());
    }
    Duration delay = write ? latency : Duration.ZERO;
    if (fault != null && fault.kind() == FaultPlan.Kind.DELAY) {
      delay = delay.plus(fault.duration());
    }
    if (!delay.isZero()) {
      response =
          new MockResponse.Builder(response)
              .headersDelay(delay.toNanos(), TimeUnit.NANOSECONDS)
              .build();
    }
    return response;
  }

  private static MockResponse dropped() {
    return new MockResponse.Builder()
        .onResponseStart(SocketEffect.ShutdownConnection.INSTANCE)
        .build();
  }

  /**
   * How many connections the listening socket queues before they are accepted (the kernel may cap it:
   * {@code net.core.somaxconn}). MockWebServer asks for 50: a thousand exports connecting at once
   * overflowed it, and the connections dropped from the queue waited out the client's retransmission
   * timeouts (connect timeouts, retried), which a vendor's load balancers do not cause.
   */
  static final int ACCEPT_BACKLOG = 4096;

  /** Server sockets whose accepted connections send small writes at once, with a long accept queue. */
  private static final class NoDelayServerSocketFactory extends javax.net.ServerSocketFactory {
    @Override
    public java.net.ServerSocket createServerSocket() throws IOException {
      return new java.net.ServerSocket() {
        @Override
        public void bind(java.net.SocketAddress endpoint, int backlog) throws IOException {
          super.bind(endpoint, Math.max(backlog, ACCEPT_BACKLOG));
        }

        @Override
        public java.net.Socket accept() throws IOException {
          java.net.Socket s = super.accept();
          s.setTcpNoDelay(true);
          return s;
        }
      };
    }

    @Override
    public java.net.ServerSocket createServerSocket(int port) {
      throw new UnsupportedOperationException("MockWebServer binds through createServerSocket()");
    }

    @Override
    public java.net.ServerSocket createServerSocket(int port, int backlog) {
      throw new UnsupportedOperationException("MockWebServer binds through createServerSocket()");
    }

    @Override
    public java.net.ServerSocket createServerSocket(int port, int backlog, InetAddress address) {
      throw new UnsupportedOperationException("MockWebServer binds through createServerSocket()");
    }
  }

  /** Takes a token; returns null if one was available, else the time until the next one. */
  /** Takes a token, counting requests that arrive while the bucket is empty after a 429. */
  private synchronized Duration admit() {
    Duration wait = takeToken();
    long now = System.nanoTime();
    if (wait == null) {
      emptyAfterThrottle = false;
    } else if (!emptyAfterThrottle) {
      emptyAfterThrottle = true;
      emptySince = now;
    } else if (now - emptySince > IN_FLIGHT_GRACE.toNanos()) {
      violations.incrementAndGet();
    }
    return wait;
  }

  /** The rate limit's 429 with the {@link #waitSignal(WaitSignal) chosen} wait signal. */
  private MockResponse signalled(MockResponse response, Duration wait) {
    WaitSignal signal = waitSignal;
    if (signal == WaitSignal.VENDOR || response.getCode() != 429) {
      return response;
    }
    MockResponse.Builder b =
        new MockResponse.Builder(response)
            .removeHeader("Retry-After")
            .removeHeader("X-RateLimit-Remaining")
            .removeHeader("X-RateLimit-Reset")
            .removeHeader("X-RateLimit-Limit");
    long atMillis = System.currentTimeMillis() + wait.toMillis() + 1;
    switch (signal) {
      case RETRY_AFTER_SECONDS:
        b.setHeader("Retry-After", Long.toString(Math.max(1, (wait.toMillis() + 999) / 1000)));
        break;
      case RETRY_AFTER_DATE:
        // IMF-fixdate, as servers write it (a two-digit day; java.time's RFC_1123 formatter writes
        // one).
        b.setHeader(
            "Retry-After",
            java.time.format.DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US)
                .format(
                    java.time.Instant.ofEpochSecond((atMillis + 999) / 1000)
                        .atZone(java.time.ZoneOffset.UTC)));
        break;
      case RATE_LIMIT_RESET:
        b.setHeader("X-RateLimit-Remaining", "0")
            .setHeader("X-RateLimit-Reset", Long.toString((atMillis + 999) / 1000));
        break;
      default:
        break;
    }
    return b.build();
  }

  /**
   * Whether the rate limit applies to this request (true by default); a vendor that does not rate some
   * calls (dotdigital's import status polls) says false for them.
   */
  protected boolean rateLimited(RecordedRequest request) {
    return true;
  }

  private synchronized Duration takeToken() {
    if (ratePerSecond <= 0) {
      return null;
    }
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - lastRefill) / 1e9 * ratePerSecond);
    lastRefill = now;
    if (tokens >= 1) {
      tokens -= 1;
      return null;
    }
    return Duration.ofNanos((long) ((1 - tokens) / ratePerSecond * 1e9));
  }
}
