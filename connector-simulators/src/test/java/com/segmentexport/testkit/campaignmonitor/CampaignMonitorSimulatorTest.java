package com.segmentexport.testkit.campaignmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator.UnknownListAnswer;
import com.squareup.moshi.JsonReader;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.Credentials;
import okhttp3.FormBody;
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

/** The Campaign Monitor simulator answers as the vendor documents, refusals included. */
@SuppressWarnings("unchecked")
class CampaignMonitorSimulatorTest {
  private static final String KEY = "sim-key";
  private static final String BASIC = Credentials.basic(KEY, "x");
  private static final MediaType JSON = MediaType.get("application/json");

  private final OkHttpClient client =
      new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
  private CampaignMonitorSimulator sim;
  private String list;

  /** What a call returned. */
  record Answer(int code, Response raw, Object json) {
    @SuppressWarnings("unchecked")
    Map<String, Object> object() {
      return (Map<String, Object>) json;
    }

    Object code(String name) {
      return object().get(name);
    }
  }

  @BeforeEach
  void start() {
    sim = new CampaignMonitorSimulator(KEY).start();
    list = sim.createList("List");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private Answer call(String method, String path, String body, String authorization)
      throws IOException {
    Request.Builder b = new Request.Builder().url(HttpUrl.get(sim.baseUrl() + path));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    b.method(method, body == null ? null : RequestBody.create(body, JSON));
    return send(b.build());
  }

  private Answer send(Request request) throws IOException {
    try (Response r = client.newCall(request).execute()) {
      String text = r.body().string();
      Object json = null;
      try (JsonReader reader = JsonReader.of(new Buffer().writeUtf8(text))) {
        json = reader.readJsonValue();
      } catch (IOException | RuntimeException e) {
        json = null;
      }
      return new Answer(r.code(), r, json);
    }
  }

  private Answer call(String method, String path, String body) throws IOException {
    return call(method, path, body, BASIC);
  }

  private static String row(String email, String extra) {
    return "{\"EmailAddress\":\""
        + email
        + "\",\"ConsentToTrack\":\"Unchanged\""
        + (extra == null ? "" : "," + extra)
        + "}";
  }

  private static String importBody(String... rows) {
    return "{\"Subscribers\":[" + String.join(",", rows) + "],\"Resubscribe\":false}";
  }

  private Answer importRows(String... rows) throws IOException {
    return call("POST", "subscribers/" + list + "/import.json", importBody(rows));
  }

  @Test
  void refusesCredentialsWithTheVendorsCodes() throws Exception {
    assertThat(call("GET", "clients.json", null, null).code("Code")).isEqualTo(50.0);
    Answer badKey = call("GET", "clients.json", null, Credentials.basic("other", "x"));
    assertThat(badKey.code()).isEqualTo(401);
    assertThat(badKey.object())
        .containsEntry("Code", 100.0)
        .containsEntry("Message", "Invalid API Key");
    assertThat(call("GET", "clients.json", null, "Bearer nope").code("Code")).isEqualTo(120.0);
    assertThat(call("GET", "clients.json", null, Credentials.basic(KEY, "any password")).code())
        .isEqualTo(200);
    assertThat(
            call(
                    "POST",
                    "subscribers/" + list + "/import.json",
                    importBody(row("a@example.org", null)),
                    Credentials.basic("other", "x"))
                .code())
        .isEqualTo(401);
    assertThat(sim.receivedEmailCount()).isZero();
  }

  @Test
  void oauthTokensExpireAndRefreshAtTheTokenEndpoint() throws Exception {
    sim.oauthTokens("a1", "r1").expireAccessToken();
    assertThat(call("GET", "clients.json", null, "Bearer a1").code("Code")).isEqualTo(121.0);
    Request bad =
        new Request.Builder()
            .url(sim.tokenUrl())
            .post(
                new FormBody.Builder()
                    .add("grant_type", "refresh_token")
                    .add("refresh_token", "wrong")
                    .build())
            .build();
    assertThat(send(bad).object()).containsEntry("error", "invalid_grant");
    Request good =
        new Request.Builder()
            .url(sim.tokenUrl())
            .post(
                new FormBody.Builder()
                    .add("grant_type", "refresh_token")
                    .add("refresh_token", "r1")
                    .build())
            .build();
    Answer tokens = send(good);
    assertThat(tokens.code()).isEqualTo(200);
    assertThat(tokens.object())
        .containsKeys("access_token", "refresh_token")
        .containsEntry("expires_in", 1209600.0);
    assertThat(call("GET", "clients.json", null, "Bearer " + tokens.code("access_token")).code())
        .isEqualTo(200);
    assertThat(call("GET", "clients.json", null, "Bearer a1").code("Code")).isEqualTo(120.0);
    sim.revokeAccessToken();
    assertThat(
            call("GET", "clients.json", null, "Bearer " + tokens.code("access_token")).code("Code"))
        .isEqualTo(122.0);
  }

  @Test
  void answersOnlyJsonPathsAsJson() throws Exception {
    Answer xml = call("GET", "lists/" + list, null);
    assertThat(xml.code()).isEqualTo(400);
    assertThat(xml.raw().header("Content-Type")).startsWith("application/xml");
    assertThat(call("GET", "lists/" + list + ".json", null).object())
        .containsEntry("Title", "List");
  }

  @Test
  void unknownAndForeignListsAreAnsweredAsConfigured() throws Exception {
    String foreign = sim.foreignListId();
    for (UnknownListAnswer answer : UnknownListAnswer.values()) {
      sim.unknownListAnswer(answer);
      for (String id : List.of("0123456789abcdef0123456789abcdef", foreign)) {
        Answer a = call("GET", "lists/" + id + ".json", null);
        int expected =
            answer == UnknownListAnswer.INVALID_LIST_ID_400
                ? 400
                : answer == UnknownListAnswer.INVALID_LIST_ID_401 ? 401 : 404;
        assertThat(a.code()).isEqualTo(expected);
        assertThat(
                call(
                        "POST",
                        "subscribers/" + id + "/import.json",
                        importBody(row("a@example.org", null)))
                    .code())
            .isEqualTo(expected);
      }
    }
    assertThat(sim.importsAccepted()).isZero();
  }

  @Test
  void customFieldsArePerListWithDerivedKeys() throws Exception {
    Answer created =
        call(
            "POST",
            "lists/" + list + "/customfields.json",
            "{\"FieldName\":\"Loyalty tier\",\"DataType\":\"Text\",\"Options\":[],\"VisibleInPreferenceCenter\":false}");
    assertThat(created.code()).isEqualTo(201);
    assertThat(created.json()).isEqualTo("[loyaltytier]");
    assertThat(
            call(
                    "POST",
                    "lists/" + list + "/customfields.json",
                    "{\"FieldName\":\"loyalty tier\",\"DataType\":\"Text\"}")
                .code("Code"))
        .isEqualTo(255.0);
    assertThat(
            call(
                    "POST",
                    "lists/" + list + "/customfields.json",
                    "{\"FieldName\":\"x\",\"DataType\":\"Colour\"}")
                .code())
        .isEqualTo(400);
    List<?> fields = (List<?>) call("GET", "lists/" + list + "/customfields.json", null).json();
    assertThat(fields).hasSize(1);
    assertThat(fields.get(0).toString()).contains("Key=[loyaltytier]").contains("DataType=Text");
    assertThat(sim.customFields(sim.createList("Other"))).isEmpty();
  }

  @Test
  void importRefusesWholeBatchesTheVendorRefuses() throws Exception {
    assertThat(importRows().code("Code")).isEqualTo(212.0);
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < 1001; i++) {
      rows.add(row("p" + i + "@example.org", null));
    }
    Answer tooMany = importRows(rows.toArray(new String[0]));
    assertThat(tooMany.code()).isEqualTo(400);
    assertThat(tooMany.code("Code")).isEqualTo(209.0);
    assertThat(importRows("{\"EmailAddress\":\"a@example.org\"}").code("Code")).isEqualTo(214.0);
    assertThat(
            importRows("{\"EmailAddress\":\"a@example.org\",\"ConsentToTrack\":\"Maybe\"}")
                .code("Code"))
        .isEqualTo(215.0);
    assertThat(importRows(row("a@example.org", "\"MobileNumber\":\"+100\"")).code()).isEqualTo(400);
    Answer conflicting =
        call(
            "POST",
            "subscribers/" + list + "/import.json",
            "{\"Subscribers\":["
                + row("a@example.org", null)
                + "],\"QueueSubscriptionBasedAutoResponders\":true,"
                + "\"QueueSubscriptionBasedAutoresponders\":false}");
    assertThat(conflicting.code()).isEqualTo(400);
    assertThat(call("POST", "subscribers/" + list + "/import.json", "{not json").code())
        .isEqualTo(400);
    assertThat(sim.importsAccepted()).isZero();
    assertThat(sim.activeSubscribers(list)).isEmpty();
  }

