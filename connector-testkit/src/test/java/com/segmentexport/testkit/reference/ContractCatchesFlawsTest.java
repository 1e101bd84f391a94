package com.segmentexport.testkit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import com.segmentexport.spi.ConnectorProvider;
import com.segmentexport.testkit.Capability;
import com.segmentexport.testkit.ContractCoverage;
import com.segmentexport.testkit.SegmentExporterContract;
import com.segmentexport.testkit.reference.ReferenceConnectorProvider.Flaw;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The contract must be able to fail: each case runs here against the reference connector built with
 * one {@link Flaw}, and must fail with an assertion (not an error of its own set-up). The same cases
 * pass against the correct connector in {@link ReferenceContractTest}.
 *
 * <p>The flawed contracts are nested classes, so neither Surefire nor an IDE runs them on their own;
 * the JUnit Platform test kit runs the one case a flaw should break, and this test reads its outcome.
 */
class ContractCatchesFlawsTest {

  /** Each flawed contract, the case it must fail, and a fragment of that failure's message ("" for any). */
  static Stream<Arguments> flaws() {
    return Stream.of(
        Arguments.of(DropsAProfile.class, "everyValidProfileArrivesExactlyOnceWithItsFields", ""),
        Arguments.of(
            DropsTheCustomField.class, "everyValidProfileArrivesExactlyOnceWithItsFields", "tier"),
        Arguments.of(
            OversizedBatches.class,
            "everyValidProfileArrivesExactlyOnceWithItsFields",
            "SUCCEEDED"),
        Arguments.of(IgnoresThrottling.class, "throttlingAnswersAreWaitedOut", ""),
        Arguments.of(
            RetriesRefusedCredentials.class,
            "badCredentialsFailFastWithoutRetries",
            "AuthenticationException"),
        Arguments.of(
            NeverRetriesWrites.class,
            "transientFailuresAreRetriedWithoutLossOrDuplication",
            "FAILED"),
        Arguments.of(NoProfileLimit.class, "batchSizeAndProfileLimitAreRespected", "profile limit"),
        Arguments.of(
            SwallowsVendorRejections.class,
            "perRecordVendorFailuresBecomeRejectedRecords",
            "PARTIALLY_SUCCEEDED"),
        Arguments.of(
            IgnoresCancellation.class,
            "cancellationStopsPromptlyWithAnHonestResult",
            "to be less than"),
        Arguments.of(
            BuffersEveryProfile.class, "largeSegmentStreamsInBoundedMemory", "OutOfMemoryError"),
        Arguments.of(LogsTheApiKey.class, "logsHoldNoSecretAndNoRawAddress", "ref-key-0123456789"),
        Arguments.of(
            LogsRawAddresses.class, "logsHoldNoSecretAndNoRawAddress", "the vendor refused"),
        Arguments.of(StampsEachRun.class, "rerunningTheSameExportChangesNothing", "exportedAt"),
        Arguments.of(
            RetriesANonIdempotentCreate.class,
            "aCreateAnsweredAmbiguouslyLeavesOneDestination",
            "lists made for the segment"),
        Arguments.of(
            ReportsUnconfirmedAsRejected.class,
            "recordsSentButUnconfirmedAtACancelAreNotRejected",
            "rejected: nothing was refused"),
        Arguments.of(
            KeysTheBudgetPerObject.class,
            "rebuiltConnectionsShareTheAccountsRateBudget",
            "requests the vendor refused as over its rate"),
        Arguments.of(
            OwnClientFollowsRedirects.class,
            "aRedirectToAnotherHostNeverCarriesTheCredentials",
            "credential headers that reached the redirect's target"),
        Arguments.of(
            Treats429AsAPlainRetry.class,
            "aVendorsWaitHoldsEveryRequestOfTheBudget",
            "requests sent into the vendor's empty bucket after a 429"),
        // Reporting a refused record as exported makes the sync state hold it as confirmed: never
        // sent again.
        Arguments.of(
            SwallowsVendorRejections.class,
            "aProfileTheVendorRejectedIsRetriedOnTheNextRun",
            "only the profile the vendor rejected on the first run"),
        Arguments.of(
            PreviewWrites.class,
            "aPlanPredictsTheRunAndWritesNothing",
            "requests other than GET during the plan"),
        Arguments.of(
            PreviewKnowsNothing.class,
            "aPlanPredictsTheRunAndWritesNothing",
            "whether the plan found the list"),
        // A connector that answers before the vendor does makes the state commit what the vendor
        // never got.
        Arguments.of(
            ConfirmsBeforeTheVendorAnswers.class,
            "killedAfterCommittedBatchesTheNextRunFinishesTheJob",
            "every valid profile is on the list, once"),
        Arguments.of(
            IgnoresPreviousEmail.class,
            "aChangedAddressKeepsTheSameContact",
            "the old addresses left on the list"),
        // Mirror mode (issue 24): a removal that changes consent, one that takes members the SDK
        // did
        // not put on the list, and a sync that removes whatever the removal limit says.
        Arguments.of(
            RemovesByGlobalUnsubscribe.class,
            "aMirrorRunRemovesWhoLeftFromTheListOnly",
            "a removed member's subscription and consent"),
        Arguments.of(
            RemovesMembersItDidNotWrite.class,
            "membersSomeoneElseAddedSurviveEveryMirrorRun",
            "who left is gone, the hand-added member stays"),
        Arguments.of(
            ReplacesTheList.class,
            "aMirrorRunThatWouldRemoveTooManyRemovesNobodyAndAReturningMemberComesBack",
            "nothing was removed"),
        Arguments.of(
            TrustsARememberedListLookUp.class,
            "twoHostsSharingAStateMakeOneListForANewSegment",
            "lists made for the segment by two hosts at once"));
  }

