package com.segmentexport.internal;

import java.time.Duration;
import java.util.Locale;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/** The one OkHttp configuration every connector shares. */
public final class HttpClients {
  private HttpClients() {}

  /**
   * A client with the SDK's timeouts, HTTPS required (loopback hosts exempt, on every redirect hop
   * too), and OkHttp's own silent retry disabled so that the engine counts and controls every
   * repetition. Nothing is logged: no headers, so no credentials.
   */
  public static OkHttpClient newClient() {
    return configure(new OkHttpClient.Builder()
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
}