  @Test
  void partialFailureIsA400WithCode210AndTheResultInResultData() throws Exception {
    sim.addSubscriber(list, "gone@example.org", CampaignMonitorSimulator.UNSUBSCRIBED);
    sim.addSubscriber(list, "known@example.org", CampaignMonitorSimulator.ACTIVE);
    sim.rejectAddress("refused@example.org", "bounced");
    Answer a =
        importRows(
            row("new@example.org", null),
            row("known@example.org", null),
            row("broken@@example", null),
            row("gone@example.org", null),
            row("refused@example.org", null),
            row("NEW@example.org", null));
    assertThat(a.code()).isEqualTo(400);
    assertThat(a.object()).containsEntry("Code", 210.0);
    @SuppressWarnings("unchecked")
    Map<String, Object> result = (Map<String, Object>) a.code("ResultData");
    assertThat(result)
        .containsEntry("TotalUniqueEmailsSubmitted", 5.0)
        .containsEntry("TotalNewSubscribers", 1.0)
        .containsEntry("TotalExistingSubscribers", 1.0)
        .containsEntry("DuplicateEmailsInSubmission", List.of("new@example.org"));
    List<Object> codes = new ArrayList<>();
    for (Object f : (List<?>) result.get("FailureDetails")) {
      codes.add(((Map<?, ?>) f).get("Code"));
    }
    assertThat(codes).containsExactly(1.0, 206.0, 207.0);
    assertThat(sim.activeSubscribers(list)).containsExactly("known@example.org", "new@example.org");
    assertThat(sim.subscriber(list, "gone@example.org").orElseThrow().state())
        .isEqualTo(CampaignMonitorSimulator.UNSUBSCRIBED);

    Answer full = importRows(row("other@example.org", null));
    assertThat(full.code()).isEqualTo(201);
    assertThat(full.object())
        .containsEntry("FailureDetails", List.of())
        .containsEntry("TotalNewSubscribers", 1.0);
  }

