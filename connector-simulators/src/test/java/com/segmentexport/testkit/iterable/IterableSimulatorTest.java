package com.segmentexport.testkit.iterable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.squareup.moshi.JsonReader;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
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

/** The Iterable simulator answers as Iterable documents, refusals included. */
@SuppressWarnings("unchecked")
class IterableSimulatorTest {
  private static final String KEY = "key-1";
  private static final MediaType JSON = MediaType.get("application/json");

  private final OkHttpClient client =
      new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
  private IterableSimulator sim;
  private long list;

  /** What a call returned. */
  record Answer(int code, String retryAfter, Map<String, Object> json) {
    String vendorCode() {
      return (String) json.get("code");
    }
  }

  @BeforeEach
  void start() {
    sim = new IterableSimulator(KEY).start();
    list = sim.createList("Buyers", "Standard");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Answer call(String method, String path, String body, String key) throws IOException {
    Request.Builder b = new Request.Builder().url(sim.url(path));
    if (key != null) {
      b.header("Api-Key", key);
    }
    b.method(method, body == null ? null : RequestBody.create(body, JSON));
    try (Response r = client.newCall(b.build()).execute()) {
      String text = r.body().string();
      Object json;
      try (JsonReader reader = JsonReader.of(new Buffer().writeUtf8(text))) {
        json = reader.readJsonValue();
      } catch (IOException | RuntimeException e) {
        json = Map.of("text", text);
      }
      return new Answer(r.code(), r.header("Retry-After"), (Map<String, Object>) json);
    }
  }

  private Answer subscribe(String body) throws IOException {
    return call("POST", "/api/lists/subscribe", body, KEY);
  }

  private String subscribers(String... emails) {
    StringBuilder b = new StringBuilder("{\"listId\":" + list + ",\"subscribers\":[");
    for (int i = 0; i < emails.length; i++) {
      b.append(i == 0 ? "" : ",").append("{\"email\":\"").append(emails[i]).append("\"}");
    }
    return b.append("]}").toString();
  }

  @Test
  void aMissingOrWrongApiKeyIsBadApiKey() throws IOException {
    for (String key : new String[] {null, "nope"}) {
      Answer a = call("GET", "/api/lists", null, key);
      assertThat(a.code).isEqualTo(401);
      assertThat(a.vendorCode()).isEqualTo("BadApiKey");
    }
    Answer asQuery = call("GET", "/api/lists?api_key=" + KEY, null, null);
    assertThat(asQuery.code).isEqualTo(401);
  }

  @Test
  void listsAreListedAndCreated() throws IOException {
    sim.createList("Engaged", "Dynamic");
    Answer created = call("POST", "/api/lists", "{\"name\":\"New list\"}", KEY);
    assertThat(created.code).isEqualTo(200);
    assertThat(created.json()).containsKey("listId");
    List<?> lists = (List<Object>) call("GET", "/api/lists", null, KEY).json().get("lists");
    assertThat(lists)
        .hasSize(3)
        .allSatisfy(
            l ->
                assertThat((Map<String, Object>) l)
                    .containsKeys("id", "name", "listType", "createdAt"));
    assertThat(sim.listIds("New list", "Standard")).hasSize(1);
    assertThat(call("POST", "/api/lists", "{\"title\":\"x\"}", KEY).code).isEqualTo(400);
  }

  @Test
  void subscribeUpsertsUsersAndAddsThemToTheList() throws IOException {
    Answer a =
        subscribe(
            "{\"listId\":"
                + list
                + ",\"subscribers\":[{\"email\":\"Ana@Example.org\","
                + "\"dataFields\":{\"firstName\":\"Ana\"}}],\"updateExistingUsersOnly\":false}");
    assertThat(a.code).isEqualTo(200);
    assertThat(a.json()).containsEntry("successCount", 1.0).containsEntry("failCount", 0.0);
    assertThat(sim.members("Buyers")).containsExactly("ana@example.org");
    assertThat(sim.dataFields("ana@example.org")).containsEntry("firstName", "Ana");
  }

  @Test
  void subscribeBodiesAreParsedStrictly() throws IOException {
    assertThat(subscribe("{\"subscribers\":[]}").vendorCode()).isEqualTo("BadParams");
    assertThat(subscribe("{\"listId\":" + list + ",\"subscribers\":[],\"extra\":1}").vendorCode())
        .isEqualTo("BadJsonBody");
    assertThat(
            subscribe("{\"listId\":" + list + ",\"subscribers\":[{\"mail\":\"a@b.org\"}]}")
                .vendorCode())
        .isEqualTo("BadJsonBody");
    assertThat(
            subscribe("{\"listId\":" + list + ",\"subscribers\":[{\"dataFields\":{}}]}")
                .vendorCode())
        .isEqualTo("BadParams");
    assertThat(subscribe("not json").code).isEqualTo(400);
  }

  @Test
  void batchLimitsAreEnforced() throws IOException {
    String[] many = new String[IterableSimulator.MAX_SUBSCRIBERS + 1];
    for (int i = 0; i < many.length; i++) {
      many[i] = "u" + i + "@example.org";
    }
    assertThat(subscribe(subscribers(many)).vendorCode()).isEqualTo("BatchTooLarge");
    String huge =
        "{\"listId\":"
            + list
            + ",\"subscribers\":[{\"email\":\"a@example.org\",\"dataFields\":{\"x\":\""
            + "y".repeat((int) IterableSimulator.MAX_BODY_BYTES)
            + "\"}}]}";
    assertThat(subscribe(huge).code).isEqualTo(413);
    assertThat(sim.members("Buyers")).isEmpty();
  }

  @Test
  void withoutTheLogOfReceivedAddressesTheUsersAndMembersAreKeptAndCounted() throws IOException {
    sim.recordReceivedEmails(false);
    assertThat(subscribe(subscribers("a@example.org", "b@example.org")).code).isEqualTo(200);

    assertThat(sim.members("Buyers")).containsExactly("a@example.org", "b@example.org");
    assertThat(sim.hasUser("a@example.org")).isTrue();
    assertThat(sim.receivedEmailCount()).isEqualTo(2);
    assertThat(sim.receivedEmails()).isEmpty();

    sim.recordReceivedEmails(true);
    assertThat(subscribe(subscribers("c@example.org")).code).isEqualTo(200);
    assertThat(sim.receivedEmails()).containsExactly("c@example.org");
  }

  @Test
  void unknownAndFreshListsAreInvalidListId() throws IOException {
    Answer unknown = subscribe("{\"listId\":1,\"subscribers\":[{\"email\":\"a@example.org\"}]}");
    assertThat(unknown.code).isEqualTo(400);
    assertThat((String) unknown.json().get("msg")).contains("invalidListId");

    sim.freshListRejections(2);
    list = sim.createList("Fresh", "Standard");
    assertThat(subscribe(subscribers("a@example.org")).code).isEqualTo(400);
    assertThat(subscribe(subscribers("a@example.org")).code).isEqualTo(400);
    assertThat(subscribe(subscribers("a@example.org")).code).isEqualTo(200);

    list = sim.createList("Engaged", "Dynamic");
    assertThat(subscribe(subscribers("a@example.org")).code).isEqualTo(400);
  }

  @Test
  void theListIsLookedUpBeforeTheSubscribersAreRead() throws IOException {
    sim.freshListRejections(1);
    list = sim.createList("Fresh", "Standard");
    String unknownMember =
        "{\"subscribers\":[{\"email\":\"a@example.org\",\"shoeSize\":44}],\"listId\":" + list + "}";

    Answer fresh = subscribe(unknownMember);
    Answer then = subscribe(unknownMember);

    assertThat(fresh.code).isEqualTo(400);
    assertThat((String) fresh.json().get("msg")).contains("invalidListId");
    assertThat(then.code).isEqualTo(400); // the body is read, and refused, once the list is usable
    assertThat(then.vendorCode()).isEqualTo("BadJsonBody");
    assertThat(subscribe(subscribers("a@example.org")).code).isEqualTo(200);
    assertThat(sim.members("Fresh")).containsExactly("a@example.org");
  }

  @Test
  void perRecordFailuresComeBackLowerCasedInFailedUpdates() throws IOException {
    sim.rejectAddress("gone@example.org", "forgottenEmails");
    Answer a = subscribe(subscribers("Gone@Example.org", "not-an-email@@x", "ok@example.org"));
    assertThat(a.code).isEqualTo(200);
    Map<?, ?> failed = (Map<String, Object>) a.json().get("failedUpdates");
    assertThat((List<Object>) failed.get("forgottenEmails")).containsExactly("gone@example.org");
    assertThat((List<Object>) failed.get("invalidEmails")).containsExactly("not-an-email@@x");
    assertThat(a.json()).containsEntry("successCount", 1.0).containsEntry("failCount", 2.0);
    assertThat(sim.members("Buyers")).containsExactly("ok@example.org");

    sim.legacyResponses(true);
    Answer legacy = subscribe(subscribers("bad@@x"));
    assertThat(legacy.json()).doesNotContainKey("failedUpdates");
    assertThat((List<Object>) legacy.json().get("invalidEmails")).containsExactly("bad@@x");
    assertThatThrownBy(() -> sim.rejectAddress("a@example.org", "noSuchCategory"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aFieldTypeClashRejectsTheWholeRequestOrTheUser() throws IOException {
    assertThat(
            subscribe(
                    "{\"listId\":"
                        + list
                        + ",\"subscribers\":[{\"email\":\"a@example.org\",\"dataFields\":"
                        + "{\"signupDate\":\"2024-01-02 10:00:00 +00:00\"}}]}")
                .code)
        .isEqualTo(200);
    assertThat(sim.fieldTypes()).containsEntry("signupDate", "date");
    String clash =
        "{\"listId\":"
            + list
            + ",\"subscribers\":[{\"email\":\"b@example.org\"},{\"email\":\"c@example.org\","
            + "\"dataFields\":{\"signupDate\":\"GGG\"}}]}";
    Answer whole = subscribe(clash);
    assertThat(whole.code).isEqualTo(400);
    assertThat(whole.vendorCode()).isEqualTo("RequestFieldsTypesMismatched");
    Map<String, Object> error =
        (Map<String, Object>)
            ((Map<String, Object>)
                    ((Map<String, Object>) whole.json().get("params")).get("validationErrors"))
                .get("signupDate");
    assertThat(error)
        .containsEntry("expectedType", "date")
        .containsEntry("incomingTypes", List.of("string", "keyword"))
        .containsEntry("offendingValue", "GGG")
        .containsEntry("_type", "UnexpectedType");
    assertThat(sim.members("Buyers")).containsExactly("a@example.org");

    sim.typeMismatchPerRecord(true);
    Answer perUser = subscribe(clash);
    assertThat(perUser.code).isEqualTo(200);
    assertThat(
            (List<Object>)
                ((Map<String, Object>) perUser.json().get("failedUpdates"))
                    .get("invalidDataEmails"))
        .containsExactly("c@example.org");
    assertThat(sim.members("Buyers")).containsExactlyInAnyOrder("a@example.org", "b@example.org");
  }

  @Test
  void rateLimitIsAnsweredWithRateLimitExceeded() throws IOException {
    sim.rateLimit(1, 1);
    assertThat(call("GET", "/api/lists", null, KEY).code).isEqualTo(200);
    Answer limited = call("GET", "/api/lists", null, KEY);
    assertThat(limited.code).isEqualTo(429);
    assertThat(limited.vendorCode()).isEqualTo("RateLimitExceeded");
    assertThat(limited.retryAfter).isNotNull();

    sim.noRateLimit();
    sim.retryAfterHeader(false).faults().throttleWrite(1, Duration.ofSeconds(2));
    Answer noHeader = subscribe(subscribers("a@example.org"));
    assertThat(noHeader.code).isEqualTo(429);
    assertThat(noHeader.retryAfter).isNull();
  }

  @Test
  void snapshotsCompareState() throws IOException {
    subscribe(subscribers("a@example.org"));
    Object before = sim.snapshot();
    subscribe(subscribers("a@example.org"));
    assertThat(sim.snapshot()).isEqualTo(before);
    subscribe(subscribers("b@example.org"));
    assertThat(sim.snapshot()).isNotEqualTo(before);
  }

  // ---- a profile's address changes ------------------------------------------------------------

  private Answer updateEmail(String body) throws IOException {
    return call("POST", "/api/users/updateEmail", body, KEY);
  }

  @Test
  void updateEmailMovesTheUserItsDataAndItsListsToTheNewAddress() throws IOException {
    long other = sim.createList("Newsletter", "Standard");
    sim.addUser("old@example.org", Map.of("profileId", "p-1", "tier", "gold"));
    sim.addListMember(list, "old@example.org");
    sim.addListMember(other, "old@example.org");

    Answer a =
        updateEmail("{\"currentEmail\":\"Old@Example.org\",\"newEmail\":\"New@Example.org\"}");

    assertThat(a.code).isEqualTo(200);
    assertThat(a.vendorCode()).isEqualTo("Success");
    assertThat(sim.hasUser("old@example.org")).isFalse();
    assertThat(sim.dataFields("new@example.org"))
        .containsEntry("profileId", "p-1")
        .containsEntry("tier", "gold");
    assertThat(sim.listsOf("new@example.org")).containsExactly("Buyers", "Newsletter");
    assertThat(sim.listsOf("old@example.org")).isEmpty();
    assertThat(sim.usersWith("profileId", "p-1")).isEqualTo(1);
    assertThat(sim.addressChanges()).isEqualTo(1);
    Map<String, Object> user =
        (Map<String, Object>)
            call("GET", "/api/users/getByEmail?email=new%40example.org", null, KEY)
                .json()
                .get("user");
    assertThat(user).containsEntry("email", "new@example.org");
    assertThat(call("GET", "/api/users/getByEmail?email=old%40example.org", null, KEY).json())
        .isEmpty();
  }

  @Test
  void anUnknownCurrentUserIsBadParamsAndChangesNothing() throws IOException {
    Answer a =
        updateEmail("{\"currentEmail\":\"nobody@example.org\",\"newEmail\":\"new@example.org\"}");
    assertThat(a.code).isEqualTo(400);
    assertThat(a.vendorCode()).isEqualTo("BadParams");
    assertThat((String) a.json().get("msg"))
        .isEqualTo(
            "Cannot change user Some(nobody@example.org) to new@example.org. User does not exist");
    assertThat(sim.hasUser("new@example.org")).isFalse();
    assertThat(sim.addressChanges()).isZero();
    assertThat(sim.addressChangeRefusals()).isEqualTo(1);
  }

  @Test
  void aTakenNewAddressIsEmailAlreadyExistsAndNeverMerges() throws IOException {
    sim.addUser("old@example.org", Map.of("profileId", "p-1"));
    sim.addUser("taken@example.org", Map.of("profileId", "p-2"));
    Answer a =
        updateEmail("{\"currentEmail\":\"old@example.org\",\"newEmail\":\"taken@example.org\"}");
    assertThat(a.code).isEqualTo(409);
    assertThat(a.vendorCode()).isEqualTo("EmailAlreadyExists");
    assertThat((String) a.json().get("msg")).endsWith("New email already exists");
    assertThat(sim.dataFields("old@example.org")).containsEntry("profileId", "p-1");
    assertThat(sim.dataFields("taken@example.org")).containsEntry("profileId", "p-2");

    sim.emailConflictStatus(400);
    assertThat(
            updateEmail("{\"currentEmail\":\"old@example.org\",\"newEmail\":\"TAKEN@example.org\"}")
                .code)
        .isEqualTo(400);
    Answer same =
        updateEmail("{\"currentEmail\":\"old@example.org\",\"newEmail\":\"Old@example.org\"}");
    assertThat(same.vendorCode()).isEqualTo("EmailAlreadyExists");
    assertThatThrownBy(() -> sim.emailConflictStatus(422))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(sim.addressChanges()).isZero();
  }

  @Test
  void aForgottenNewAddressIsRefusedToo() throws IOException {
    sim.addUser("old@example.org", Map.of());
    sim.rejectAddress("gone@example.org", "forgottenEmails");
    Answer a =
        updateEmail("{\"currentEmail\":\"old@example.org\",\"newEmail\":\"gone@example.org\"}");
    assertThat(a.vendorCode()).isEqualTo("EmailAlreadyExists");
    assertThat((String) a.json().get("msg")).endsWith("New email is on the forgotten list");
    assertThat(sim.hasUser("old@example.org")).isTrue();
  }

  @Test
  void updateEmailBodiesAreParsedStrictlyAndCurrentEmailWinsOverCurrentUserId() throws IOException {
    sim.addUser("old@example.org", Map.of("userId", "u-1"));
    sim.addUser("other@example.org", Map.of("userId", "u-2"));
    assertThat(updateEmail("{\"currentEmail\":\"old@example.org\"}").vendorCode())
        .isEqualTo("BadParams");
    assertThat(updateEmail("{\"newEmail\":\"n@example.org\"}").vendorCode()).isEqualTo("BadParams");
    assertThat(
            updateEmail(
                    "{\"currentEmail\":\"old@example.org\",\"newEmail\":\"n@example.org\",\"x\":1}")
                .vendorCode())
        .isEqualTo("BadJsonBody");
    assertThat(
            updateEmail("{\"currentEmail\":\"old@example.org\",\"newEmail\":\"not-an-address\"}")
                .vendorCode())
        .isEqualTo("InvalidEmailAddressError");
    assertThat(updateEmail("not json").code).isEqualTo(400);

    assertThat(
            updateEmail(
                    "{\"currentUserId\":\"u-2\",\"currentEmail\":\"old@example.org\","
                        + "\"newEmail\":\"n@example.org\"}")
                .code)
        .isEqualTo(200);
    assertThat(sim.dataFields("n@example.org")).containsEntry("userId", "u-1");
    assertThat(updateEmail("{\"currentUserId\":\"u-2\",\"newEmail\":\"m@example.org\"}").code)
        .isEqualTo(200);
    assertThat(sim.dataFields("m@example.org")).containsEntry("userId", "u-2");
    assertThat(sim.addressChanges()).isEqualTo(2);
  }

  @Test
  void updateEmailIsAWriteForFaultsAndIsRateLimited() throws IOException {
    sim.addUser("old@example.org", Map.of());
    sim.faults().failWrite(1, 503);
    assertThat(
            updateEmail("{\"currentEmail\":\"old@example.org\",\"newEmail\":\"new@example.org\"}")
                .code)
        .isEqualTo(503);
    assertThat(sim.hasUser("old@example.org")).isTrue();

    sim.faults().failWriteAfterApplying(2, 504);
    assertThat(
            updateEmail("{\"currentEmail\":\"old@example.org\",\"newEmail\":\"new@example.org\"}")
                .code)
        .isEqualTo(504);
    assertThat(sim.hasUser("new@example.org")).isTrue();
    assertThat(sim.addressChanges()).isEqualTo(1);

    sim.rateLimit(1, 1);
    assertThat(call("GET", "/api/users/getByEmail?email=new%40example.org", null, KEY).code)
        .isEqualTo(200);
    Answer limited =
        updateEmail("{\"currentEmail\":\"new@example.org\",\"newEmail\":\"newer@example.org\"}");
    assertThat(limited.code).isEqualTo(429);
    assertThat(limited.vendorCode()).isEqualTo("RateLimitExceeded");
    assertThat(sim.hasUser("new@example.org")).isTrue();
  }

  // ---- a member leaves the list ---------------------------------------------------------------

  private Answer unsubscribe(String body) throws IOException {
    return call("POST", "/api/lists/unsubscribe", body, KEY);
  }

  private String unsubscribers(String extra, String... emails) {
    StringBuilder b = new StringBuilder("{\"listId\":" + list + ",\"subscribers\":[");
    for (int i = 0; i < emails.length; i++) {
      b.append(i == 0 ? "" : ",").append("{\"email\":\"").append(emails[i]).append("\"}");
    }
    return b.append("]").append(extra).append("}").toString();
  }

  @Test
  void listUnsubscribeRemovesFromThatListOnlyAndKeepsTheUser() throws IOException {
    long other = sim.createList("Newsletter", "Standard");
    sim.addUser("ana@example.org", Map.of("tier", "gold"));
    sim.addListMember(list, "ana@example.org");
    sim.addListMember(other, "ana@example.org");

    Answer a =
        unsubscribe(
            unsubscribers(",\"campaignId\":null,\"channelUnsubscribe\":false", "Ana@Example.org"));

    assertThat(a.code).isEqualTo(200);
    assertThat(a.json()).containsEntry("successCount", 1.0).containsEntry("failCount", 0.0);
    assertThat(sim.isMember(list, "ana@example.org")).isFalse();
    assertThat(sim.isMember(other, "ana@example.org")).isTrue();
    assertThat(sim.hasUser("ana@example.org")).isTrue();
    assertThat(sim.dataFields("ana@example.org")).containsEntry("tier", "gold");
    assertThat(sim.isGloballyUnsubscribed("ana@example.org")).isFalse();
    assertThat(sim.listRemovals()).isEqualTo(1);
    assertThat(sim.unsubscribeRequests()).isEqualTo(1);
    assertThat(sim.channelUnsubscribes()).isZero();
  }

  @Test
  void removingANonMemberChangesNothingAndAnUnknownUserIsNotFound() throws IOException {
    sim.addUser("ana@example.org", Map.of());
    subscribe(subscribers("li@example.org"));
    Object before = sim.snapshot();

    Answer a = unsubscribe(unsubscribers("", "ana@example.org", "nobody@example.org", "bad@@x"));

    assertThat(a.code).isEqualTo(200);
    assertThat(a.json()).containsEntry("successCount", 0.0).containsEntry("failCount", 3.0);
    Map<String, Object> failed = (Map<String, Object>) a.json().get("failedUpdates");
    assertThat((List<Object>) failed.get("notFoundEmails"))
        .containsExactly("ana@example.org", "nobody@example.org");
    assertThat((List<Object>) failed.get("invalidEmails")).containsExactly("bad@@x");
    assertThat(sim.snapshot()).isEqualTo(before);
    assertThat(sim.hasUser("nobody@example.org")).isFalse();
    assertThat(sim.listRemovalNoOps()).isEqualTo(1);
    assertThat(sim.listRemovals()).isZero();

    sim.notFoundForNonMembers(false);
    Answer lenient = unsubscribe(unsubscribers("", "ana@example.org", "nobody@example.org"));
    assertThat(lenient.json()).containsEntry("successCount", 1.0).containsEntry("failCount", 1.0);
    assertThat(sim.snapshot()).isEqualTo(before);

    assertThat(unsubscribe(unsubscribers("", "li@example.org")).code).isEqualTo(200);
    assertThat(unsubscribe(unsubscribers("", "li@example.org")).json())
        .containsEntry("successCount", 1.0);
    assertThat(sim.listRemovals()).isEqualTo(1);
    assertThat(sim.listRemovalNoOps()).isEqualTo(3);
  }

  @Test
  void aChannelUnsubscribeIsAGlobalUnsubscribeThatASubscribeDoesNotUndo() throws IOException {
    subscribe(subscribers("ana@example.org"));
    Answer a =
        unsubscribe(
            unsubscribers(",\"channelUnsubscribe\":true,\"campaignId\":42", "ana@example.org"));
    assertThat(a.code).isEqualTo(200);
    assertThat(sim.isMember(list, "ana@example.org")).isFalse();
    assertThat(sim.isGloballyUnsubscribed("ana@example.org")).isTrue();
    assertThat(sim.channelUnsubscribes()).isEqualTo(1);
    assertThat(sim.campaignAttributedUnsubscribes()).isEqualTo(1);

    subscribe(subscribers("ana@example.org"));
    assertThat(sim.isMember(list, "ana@example.org")).isTrue();
    assertThat(sim.isGloballyUnsubscribed("ana@example.org")).isTrue();
  }

  @Test
  void unsubscribeBodiesAreParsedStrictlyAndCappedLikeSubscribe() throws IOException {
    assertThat(unsubscribe("{\"subscribers\":[]}").vendorCode()).isEqualTo("BadParams");
    assertThat(unsubscribe(unsubscribers(",\"extra\":1", "a@example.org")).vendorCode())
        .isEqualTo("BadJsonBody");
    assertThat(
            unsubscribe(
                    "{\"listId\":"
                        + list
                        + ",\"subscribers\":[{\"email\":\"a@example.org\","
                        + "\"dataFields\":{}}]}")
                .vendorCode())
        .isEqualTo("BadJsonBody");
    assertThat(
            unsubscribe(unsubscribers(",\"channelUnsubscribe\":\"false\"", "a@example.org"))
                .vendorCode())
        .isEqualTo("BadJsonBody");
    assertThat(unsubscribe(unsubscribers(",\"campaignId\":\"x\"", "a@example.org")).vendorCode())
        .isEqualTo("BadJsonBody");
    assertThat(unsubscribe("{\"listId\":" + list + ",\"subscribers\":[{}]}").vendorCode())
        .isEqualTo("BadParams");
    Answer unknownList =
        unsubscribe("{\"listId\":1,\"subscribers\":[{\"email\":\"a@example.org\"}]}");
    assertThat(unknownList.code).isEqualTo(400);
    assertThat((String) unknownList.json().get("msg")).contains("invalidListId");

    String[] many = new String[IterableSimulator.MAX_SUBSCRIBERS + 1];
    for (int i = 0; i < many.length; i++) {
      many[i] = "u" + i + "@example.org";
      sim.addListMember(list, many[i]);
    }
    Answer tooMany = unsubscribe(unsubscribers("", many));
    assertThat(tooMany.code).isEqualTo(400);
    assertThat(tooMany.vendorCode()).isEqualTo("BatchTooLarge");
    assertThat(sim.members("Buyers")).hasSize(many.length);
    assertThat(
            unsubscribe(
                    unsubscribers(
                        "", java.util.Arrays.copyOf(many, IterableSimulator.MAX_SUBSCRIBERS)))
                .code)
        .isEqualTo(200);
    assertThat(sim.members("Buyers")).containsExactly(many[many.length - 1]);
    assertThat(sim.maxBatchSize()).isEqualTo(IterableSimulator.MAX_SUBSCRIBERS);
  }

  @Test
  void unsubscribeIsAWriteForFaultsAndIsRateLimited() throws IOException {
    subscribe(subscribers("ana@example.org"));
    sim.faults().failWrite(2, 503);
    assertThat(unsubscribe(unsubscribers("", "ana@example.org")).code).isEqualTo(503);
    assertThat(sim.isMember(list, "ana@example.org")).isTrue();
    sim.faults().dropWriteAfterApplying(3);
    assertThatThrownBy(() -> unsubscribe(unsubscribers("", "ana@example.org")))
        .isInstanceOf(IOException.class);
    assertThat(sim.isMember(list, "ana@example.org")).isFalse();

    sim.rateLimit(1, 1);
    assertThat(call("GET", "/api/lists", null, KEY).code).isEqualTo(200);
    Answer limited = unsubscribe(unsubscribers("", "ana@example.org"));
    assertThat(limited.code).isEqualTo(429);
    assertThat(limited.vendorCode()).isEqualTo("RateLimitExceeded");
  }

  @Test
  void deletingAUserRemovesItEverywhere() throws IOException {
    long other = sim.createList("Newsletter", "Standard");
    subscribe(subscribers("ana@example.org"));
    sim.addListMember(other, "ana@example.org");
    Answer a = call("DELETE", "/api/users/Ana%40example.org", null, KEY);
    assertThat(a.code).isEqualTo(200);
    assertThat(a.vendorCode()).isEqualTo("Success");
    assertThat(sim.hasUser("ana@example.org")).isFalse();
    assertThat(sim.listsOf("ana@example.org")).isEmpty();
    assertThat(sim.userDeletions()).isEqualTo(1);
    assertThat(call("DELETE", "/api/users/ana%40example.org", null, KEY).vendorCode())
        .isEqualTo("BadParams");
  }
}