  @ParameterizedTest(name = "{0}: {1} fails")
  @MethodSource("flaws")
  void theContractCatchesTheFlaw(
      Class<? extends FlawedContract> contract, String expectedToFail, String because) {
    Events events = run(contract, expectedToFail);
    assertThat(events.started().count()).as("the case ran").isEqualTo(1);
    List<Event> failed = events.failed().list();
    assertThat(failed)
        .as("%s must fail against %s", expectedToFail, contract.getSimpleName())
        .hasSize(1);
    Throwable cause =
        failed
            .get(0)
            .getPayload(TestExecutionResult.class)
            .flatMap(TestExecutionResult::getThrowable)
            .orElseThrow();
    assertThat(cause)
        .as("a failed assertion of the contract, not a broken test set-up")
        .isInstanceOf(AssertionError.class);
    assertThat(cause.getMessage()).as("why the case failed").contains(because);
  }

  /** The control: the same runner reports these cases passed on the correct connector. */
  @ParameterizedTest(name = "{0} passes on the correct connector")
  @MethodSource("controls")
  void theSameCasePassesWithoutTheFlaw(String contractCase) {
    Events events = run(Correct.class, contractCase);
    assertThat(events.started().count()).isEqualTo(1);
    assertThat(events.succeeded().count()).isEqualTo(1);
  }

  /** A few of the cases above; all of them pass against the correct connector in ReferenceContractTest. */
  static Stream<String> controls() {
    return Stream.of(
        "everyValidProfileArrivesExactlyOnceWithItsFields",
        "throttlingAnswersAreWaitedOut",
        "logsHoldNoSecretAndNoRawAddress",
        "cancellationStopsPromptlyWithAnHonestResult",
        "aCreateAnsweredAmbiguouslyLeavesOneDestination",
        "rebuiltConnectionsShareTheAccountsRateBudget",
        "recordsSentButUnconfirmedAtACancelAreNotRejected",
        "aRedirectToAnotherHostNeverCarriesTheCredentials",
        "aVendorsWaitHoldsEveryRequestOfTheBudget",
        "aProfileTheVendorRejectedIsRetriedOnTheNextRun",
        "aPlanPredictsTheRunAndWritesNothing",
        "aChangedAddressKeepsTheSameContact",
        "killedAfterCommittedBatchesTheNextRunFinishesTheJob",
        "aMirrorRunRemovesWhoLeftFromTheListOnly",
        "membersSomeoneElseAddedSurviveEveryMirrorRun",
        "aMirrorRunThatWouldRemoveTooManyRemovesNobodyAndAReturningMemberComesBack",
        "twoHostsSharingAStateMakeOneListForANewSegment");
  }