  @Test
  void resubscribeReactivatesInactiveAndSuppressedAddresses() throws Exception {
    sim.addSubscriber(list, "gone@example.org", CampaignMonitorSimulator.DELETED);
    sim.suppress("blocked@example.org");
    assertThat(importRows(row("blocked@example.org", null)).code()).isEqualTo(400);
    Answer a =
        call(
            "POST",
            "subscribers/" + list + "/import.json",
            "{\"Subscribers\":["
                + row("gone@example.org", null)
                + ","
                + row("blocked@example.org", null)
                + "],\"Resubscribe\":true}");
    assertThat(a.code()).isEqualTo(201);
    assertThat(sim.activeSubscribers(list))
        .containsExactly("blocked@example.org", "gone@example.org");
    assertThat(sim.snapshot().suppressed()).isEmpty();
  }

  @Test
  void customFieldValuesNeedAKnownKeyInAnAcceptedForm() throws Exception {
    sim.addCustomField(list, "tier", "Text");
    sim.addCustomField(list, "born", "Date");
    importRows(
        row(
            "a@example.org",
            "\"Name\":\"Ana\",\"CustomFields\":[{\"Key\":\"tier\",\"Value\":\"gold\"},"
                + "{\"Key\":\"[born]\",\"Value\":\"1980/02/03\"},{\"Key\":\"nosuch\",\"Value\":\"x\"}]"));
    assertThat(sim.subscriber(list, "a@example.org").orElseThrow().customFields())
        .containsExactly(Map.entry("born", "1980/02/03"), Map.entry("tier", "gold"));
    assertThat(sim.unknownCustomFieldKeys()).isEqualTo(1);

    sim.acceptBracketedKeys(false);
    importRows(
        row(
            "b@example.org",
            "\"CustomFields\":[{\"Key\":\"[tier]\",\"Value\":\"gold\"},"
                + "{\"Key\":\"born\",\"Value\":\"1980-02-03\"}]"));
    assertThat(sim.subscriber(list, "b@example.org").orElseThrow().customFields()).isEmpty();
    assertThat(sim.unknownCustomFieldKeys()).isEqualTo(2);
    assertThat(sim.invalidCustomFieldValues()).isEqualTo(1);
  }

