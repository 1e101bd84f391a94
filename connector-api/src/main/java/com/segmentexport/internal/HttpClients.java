package com.segmentexport.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/**
 * The one OkHttp configuration every connector shares.
 *
 * <h2>HTTPS only, except loopback</h2>
 *
 * <p>Every request goes over HTTPS unless its host is loopback by {@link #isLoopback} (the name
 * {@code localhost}, a 127.0.0.0/8 four-octet literal, or {@code ::1}), decided from the URL's text
 * and never by a DNS lookup. The rule is checked when a connection is built, again by the engine before
 * each request, and once more on the wire by a network interceptor.
 *
 * <h2>Vendor calls never follow redirects</h2>
 *
 * <p>Connectors send their credentials in headers (Iterable's {@code Api-Key}, Autopilot's
 * {@code autopilotapikey}, basic or bearer {@code Authorization}), and OkHttp strips only
 * {@code Authorization} when it follows a redirect to another host. No vendor API redirects its calls,
 * so a client from {@link #newClient()} or {@link #configure} follows no redirect at all (HTTP or
 * HTTPS), whatever the host's own builder said, and the engine turns a 3xx answer into a
 * {@link com.segmentexport.api.DestinationException} naming the status and the host of its
 * {@code Location} (never its path or query, which may carry a token), without retrying it and without
 * asking the connector to classify it.
 *
 * <h2>TLS set up on demand</h2>
 *
 * <p>OkHttp sets up TLS when a client is built: it loads the JDK's trust store (every CA certificate
 * parsed) and makes an SSL context, about 0.1 s of a command-line export's start even when every URL
 * is loopback HTTP. A client from {@link #newClient()} speaks plain HTTP only, and {@link #forUrl}
 * gives an https URL its TLS sibling (same pool, dispatcher, interceptors and timeouts), made once per
 * client the first time one is needed. A host's own client ({@link #configure}) is used as it is.
 *
 * <h2>One pool of connections per JVM, shared by every account</h2>
 *
 * <p>Every {@link com.segmentexport.api.Connection} of a {@link com.segmentexport.api.Connectors} sends
 * through its one client: one connection pool and one dispatcher, whatever the account. A socket to a
 * vendor host may therefore carry one account's request and then another's. That shares nothing an
 * account owns: every connector sends its credentials in each request's own headers (no vendor
 * authenticates a connection: no cookie, no NTLM-style handshake, no client certificate), the client
 * keeps no cookie jar and no cache, TLS authenticates the vendor's host and not the caller, and OkHttp
 * reuses a socket only for the same address (scheme, host, port, proxy, TLS settings). Answers are read
 * in order on HTTP/1.1 and by stream on HTTP/2, so one account's answer never reaches another's call.
 * The pool keeps up to {@link #MAX_IDLE_CONNECTIONS} idle connections (OkHttp's default is 5): a JVM
 * running many exports has up to the engine's pool of threads sending at once, and with 5 kept, most
 * of their connections were closed between two batches and opened again (1,375 connections for 1,000
 * small exports in the many-exports benchmark).
 *
 * <p>Public because the host API applies these rules: {@link com.segmentexport.api.Connectors} builds its
 * client with {@link #newClient()} or {@link #configure}, and its URL check asks {@link #isLoopback}.
 */
public final class HttpClients {
  private HttpClients() {}

  /**
   * How many idle connections the pool of {@link #newClient()} keeps for reuse (each for up to 5
   * minutes of idleness): more than the engine's default pool of threads, which may all be sending at
   * once.
   */
  public static final int MAX_IDLE_CONNECTIONS = 64;

