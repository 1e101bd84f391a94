package com.segmentexport.testkit.autopilot;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.testkit.autopilot.AutopilotSimulator.BulkNewEmail;
import com.segmentexport.testkit.autopilot.AutopilotSimulator.ListAssignment;
import com.segmentexport.testkit.autopilot.AutopilotSimulator.TakenNewAddress;
import com.segmentexport.testkit.autopilot.AutopilotSimulator.UnknownCurrentAddress;
import com.squareup.moshi.JsonReader;
import java.io.IOException;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Autopilot simulator answers as the vendor documents, refusals included. */
class AutopilotSimulatorTest {
  private static final String KEY = "sim-key";
  private static final MediaType JSON = MediaType.get("application/json");

  private final OkHttpClient client =
      new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
  private AutopilotSimulator sim;

  /** What a call returned. */
  record Answer(int code, Map<String, Object> json, Response raw) {}

  @BeforeEach
  void start() {
    sim = new AutopilotSimulator(KEY).start();
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @SuppressWarnings("unchecked")
  private Answer call(String method, String path, String body, String key) throws IOException {
    Request.Builder b = new Request.Builder().url(sim.baseUrl() + path);
    if (key != null) {
      b.header("autopilotapikey", key);
    }
    b.method(
        method,
        body == null
            ? (method.equals("GET") ? null : RequestBody.create(new byte[0], JSON))
            : RequestBody.create(body, JSON));
    try (Response r = client.newCall(b.build()).execute()) {
      String text = r.body().string();
      Object json =
          text.isEmpty() ? null : JsonReader.of(new Buffer().writeUtf8(text)).readJsonValue();
      return new Answer(r.code(), json instanceof Map ? (Map<String, Object>) json : Map.of(), r);
    }
  }

  private Answer call(String method, String path, String body) throws IOException {
    return call(method, path, body, KEY);
  }

  private static String contacts(int n, String extra) {
    StringBuilder b = new StringBuilder("{\"contacts\":[");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"Email\":\"c")
          .append(i)
          .append("@example.org\"")
          .append(extra)
          .append('}');
    }
    return b.append("]}").toString();
  }

  @Test
  @SuppressWarnings("unchecked")
  void addressesDifferingInCaseAreOneContactUnlessTheAccountIsCaseSensitive() throws IOException {
    String list = sim.createList("VIP");
    sim.addListMember(list, "Ana@example.org");
    String upsert =
        "{\"contacts\":[{\"Email\":\"ana@example.org\",\"_autopilot_list\":\"" + list + "\"}]}";
    Map<String, Object> page = call("GET", "/list/" + list + "/contacts", null).json();
    String memberId =
        (String)
            ((Map<String, Object>) ((java.util.List<Object>) page.get("contacts")).get(0))
                .get("contact_id");

    Map<String, Object> same =
        (Map<String, Object>) call("POST", "/contacts", upsert).json().get("email_contact_map");
    assertThat(same).containsEntry("ana@example.org", memberId);
    assertThat(sim.members("VIP")).hasSize(1);

    sim.caseSensitiveAddresses(true);
    String other = sim.createList("Other");
    sim.addListMember(other, "Bea@example.org");
    Map<String, Object> otherPage = call("GET", "/list/" + other + "/contacts", null).json();
    String otherMemberId =
        (String)
            ((Map<String, Object>) ((java.util.List<Object>) otherPage.get("contacts")).get(0))
                .get("contact_id");
    Map<String, Object> second =
        (Map<String, Object>)
            call("POST", "/contacts", upsert.replace(list, other).replace("ana@", "bea@"))
                .json()
                .get("email_contact_map");
    assertThat(second.get("bea@example.org")).isNotEqualTo(otherMemberId);
    assertThat(sim.members("Other"))
        .containsExactlyInAnyOrder("Bea@example.org", "bea@example.org");
    assertThat(call("GET", "/list/" + other + "/contact/Bea@example.org", null).code())
        .isEqualTo(200);
  }

  @Test
  void aMissingKeyIs400AndAWrongOne401() throws IOException {
    Answer missing = call("GET", "/lists", null, null);
    assertThat(missing.code()).isEqualTo(400);
    assertThat(missing.json()).containsEntry("message", "No autopilotapikey header provided.");
    Answer wrong = call("GET", "/lists", null, "nope");
    assertThat(wrong.code()).isEqualTo(401);
    assertThat(wrong.json()).containsEntry("error", "Unauthorized");
    assertThat(call("GET", "/lists", null, null).raw().request().url().encodedPath())
        .isEqualTo("/v1/lists");
  }

  @Test
  void listsHaveATitleAndAreCreatedByName() throws IOException {
    Answer created = call("POST", "/list", "{\"name\":\"VIP\"}");
    assertThat(created.code()).isEqualTo(200);
    assertThat((String) created.json().get("list_id")).startsWith("contactlist_");
    assertThat(call("GET", "/lists", null).json().toString()).contains("title=VIP");
    assertThat(call("POST", "/list", "{\"title\":\"VIP\"}").code()).isEqualTo(400);
  }

  @Test
  void aTakenNameIs409OrASecondListDependingOnTheReading() throws IOException {
    sim.createList("VIP");
    assertThat(call("POST", "/list", "{\"name\":\"VIP\"}").json())
        .containsEntry("error", "Conflict");
    sim.duplicateListNames(true);
    assertThat(call("POST", "/list", "{\"name\":\"VIP\"}").code()).isEqualTo(200);
    assertThat(sim.listsTitled("VIP")).isEqualTo(2);
  }

  @Test
  void bulkUpsertsTakeAtMost100ContactsOfTheDocumentedShape() throws IOException {
    assertThat(call("POST", "/contacts", contacts(101, "")).code()).isEqualTo(400);
    assertThat(call("POST", "/contacts", contacts(1, ",\"tier\":\"gold\"")).code())
        .as("custom outside custom")
        .isEqualTo(400);
    assertThat(call("POST", "/contacts", contacts(1, ",\"custom\":{\"Tier\":\"gold\"}")).code())
        .as("untyped key")
        .isEqualTo(400);
    assertThat(
            call("POST", "/contacts", contacts(1, ",\"custom\":{\"integer--Orders\":\"7\"}"))
                .code())
        .as("a text value under an integer key")
        .isEqualTo(400);
    assertThat(call("POST", "/contacts", "{\"contacts\":[{\"FirstName\":\"x\"}]}").code())
        .isEqualTo(400);
    assertThat(sim.bulkUpserts()).isZero();

    Answer ok =
        call(
            "POST",
            "/contacts",
            contacts(
                100, ",\"custom\":{\"string--Loyalty--Tier\":\"gold\",\"integer--Orders\":7}"));
    assertThat(ok.code()).isEqualTo(200);
    assertThat((Map<?, ?>) ok.json().get("email_contact_map")).hasSize(100);
    assertThat(sim.contactFields("c3@example.org"))
        .containsEntry("string--Loyalty--Tier", "gold")
        .containsEntry("integer--Orders", "7");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aRefusedAddressIsMissingFromEmailContactMap() throws IOException {
    sim.rejectAddress("c1@example.org", null);
    Answer a = call("POST", "/contacts", contacts(3, ""));
    assertThat(((Map<String, Object>) a.json().get("email_contact_map")).keySet())
        .containsExactlyInAnyOrder("c0@example.org", "c2@example.org");
    assertThat(sim.contactFields("c1@example.org")).isEmpty();
  }

  @Test
  void autopilotListFollowsTheChosenReading() throws IOException {
    String list = sim.createList("VIP");
    sim.addContact("c0@example.org", Map.of());
    call("POST", "/contacts", contacts(2, ",\"_autopilot_list\":\"" + list + "\""));
    assertThat(sim.members("VIP")).containsExactly("c1@example.org");

    sim.listAssignment(ListAssignment.ALWAYS);
    call("POST", "/contacts", contacts(2, ",\"_autopilot_list\":\"" + list + "\""));
    assertThat(sim.members("VIP")).containsExactlyInAnyOrder("c0@example.org", "c1@example.org");

    String other = sim.createList("Other");
    sim.listAssignment(ListAssignment.NEVER_IN_BULK);
    call("POST", "/contacts", contacts(2, ",\"_autopilot_list\":\"" + other + "\""));
    assertThat(sim.members("Other")).isEmpty();
  }

  @Test
  void membershipCallsAddCheckAndCount() throws IOException {
    String list = sim.createList("VIP");
    assertThat(call("POST", "/list/" + list + "/contact/nobody%40example.org", null).code())
        .isEqualTo(404);
    sim.addContact("ana@example.org", Map.of());
    assertThat(call("GET", "/list/" + list + "/contact/ana%40example.org", null).code())
        .isEqualTo(404);
    assertThat(call("POST", "/list/" + list + "/contact/ana%40example.org", null).code())
        .isEqualTo(200);
    assertThat(call("GET", "/list/" + list + "/contact/ana%40example.org", null).code())
        .isEqualTo(200);
    assertThat(call("GET", "/list/" + list + "/contacts", null).json())
        .containsEntry("total_contacts", 1.0);
    assertThat(sim.singleListAdds()).isEqualTo(1);
  }

  @Test
  void membersArePaged100AtATimeWithBookmarks() throws IOException {
    String list = sim.createList("VIP");
    sim.listAssignment(ListAssignment.ALWAYS);
    call("POST", "/contacts", contacts(100, ",\"_autopilot_list\":\"" + list + "\""));
    call(
        "POST",
        "/contacts",
        contacts(50, ",\"_autopilot_list\":\"" + list + "\"")
            .replace("Email\":\"c", "Email\":\"d"));
    Answer first = call("GET", "/list/" + list + "/contacts", null);
    assertThat((java.util.List<?>) first.json().get("contacts")).hasSize(100);
    assertThat(first.json()).containsEntry("total_contacts", 150.0);
    Answer last = call("GET", "/list/" + list + "/contacts/" + first.json().get("bookmark"), null);
    assertThat((java.util.List<?>) last.json().get("contacts")).hasSize(50);
    assertThat(last.json()).doesNotContainKey("bookmark");
  }

  @Test
  void a429CarriesTheDocumentedBodyAndNoRateLimitHeaders() throws IOException {
    sim.rateLimit(1, 1);
    call("GET", "/lists", null);
    Answer throttled = call("POST", "/contacts", contacts(1, ""));
    assertThat(throttled.code()).isEqualTo(429);
    assertThat(throttled.json())
        .containsEntry("message", "You have exceeded your request rate of 5 r/s.");
    assertThat(throttled.raw().header("Retry-After")).isNull();
    assertThat(throttled.raw().header("X-RateLimit-Reset")).isNull();
  }

  // ---- a contact's address changes ------------------------------------------------------------

  private static String change(String from, String to) {
    return "{\"contact\":{\"Email\":\"" + from + "\",\"_NewEmail\":\"" + to + "\"}}";
  }

  @Test
  @SuppressWarnings("unchecked")
  void newEmailGivesTheSameContactTheNewAddressWithItsIdFieldsAndLists() throws IOException {
    String vip = sim.createList("VIP");
    sim.addContact("old@example.org", Map.of("FirstName", "Ana", "string--Profile--Id", "p-1"));
    sim.addListMember(vip, "old@example.org");
    Map<String, Object> before = call("GET", "/contact/old%40example.org", null).json();
    String id = (String) before.get("contact_id");
    assertThat((java.util.List<Object>) before.get("lists")).containsExactly(vip);

    Answer a = call("POST", "/contact", change("old@example.org", "new@example.org"));

    assertThat(a.code()).isEqualTo(200);
    assertThat(a.json()).containsEntry("contact_id", id);
    assertThat(sim.contactIdOf("new@example.org")).hasValue(id);
    assertThat(sim.contactIdOf("old@example.org")).isEmpty();
    assertThat(sim.contactFields("new@example.org"))
        .containsEntry("Email", "new@example.org")
        .containsEntry("FirstName", "Ana")
        .containsEntry("string--Profile--Id", "p-1");
    assertThat(sim.listsOf("new@example.org")).containsExactly("VIP");
    assertThat(sim.members("VIP")).containsExactly("new@example.org");
    assertThat(sim.contactsWith("string--Profile--Id", "p-1")).isEqualTo(1);
    assertThat(sim.addressChanges()).isEqualTo(1);
    assertThat(call("GET", "/contact/old%40example.org", null).code()).isEqualTo(404);
    Map<String, Object> byId = call("GET", "/contact/" + id, null).json();
    assertThat(byId).containsEntry("Email", "new@example.org");
    assertThat((java.util.List<Object>) byId.get("custom_fields")).hasSize(1);

    // A later contact at the old address is another contact.
    Map<String, Object> again =
        call("POST", "/contact", "{\"contact\":{\"Email\":\"old@example.org\"}}").json();
    assertThat(again.get("contact_id")).isNotEqualTo(id);
  }

  @Test
  void anUnknownCurrentAddressCreatesAContactOrIsNotFound() throws IOException {
    Answer created = call("POST", "/contact", change("nobody@example.org", "new@example.org"));
    assertThat(created.code()).isEqualTo(200);
    assertThat(sim.contactsWithAddress("new@example.org")).isEqualTo(1);
    assertThat(sim.contactsCreatedByAddressChange()).isEqualTo(1);
    assertThat(sim.addressChanges()).isZero();

    sim.unknownCurrentAddress(UnknownCurrentAddress.NOT_FOUND);
    Answer missing = call("POST", "/contact", change("nobody@example.org", "other@example.org"));
    assertThat(missing.code()).isEqualTo(404);
    assertThat(missing.json())
        .containsEntry("error", "Not Found")
        .containsEntry("message", "Contact could not be found.");
    assertThat(sim.contactsWithAddress("other@example.org")).isZero();
  }

  @Test
  void aTakenNewAddressIsSharedByTwoContactsOrAConflict() throws IOException {
    sim.addContact("old@example.org", Map.of("FirstName", "Ana"));
    sim.addContact("taken@example.org", Map.of("FirstName", "Bo"));
    sim.takenNewAddress(TakenNewAddress.CONFLICT);
    Answer conflict = call("POST", "/contact", change("old@example.org", "taken@example.org"));
    assertThat(conflict.code()).isEqualTo(409);
    assertThat(conflict.json()).containsEntry("error", "Conflict");
    assertThat(sim.contactsWithAddress("old@example.org")).isEqualTo(1);
    assertThat(sim.contactsWithAddress("taken@example.org")).isEqualTo(1);

    sim.takenNewAddress(TakenNewAddress.SHARED_BY_TWO_CONTACTS);
    assertThat(call("POST", "/contact", change("old@example.org", "taken@example.org")).code())
        .isEqualTo(200);
    assertThat(sim.contactsWithAddress("taken@example.org")).isEqualTo(2);
    assertThat(sim.contactsWithAddress("old@example.org")).isZero();
    assertThat(sim.sharedAddressChanges()).isEqualTo(1);
    assertThat(sim.contactsWith("FirstName", "Ana")).isEqualTo(1);
  }

  @Test
  void theBulkUpsertIgnoresNewEmailUnlessTheOtherReadingIsChosen() throws IOException {
    sim.addContact("old@example.org", Map.of());
    String bulk =
        "{\"contacts\":[{\"Email\":\"old@example.org\",\"_NewEmail\":\"new@example.org\"}]}";
    assertThat(call("POST", "/contacts", bulk).code()).isEqualTo(200);
    assertThat(sim.contactsWithAddress("old@example.org")).isEqualTo(1);
    assertThat(sim.contactsWithAddress("new@example.org")).isZero();
    assertThat(sim.ignoredBulkNewEmails()).isEqualTo(1);

    sim.bulkNewEmail(BulkNewEmail.APPLIED);
    Answer applied = call("POST", "/contacts", bulk);
    assertThat(applied.json().get("email_contact_map"))
        .isEqualTo(Map.of("new@example.org", sim.contactIdOf("new@example.org").orElseThrow()));
    assertThat(sim.contactsWithAddress("old@example.org")).isZero();
    assertThat(sim.addressChanges()).isEqualTo(1);
  }

  @Test
  void singleUpsertBodiesAreCheckedAndTheCallIsRateLimitedAndFaulted() throws IOException {
    assertThat(call("POST", "/contact", "{\"contacts\":[]}").code()).isEqualTo(400);
    assertThat(
            call(
                    "POST",
                    "/contact",
                    "{\"contact\":{\"Email\":\"a@example.org\",\"_NewEmail\":\"nope\"}}")
                .code())
        .isEqualTo(400);
    assertThat(
            call(
                    "POST",
                    "/contact",
                    "{\"contact\":{\"Email\":\"a@example.org\",\"Nickname\":\"x\"}}")
                .code())
        .isEqualTo(400);
    assertThat(call("POST", "/contact", "{\"contact\":{\"Email\":\"a@example.org\"}}").code())
        .isEqualTo(200);
    assertThat(sim.singleUpserts()).isEqualTo(1);

    sim.faults().failWrite(sim.writeCount() + 1, 503); // the single upsert is a write
    assertThat(call("POST", "/contact", change("a@example.org", "b@example.org")).code())
        .isEqualTo(503);
    assertThat(sim.contactsWithAddress("a@example.org")).isEqualTo(1);

    sim.rateLimit(1, 1);
    assertThat(call("GET", "/contact/a%40example.org", null).code()).isEqualTo(200);
    Answer limited = call("POST", "/contact", change("a@example.org", "b@example.org"));
    assertThat(limited.code()).isEqualTo(429);
    assertThat(limited.json())
        .containsEntry("message", "You have exceeded your request rate of 5 r/s.");
    assertThat(sim.addressChanges()).isZero();
  }

  // ---- a member leaves the list ---------------------------------------------------------------

  @Test
  void removingFromAListTakesTheContactOffThatListOnly() throws IOException {
    String vip = sim.createList("VIP");
    String news = sim.createList("News");
    sim.addContact("ana@example.org", Map.of("FirstName", "Ana"));
    sim.addListMember(vip, "ana@example.org");
    sim.addListMember(news, "ana@example.org");
    String id = sim.contactIdOf("ana@example.org").orElseThrow();

    Answer a = call("DELETE", "/list/" + vip + "/contact/Ana%40example.org", null);

    assertThat(a.code()).isEqualTo(200);
    assertThat(sim.isMember(vip, "ana@example.org")).isFalse();
    assertThat(sim.isMember(news, "ana@example.org")).isTrue();
    assertThat(sim.contactExists("ana@example.org")).isTrue();
    assertThat(sim.contactIdOf("ana@example.org")).contains(id);
    assertThat(sim.contactFields("ana@example.org")).containsEntry("FirstName", "Ana");
    assertThat(sim.isUnsubscribed("ana@example.org")).isFalse();
    assertThat(call("GET", "/list/" + vip + "/contact/ana%40example.org", null).code())
        .isEqualTo(404);
    assertThat(sim.listRemovals()).isEqualTo(1);

    sim.addListMember(vip, "ana@example.org");
    assertThat(call("DELETE", "/list/" + vip + "/contact/" + id, null).code()).isEqualTo(200);
    assertThat(sim.isMember(vip, "ana@example.org")).isFalse();
    assertThat(sim.listRemovals()).isEqualTo(2);
  }

  @Test
  void removingANonMemberIsNotModifiedAndAnUnknownContactOrListIs404() throws IOException {
    String vip = sim.createList("VIP");
    sim.addContact("ana@example.org", Map.of());
    Object before = sim.snapshot();
    Answer a = call("DELETE", "/list/" + vip + "/contact/ana%40example.org", null);
    assertThat(a.code()).isEqualTo(200);
    assertThat(a.json()).containsEntry("not_modified", true);
    assertThat(sim.snapshot()).isEqualTo(before);
    assertThat(sim.listRemovalNoOps()).isEqualTo(1);

    Answer unknown = call("DELETE", "/list/" + vip + "/contact/nobody%40example.org", null);
    assertThat(unknown.code()).isEqualTo(404);
    assertThat(unknown.json()).containsEntry("message", "Contact could not be found.");
    assertThat(call("DELETE", "/list/contactlist_NOPE/contact/ana%40example.org", null).code())
        .isEqualTo(404);
    assertThat(sim.listRemovals()).isZero();
  }

  @Test
  void aContactUnsubscribeIsGlobalAndADeleteRemovesTheContactEverywhere() throws IOException {
    String vip = sim.createList("VIP");
    sim.addListMember(vip, "ana@example.org");
    sim.addListMember(vip, "li@example.org");

    assertThat(call("POST", "/contact/ana%40example.org/unsubscribe", null).code()).isEqualTo(200);
    assertThat(sim.isUnsubscribed("ana@example.org")).isTrue();
    assertThat(sim.isMember(vip, "ana@example.org")).isTrue();
    assertThat(sim.contactUnsubscribes()).isEqualTo(1);
    call(
        "POST",
        "/contacts",
        "{\"contacts\":[{\"Email\":\"ana@example.org\",\"FirstName\":\"Ana\"}]}");
    assertThat(sim.isUnsubscribed("ana@example.org")).isTrue();

    Answer deleted = call("DELETE", "/contact/li%40example.org", null);
    assertThat(deleted.code()).isEqualTo(204);
    assertThat(sim.contactExists("li@example.org")).isFalse();
    assertThat(sim.listsOf("li@example.org")).isEmpty();
    assertThat(sim.contactDeletions()).isEqualTo(1);
    assertThat(call("DELETE", "/contact/li%40example.org", null).code()).isEqualTo(404);
    assertThat(call("POST", "/contact/nobody%40example.org/unsubscribe", null).code())
        .isEqualTo(404);

    call(
        "POST",
        "/contacts",
        "{\"contacts\":[{\"Email\":\"mo@example.org\",\"unsubscribed\":true}]}");
    assertThat(sim.isUnsubscribed("mo@example.org")).isTrue();
  }

  @Test
  void removalsAreWritesForFaultsAndAreRateLimitedOneCallPerContact() throws IOException {
    String vip = sim.createList("VIP");
    sim.addListMember(vip, "ana@example.org");
    sim.addListMember(vip, "li@example.org");
    sim.faults().failWrite(sim.writeCount() + 1, 503);
    assertThat(call("DELETE", "/list/" + vip + "/contact/ana%40example.org", null).code())
        .isEqualTo(503);
    assertThat(sim.isMember(vip, "ana@example.org")).isTrue();

    sim.rateLimit(1, 1);
    assertThat(call("DELETE", "/list/" + vip + "/contact/ana%40example.org", null).code())
        .isEqualTo(200);
    Answer limited = call("DELETE", "/list/" + vip + "/contact/li%40example.org", null);
    assertThat(limited.code()).isEqualTo(429);
    assertThat(limited.json()).containsEntry("error", "Too Many Requests");
    assertThat(sim.isMember(vip, "li@example.org")).isTrue();
    assertThat(sim.listRemovals()).isEqualTo(1);
  }
}