  @Test
  void rateLimitIsAnswered429WithResetSecondsOrWithoutHeadersButNeverRetryAfter() throws Exception {
    sim.rateLimit(1, 1);
    assertThat(call("GET", "clients.json", null).code()).isEqualTo(200);
    Answer limited = call("GET", "clients.json", null);
    assertThat(limited.code()).isEqualTo(429);
    assertThat(limited.object()).containsEntry("Code", 429.0);
    assertThat(limited.raw().header("X-RateLimit-Remaining")).isEqualTo("0");
    assertThat(limited.raw().header("X-RateLimit-Reset")).isEqualTo("1");
    assertThat(limited.raw().header("Retry-After")).isNull();

    sim.noRateLimit();
    sim.rateLimitHeaders(false);
    sim.faults().throttleWrite(1, Duration.ofSeconds(3));
    Answer bare = importRows(row("a@example.org", null));
    assertThat(bare.code()).isEqualTo(429);
    assertThat(bare.raw().header("X-RateLimit-Reset")).isNull();
    assertThat(bare.raw().header("Retry-After")).isNull();
    assertThat(sim.activeSubscribers(list)).isEmpty();
  }

  // ---- a subscriber's address changes ---------------------------------------------------------

  private Answer update(String email, String body) throws IOException {
    return call("PUT", "subscribers/" + list + ".json?email=" + email, body);
  }

  private static String change(String to) {
    return "{\"EmailAddress\":\""
        + to
        + "\",\"ConsentToTrack\":\"Unchanged\",\"Resubscribe\":false,"
        + "\"RestartSubscriptionBasedAutoresponders\":false}";
  }

  @Test
  void anUpdateWithANewAddressKeepsTheSameRecordWithItsStateJoinDateAndFields() throws IOException {
    sim.addCustomField(list, "ProfileId", "Text");
    call(
        "POST",
        "subscribers/" + list + "/import.json",
        importBody(
            row(
                "old@example.org",
                "\"Name\":\"Ana\",\"CustomFields\":[{\"Key\":\"ProfileId\",\"Value\":\"p-1\"}]")));
    String joined = sim.listJoinedDate(list, "old@example.org").orElseThrow();

    Answer a = update("Old%40example.org", change("New@example.org"));

    assertThat(a.code).isEqualTo(200);
    assertThat(sim.subscriber(list, "old@example.org")).isEmpty();
    assertThat(sim.subscriber(list, "new@example.org"))
        .hasValueSatisfying(
            s -> {
              assertThat(s.name()).isEqualTo("Ana");
              assertThat(s.state()).isEqualTo(CampaignMonitorSimulator.ACTIVE);
              assertThat(s.customFields()).containsEntry("ProfileId", "p-1");
            });
    assertThat(sim.listJoinedDate(list, "new@example.org")).hasValue(joined);
    assertThat(sim.subscribersWith(list, "ProfileId", "p-1")).isEqualTo(1);
    assertThat(sim.addressChanges()).isEqualTo(1);
    Answer details =
        call(
            "GET",
            "subscribers/" + list + ".json?email=new%40example.org&includetrackingpreference=true",
            null);
    assertThat(details.object())
        .containsEntry("EmailAddress", "new@example.org")
        .containsEntry("ListJoinedDate", joined)
        .containsEntry("State", "Active")
        .containsKey("ConsentToTrack");
    Answer gone = call("GET", "subscribers/" + list + ".json?email=old%40example.org", null);
    assertThat(gone.code).isEqualTo(400);
    assertThat(gone.code("Code")).isEqualTo(203.0);
  }