  /**
   * A client with the SDK's timeouts, HTTPS required (loopback hosts exempt), TLS set up on demand
   * (send with {@link #forUrl}), redirects never followed,
   * and OkHttp's own silent retry disabled so that the engine counts and controls every repetition. Nothing is logged: no headers, so no credentials. Its sockets send at once
   * ({@code TCP_NODELAY}): OkHttp writes a request body in 8 KiB segments, and with Nagle's algorithm the
   * last part of a body waits for the vendor's delayed acknowledgement of the first (up to 40 ms a request
   * on Linux, more elsewhere), which made a batch of 100 Autopilot contacts take 45 ms on loopback.
   *
   * <p>Connections are made on the calling thread, one address at a time: OkHttp's fast fallback races
   * the addresses of a host on threads of its own, one per connection being made, which grew to more
   * than 100 threads when 1,000 exports started at once (the benchmark of many exports per JVM), and
   * the SDK bounds the threads of a JVM. Its pool keeps {@link #MAX_IDLE_CONNECTIONS} idle connections
   * (see the class comment on why connections are shared between accounts).
   */
  public static OkHttpClient newClient() {
    TlsOnDemand sockets = new TlsOnDemand();
    OkHttpClient plain =
        configure(
                new OkHttpClient.Builder()
                    .socketFactory(sockets)
                    .connectionSpecs(List.of(ConnectionSpec.CLEARTEXT))
                    .fastFallback(false)
                    .connectionPool(new ConnectionPool(MAX_IDLE_CONNECTIONS, 5, TimeUnit.MINUTES))
                    .connectTimeout(Duration.ofSeconds(10))
                    .readTimeout(Duration.ofSeconds(60))
                    .writeTimeout(Duration.ofSeconds(60))
                    .callTimeout(Duration.ofSeconds(180)))
            .build();
    sockets.own(plain);
    return plain;
  }

  /**
   * The client to send a URL with: for an https URL and a client from {@link #newClient()}, its TLS
   * sibling, set up the first time (see the class comment); otherwise the client itself.
   */
  public static OkHttpClient forUrl(OkHttpClient client, HttpUrl url) {
    if (url.isHttps()
        && client.socketFactory() instanceof TlsOnDemand
        && client.connectionSpecs().stream().noneMatch(ConnectionSpec::isTls)) {
      return ((TlsOnDemand) client.socketFactory()).tlsSibling(client);
    }
    return client;
  }

