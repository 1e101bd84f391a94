package com.segmentexport.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.spi.AddressChange.Outcome;
import com.segmentexport.spi.AddressChange.Result;
import com.segmentexport.testsupport.LogCapture;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * {@link AddressChanges}: what each outcome of a vendor's {@link AddressChange} does to its record, and
 * that the records without a previous address are left alone.
 */
class AddressChangesTest {
  private static final RecordSchema SCHEMA =
      new RecordSchema(List.of(new MappedField(0, "Email", FieldType.TEXT, false)));

  /** The vendor's calls, scripted by the old address; records the calls made. */
  private static final class ScriptedChange implements AddressChange {
    final Map<String, BiFunction<String, String, Result>> script = new HashMap<>();
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    ScriptedChange on(String oldEmail, BiFunction<String, String, Result> answer) {
      script.put(oldEmail, answer);
      return this;
    }

    ScriptedChange failing(String oldEmail, RuntimeException failure) {
      return on(
          oldEmail,
          (o, n) -> {
            throw failure;
          });
    }

    @Override
    public Result change(String oldEmail, String newEmail) {
      calls.add(oldEmail + " -> " + newEmail);
      return script.get(oldEmail).apply(oldEmail, newEmail);
    }
  }

  private static ExportRecord moved(long row, String from, String to) {
    return new ExportRecord(row, to, new Object[] {null}).withPreviousEmail(from);
  }

  private static ExportRecord unmoved(long row, String email) {
    return new ExportRecord(row, email, new Object[] {null});
  }

  private static Batch batch(ExportRecord... records) {
    return new Batch("VIP", 1, SCHEMA, List.of(records), 100);
  }

  private static AddressChanges helper(AddressChange change) {
    return new AddressChanges(change, "Acme", "list 42", "member", "upserted");
  }

  private static Result result(Outcome outcome, String code, String message) {
    return new Result(outcome, code, message);
  }

  @Test
  void aBatchWithoutMovedRecordsIsReturnedAsItIsWithoutACall() {
    ScriptedChange change = new ScriptedChange();
    Batch batch = batch(unmoved(1, "a@example.org"), unmoved(2, "b@example.org"));
    BatchResult.Builder result = BatchResult.builder(batch);

    List<ExportRecord> rest = helper(change).apply(batch, batch.records(), result);

    assertThat(rest).isSameAs(batch.records());
    assertThat(change.calls).isEmpty();
    BatchResult built = result.build();
    assertThat(built.rejections()).isEmpty();
    assertThat(built.unconfirmed()).isEmpty();
    assertThat(built.counters()).isEmpty();
  }

