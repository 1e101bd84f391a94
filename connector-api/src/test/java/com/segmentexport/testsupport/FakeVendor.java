package com.segmentexport.testsupport;

import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ServerSocketFactory;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.Buffer;
import okio.ByteString;

/**
 * A tiny JSON vendor on MockWebServer, spoken to by {@link TestConnectorProvider}'s connector.
 *
 * <ul>
 *   <li>{@code GET /api/me} checks the credentials;
 *   <li>{@code PUT /api/lists/{name}} finds or creates a list and answers {@code {"id":"list-{name}"}};
 *   <li>{@code GET /api/lists/{name}} answers the same for a list created before, else 404;
 *   <li>{@code POST /api/lists/{id}/members} upserts {@code {"members":[{"email":..,"fields":{..}}]}} and
 *       answers {@code {"results":[rejections], "created":n, "updated":m}}.
 * </ul>
 *
 * <p>Every request needs {@code Authorization: Bearer }{@link #API_KEY}. Contacts are kept by
 * lower-cased e-mail address, with how often each was applied, so tests can check that every profile
 * arrived exactly once. A {@link Fault} may answer any request instead of (or around) the normal
 * processing.
 */
public final class FakeVendor implements AutoCloseable {
  /** The only API key the vendor accepts. */
  public static final String API_KEY = "sk_live_S3CR3T-k3y-9f8e7d6c";

  /** The code the vendor gives addresses in {@link #rejectAddress(String)}. */
  public static final String REJECT_CODE = "E42";

  /** The message that goes with {@link #REJECT_CODE}. */
  public static final String REJECT_MESSAGE = "Address is blocked at the vendor";

  /** One request as the vendor saw it, before it answered. */
  public record Received(
      int number,
      int writeNumber,
      long atNanos,
      String method,
      String path,
      long bodyBytes,
      List<String> emails) {
    /** True for a members upsert. */
    public boolean isWrite() {
      return writeNumber > 0;
    }
  }

  /** Answers a request instead of the vendor, or calls {@code proceed} for the normal answer. */
  @FunctionalInterface
  public interface Fault {
    /** Returns the response to send. */
    MockResponse.Builder respond(Received request, Supplier<MockResponse.Builder> proceed)
        throws InterruptedException;
  }

  private final MockWebServer server = new MockWebServer();
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Map<String, Object>> contacts = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> applied = new ConcurrentHashMap<>();
  private final Set<String> rejectAddresses = ConcurrentHashMap.newKeySet();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger writes = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile long writeDelayMillis;
  private volatile boolean discardBodies;
  private volatile Fault fault = (request, proceed) -> proceed.get();

  /** Members removed from lists. */
  private final AtomicInteger removals = new AtomicInteger();

  /** {@return how many members were removed from lists} */
  public int removals() {
    return removals.get();
  }

  /**
   * Puts a contact on the list as someone other than the SDK would (a marketer's import).
   *
   * @param email the contact's address
   */
  public void addByHand(String email) {
    contacts.put(email.toLowerCase(Locale.ROOT), new LinkedHashMap<>(Map.of("email", email)));
  }

