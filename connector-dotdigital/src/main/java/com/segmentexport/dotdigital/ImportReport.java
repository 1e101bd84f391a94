package com.segmentexport.dotdigital;

import com.segmentexport.spi.Json;
import com.squareup.moshi.JsonReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okio.Buffer;

/**
 * The parts of a v3 import's status answer that the connector uses: its status and, once Finished,
 * the e-mail address of every created and updated contact with its {@code contactId}, the failures,
 * and the suppressed count. A Finished report lists every contact of the import, so it is read as a
 * stream, keeping an address and an id per contact instead of a map of maps.
 */
record ImportReport(
    String status,
    List<String> created,
    List<String> updated,
    List<Object> failures,
    long globallySuppressed,
    Map<String, String> contactIds) {
  private static final ImportReport UNREADABLE =
      new ImportReport(null, List.of(), List.of(), List.of(), 0, Map.of());

  /**
   * {@return the {@code contactId} the report gives a created or updated contact, or null}
   *
   * @param email the contact's address, in any case
   */
  String contactId(String email) {
    return contactIds.get(email.trim().toLowerCase(java.util.Locale.ROOT));
  }

  /** Reads a status answer; an answer that is not a JSON object reads as one without a status. */
  static ImportReport read(byte[] json) {
    if (json.length == 0) {
      return UNREADABLE;
    }
    try (JsonReader reader = JsonReader.of(new Buffer().write(json))) {
      reader.setLenient(true);
      if (reader.peek() != JsonReader.Token.BEGIN_OBJECT) {
        return UNREADABLE;
      }
      String status = null;
      List<String> created = List.of();
      List<String> updated = List.of();
      List<Object> failures = List.of();
      long suppressed = 0;
      Map<String, String> ids = new java.util.HashMap<>();
      reader.beginObject();
      while (reader.hasNext()) {
        switch (reader.nextName()) {
          case "status":
            Object v = reader.readJsonValue();
            status = v == null ? null : v.toString();
            break;
          case "created":
            created = emails(reader, ids);
            break;
          case "updated":
            updated = emails(reader, ids);
            break;
          case "failures":
            failures = Json.array(reader.readJsonValue());
            break;
          case "summary":
            suppressed = Json.number(Json.object(reader.readJsonValue()), "globallySuppressed", 0);
            break;
          default:
            reader.skipValue();
        }
      }
      return new ImportReport(status, created, updated, failures, suppressed, ids);
    } catch (IOException | RuntimeException e) {
      return UNREADABLE;
    }
  }

  /**
   * {@code [{"contactId":…,"identifiers":{"email":…},…},…]}: the addresses, null where an entry has none;
   * each entry's {@code contactId} goes to {@code ids} under its lower-cased address.
   */
  private static List<String> emails(JsonReader reader, Map<String, String> ids)
      throws IOException {
    if (reader.peek() != JsonReader.Token.BEGIN_ARRAY) {
      reader.skipValue();
      return List.of();
    }
    List<String> emails = new ArrayList<>();
    reader.beginArray();
    while (reader.hasNext()) {
      if (reader.peek() != JsonReader.Token.BEGIN_OBJECT) {
        reader.skipValue();
        emails.add(null);
        continue;
      }
      String email = null;
      String contactId = null;
      reader.beginObject();
      while (reader.hasNext()) {
        String name = reader.nextName();
        if (name.equals("contactId")
            && (reader.peek() == JsonReader.Token.NUMBER
                || reader.peek() == JsonReader.Token.STRING)) {
          contactId = reader.nextString(); // a number read as its text: no double rounding
        } else if (name.equals("identifiers") && reader.peek() == JsonReader.Token.BEGIN_OBJECT) {
          reader.beginObject();
          while (reader.hasNext()) {
            if (reader.nextName().equals("email") && reader.peek() == JsonReader.Token.STRING) {
              email = reader.nextString();
            } else {
              reader.skipValue();
            }
          }
          reader.endObject();
        } else {
          reader.skipValue();
        }
      }
      reader.endObject();
      emails.add(email);
      if (email != null && contactId != null && !contactId.isBlank()) {
        ids.put(email.trim().toLowerCase(java.util.Locale.ROOT), contactId);
      }
    }
    reader.endArray();
    return emails;
  }

  /** The failures as JSON objects. */
  List<Map<String, Object>> failureObjects() {
    List<Map<String, Object>> out = new ArrayList<>(failures.size());
    for (Object o : failures) {
      out.add(Json.object(o));
    }
    return out;
  }
}