  /**
   * {@return a client like this one whose call goes out on a new connection, closed once the answer is
   * read} A request that failed on a pooled connection the server had closed while idle is repeated
   * through it: the server's other idle connections may be closed too. The shared pool is left alone:
   * every export of the JVM uses it, and its connections to other hosts are alive.
   *
   * @param client the client the request was sent with (after {@link #forUrl})
   */
  static OkHttpClient withFreshConnection(OkHttpClient client) {
    return client.newBuilder().connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS)).build();
  }

  /**
   * Applies the SDK's rules to a host's own client builder (sharing its pool and dispatcher, keeping
   * its timeouts and proxy): HTTPS only except loopback, no redirect followed (even if the builder
   * followed them), and no silent OkHttp retries.
   */
  public static OkHttpClient.Builder configure(OkHttpClient.Builder builder) {
    return builder
        .retryOnConnectionFailure(false)
        .followRedirects(false)
        .followSslRedirects(false)
        .addNetworkInterceptor(
            chain -> {
              Request request = chain.request();
              if (!request.url().isHttps() && !isLoopback(request.url().host())) {
                throw new InsecureRedirectException(
                    "refusing plain HTTP to " + request.url().host() + ": HTTPS is required");
              }
              PauseGate gate = request.tag(PauseGate.class);
              if (gate != null) {
                gate.await();
              }
              ConnectionUse use = request.tag(ConnectionUse.class);
              if (use != null && chain.connection() != null) {
                use.on(chain.connection());
              }
              return chain.proceed(request);
            });
  }

  /**
   * Whether a URL's host is loopback, decided from its text alone (no DNS lookup): the name
   * {@code localhost} itself (not a name under it such as {@code foo.localhost}, nor one that merely
   * starts with it), an IPv4 literal of four decimal octets in 127.0.0.0/8 ({@code 127.0.0.1},
   * {@code 127.255.255.254}; not {@code 127.1}, not a name such as {@code 127.evil.example}), or the
   * IPv6 literal {@code ::1} in any of its textual forms, with or without brackets
   * ({@code [::1]}, {@code 0:0:0:0:0:0:0:1}).
   */
  public static boolean isLoopback(String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost")) {
      return true;
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      return isIpv6Loopback(h.substring(1, h.length() - 1));
    }
    if (h.indexOf(':') >= 0) {
      return isIpv6Loopback(h);
    }
    return isIpv4Loopback(h);
  }

  /** Four decimal octets (0-255, at most three digits each), the first 127. */
  private static boolean isIpv4Loopback(String h) {
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3) {
        return false;
      }
      for (int i = 0; i < part.length(); i++) {
        char c = part.charAt(i);
        if (c < '0' || c > '9') {
          return false;
        }
      }
      if (Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return Integer.parseInt(parts[0]) == 127;
  }

  /** The IPv6 address ::1 in any textual form: eight 16-bit groups, {@code ::} for zero groups. */
  private static boolean isIpv6Loopback(String h) {
    if (h.isEmpty() || h.indexOf('%') >= 0) {
      return false;
    }
    int gap = h.indexOf("::");
    if (gap >= 0 && h.indexOf("::", gap + 1) >= 0) {
      return false;
    }
    List<String> groups = new ArrayList<>();
    int zerosToInsert;
    if (gap >= 0) {
      List<String> head = groupsOf(h.substring(0, gap));
      List<String> tail = groupsOf(h.substring(gap + 2));
      if (head == null || tail == null || head.size() + tail.size() > 7) {
        return false;
      }
      zerosToInsert = 8 - head.size() - tail.size();
      groups.addAll(head);
      for (int i = 0; i < zerosToInsert; i++) {
        groups.add("0");
      }
      groups.addAll(tail);
    } else {
      List<String> all = groupsOf(h);
      if (all == null || all.size() != 8) {
        return false;
      }
      groups.addAll(all);
    }
    for (int i = 0; i < 8; i++) {
      int value = Integer.parseInt(groups.get(i), 16);
      if (value != (i == 7 ? 1 : 0)) {
        return false;
      }
    }
    return true;
  }

  /** The colon-separated hex groups of one side of an IPv6 literal; empty for ""; null if malformed. */
  private static List<String> groupsOf(String side) {
    List<String> out = new ArrayList<>();
    if (side.isEmpty()) {
      return out;
    }
    for (String g : side.split(":", -1)) {
      if (g.isEmpty() || g.length() > 4) {
        return null;
      }
      for (int i = 0; i < g.length(); i++) {
        if ("0123456789abcdef".indexOf(g.charAt(i)) < 0) {
          return null;
        }
      }
      out.add(g);
    }
    return out;
  }

  /** The socket factory of {@link #newClient()}: the platform's sockets, with {@code TCP_NODELAY} set. */
  static SocketFactory noDelaySocketFactory() {
    return NoDelaySocketFactory.INSTANCE;
  }

  /**
   * The socket factory of a client from {@link #newClient()}: {@code TCP_NODELAY} sockets, and the
   * client's TLS sibling once an https URL needed it.
   */
  private static final class TlsOnDemand extends NoDelaySocketFactory {
    private OkHttpClient plain;
    private OkHttpClient tls;

    synchronized void own(OkHttpClient client) {
      plain = client;
    }

    /** The TLS sibling of {@code client}: made once for the client this factory was built into. */
    synchronized OkHttpClient tlsSibling(OkHttpClient client) {
      if (client != plain) {
        return withTls(client); // a client derived from ours with newBuilder(): not cached
      }
      if (tls == null) {
        tls = withTls(client);
      }
      return tls;
    }

    private static OkHttpClient withTls(OkHttpClient client) {
      return client
          .newBuilder()
          .connectionSpecs(List.of(ConnectionSpec.MODERN_TLS, ConnectionSpec.CLEARTEXT))
          .build();
    }
  }

  private static class NoDelaySocketFactory extends SocketFactory {
    static final NoDelaySocketFactory INSTANCE = new NoDelaySocketFactory();
    private final SocketFactory delegate = SocketFactory.getDefault();

    private static Socket noDelay(Socket socket) throws IOException {
      socket.setTcpNoDelay(true);
      return socket;
    }

    @Override
    public Socket createSocket() throws IOException {
      return noDelay(delegate.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return noDelay(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      return noDelay(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return noDelay(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(
        InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
      return noDelay(delegate.createSocket(address, port, localAddress, localPort));
    }
  }
}