  /** The lists created, by name. */
  private final java.util.Set<String> lists = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Starts the vendor on a loopback port. */
  public FakeVendor() {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            return FakeVendor.this.dispatch(request);
          }
        });
    // MockWebServer writes a response's headers and body separately; without TCP_NODELAY every
    // response waits out the client's delayed ACK (about 40 ms), which would make the tests slow.
    server.setServerSocketFactory(new NoDelayServerSocketFactory());
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The base URL connections use: {@code http://<loopback>:<port>/api}. */
  public String baseUrl() {
    String url = server.url("/api").toString();
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** The port the vendor listens on. */
  public int port() {
    return server.getPort();
  }

  /** Installs a fault (replacing the previous one). */
  public FakeVendor fault(Fault f) {
    this.fault = f;
    return this;
  }

  /** Makes every members upsert take this long (inside the vendor, before it answers). */
  public FakeVendor writeDelayMillis(long millis) {
    this.writeDelayMillis = millis;
    return this;
  }

  /**
   * Stops recording and parsing request bodies: every upsert is answered as fully accepted, nothing is
   * retained (for large streaming exports).
   */
  public FakeVendor discardBodies() {
    this.discardBodies = true;
    server.setBodyLimit(0);
    return this;
  }

  /** Makes the vendor reject this address (case-insensitively) with {@link #REJECT_CODE}. */
  public FakeVendor rejectAddress(String email) {
    rejectAddresses.add(email.toLowerCase(Locale.ROOT));
    return this;
  }

  /**
   * Every request received, in arrival order (by {@link Received#number()}: two requests handled at once
   * may be recorded the other way round).
   */
  public List<Received> received() {
    synchronized (received) {
      return received.stream().sorted(Comparator.comparingInt(Received::number)).toList();
    }
  }

  /** The members upserts received, in arrival order (by {@link Received#number()}). */
  public List<Received> writes() {
    return received().stream().filter(Received::isWrite).toList();
  }

  /** How many requests reached the vendor (faults and refusals included). */
  public int requestCount() {
    return requests.get();
  }

  /** The contacts the vendor holds, by lower-cased address. */
  public Map<String, Map<String, Object>> contacts() {
    return Map.copyOf(contacts);
  }

  /** How many times each address (lower-cased) was applied by a successful upsert. */
  public Map<String, Integer> appliedCounts() {
    Map<String, Integer> m = new LinkedHashMap<>();
    applied.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }

  /** The most members upserts the vendor was processing at once. */
  public int maxConcurrentWrites() {
    return maxInFlight.get();
  }

  /** A response in the vendor's error shape. */
  public static MockResponse.Builder error(int code, String vendorCode, String message) {
    return new MockResponse.Builder()
        .code(code)
        .addHeader("Content-Type", "application/json")
        .body(
            json(
                w -> {
                  w.beginObject();
                  w.name("code").value(vendorCode);
                  w.name("message").value(message);
                  w.endObject();
                }));
  }

  /** A response that drops the connection instead of answering. */
  public static MockResponse.Builder dropConnection() {
    return new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE);
  }

  private MockResponse dispatch(RecordedRequest request) throws InterruptedException {
    String method = request.getMethod();
    String path = request.getUrl().encodedPath();
    boolean write =
        "POST".equals(method) && path.startsWith("/api/lists/") && path.endsWith("/members");
    long at;
    int number;
    int writeNumber;
    synchronized (
        requests) { // one order for both numbers and the instant, with requests handled at once
      at = System.nanoTime();
      number = requests.incrementAndGet();
      writeNumber = write ? writes.incrementAndGet() : 0;
    }
    ByteString body = request.getBody();
    List<Map<String, Object>> members = write && !discardBodies ? members(body) : null;
    List<String> emails = null;
    if (members != null) {
      emails = new ArrayList<>();
      for (Map<String, Object> m : members) {
        emails.add((String) m.get("email"));
      }
    }
    Received r =
        new Received(
            number,
            writeNumber,
            at,
            method,
            path,
            request.getBodySize(),
            emails == null ? null : Collections.unmodifiableList(emails));
    received.add(r);
    if (write) {
      int now = inFlight.incrementAndGet();
      maxInFlight.accumulateAndGet(now, Math::max);
    }
    try {
      return fault.respond(r, () -> normal(request, path, method, members)).build();
    } finally {
      if (write) {
        inFlight.decrementAndGet();
      }
    }
  }

  private MockResponse.Builder normal(
      RecordedRequest request, String path, String method, List<Map<String, Object>> members) {
    if (!("Bearer " + API_KEY).equals(request.getHeaders().get("Authorization"))) {
      return error(401, "UNAUTHORIZED", "Invalid API key");
    }
    if ("GET".equals(method) && path.equals("/api/me")) {
      return ok(w -> w.beginObject().name("account").value("acme").endObject());
    }
    if ("PUT".equals(method) && path.startsWith("/api/lists/")) {
      String name = request.getUrl().pathSegments().get(2);
      lists.add(name);
      return ok(w -> w.beginObject().name("id").value("list-" + name).endObject());
    }
    if ("GET".equals(method) && path.startsWith("/api/lists/")) {
      String name = request.getUrl().pathSegments().get(2);
      return lists.contains(name)
          ? ok(w -> w.beginObject().name("id").value("list-" + name).endObject())
          : error(404, "NOT_FOUND", "no such list");
    }
    if ("POST".equals(method) && path.endsWith("/members/remove")) {
      List<Map<String, Object>> gone = members(request.getBody());
      for (Map<String, Object> m : gone) {
        contacts.remove(((String) m.get("email")).toLowerCase(Locale.ROOT));
        removals.incrementAndGet();
      }
      return ok(w -> w.beginObject().name("removed").value(gone.size()).endObject());
    }
    if ("POST".equals(method) && path.endsWith("/members")) {
      long delay = writeDelayMillis;
      if (delay > 0) {
        try {
          Thread.sleep(delay);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (members == null) {
        return ok(w -> w.beginObject().name("results").beginArray().endArray().endObject());
      }
      List<String[]> rejected = new ArrayList<>();
      long created = 0;
      long updated = 0;
      for (Map<String, Object> m : members) {
        String email = (String) m.get("email");
        String key = email.toLowerCase(Locale.ROOT);
        if (rejectAddresses.contains(key)) {
          rejected.add(new String[] {email, REJECT_CODE, REJECT_MESSAGE});
          continue;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) m.getOrDefault("fields", Map.of());
        Map<String, Object> contact = new LinkedHashMap<>(fields);
        contact.put("email", email);
        if (contacts.put(key, contact) == null) {
          created++;
        } else {
          updated++;
        }
        applied.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      }
      long c = created;
      long u = updated;
      return ok(
          w -> {
            w.beginObject();
            w.name("results").beginArray();
            for (String[] rej : rejected) {
              w.beginObject()
                  .name("email")
                  .value(rej[0])
                  .name("status")
                  .value("rejected")
                  .name("code")
                  .value(rej[1])
                  .name("message")
                  .value(rej[2])
                  .endObject();
            }
            w.endArray();
            w.name("created").value(c);
            w.name("updated").value(u);
            w.endObject();
          });
    }
    return error(404, "NOT_FOUND", "No such resource");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> members(ByteString body) {
    if (body == null || body.size() == 0) {
      return List.of();
    }
    try (JsonReader reader = JsonReader.of(new Buffer().write(body))) {
      Map<String, Object> root = (Map<String, Object>) reader.readJsonValue();
      return (List<Map<String, Object>>) root.get("members");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  interface JsonBody {
    void write(JsonWriter w) throws IOException;
  }

  private static MockResponse.Builder ok(JsonBody body) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json")
        .body(json(body));
  }

  private static String json(JsonBody body) {
    Buffer buffer = new Buffer();
    try (JsonWriter w = JsonWriter.of(buffer)) {
      body.write(w);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.readUtf8();
  }

  @Override
  public void close() {
    server.close();
  }

  /** Server sockets whose accepted connections send small writes at once. */
  private static final class NoDelayServerSocketFactory extends ServerSocketFactory {
    @Override
    public ServerSocket createServerSocket() throws IOException {
      return new ServerSocket() {
        @Override
        public Socket accept() throws IOException {
          Socket s = super.accept();
          s.setTcpNoDelay(true);
          return s;
        }
      };
    }

    @Override
    public ServerSocket createServerSocket(int port) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address) {
      throw new UnsupportedOperationException();
    }
  }
}