  @Test
  void anInactiveSubscriberIsRenamedAndStaysInactiveUnlessResubscribed() throws IOException {
    sim.addSubscriber(list, "left@example.org", CampaignMonitorSimulator.UNSUBSCRIBED);
    assertThat(update("left%40example.org", change("moved@example.org")).code).isEqualTo(200);
    assertThat(sim.subscriber(list, "moved@example.org").orElseThrow().state())
        .isEqualTo(CampaignMonitorSimulator.UNSUBSCRIBED);
    assertThat(
            update("moved%40example.org", "{\"ConsentToTrack\":\"Yes\",\"Resubscribe\":true}").code)
        .isEqualTo(200);
    assertThat(sim.subscriber(list, "moved@example.org").orElseThrow().state())
        .isEqualTo(CampaignMonitorSimulator.ACTIVE);
    assertThat(sim.addressChanges()).isEqualTo(1);
    assertThat(sim.subscriberUpdates()).isEqualTo(2);
  }

  @Test
  void aCurrentAddressNotOnTheListIs203AndATakenNewAddressIs201InAnyState() throws IOException {
    sim.addSubscriber(list, "old@example.org", CampaignMonitorSimulator.ACTIVE);
    sim.addSubscriber(list, "deleted@example.org", CampaignMonitorSimulator.DELETED);

    Answer missing = update("nobody%40example.org", change("new@example.org"));
    assertThat(missing.code).isEqualTo(400);
    assertThat(missing.code("Code")).isEqualTo(203.0);

    Answer taken = update("old%40example.org", change("Deleted@example.org"));
    assertThat(taken.code).isEqualTo(400);
    assertThat(taken.code("Code")).isEqualTo(201.0);
    assertThat(sim.subscriber(list, "old@example.org")).isPresent();
    assertThat(sim.subscriber(list, "deleted@example.org").orElseThrow().state())
        .isEqualTo(CampaignMonitorSimulator.DELETED);

    assertThat(update("old%40example.org", change("not-an-address")).code("Code")).isEqualTo(211.0);
    assertThat(sim.addressChanges()).isZero();
  }

  @Test
  void updateBodiesAreCheckedLikeTheImport() throws IOException {
    sim.addSubscriber(list, "old@example.org", CampaignMonitorSimulator.ACTIVE);
    assertThat(update("old%40example.org", "{\"EmailAddress\":\"new@example.org\"}").code("Code"))
        .isEqualTo(214.0);
    assertThat(
            update(
                    "old%40example.org",
                    "{\"EmailAddress\":\"new@example.org\",\"ConsentToTrack\":\"maybe\"}")
                .code("Code"))
        .isEqualTo(215.0);
    assertThat(
            update(
                    "old%40example.org",
                    "{\"EmailAddress\":\"new@example.org\",\"ConsentToTrack\":\"No\","
                        + "\"Colour\":\"red\"}")
                .code)
        .isEqualTo(400);
    assertThat(
            call(
                    "PUT",
                    "subscribers/" + sim.foreignListId() + ".json?email=old%40example.org",
                    change("new@example.org"))
                .code)
        .isEqualTo(401);
    assertThat(sim.subscriber(list, "old@example.org")).isPresent();
  }

  @Test
  void theUpdateIsAWriteForFaultsAndIsRateLimited() throws IOException {
    sim.addSubscriber(list, "old@example.org", CampaignMonitorSimulator.ACTIVE);
    sim.faults().failWriteAfterApplying(sim.writeCount() + 1, 504);
    assertThat(update("old%40example.org", change("new@example.org")).code).isEqualTo(504);
    assertThat(sim.subscriber(list, "new@example.org")).isPresent();

    sim.rateLimit(1, 1);
    assertThat(call("GET", "subscribers/" + list + ".json?email=new%40example.org", null).code)
        .isEqualTo(200);
    Answer limited = update("new%40example.org", change("newer@example.org"));
    assertThat(limited.code).isEqualTo(429);
    assertThat(limited.code("Code")).isEqualTo(429.0);
    assertThat(sim.subscriber(list, "new@example.org")).isPresent();
  }

  // ---- a member leaves the list ---------------------------------------------------------------

  private Answer delete(String listId, String email) throws IOException {
    return call("DELETE", "subscribers/" + listId + ".json?email=" + email, null);
  }