  /** Runs one case of a contract; found by name, so that a case with parameters (a {@code @TempDir}) is found too. */
  private static Events run(Class<?> contract, String method) {
    // By the method itself: cases with parameters (a temporary directory) are not found by name
    // alone.
    Method found =
        Arrays.stream(SegmentExporterContract.class.getDeclaredMethods())
            .filter(m -> m.getName().equals(method))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no contract case " + method));
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selectMethod(contract, found))
        .configurationParameter(ContractCoverage.PARTIAL, "true")
        .execute()
        .testEvents();
  }

  /** The reference contract, with the connector built with one flaw. */
  abstract static class FlawedContract extends ReferenceContractTest {
    private final Flaw flaw;

    FlawedContract(Flaw flaw) {
      this.flaw = flaw;
    }

    @Override
    protected ConnectorProvider provider() {
      return new ReferenceConnectorProvider(flaw);
    }
  }

  static final class Correct extends FlawedContract {
    Correct() {
      super(Flaw.NONE);
    }
  }

  static final class DropsAProfile extends FlawedContract {
    DropsAProfile() {
      super(Flaw.DROPS_A_PROFILE);
    }
  }

  static final class DropsTheCustomField extends FlawedContract {
    DropsTheCustomField() {
      super(Flaw.DROPS_THE_CUSTOM_FIELD);
    }
  }

  static final class OversizedBatches extends FlawedContract {
    OversizedBatches() {
      super(Flaw.OVERSIZED_BATCHES);
    }
  }

  static final class IgnoresThrottling extends FlawedContract {
    IgnoresThrottling() {
      super(Flaw.IGNORES_THROTTLING);
    }
  }

  static final class RetriesRefusedCredentials extends FlawedContract {
    RetriesRefusedCredentials() {
      super(Flaw.RETRIES_REFUSED_CREDENTIALS);
    }
  }

  static final class NeverRetriesWrites extends FlawedContract {
    NeverRetriesWrites() {
      super(Flaw.NEVER_RETRIES_WRITES);
    }
  }

  static final class NoProfileLimit extends FlawedContract {
    NoProfileLimit() {
      super(Flaw.NO_PROFILE_LIMIT);
    }
  }

  static final class SwallowsVendorRejections extends FlawedContract {
    SwallowsVendorRejections() {
      super(Flaw.SWALLOWS_VENDOR_REJECTIONS);
    }
  }

  static final class IgnoresCancellation extends FlawedContract {
    IgnoresCancellation() {
      super(Flaw.IGNORES_CANCELLATION);
    }
  }

  static final class BuffersEveryProfile extends FlawedContract {
    BuffersEveryProfile() {
      super(Flaw.BUFFERS_EVERY_PROFILE);
    }
  }

  static final class LogsTheApiKey extends FlawedContract {
    LogsTheApiKey() {
      super(Flaw.LOGS_THE_API_KEY);
    }
  }

  static final class LogsRawAddresses extends FlawedContract {
    LogsRawAddresses() {
      super(Flaw.LOGS_RAW_ADDRESSES);
    }
  }

  static final class StampsEachRun extends FlawedContract {
    StampsEachRun() {
      super(Flaw.STAMPS_EACH_RUN);
    }
  }

  static final class RetriesANonIdempotentCreate extends FlawedContract {
    RetriesANonIdempotentCreate() {
      super(Flaw.RETRIES_A_NON_IDEMPOTENT_CREATE);
    }
  }

  static final class ReportsUnconfirmedAsRejected extends FlawedContract {
    ReportsUnconfirmedAsRejected() {
      super(Flaw.REPORTS_UNCONFIRMED_AS_REJECTED);
    }
  }

  static final class KeysTheBudgetPerObject extends FlawedContract {
    KeysTheBudgetPerObject() {
      super(Flaw.KEYS_THE_BUDGET_PER_OBJECT);
    }
  }

  static final class OwnClientFollowsRedirects extends FlawedContract {
    OwnClientFollowsRedirects() {
      super(Flaw.OWN_CLIENT_FOLLOWS_REDIRECTS);
    }
  }

  /**
   * The capability-less branch of the address-change case: a connector that adds the new address and
   * leaves the old contact, and declares it has no {@link Capability#CHANGES_ADDRESS_IN_PLACE}, passes.
   */
  @Test
  void aConnectorWithoutInPlaceChangesPassesTheFallbackBranch() {
    Events events = run(AddsNewAddressesDeclared.class, "aChangedAddressKeepsTheSameContact");
    assertThat(events.started().count()).isEqualTo(1);
    assertThat(events.succeeded().count()).isEqualTo(1);
  }

  static final class IgnoresPreviousEmail extends FlawedContract {
    IgnoresPreviousEmail() {
      super(Flaw.IGNORES_PREVIOUS_EMAIL);
    }
  }

  /** The same connector, honest about it: no {@link Capability#CHANGES_ADDRESS_IN_PLACE}. */
  static final class AddsNewAddressesDeclared extends FlawedContract {
    AddsNewAddressesDeclared() {
      super(Flaw.IGNORES_PREVIOUS_EMAIL);
    }

    @Override
    protected Set<Capability> capabilities() {
      Set<Capability> without = EnumSet.copyOf(super.capabilities());
      without.remove(Capability.CHANGES_ADDRESS_IN_PLACE);
      return without;
    }
  }

  static final class Treats429AsAPlainRetry extends FlawedContract {
    Treats429AsAPlainRetry() {
      super(Flaw.TREATS_429_AS_A_PLAIN_RETRY);
    }
  }

  static final class ConfirmsBeforeTheVendorAnswers extends FlawedContract {
    ConfirmsBeforeTheVendorAnswers() {
      super(Flaw.CONFIRMS_BEFORE_THE_VENDOR_ANSWERS);
    }
  }

  static final class RemovesByGlobalUnsubscribe extends FlawedContract {
    RemovesByGlobalUnsubscribe() {
      super(Flaw.REMOVES_BY_GLOBAL_UNSUBSCRIBE);
    }
  }

  static final class RemovesMembersItDidNotWrite extends FlawedContract {
    RemovesMembersItDidNotWrite() {
      super(Flaw.REMOVES_MEMBERS_IT_DID_NOT_WRITE);
    }
  }

  static final class TrustsARememberedListLookUp extends FlawedContract {
    TrustsARememberedListLookUp() {
      super(Flaw.TRUSTS_A_REMEMBERED_LIST_LOOK_UP);
    }
  }

  static final class ReplacesTheList extends FlawedContract {
    ReplacesTheList() {
      super(Flaw.REPLACES_THE_LIST);
    }
  }

  static final class PreviewWrites extends FlawedContract {
    PreviewWrites() {
      super(Flaw.PREVIEW_WRITES);
    }
  }

  static final class PreviewKnowsNothing extends FlawedContract {
    PreviewKnowsNothing() {
      super(Flaw.PREVIEW_KNOWS_NOTHING);
    }
  }
}