  @Test
  void eachOutcomeDecidesItsRecordAloneAndTheOthersAreLeftAlone() {
    ScriptedChange change =
        new ScriptedChange()
            .on("changed@old.example", (o, n) -> result(Outcome.CHANGED, null, "changed"))
            .on(
                "unknown@old.example",
                (o, n) -> result(Outcome.CURRENT_UNKNOWN, "404", "no member there"))
            .on(
                "taken@old.example",
                (o, n) -> result(Outcome.NEW_ADDRESS_TAKEN, "409", "the new address is taken"))
            .on(
                "refused@old.example",
                (o, n) -> result(Outcome.REFUSED, "InvalidEmail", "the new address is invalid"));
    ExportRecord first = unmoved(1, "first@example.org");
    ExportRecord changed = moved(2, "changed@old.example", "changed@new.example");
    ExportRecord unknown = moved(3, "unknown@old.example", "unknown@new.example");
    ExportRecord taken = moved(4, "taken@old.example", "taken@new.example");
    ExportRecord refused = moved(5, "refused@old.example", "refused@new.example");
    ExportRecord last = unmoved(6, "last@example.org");
    Batch batch = batch(first, changed, unknown, taken, refused, last);
    BatchResult.Builder result = BatchResult.builder(batch);

    List<ExportRecord> rest = helper(change).apply(batch, batch.records(), result);

    assertThat(rest).containsExactly(first, changed, unknown, taken, last);
    assertThat(change.calls)
        .containsExactly(
            "changed@old.example -> changed@new.example",
            "unknown@old.example -> unknown@new.example",
            "taken@old.example -> taken@new.example",
            "refused@old.example -> refused@new.example");
    BatchResult built = result.build();
    assertThat(built.counters())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                AddressChanges.CHANGED, 1L,
                AddressChanges.CURRENT_UNKNOWN, 1L,
                AddressChanges.NEW_ADDRESS_TAKEN, 1L));
    assertThat(built.unconfirmed()).isEmpty();
    assertThat(built.rejections())
        .containsExactly(
            new BatchResult.Rejection(
                refused,
                RejectionReason.VENDOR_REJECTED,
                "InvalidEmail",
                "the new address is invalid"));
  }

  @Test
  void theCountersAddUpOverTheBatch() {
    ScriptedChange change =
        new ScriptedChange()
            .on("a@old.example", (o, n) -> result(Outcome.CHANGED, null, "changed"))
            .on("b@old.example", (o, n) -> result(Outcome.CHANGED, null, "changed"));
    Batch batch =
        batch(
            moved(1, "a@old.example", "a@new.example"), moved(2, "b@old.example", "b@new.example"));
    BatchResult.Builder result = BatchResult.builder(batch);

    assertThat(helper(change).apply(batch, batch.records(), result)).hasSize(2);

    assertThat(result.build().counters())
        .containsExactlyEntriesOf(Map.of(AddressChanges.CHANGED, 2L));
  }

  @Test
  void anUnknownOutcomeLeavesTheRecordUnconfirmedWithoutItsAddresses() {
    ScriptedChange change =
        new ScriptedChange()
            .failing("ana@old.example", new OutcomeUnknownException(0, "read timed out", null));
    ExportRecord r = moved(1, "ana@old.example", "ana@new.example");
    Batch batch = batch(r, unmoved(2, "b@example.org"));
    BatchResult.Builder result = BatchResult.builder(batch);

    List<ExportRecord> rest = helper(change).apply(batch, batch.records(), result);

    assertThat(rest).containsExactly(batch.records().get(1));
    BatchResult built = result.build();
    assertThat(built.rejections()).isEmpty();
    assertThat(built.unconfirmed()).hasSize(1);
    BatchResult.Rejection u = built.unconfirmed().get(0);
    assertThat(u.record()).isSameAs(r);
    assertThat(u.message())
        .isEqualTo(
            "whether Acme changed this member's address is unknown (read timed out); the member"
                + " was not upserted under the new address")
        .doesNotContain("ana@");
    assertThat(built.counters()).isEmpty();
  }

  @Test
  void aClientErrorRejectsTheRecordAsTheVendorsAndAnyOtherFailureAsUndelivered() {
    ScriptedChange change = new ScriptedChange();
    int[] statuses = {400, 404, 408, 429, 500, 0};
    List<ExportRecord> records = new ArrayList<>();
    for (int i = 0; i < statuses.length; i++) {
      int status = statuses[i];
      String from = "s" + i + "@old.example";
      change.failing(
          from,
          new DestinationException(
              status, "E" + status, "vendor says no", "Acme refused (" + status + ")"));
      records.add(moved(i + 1, from, "s" + i + "@new.example"));
    }
    Batch batch = batch(records.toArray(new ExportRecord[0]));
    BatchResult.Builder result = BatchResult.builder(batch);

    List<ExportRecord> rest = helper(change).apply(batch, batch.records(), result);

    assertThat(rest).isEmpty();
    BatchResult built = result.build();
    assertThat(built.unconfirmed()).isEmpty();
    // The result keeps no order among its rejections: each is checked by its row.
    assertThat(built.rejections())
        .extracting(
            r -> r.record().row(), BatchResult.Rejection::reason, BatchResult.Rejection::vendorCode)
        .containsExactlyInAnyOrder(
            tuple(1L, RejectionReason.VENDOR_REJECTED, "E400"),
            tuple(2L, RejectionReason.VENDOR_REJECTED, "E404"),
            tuple(3L, RejectionReason.DELIVERY_FAILED, "E408"),
            tuple(4L, RejectionReason.DELIVERY_FAILED, "E429"),
            tuple(5L, RejectionReason.DELIVERY_FAILED, "E500"),
            tuple(6L, RejectionReason.DELIVERY_FAILED, "E0"));
    assertThat(built.rejections())
        .filteredOn(r -> r.record().row() == 1)
        .extracting(BatchResult.Rejection::message)
        .containsExactly("Acme refused (400)");
  }

  @Test
  void refusedCredentialsEndTheBatch() {
    ScriptedChange change =
        new ScriptedChange()
            .failing("a@old.example", new AuthenticationException(401, "Acme refused the API key"));
    Batch batch =
        batch(
            moved(1, "a@old.example", "a@new.example"), moved(2, "b@old.example", "b@new.example"));

    assertThatThrownBy(
            () -> helper(change).apply(batch, batch.records(), BatchResult.builder(batch)))
        .isInstanceOf(AuthenticationException.class);
    assertThat(change.calls).containsExactly("a@old.example -> a@new.example");
  }

  @Test
  void onlyTheRecordsGivenAreConsidered() {
    ScriptedChange change =
        new ScriptedChange()
            .on("b@old.example", (o, n) -> result(Outcome.CHANGED, null, "changed"));
    ExportRecord alreadyRejected = moved(1, "a@old.example", "a@new.example");
    ExportRecord b = moved(2, "b@old.example", "b@new.example");
    Batch batch = batch(alreadyRejected, b);
    BatchResult.Builder result = BatchResult.builder(batch);

    assertThat(helper(change).apply(batch, List.of(b), result)).containsExactly(b);
    assertThat(change.calls).containsExactly("b@old.example -> b@new.example");
  }

  @Test
  void aTakenNewAddressIsLoggedByRowWithoutAddresses() {
    ScriptedChange change =
        new ScriptedChange()
            .on(
                "ana@old.example",
                (o, n) -> result(Outcome.NEW_ADDRESS_TAKEN, "409", "the new address is taken"));
    Batch batch = batch(moved(7, "ana@old.example", "ana@new.example"));

    try (LogCapture logs = LogCapture.start()) {
      helper(change).apply(batch, batch.records(), BatchResult.builder(batch));

      assertThat(logs.text())
          .contains(
              "Acme list 42: row 7 of segment 'VIP' has a new address another member already has;"
                  + " that member is updated, the one at the old address is left as it is")
          .doesNotContain("ana@");
    }
  }

  @Test
  void theWordsAndTheChangeAreRequired() {
    AddressChange change = (o, n) -> result(Outcome.CHANGED, null, "changed");
    assertThatThrownBy(() -> new AddressChanges(null, "Acme", "list 1", "member", "upserted"))
        .hasMessage("change == null");
    assertThatThrownBy(() -> new AddressChanges(change, null, "list 1", "member", "upserted"))
        .hasMessage("vendor == null");
    assertThatThrownBy(() -> new AddressChanges(change, "Acme", null, "member", "upserted"))
        .hasMessage("destination == null");
    assertThatThrownBy(() -> new AddressChanges(change, "Acme", "list 1", null, "upserted"))
        .hasMessage("contact == null");
    assertThatThrownBy(() -> new AddressChanges(change, "Acme", "list 1", "member", null))
        .hasMessage("written == null");
    assertThatThrownBy(() -> new Result(null, null, "m")).hasMessage("outcome == null");
    assertThatThrownBy(() -> new Result(Outcome.CHANGED, null, null)).hasMessage("message == null");
  }
}