  private Answer unsubscribe(String listId, String email) throws IOException {
    return call(
        "POST",
        "subscribers/" + listId + "/unsubscribe.json",
        "{\"EmailAddress\":\"" + email + "\"}");
  }

  private Answer importRows(boolean resubscribe, String... rows) throws IOException {
    return call(
        "POST",
        "subscribers/" + list + "/import.json",
        "{\"Subscribers\":[" + String.join(",", rows) + "],\"Resubscribe\":" + resubscribe + "}");
  }

  @Test
  void deleteMovesTheSubscriberToDeletedOnThatListOnlyAndKeepsTheRecord() throws IOException {
    String other = sim.createList("Other");
    sim.addCustomField(list, "Tier", "Text");
    importRows(
        row(
            "ana@example.org",
            "\"Name\":\"Ana\",\"CustomFields\":[{\"Key\":\"Tier\",\"Value\":\"gold\"}]"));
    sim.addSubscriber(other, "ana@example.org", CampaignMonitorSimulator.ACTIVE);
    String joined = sim.listJoinedDate(list, "ana@example.org").orElseThrow();

    Answer a = delete(list, "Ana%40Example.org");

    assertThat(a.code()).isEqualTo(200);
    assertThat(sim.subscriberState(list, "ana@example.org"))
        .contains(CampaignMonitorSimulator.DELETED);
    assertThat(sim.subscriber(list, "ana@example.org").orElseThrow().name()).isEqualTo("Ana");
    assertThat(sim.subscriber(list, "ana@example.org").orElseThrow().customFields())
        .containsEntry("Tier", "gold");
    assertThat(sim.listJoinedDate(list, "ana@example.org")).contains(joined);
    assertThat(sim.subscriberState(other, "ana@example.org"))
        .contains(CampaignMonitorSimulator.ACTIVE);
    assertThat(sim.isSuppressed("ana@example.org")).isFalse();
    assertThat(sim.activeSubscribers(list)).isEmpty();
    assertThat(sim.deletions()).isEqualTo(1);
    assertThat(sim.unsubscribes()).isZero();
    assertThat(call("GET", "subscribers/" + list + ".json?email=ana%40example.org", null).object())
        .containsEntry("State", "Deleted");
  }

  @Test
  void deletingTwiceChangesNothingAndAnAddressNotOnTheListIs203() throws IOException {
    sim.addSubscriber(list, "ana@example.org", CampaignMonitorSimulator.ACTIVE);
    assertThat(delete(list, "ana%40example.org").code()).isEqualTo(200);
    Object before = sim.snapshot();
    assertThat(delete(list, "ana%40example.org").code()).isEqualTo(200);
    assertThat(sim.snapshot()).isEqualTo(before);
    assertThat(sim.deletionNoOps()).isEqualTo(1);

    Answer absent = delete(list, "nobody%40example.org");
    assertThat(absent.code()).isEqualTo(400);
    assertThat(absent.code("Code")).isEqualTo(203.0);
    assertThat(call("DELETE", "subscribers/" + list + ".json", null).code("Code")).isEqualTo(203.0);
    assertThat(delete(sim.foreignListId(), "ana%40example.org").code()).isEqualTo(401);
    assertThat(sim.deletions()).isEqualTo(1);
  }

  @Test
  void aDeletedSubscriberStaysOutWithoutResubscribeAndComesBackWithIt() throws IOException {
    importRows(row("ana@example.org", null));
    delete(list, "ana%40example.org");

    Answer refused = importRows(false, row("ana@example.org", null));
    assertThat(refused.code()).isEqualTo(400);
    Map<String, Object> result = (Map<String, Object>) refused.object().get("ResultData");
    assertThat((List<Object>) result.get("FailureDetails"))
        .singleElement()
        .satisfies(f -> assertThat((Map<String, Object>) f).containsEntry("Code", 205.0));
    assertThat(sim.subscriberState(list, "ana@example.org"))
        .contains(CampaignMonitorSimulator.DELETED);

    assertThat(importRows(true, row("ana@example.org", null)).code()).isEqualTo(201);
    assertThat(sim.subscriberState(list, "ana@example.org"))
        .contains(CampaignMonitorSimulator.ACTIVE);
    assertThat(sim.deletedResubscribed()).isEqualTo(1);
    assertThat(sim.optOutsOverridden()).isZero();
  }

