package com.segmentexport.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A simulator's routes: a method and a path template per handler, so that what a vendor answers is
 * read in one table rather than in nested conditions. A template is a path of {@code /}-separated
 * segments where {@code {}} matches any one segment (passed to the handler); a path is split as
 * {@link String#split} does (trailing empty segments dropped).
 *
 * <pre>{@code
 * RouteTable routes = new RouteTable(true)
 *     .on("GET", "/v2/address-books/{}", (request, p) -> getBook(p.get(0)));
 * }</pre>
 */
public final class RouteTable {
  /** Answers a request whose path matched, given the segments the template's {@code {}} matched. */
  @FunctionalInterface
  public interface Handler {
    /** The answer. */
    MockResponse handle(RecordedRequest request, List<String> parameters);
  }

  private record Route(String method, String[] template, Handler handler) {}

  private final boolean ignoreCase;
  private final List<Route> routes = new ArrayList<>();

  /** An empty table; {@code ignoreCase} for a vendor whose paths are case-insensitive. */
  public RouteTable(boolean ignoreCase) {
    this.ignoreCase = ignoreCase;
  }

  /** Adds a route. */
  public RouteTable on(String method, String template, Handler handler) {
    routes.add(new Route(method, split(template), handler));
    return this;
  }

  /**
   * The answer of the route for {@code method} and {@code path} (the request's, or a part of its
   * path); {@code methodNotAllowed}'s answer when the path has routes for other methods only; empty
   * when no route has the path.
   */
  public Optional<MockResponse> dispatch(
      String method,
      String path,
      RecordedRequest request,
      Function<String, MockResponse> methodNotAllowed) {
    String[] segments = split(path);
    boolean pathKnown = false;
    for (Route route : routes) {
      List<String> parameters = match(route.template(), segments);
      if (parameters == null) {
        continue;
      }
      if (route.method().equals(method)) {
        return Optional.of(route.handler().handle(request, parameters));
      }
      pathKnown = true;
    }
    return pathKnown ? Optional.of(methodNotAllowed.apply(method)) : Optional.empty();
  }

  private List<String> match(String[] template, String[] segments) {
    if (template.length != segments.length) {
      return null;
    }
    List<String> parameters = new ArrayList<>();
    for (int i = 0; i < template.length; i++) {
      if (template[i].equals("{}")) {
        parameters.add(segments[i]);
      } else if (ignoreCase
          ? !template[i].toLowerCase(Locale.ROOT).equals(segments[i].toLowerCase(Locale.ROOT))
          : !template[i].equals(segments[i])) {
        return null;
      }
    }
    return parameters;
  }

  private static String[] split(String path) {
    return (path.startsWith("/") ? path.substring(1) : path).split("/");
  }
}
