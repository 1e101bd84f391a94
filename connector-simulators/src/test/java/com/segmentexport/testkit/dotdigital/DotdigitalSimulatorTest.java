package com.segmentexport.testkit.dotdigital;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.testkit.dotdigital.DotdigitalSimulator.ThrottleStyle;
import com.squareup.moshi.JsonReader;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dotdigital simulator answers as the vendor documents, refusals included. */
class DotdigitalSimulatorTest {
  private static final String USER = "apiuser-1@apiconnector.com";
  private static final String PASSWORD = "secret-1";
  private static final MediaType JSON = MediaType.get("application/json");

  private final OkHttpClient client =
      new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
  private DotdigitalSimulator sim;
  private long book;

  /** What a call returned. */
  record Answer(int code, Map<String, Object> headers, Object json, String text) {
    Map<String, Object> object() {
      return cast(json);
    }
  }

  @BeforeEach
  void start() {
    sim = new DotdigitalSimulator(USER, PASSWORD).start();
    book = sim.ensureAddressBook("Book");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> cast(Object o) {
    return (Map<String, Object>) o;
  }

  private Answer call(String method, String path, String body, String authorization)
      throws IOException {
    HttpUrl url = HttpUrl.get(sim.baseUrl() + path);
    Request.Builder b = new Request.Builder().url(url);
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    b.method(
        method,
        body == null
            ? (method.equals("GET") ? null : RequestBody.create(new byte[0], JSON))
            : RequestBody.create(body, JSON));
    try (Response r = client.newCall(b.build()).execute()) {
      String text = r.body().string();
      Object json = null;
      if (!text.isEmpty()) {
        try (JsonReader reader = JsonReader.of(new Buffer().writeUtf8(text))) {
          json = reader.readJsonValue();
        } catch (IOException | RuntimeException e) {
          json = null;
        }
      }
      Map<String, Object> headers = new java.util.HashMap<>();
      r.headers()
          .forEach(
              p -> headers.put(p.getFirst().toLowerCase(java.util.Locale.ROOT), p.getSecond()));
      return new Answer(r.code(), headers, json, text);
    }
  }

  private Answer call(String method, String path, String body) throws IOException {
    return call(method, path, body, Credentials.basic(USER, PASSWORD));
  }

  private String contact(String email, String dataFields) {
    return "{\"matchIdentifier\":\"email\",\"identifiers\":{\"email\":\""
        + email
        + "\"}"
        + (dataFields == null ? "" : ",\"dataFields\":" + dataFields)
        + ",\"lists\":["
        + book
        + "]}";
  }

  private String importBody(String... contacts) {
    return "{\"contacts\":[" + String.join(",", contacts) + "]}";
  }

  private Map<String, Object> finishedReport(String importId) throws Exception {
    for (int i = 0; i < 100; i++) {
      Answer a = call("GET", "contacts/v3/import/" + importId, null);
      assertThat(a.code()).isEqualTo(200);
      if (!"NotFinished".equals(a.object().get("status"))) {
        return a.object();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("import never finished");
  }

  @Test
  void refusesBadCredentialsInEachApisShape() throws Exception {
    Answer v2 = call("GET", "v2/account-info", null, Credentials.basic(USER, "wrong"));
    assertThat(v2.code()).isEqualTo(401);
    assertThat(v2.object())
        .containsEntry("message", "Authorization has been denied for this request.");
    Answer v3 = call("PUT", "contacts/v3/import", importBody(contact("a@example.org", null)), null);
    assertThat(v3.code()).isEqualTo(401);
    assertThat(v3.text()).isEmpty();
    assertThat(sim.receivedEmailCount()).isZero();
  }

  @Test
  void accountInfoAnnouncesTheRegionalEndpointWithATrailingSlash() throws Exception {
    sim.accountRegion("r2");
    Answer info = call("GET", "v2/account-info", null);
    assertThat(info.code()).isEqualTo(200);
    List<Object> props = (List<Object>) info.object().get("properties");
    String endpoint =
        props.stream()
            .map(DotdigitalSimulatorTest::cast)
            .filter(p -> "ApiEndpoint".equals(p.get("name")))
            .map(p -> (String) p.get("value"))
            .findFirst()
            .orElseThrow();
    assertThat(endpoint).isEqualTo(sim.apiEndpoint() + "/").endsWith("/r2/");

    Answer wrongRegion = call("GET", "v2/address-books/" + book, null);
    assertThat(wrongRegion.code()).isEqualTo(403);
    assertThat(call("GET", "r2/v2/address-books/" + book, null).code()).isEqualTo(200);
    assertThat(call("GET", "r2/v2/account-info", null).code()).isEqualTo(200);
  }

  @Test
  void addressBooksAndDataFieldsFollowV2Rules() throws Exception {
    Answer missing = call("GET", "v2/address-books/999999", null);
    assertThat(missing.code()).isEqualTo(404);
    assertThat((String) missing.object().get("message")).endsWith("ERROR_ADDRESSBOOK_NOT_FOUND");
    assertThat(
            call("POST", "v2/address-books", "{\"name\":\"Book\"}")
                .object()
                .get("message")
                .toString())
        .endsWith("ERROR_ADDRESSBOOK_DUPLICATE");
    assertThat(call("POST", "v2/address-books", "{\"name\":\"Test\"}").code()).isEqualTo(400);
    assertThat(
            call("POST", "v2/address-books", "{\"name\":\"New\",\"visibility\":\"Private\"}")
                .code())
        .isEqualTo(201);

    List<Object> fields = (List<Object>) call("GET", "v2/data-fields", null).json();
    assertThat(fields)
        .extracting(f -> cast(f).get("name"))
        .contains("FIRSTNAME", "LASTNAME", "FULLNAME", "GENDER", "POSTCODE");
    Answer tooLong =
        call("POST", "v2/data-fields", "{\"name\":\"ABCDEFGHIJKLMNOPQRSTU\",\"type\":\"String\"}");
    assertThat(tooLong.code()).isEqualTo(400);
    assertThat(tooLong.object().get("message").toString()).endsWith("ERROR_PARAMETER_INVALID");
    assertThat(call("POST", "v2/data-fields", "{\"name\":\"TIER\",\"type\":\"Text\"}").code())
        .isEqualTo(400);
    assertThat(
            call(
                    "POST",
                    "v2/data-fields",
                    "{\"name\":\"TIER\",\"type\":\"String\",\"visibility\":\"Private\"}")
                .code())
        .isEqualTo(201);
    Answer again = call("POST", "v2/data-fields", "{\"name\":\"tier\",\"type\":\"String\"}");
    assertThat(again.code()).isEqualTo(400);
    assertThat(again.object())
        .containsEntry("message", "Field already exists. ERROR_NON_UNIQUE_DATAFIELD");
  }

  @Test
  void importIsAPutThatRefusesMalformedBodiesWithV3Errors() throws Exception {
    assertThat(
            call("POST", "contacts/v3/import", importBody(contact("a@example.org", null))).code())
        .isEqualTo(405);
    Answer badJson = call("PUT", "contacts/v3/import", "{\"contacts\":[");
    assertThat(badJson.code()).isEqualTo(400);
    assertThat(badJson.object()).containsEntry("errorCode", "contacts:badJson");
    Answer empty = call("PUT", "contacts/v3/import", "{\"contacts\":[]}");
    assertThat(empty.object()).containsEntry("errorCode", "contacts:badRequest");
    Answer noIds =
        call("PUT", "contacts/v3/import", "{\"contacts\":[{\"matchIdentifier\":\"email\"}]}");
    assertThat(noIds.code()).isEqualTo(400);
    assertThat(noIds.object()).containsEntry("description", "The Identifiers field is required");
    Answer unknownField =
        call("PUT", "contacts/v3/import", importBody(contact("a@example.org", "{\"NOPE\":\"x\"}")));
    assertThat(unknownField.code()).isEqualTo(400);
    assertThat(unknownField.text()).contains("NOPE");
    Answer badMerge =
        call(
            "PUT",
            "contacts/v3/import",
            "{\"mergeOption\":\"replace\",\"contacts\":[" + contact("a@example.org", null) + "]}");
    assertThat(badMerge.code()).isEqualTo(400);
    Answer unknownList =
        call(
            "PUT",
            "contacts/v3/import",
            "{\"contacts\":[{\"matchIdentifier\":\"email\","
                + "\"identifiers\":{\"email\":\"a@example.org\"},\"lists\":[424242]}]}");
    assertThat(unknownList.code()).isEqualTo(400);
    sim.maxImportBytes(200);
    Answer tooLarge =
        call(
            "PUT",
            "contacts/v3/import",
            importBody(
                contact("a@example.org", null),
                contact("b@example.org", null),
                contact("c@example.org", null)));
    assertThat(tooLarge.code()).isEqualTo(413);
    assertThat(tooLarge.object()).containsEntry("errorCode", "contacts:requestTooLarge");
    assertThat(sim.importsAccepted()).isZero();
    assertThat(sim.addressBookMembers(book)).isEmpty();
  }

  @Test
  void acceptedImportIsNotFinishedUntilProcessedThenReportsPerContact() throws Exception {
    sim.importProcessingTime(Duration.ofMillis(300)).rejectAddress("refused@example.org", null);
    Answer accepted =
        call(
            "PUT",
            "contacts/v3/import",
            importBody(
                contact("Ana@Example.org", "{\"FIRSTNAME\":\"Ana\",\"lastname\":\"Ruiz\"}"),
                contact("not-an-address", null),
                contact("ana@example.org", null),
                contact("refused@example.org", null)));
    assertThat(accepted.code()).isEqualTo(202);
    String importId = (String) accepted.object().get("importId");
    assertThat(call("GET", "contacts/v3/import/" + importId, null).object())
        .containsEntry("status", "NotFinished");
    Map<String, Object> report = finishedReport(importId);
    assertThat(report).containsEntry("status", "Finished");
    assertThat(cast(report.get("summary")))
        .containsEntry("newContacts", 1.0)
        .containsEntry("invalidEntries", 2.0)
        .containsEntry("duplicateIdentifiers", 1.0);
    assertThat((List<Object>) report.get("created")).hasSize(1);
    List<Object> failures = (List<Object>) report.get("failures");
    assertThat(failures)
        .extracting(f -> cast(((List<Object>) cast(f).get("failures")).get(0)).get("failureCode"))
        .containsExactlyInAnyOrder("invalidEmail", "duplicateIdentifier", "invalidEmail");
    assertThat(sim.addressBookMembers(book)).containsExactly("ana@example.org");
    assertThat(sim.contactDataFields("ana@example.org"))
        .containsEntry("FIRSTNAME", "Ana")
        .containsEntry("LASTNAME", "Ruiz");
    assertThat(
            call("GET", "contacts/v3/import/00000000-0000-0000-0000-000000000000", null).object())
        .containsEntry("errorCode", "contacts:importNotFound");
    assertThat(sim.maxBatchSize()).isEqualTo(4);
  }

  @Test
  void nullClearsADataFieldAndUpdatesAreReported() throws Exception {
    sim.importProcessingTime(Duration.ZERO);
    sim.addContact(
        "a@example.org",
        DotdigitalSimulator.SUBSCRIBED,
        Map.of("LASTNAME", "Old", "FIRSTNAME", "Ann"));
    String id =
        (String)
            call(
                    "PUT",
                    "contacts/v3/import",
                    importBody(contact("a@example.org", "{\"LASTNAME\":null}")))
                .object()
                .get("importId");
    Map<String, Object> report = finishedReport(id);
    assertThat((List<Object>) report.get("updated")).hasSize(1);
    assertThat(sim.contactDataFields("a@example.org"))
        .doesNotContainKey("LASTNAME")
        .containsEntry("FIRSTNAME", "Ann");
    assertThat(sim.nullDataFieldValuesReceived()).isEqualTo(1);
  }

  @Test
  void unsubscribedAndSuppressedContactsAreNeitherUpdatedNorAdded() throws Exception {
    sim.importProcessingTime(Duration.ZERO);
    sim.addContact(
        "left@example.org", DotdigitalSimulator.UNSUBSCRIBED, Map.of("FIRSTNAME", "Old"));
    sim.addContact("bounced@example.org", DotdigitalSimulator.SUPPRESSED, Map.of());
    String id =
        (String)
            call(
                    "PUT",
                    "contacts/v3/import",
                    importBody(
                        contact("left@example.org", "{\"FIRSTNAME\":\"New\"}"),
                        contact("bounced@example.org", null)))
                .object()
                .get("importId");
    Map<String, Object> report = finishedReport(id);
    assertThat(cast(report.get("summary"))).containsEntry("globallySuppressed", 2.0);
    assertThat((List<Object>) report.get("failures")).hasSize(2);
    assertThat(sim.contactStatus("left@example.org")).hasValue(DotdigitalSimulator.UNSUBSCRIBED);
    assertThat(sim.contactDataFields("left@example.org")).containsEntry("FIRSTNAME", "Old");
    assertThat(sim.addressBookMembers(book)).isEmpty();

    sim.listSuppressedContactsAsFailures(false);
    String second =
        (String)
            call("PUT", "contacts/v3/import", importBody(contact("left@example.org", null)))
                .object()
                .get("importId");
    Map<String, Object> countOnly = finishedReport(second);
    assertThat((List<Object>) countOnly.get("failures")).isEmpty();
    assertThat(cast(countOnly.get("summary"))).containsEntry("globallySuppressed", 1.0);

    // Only an explicit e-mail status changes it, as the vendor documents.
    String resub =
        (String)
            call(
                    "PUT",
                    "contacts/v3/import",
                    "{\"contacts\":[{\"matchIdentifier\":\"email\","
                        + "\"identifiers\":{\"email\":\"left@example.org\"},\"channelProperties\":{\"email\":{\"status\":\"subscribed\"}},"
                        + "\"lists\":["
                        + book
                        + "]}]}")
                .object()
                .get("importId");
    finishedReport(resub);
    assertThat(sim.contactStatus("left@example.org")).hasValue(DotdigitalSimulator.SUBSCRIBED);
    assertThat(sim.channelStatusesReceived()).isEqualTo(1);
  }

  @Test
  void theTwentySixthActiveImportIsRefusedWithoutRateLimitHeaders() throws Exception {
    sim.importProcessingTime(Duration.ofSeconds(30));
    for (int i = 0; i < DotdigitalSimulator.MAX_ACTIVE_IMPORTS; i++) {
      assertThat(
              call("PUT", "contacts/v3/import", importBody(contact("u" + i + "@example.org", null)))
                  .code())
          .isEqualTo(202);
    }
    Answer refused =
        call("PUT", "contacts/v3/import", importBody(contact("late@example.org", null)));
    assertThat(refused.code()).isEqualTo(429);
    assertThat(refused.object()).containsEntry("errorCode", "contacts:tooManyActiveImports");
    assertThat(refused.headers()).doesNotContainKey("x-ratelimit-reset");
    assertThat(sim.tooManyActiveImportsAnswers()).isEqualTo(1);
    assertThat(sim.receivedEmails()).doesNotContain("late@example.org");
  }

  @Test
  void rateLimitAnswersCarryTheTieredHeadersOrTheLegacyCode() throws Exception {
    sim.rateLimit(1, 1);
    call("GET", "v2/data-fields", null);
    Answer epoch = call("GET", "v2/data-fields", null);
    assertThat(epoch.code()).isEqualTo(429);
    assertThat(epoch.headers())
        .containsKeys("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-scope");
    long reset = Long.parseLong((String) epoch.headers().get("x-ratelimit-reset"));
    assertThat(reset)
        .isBetween(System.currentTimeMillis() / 1000, System.currentTimeMillis() / 1000 + 3);

    sim.throttleStyle(ThrottleStyle.TIERED_DELTA_RESET);
    Answer delta = call("GET", "v2/data-fields", null);
    assertThat(delta.code()).isEqualTo(429);
    assertThat(Long.parseLong((String) delta.headers().get("x-ratelimit-reset"))).isBetween(1L, 2L);

    sim.throttleStyle(ThrottleStyle.LEGACY_APIUSAGE_EXCEEDED);
    Answer legacy = call("GET", "v2/data-fields", null);
    assertThat(legacy.code()).isEqualTo(400);
    assertThat(legacy.object().get("message").toString()).endsWith("ERROR_APIUSAGE_EXCEEDED");
    assertThat(legacy.headers()).doesNotContainKey("x-ratelimit-reset");
  }

  @Test
  void forcedStatusesEndImportsWithoutApplyingThem() throws Exception {
    sim.importProcessingTime(Duration.ZERO).forceImportStatus("RejectedByWatchdog", 1);
    String id =
        (String)
            call("PUT", "contacts/v3/import", importBody(contact("a@example.org", null)))
                .object()
                .get("importId");
    assertThat(finishedReport(id)).containsEntry("status", "RejectedByWatchdog");
    assertThat(sim.addressBookMembers(book)).isEmpty();
    assertThat(sim.contactStatus("a@example.org")).isEmpty();
  }

  @Test
  void snapshotsAreEqualAfterARepeatedImport() throws Exception {
    sim.importProcessingTime(Duration.ZERO);
    String body =
        importBody(
            contact("a@example.org", "{\"FIRSTNAME\":\"A\"}"), contact("b@example.org", null));
    finishedReport((String) call("PUT", "contacts/v3/import", body).object().get("importId"));
    Object first = sim.snapshot();
    finishedReport((String) call("PUT", "contacts/v3/import", body).object().get("importId"));
    assertThat(sim.snapshot()).isEqualTo(first);
  }

  // ---- a contact's address changes ------------------------------------------------------------

  private static String newAddress(String email) {
    return "{\"identifiers\":{\"email\":\"" + email + "\"}}";
  }

  @Test
  @SuppressWarnings("unchecked")
  void aPatchByContactIdGivesTheSameContactTheNewAddressWithItsStatusFieldsAndLists()
      throws Exception {
    sim.addDataField("PROFILEID", "String");
    sim.addContact(
        "old@example.org",
        DotdigitalSimulator.UNSUBSCRIBED,
        Map.of("PROFILEID", "p-1", "FIRSTNAME", "Ana"));
    sim.addToAddressBook(book, "old@example.org");
    Answer read = call("GET", "contacts/v3/email/old%40example.org", null);
    assertThat(read.code()).isEqualTo(200);
    long id = ((Number) read.object().get("contactId")).longValue();
    assertThat((List<Object>) read.object().get("lists")).hasSize(1);

    Answer a =
        call(
            "PATCH",
            "contacts/v3/contactId/" + id + "?merge-option=overwrite",
            newAddress("New@Example.org"));

    assertThat(a.code()).isEqualTo(200);
    assertThat(((Number) a.object().get("contactId")).longValue()).isEqualTo(id);
    assertThat(a.object().get("identifiers")).isEqualTo(Map.of("email", "new@example.org"));
    assertThat(sim.contactId("new@example.org")).hasValue(id);
    assertThat(sim.contactId("old@example.org")).isEmpty();
    assertThat(sim.contactStatus("new@example.org")).hasValue(DotdigitalSimulator.UNSUBSCRIBED);
    assertThat(sim.contactDataFields("new@example.org"))
        .containsEntry("PROFILEID", "p-1")
        .containsEntry("FIRSTNAME", "Ana");
    assertThat(sim.addressBookMembers(book)).containsExactly("new@example.org");
    assertThat(sim.addressBooksOf("new@example.org")).containsExactly("Book");
    assertThat(sim.contactsWith("PROFILEID", "p-1")).isEqualTo(1);
    assertThat(sim.addressChanges()).isEqualTo(1);
    Answer gone = call("GET", "contacts/v3/email/old%40example.org", null);
    assertThat(gone.code()).isEqualTo(404);
    assertThat(gone.object()).containsEntry("errorCode", "contacts:contactNotFound");

    // Repeating it changes nothing: the contact already has the address.
    assertThat(call("PATCH", "contacts/v3/contactId/" + id, newAddress("new@example.org")).code())
        .isEqualTo(200);
    assertThat(sim.addressChanges()).isEqualTo(1);
    assertThat(sim.contactsWith("PROFILEID", "p-1")).isEqualTo(1);
  }

  @Test
  void aTakenNewAddressIsAnIdentifierConflictAndChangesNothing() throws Exception {
    sim.addContact("old@example.org", DotdigitalSimulator.SUBSCRIBED, Map.of("FIRSTNAME", "Ana"));
    sim.addContact("taken@example.org", DotdigitalSimulator.SUBSCRIBED, Map.of("FIRSTNAME", "Bo"));
    Answer a =
        call("PATCH", "contacts/v3/email/old%40example.org", newAddress("taken@example.org"));
    assertThat(a.code()).isEqualTo(409);
    assertThat(a.object()).containsEntry("errorCode", "contacts:idAlreadyExists");
    assertThat((String) a.object().get("description")).endsWith("All identifiers must be unique!");
    assertThat(sim.contactDataFields("old@example.org")).containsEntry("FIRSTNAME", "Ana");
    assertThat(sim.contactDataFields("taken@example.org")).containsEntry("FIRSTNAME", "Bo");
    assertThat(
            call("PATCH", "contacts/v3/email/old%40example.org", newAddress("not-an-address"))
                .object())
        .containsEntry("errorCode", "contacts:invalidId");
    assertThat(sim.addressChanges()).isZero();
  }

  @Test
  void anUnknownContactIsNotFoundOnReadAndCreatedByThePatchAsDocumented() throws Exception {
    assertThat(call("GET", "contacts/v3/contactId/99", null).code()).isEqualTo(404);
    assertThat(call("GET", "contacts/v3/email/bad-address", null).object())
        .containsEntry("errorCode", "contacts:invalidId");
    assertThat(call("GET", "contacts/v3/mobileNumber/447123123123", null).code()).isEqualTo(400);

    Answer created = call("PATCH", "contacts/v3/contactId/99", newAddress("new@example.org"));
    assertThat(created.code()).isEqualTo(201);
    assertThat(sim.contactId("new@example.org")).isPresent();
    assertThat(sim.contactsCreatedByPatch()).isEqualTo(1);
    assertThat(sim.addressChanges()).isZero();
    assertThat(
            call("PATCH", "contacts/v3/contactId/98", "{\"dataFields\":{\"FIRSTNAME\":\"x\"}}")
                .code())
        .isEqualTo(400);
  }

  @Test
  void patchBodiesAreParsedStrictly() throws Exception {
    sim.addContact("old@example.org", DotdigitalSimulator.SUBSCRIBED, Map.of());
    String path = "contacts/v3/email/old%40example.org";
    assertThat(call("PATCH", path, "not json").object())
        .containsEntry("errorCode", "contacts:badJson");
    assertThat(
            call("PATCH", path, "{\"identifiers\":{\"email\":\"n@example.org\"},\"colour\":1}")
                .code())
        .isEqualTo(400);
    assertThat(call("PATCH", path, "{\"dataFields\":{\"NOPE\":\"x\"}}").code()).isEqualTo(400);
    assertThat(call("PATCH", path, "{\"lists\":[123456]}").code()).isEqualTo(400);
    assertThat(call("PATCH", path + "?merge-option=sometimes", newAddress("n@example.org")).code())
        .isEqualTo(400);
    assertThat(sim.contactId("old@example.org")).isPresent();
    assertThat(sim.contactPatches()).isZero();
  }

  @Test
  void thePatchIsAWriteForFaultsAndIsRateLimitedInTheMediumTier() throws Exception {
    sim.addContact("old@example.org", DotdigitalSimulator.SUBSCRIBED, Map.of());
    sim.faults().failWriteAfterApplying(sim.writeCount() + 1, 504);
    assertThat(
            call("PATCH", "contacts/v3/email/old%40example.org", newAddress("new@example.org"))
                .code())
        .isEqualTo(504);
    assertThat(sim.contactId("new@example.org")).isPresent();

    sim.rateLimit(1, 1);
    assertThat(call("GET", "contacts/v3/email/new%40example.org", null).code()).isEqualTo(200);
    Answer limited =
        call("PATCH", "contacts/v3/email/new%40example.org", newAddress("newer@example.org"));
    assertThat(limited.code()).isEqualTo(429);
    assertThat(limited.headers()).containsEntry("x-ratelimit-scope", "Medium");
    assertThat(sim.contactId("new@example.org")).isPresent();
  }

  // ---- a member leaves the address book -------------------------------------------------------

  private long id(String email) {
    return sim.contactId(email).orElseThrow();
  }

  private Answer removeIds(long bookId, String ids) throws IOException {
    return call("POST", "v2/address-books/" + bookId + "/contacts/delete", ids);
  }

  @Test
  void aBulkRemovalByContactIdTakesContactsOutOfThatBookOnly() throws Exception {
    long other = sim.ensureAddressBook("Other");
    sim.addDataField("TIER", "String");
    sim.addContact("ana@example.org", DotdigitalSimulator.SUBSCRIBED, Map.of("TIER", "gold"));
    sim.addContact("li@example.org", DotdigitalSimulator.SUBSCRIBED, Map.of());
    sim.addContact("mo@example.org", DotdigitalSimulator.SUBSCRIBED, Map.of());
    for (String e : List.of("ana@example.org", "li@example.org", "mo@example.org")) {
      sim.addToAddressBook(book, e);
    }
    sim.addToAddressBook(other, "ana@example.org");

    Answer a = removeIds(book, "[" + id("ana@example.org") + "," + id("li@example.org") + "]");

    assertThat(a.code()).isEqualTo(202);
    assertThat(a.object()).containsEntry("status", "Started").containsKey("id");
    assertThat(sim.addressBookMembers(book)).containsExactly("mo@example.org");
    assertThat(sim.isMember(other, "ana@example.org")).isTrue();
    assertThat(sim.contactExists("ana@example.org")).isTrue();
    assertThat(sim.contactStatus("ana@example.org")).contains(DotdigitalSimulator.SUBSCRIBED);
    assertThat(sim.contactDataFields("ana@example.org")).containsEntry("TIER", "gold");
    assertThat(sim.isUnsubscribedFrom(book, "ana@example.org")).isFalse();
    assertThat(sim.bookRemovals()).isEqualTo(2);
    assertThat(sim.bulkRemovalsAccepted()).isEqualTo(1);

    String job = (String) a.object().get("id");
    String status = "Started";
    for (int i = 0; i < 100 && status.equals("Started"); i++) {
      Answer s = call("GET", "v2/contacts/deletion/" + job, null);
      assertThat(s.code()).isEqualTo(200);
      status = (String) s.object().get("status");
      Thread.sleep(20);
    }
    assertThat(status).isEqualTo("Completed");
  }

  @Test
  void idsNotInTheBookOrUnknownChangeNothingAndARemovedContactCanBeImportedBack() throws Exception {
    sim.addContact("ana@example.org", DotdigitalSimulator.SUBSCRIBED, Map.of());
    Object before = sim.snapshot();
    assertThat(removeIds(book, "[" + id("ana@example.org") + ",999999]").code()).isEqualTo(202);
    assertThat(sim.snapshot()).isEqualTo(before);
    assertThat(sim.bookRemovalNoOps()).isEqualTo(2);

    sim.addToAddressBook(book, "ana@example.org");
    removeIds(book, "[" + id("ana@example.org") + "]");
    assertThat(sim.isMember(book, "ana@example.org")).isFalse();
    Answer imported =
        call("PUT", "contacts/v3/import", importBody(contact("ana@example.org", null)));
    finishedReport((String) imported.object().get("importId"));
    assertThat(sim.isMember(book, "ana@example.org")).isTrue();
  }

  @Test
  void removalBodiesAreBareArraysOfIntegerIdsUpToTheCap() throws Exception {
    sim.addContact("ana@example.org", DotdigitalSimulator.SUBSCRIBED, Map.of());
    sim.addToAddressBook(book, "ana@example.org");
    assertThat(removeIds(book, "[\"ana@example.org\"]").code()).isEqualTo(400);
    assertThat(removeIds(book, "{\"contactIds\":[" + id("ana@example.org") + "]}").code())
        .isEqualTo(400);
    assertThat(removeIds(book, "[]").code()).isEqualTo(400);
    assertThat(removeIds(book, "[1.5]").code()).isEqualTo(400);
    Answer unknownBook = removeIds(999, "[" + id("ana@example.org") + "]");
    assertThat(unknownBook.code()).isEqualTo(404);
    assertThat((String) unknownBook.object().get("message"))
        .endsWith("ERROR_ADDRESSBOOK_NOT_FOUND");

    StringBuilder ids = new StringBuilder("[");
    for (int i = 0; i <= DotdigitalSimulator.MAX_BULK_REMOVAL_IDS; i++) {
      ids.append(i == 0 ? "" : ",").append(id("ana@example.org"));
    }
    Answer tooMany = removeIds(book, ids.append("]").toString());
    assertThat(tooMany.code()).isEqualTo(400);
    assertThat((String) tooMany.object().get("message")).endsWith("ERROR_PARAMETER_INVALID");
    assertThat(sim.isMember(book, "ana@example.org")).isTrue();
    sim.maxBulkRemovalIds(2);
    assertThat(removeIds(book, "[1,2,3]").code()).isEqualTo(400);
    assertThat(removeIds(book, "[" + id("ana@example.org") + ",2]").code()).isEqualTo(202);
    assertThat(sim.isMember(book, "ana@example.org")).isFalse();
    assertThat(sim.maxBatchSize()).isEqualTo(2);
  }

  @Test
  void theSingleRemovalTakesOneContactOut() throws Exception {
    sim.addContact("ana@example.org", DotdigitalSimulator.SUBSCRIBED, Map.of());
    sim.addToAddressBook(book, "ana@example.org");
    assertThat(
            call("DELETE", "v2/address-books/" + book + "/contacts/" + id("ana@example.org"), null)
                .code())
        .isEqualTo(204);
    assertThat(sim.isMember(book, "ana@example.org")).isFalse();
    assertThat(sim.contactExists("ana@example.org")).isTrue();
    assertThat(call("DELETE", "v2/address-books/" + book + "/contacts/999999", null).code())
        .isEqualTo(404);
  }

  @Test
  void unsubscribesAndContactDeletesAreVisibleForWhatTheyAre() throws Exception {
    for (String e :
        List.of("ana@example.org", "li@example.org", "mo@example.org", "jo@example.org")) {
      sim.addContact(e, DotdigitalSimulator.SUBSCRIBED, Map.of());
      sim.addToAddressBook(book, e);
    }

    Answer bookUnsub =
        call(
            "POST",
            "v2/address-books/" + book + "/contacts/unsubscribe",
            "{\"email\":\"ana@example.org\"}");
    assertThat(bookUnsub.code()).isEqualTo(200);
    assertThat(bookUnsub.object())
        .containsEntry("reason", "Unsubscribed")
        .containsKey("suppressedContact");
    assertThat(sim.isUnsubscribedFrom(book, "ana@example.org")).isTrue();
    assertThat(sim.isMember(book, "ana@example.org")).isFalse();
    Answer imported =
        call("PUT", "contacts/v3/import", importBody(contact("ana@example.org", null)));
    finishedReport((String) imported.object().get("importId"));
    assertThat(sim.isMember(book, "ana@example.org")).isFalse();

    assertThat(call("POST", "v2/contacts/unsubscribe", "{\"email\":\"li@example.org\"}").code())
        .isEqualTo(200);
    assertThat(sim.contactStatus("li@example.org")).contains(DotdigitalSimulator.UNSUBSCRIBED);
    assertThat(sim.accountUnsubscribes()).isEqualTo(1);

    assertThat(call("DELETE", "v2/contacts/" + id("mo@example.org"), null).code()).isEqualTo(204);
    assertThat(sim.contactExists("mo@example.org")).isFalse();
    assertThat(call("DELETE", "contacts/v3/email/jo%40example.org", null).code()).isEqualTo(200);
    assertThat(sim.contactExists("jo@example.org")).isFalse();
    assertThat(sim.addressBookMembers(book))
        .containsExactly("li@example.org"); // unsubscribed, still a member
    assertThat(sim.contactDeletions()).isEqualTo(2);
    assertThat(sim.bookUnsubscribes()).isEqualTo(1);
    assertThat(sim.bookRemovals()).isZero();
    assertThat(call("POST", "v2/contacts/unsubscribe", "{\"email\":\"nobody@example.org\"}").code())
        .isEqualTo(404);
  }

  @Test
  void removalsAreWritesForFaultsAndAreRateLimitedInTheMediumTier() throws Exception {
    sim.addContact("ana@example.org", DotdigitalSimulator.SUBSCRIBED, Map.of());
    sim.addToAddressBook(book, "ana@example.org");
    sim.faults().failWrite(sim.writeCount() + 1, 503);
    assertThat(removeIds(book, "[" + id("ana@example.org") + "]").code()).isEqualTo(503);
    assertThat(sim.isMember(book, "ana@example.org")).isTrue();

    sim.rateLimit(1, 1);
    assertThat(call("GET", "v2/address-books", null).code()).isEqualTo(200);
    Answer limited = removeIds(book, "[" + id("ana@example.org") + "]");
    assertThat(limited.code()).isEqualTo(429);
    assertThat(limited.headers()).containsEntry("x-ratelimit-scope", "Medium");
    assertThat(sim.isMember(book, "ana@example.org")).isTrue();
  }
}