  @Test
  void unsubscribeIsAConsentEventThatReachesTheClientsOtherListsAndTheSuppressionList()
      throws IOException {
    String other = sim.createList("Other");
    String isolated = sim.createList("Isolated");
    sim.unsubscribeSetting(isolated, "OnlyThisList");
    for (String l : List.of(list, other, isolated)) {
      sim.addSubscriber(l, "ana@example.org", CampaignMonitorSimulator.ACTIVE);
    }

    Answer a = unsubscribe(list, "Ana@example.org");

    assertThat(a.code()).isEqualTo(200);
    assertThat(sim.subscriberState(list, "ana@example.org"))
        .contains(CampaignMonitorSimulator.UNSUBSCRIBED);
    assertThat(sim.subscriberState(other, "ana@example.org"))
        .contains(CampaignMonitorSimulator.UNSUBSCRIBED);
    assertThat(sim.subscriberState(isolated, "ana@example.org"))
        .contains(CampaignMonitorSimulator.ACTIVE);
    assertThat(sim.isSuppressed("ana@example.org")).isTrue();
    assertThat(sim.unsubscribes()).isEqualTo(1);
    assertThat(sim.suppressions()).isEqualTo(1);
    assertThat(sim.deletions()).isZero();

    sim.addSubscriber(isolated, "li@example.org", CampaignMonitorSimulator.ACTIVE);
    unsubscribe(isolated, "li@example.org");
    assertThat(sim.subscriberState(isolated, "li@example.org"))
        .contains(CampaignMonitorSimulator.UNSUBSCRIBED);
    assertThat(sim.isSuppressed("li@example.org")).isFalse();
    assertThat(unsubscribe(list, "nobody@example.org").code("Code")).isEqualTo(203.0);
    assertThat(
            call(
                    "POST",
                    "subscribers/" + list + "/unsubscribe.json",
                    "{\"Email\":\"a@example.org\"}")
                .code())
        .isEqualTo(400);
  }

  @Test
  void resubscribingSomeoneWhoUnsubscribedIsCountedAsAnOverriddenOptOutEvenAfterADelete()
      throws IOException {
    sim.addSubscriber(list, "ana@example.org", CampaignMonitorSimulator.ACTIVE);
    unsubscribe(list, "ana@example.org");
    delete(list, "ana%40example.org");
    assertThat(sim.subscriberState(list, "ana@example.org"))
        .contains(CampaignMonitorSimulator.DELETED);

    assertThat(importRows(true, row("ana@example.org", null)).code()).isEqualTo(201);
    assertThat(sim.optOutsOverridden()).isEqualTo(1);
    assertThat(sim.deletedResubscribed()).isZero();
    assertThat(sim.isSuppressed("ana@example.org")).isFalse();
  }

  @Test
  void deleteAndUnsubscribeAreWritesForFaultsAndAreRateLimited() throws IOException {
    sim.addSubscriber(list, "ana@example.org", CampaignMonitorSimulator.ACTIVE);
    sim.faults().failWrite(sim.writeCount() + 1, 503);
    assertThat(delete(list, "ana%40example.org").code()).isEqualTo(503);
    assertThat(sim.subscriberState(list, "ana@example.org"))
        .contains(CampaignMonitorSimulator.ACTIVE);
    sim.faults().failWrite(sim.writeCount() + 1, 503);
    assertThat(unsubscribe(list, "ana@example.org").code()).isEqualTo(503);
    assertThat(sim.subscriberState(list, "ana@example.org"))
        .contains(CampaignMonitorSimulator.ACTIVE);

    sim.rateLimit(1, 1);
    assertThat(call("GET", "subscribers/" + list + ".json?email=ana%40example.org", null).code)
        .isEqualTo(200);
    Answer limited = delete(list, "ana%40example.org");
    assertThat(limited.code).isEqualTo(429);
    assertThat(limited.code("Code")).isEqualTo(429.0);
    assertThat(sim.subscriberState(list, "ana@example.org"))
        .contains(CampaignMonitorSimulator.ACTIVE);
  }
}
