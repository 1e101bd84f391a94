package com.segmentexport.testkit.reference;

import com.segmentexport.testkit.VendorSimulator;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A small made-up vendor used to test the testkit itself: lists by name, members written in batches
 * of at most {@value #MAX_BATCH}, per-record failures, {@code X-Api-Key} authentication, 429s with
 * {@code Retry-After}, a call that gives a member a new address, and for mirror mode: a call that takes
 * members off one list ({@code POST /lists/{id}/members/remove}, at most {@value #MAX_BATCH}), the list's
 * members ({@code GET /lists/{id}/members}), a call that empties a list ({@code DELETE
 * /lists/{id}/members}) and a global unsubscribe ({@code POST /unsubscribe}: the contact leaves every list
 * and is marked unsubscribed — what a removal must never do).
 */
final class ReferenceSimulator extends VendorSimulator {
  static final int MAX_BATCH = 50;

  /** The end of the path that changes a member's address. */
  private static final String CHANGE = "/members/change";

  /** The end of the path that takes members off a list. */
  private static final String REMOVE = "/members/remove";

  private final String apiKey;

  /**
   * List names by id. Like some real vendors, a second list with a taken name is made, not refused: a
   * client that repeats a create whose answer it lost makes a duplicate.
   */
  private final Map<String, String> listNamesById = new LinkedHashMap<>();

  private final Map<String, Map<String, Map<String, String>>> members = new LinkedHashMap<>();

  /** Every address the vendor has a contact for (written or added by hand); a removal keeps it. */
  private final java.util.Set<String> contacts = new java.util.HashSet<>();

  /** Addresses unsubscribed from everything. */
  private final java.util.Set<String> unsubscribed = new java.util.HashSet<>();

  private int removals;
  private int removalNoOps;

  /** Members taken off a list by {@code members/remove}. */
  synchronized int removals() {
    return removals;
  }

  /** Addresses in {@code members/remove} that were not on the list (nothing changed). */
  synchronized int removalNoOps() {
    return removalNoOps;
  }

  /** Whether the address was unsubscribed from everything. */
  synchronized boolean isUnsubscribed(String email) {
    return unsubscribed.contains(email.toLowerCase(Locale.ROOT));
  }

  /** Whether the vendor has a contact at this address. */
  synchronized boolean hasContact(String email) {
    return contacts.contains(email.toLowerCase(Locale.ROOT));
  }

  /** Puts a member on every list of this name as a marketer's manual import would. */
  synchronized void addByHand(String listName, String email) {
    String key = email.toLowerCase(Locale.ROOT);
    contacts.add(key);
    listNamesById.forEach(
        (id, name) -> {
          if (name.equals(listName)) {
            members.get(id).put(key, new TreeMap<>());
          }
        });
  }

  ReferenceSimulator(String apiKey) {
    this.apiKey = apiKey;
  }

  @Override
  public String vendor() {
    return "Reference";
  }

  @Override
  public List<String> credentials() {
    return List.of(apiKey);
  }

  @Override
  public synchronized Object snapshot() {
    Map<String, Object> copy = new TreeMap<>();
    members.forEach((list, m) -> copy.put(list, new TreeMap<>(m)));
    copy.put("_lists", new TreeMap<>(listNamesById));
    return copy;
  }

  synchronized Map<String, Map<String, String>> membersOf(String listName) {
    Map<String, Map<String, String>> all = new LinkedHashMap<>();
    listNamesById.forEach(
        (id, name) -> {
          if (name.equals(listName)) {
            all.putAll(members.get(id));
          }
        });
    return all;
  }

  /** How many lists have this name. */
  synchronized int listsNamed(String listName) {
    return (int) listNamesById.values().stream().filter(listName::equals).count();
  }

  @Override
  protected boolean isCreate(RecordedRequest request) {
    return request.getMethod().equals("POST") && route(request).equals("/lists");
  }

  @Override
  protected boolean authenticated(RecordedRequest request) {
    return apiKey.equals(request.getHeaders().get("X-Api-Key"));
  }

  @Override
  protected MockResponse unauthorized(RecordedRequest request) {
    return json(401, "{\"error\":\"unauthorized\"}");
  }

  @Override
  protected MockResponse throttled(RecordedRequest request, Duration untilNextToken) {
    MockResponse.Builder b = new MockResponse.Builder().code(429).body("{\"error\":\"slow down\"}");
    if (untilNextToken != null) {
      b.setHeader("Retry-After", Math.max(1, (untilNextToken.toMillis() + 999) / 1000));
    }
    return b.build();
  }

  @Override
  protected MockResponse serverError(RecordedRequest request, int status) {
    return json(status, "{\"error\":\"server\"}");
  }

  @Override
  protected MockResponse badRequest(RecordedRequest request, String message) {
    return json(400, "{\"error\":\"" + message + "\"}");
  }

  @Override
  protected boolean isWrite(RecordedRequest request) {
    return (request.getMethod().equals("POST")
            && (route(request).endsWith("/members")
                || route(request).endsWith(CHANGE)
                || route(request).endsWith(REMOVE)))
        || request.getMethod().equals("DELETE");
  }

  /**
   * {@code POST /lists/{id}/members/change} with {@code {"email": current, "newEmail": new}}: the member
   * keeps its fields under the new address; 404 when the current address is not a member, 409 when the
   * new one is. Not idempotent (a repeat finds no member at the current address).
   */
  private MockResponse changeAddress(RecordedRequest request, String listId) {
    Map<String, Map<String, String>> list = members.get(listId);
    if (list == null) {
      return json(404, "{\"error\":\"no such list\"}");
    }
    Object body = jsonBody(request);
    Object from = body instanceof Map ? ((Map<?, ?>) body).get("email") : null;
    Object to = body instanceof Map ? ((Map<?, ?>) body).get("newEmail") : null;
    if (!(from instanceof String) || !(to instanceof String)) {
      return badRequest(request, "email and newEmail required");
    }
    String current = ((String) from).toLowerCase(Locale.ROOT);
    String next = ((String) to).toLowerCase(Locale.ROOT);
    if (!list.containsKey(current)) {
      return json(404, "{\"error\":\"not a member\"}");
    }
    if (list.containsKey(next)) {
      return json(409, "{\"error\":\"address taken\"}");
    }
    list.put(next, list.remove(current));
    contacts.remove(current);
    contacts.add(next);
    return json(200, "{\"changed\":true}");
  }

  @Override
  protected synchronized MockResponse handle(RecordedRequest request) {
    String route = route(request);
    String method = request.getMethod();
    if (method.equals("GET") && route.equals("/lists")) {
      StringBuilder sb = new StringBuilder("{\"lists\":[");
      int i = 0;
      for (Map.Entry<String, String> e : listNamesById.entrySet()) {
        sb.append(i++ > 0 ? "," : "")
            .append("{\"id\":\"")
            .append(e.getKey())
            .append("\",\"name\":\"")
            .append(e.getValue().replace("\"", "\\\""))
            .append("\"}");
      }
      return json(200, sb.append("]}").toString());
    }
    if (method.equals("POST") && route.equals("/lists")) {
      Object name = ((Map<?, ?>) jsonBody(request)).get("name");
      if (!(name instanceof String) || ((String) name).isBlank()) {
        return badRequest(request, "name required");
      }
      String id = "list-" + (listNamesById.size() + 1);
      listNamesById.put(id, (String) name);
      members.put(id, new LinkedHashMap<>());
      return json(201, "{\"id\":\"" + id + "\"}");
    }
    if (method.equals("POST") && route.equals("/unsubscribe")) {
      Object email = jsonBody(request) instanceof Map<?, ?> m ? m.get("email") : null;
      if (!(email instanceof String)) {
        return badRequest(request, "email required");
      }
      String key = ((String) email).toLowerCase(Locale.ROOT);
      unsubscribed.add(key);
      members.values().forEach(list -> list.remove(key));
      return json(200, "{\"unsubscribed\":true}");
    }
    if (route.startsWith("/lists/") && route.endsWith("/members") && !method.equals("POST")) {
      String id = route.substring("/lists/".length(), route.length() - "/members".length());
      Map<String, Map<String, String>> list = members.get(id);
      if (list == null) {
        return json(404, "{\"error\":\"no such list\"}");
      }
      if (method.equals("DELETE")) {
        list.clear();
        return json(200, "{\"cleared\":true}");
      }
      StringBuilder sb = new StringBuilder("{\"members\":[");
      int i = 0;
      for (String email : list.keySet()) {
        sb.append(i++ > 0 ? "," : "").append('"').append(email).append('"');
      }
      return json(200, sb.append("]}").toString());
    }
    if (method.equals("POST") && route.startsWith("/lists/") && route.endsWith(REMOVE)) {
      String id = route.substring("/lists/".length(), route.length() - REMOVE.length());
      Map<String, Map<String, String>> list = members.get(id);
      if (list == null) {
        return json(404, "{\"error\":\"no such list\"}");
      }
      Object body = jsonBody(request);
      if (!(body instanceof Map) || !(((Map<?, ?>) body).get("members") instanceof List)) {
        return badRequest(request, "members required");
      }
      List<?> batch = (List<?>) ((Map<?, ?>) body).get("members");
      if (batch.isEmpty() || batch.size() > MAX_BATCH) {
        return badRequest(request, "between 1 and " + MAX_BATCH + " members per request");
      }
      int removed = 0;
      for (Object o : batch) {
        String email = String.valueOf(((Map<?, ?>) o).get("email")).toLowerCase(Locale.ROOT);
        if (list.remove(email) != null) {
          removed++;
          removals++;
        } else {
          removalNoOps++;
        }
      }
      return json(200, "{\"removed\":" + removed + "}");
    }
    if (method.equals("POST") && route.startsWith("/lists/") && route.endsWith(CHANGE)) {
      return changeAddress(
          request, route.substring("/lists/".length(), route.length() - CHANGE.length()));
    }
    if (method.equals("POST") && route.startsWith("/lists/") && route.endsWith("/members")) {
      String id = route.substring("/lists/".length(), route.length() - "/members".length());
      Map<String, Map<String, String>> list = members.get(id);
      if (list == null) {
        return json(404, "{\"error\":\"no such list\"}");
      }
      Object body = jsonBody(request);
      if (!(body instanceof Map) || !(((Map<?, ?>) body).get("members") instanceof List)) {
        return badRequest(request, "members required");
      }
      List<?> batch = (List<?>) ((Map<?, ?>) body).get("members");
      if (batch.isEmpty() || batch.size() > MAX_BATCH) {
        return badRequest(request, "between 1 and " + MAX_BATCH + " members per request");
      }
      noteBatch(batch.size());
      StringBuilder failed = new StringBuilder();
      int accepted = 0;
      for (Object o : batch) {
        Map<?, ?> m = (Map<?, ?>) o;
        String email = String.valueOf(m.get("email"));
        noteEmail(email);
        if (rejectionFor(email).isPresent()) {
          failed
              .append(failed.length() > 0 ? "," : "")
              .append("{\"email\":\"")
              .append(email.toLowerCase(Locale.ROOT))
              .append("\",\"code\":\"blocked\",\"message\":\"address is blocked\"}");
          continue;
        }
        accepted++;
        if (retainsContacts()) {
          Map<String, String> fields = new TreeMap<>();
          Object f = m.get("fields");
          if (f instanceof Map) {
            ((Map<?, ?>) f).forEach((k, v) -> fields.put(String.valueOf(k), String.valueOf(v)));
          }
          list.put(email.toLowerCase(Locale.ROOT), fields);
          contacts.add(email.toLowerCase(Locale.ROOT));
        }
      }
      return json(200, "{\"accepted\":" + accepted + ",\"failed\":[" + failed + "]}");
    }
    return json(404, "{\"error\":\"not found\"}");
  }
}
