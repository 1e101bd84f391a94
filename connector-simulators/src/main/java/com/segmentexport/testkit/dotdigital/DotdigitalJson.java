package com.segmentexport.testkit.dotdigital;

import static com.segmentexport.testkit.SimulatorJson.renderWithNulls;
import static com.segmentexport.testkit.SimulatorJson.response;

import com.segmentexport.testkit.dotdigital.DotdigitalAccount.BookState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mockwebserver3.MockResponse;

/**
 * The shapes of dotdigital's answers for {@link DotdigitalSimulator}: v2 and v3 errors, import
 * report entries, data field values.
 */
final class DotdigitalJson {
  private DotdigitalJson() {}

  static boolean isV3(String path) {
    return path != null && path.toLowerCase(Locale.ROOT).startsWith("/contacts/v3");
  }

  static Map<String, Object> property(String name, String type, String value) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("name", name);
    p.put("type", type);
    p.put("value", value);
    return p;
  }

  static Map<String, Object> bookJson(long id, BookState b) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("name", b.name);
    m.put("visibility", "Private");
    m.put("contacts", b.members.size());
    return m;
  }

  static String suppressedDescription(String code) {
    return code.equals(DotdigitalSimulator.UNSUBSCRIBED)
        ? "The contact has unsubscribed and is suppressed at account level; it was not updated"
        : "The contact is suppressed at account level; it was not updated";
  }

  /** Converts a value for a field of this type; null when it does not fit. */
  static Object convert(Object v, String type) {
    switch (type) {
      case "String":
        if (v instanceof Double && ((Double) v) == Math.rint((Double) v)) {
          return Long.toString(((Double) v).longValue());
        }
        return v.toString();
      case "Numeric":
        if (v instanceof Number) {
          return v;
        }
        try {
          return Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
          return null;
        }
      case "Boolean":
        if (v instanceof Boolean) {
          return v;
        }
        return v.toString().equalsIgnoreCase("true")
            ? Boolean.TRUE
            : v.toString().equalsIgnoreCase("false") ? Boolean.FALSE : null;
      case "Date":
        String s = v.toString();
        return s.matches("\\d{4}-\\d{2}-\\d{2}([T ].*)?") ? s : null;
      default:
        return null;
    }
  }

  static Map<String, Object> entry(long id, String email) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("contactId", id);
    Map<String, Object> ids = new LinkedHashMap<>();
    ids.put("email", email);
    m.put("identifiers", ids);
    return m;
  }

  static Map<String, Object> failure(String email, String code, String description) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("failureCode", code);
    f.put("description", description);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("matchIdentifier", "email");
    Map<String, Object> ids = new LinkedHashMap<>();
    ids.put("email", email);
    m.put("identifiers", ids);
    m.put("failures", List.of(f));
    return m;
  }

  static MockResponse methodNotAllowed(String method) {
    return v2Error(405, "The requested resource does not support http method '" + method + "'.");
  }

  static MockResponse v2Error(int status, String message) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("message", message);
    return response(status, renderWithNulls(m));
  }

  static MockResponse v3Error(int status, String code, String description) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("errorCode", code);
    m.put("description", description);
    m.put("details", List.of());
    return response(status, renderWithNulls(m));
  }

  static MockResponse v3Error(
      int status, String code, String description, String item, String detail) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("item", item);
    d.put("description", detail);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("errorCode", code);
    m.put("description", description);
    m.put("details", List.of(d));
    return response(status, renderWithNulls(m));
  }

  static Long parseId(String text) {
    try {
      long id = Long.parseLong(text);
      return id > 0 ? id : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
