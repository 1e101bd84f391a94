package com.segmentexport.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Locale;
import javax.net.SocketFactory;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/** The one OkHttp configuration every connector shares. */
public final class HttpClients {
  private HttpClients() {}

  /**
   * A client with the SDK's timeouts, HTTPS required (loopback hosts exempt, on every redirect hop
   * too), and OkHttp's own silent retry disabled so that the engine counts and controls every
   * repetition. Nothing is logged: no headers, so no credentials. Its sockets send at once
   * ({@code TCP_NODELAY}): OkHttp writes a request body in 8 KiB segments, and with Nagle's algorithm the
   * last part of a body waits for the vendor's delayed acknowledgement of the first (up to 40 ms a request
   * on Linux, more elsewhere), which made a batch of 100 Autopilot contacts take 45 ms on loopback.
   */
  public static OkHttpClient newClient() {
    return configure(new OkHttpClient.Builder()
        .socketFactory(NoDelaySocketFactory.INSTANCE)
        .connectTimeout(Duration.ofSeconds(10))
        .readTimeout(Duration.ofSeconds(60))
        .writeTimeout(Duration.ofSeconds(60))
        .callTimeout(Duration.ofSeconds(180))).build();
  }

  /**
   * Applies the SDK's rules to a host's own client builder (sharing its pool and dispatcher, keeping
   * its timeouts and proxy): HTTPS only except loopback, and no silent OkHttp retries.
   */
  public static OkHttpClient.Builder configure(OkHttpClient.Builder builder) {
    return builder
        .retryOnConnectionFailure(false)
        .addNetworkInterceptor(chain -> {
          Request request = chain.request();
          if (!request.url().isHttps() && !isLoopback(request.url().host())) {
            throw new InsecureRedirectException(
                "refusing plain HTTP to " + request.url().host() + ": HTTPS is required");
          }
          return chain.proceed(request);
        });
  }

  /** True for localhost, 127.0.0.0/8 and ::1. */
  public static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.endsWith(".localhost") || h.startsWith("127.") || h.equals("::1")
        || h.equals("[::1]") || h.equals("0:0:0:0:0:0:0:1");
  }

  /** The socket factory of {@link #newClient()}: the platform's sockets, with {@code TCP_NODELAY} set. */
  public static SocketFactory noDelaySocketFactory() {
    return NoDelaySocketFactory.INSTANCE;
  }

  private static final class NoDelaySocketFactory extends SocketFactory {
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
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return noDelay(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return noDelay(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return noDelay(delegate.createSocket(address, port, localAddress, localPort));
    }
  }
}
