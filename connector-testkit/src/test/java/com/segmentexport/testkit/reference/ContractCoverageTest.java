package com.segmentexport.testkit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import com.segmentexport.testkit.ContractCoverage;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * {@link ContractCoverage} fails a binding that skips a case: one aborted by an assumption, or one
 * that never ran. The bindings are nested, so Surefire does not run them on their own.
 */
class ContractCoverageTest {

  @Test
  void theContractHasItsCases() {
    assertThat(ContractCoverage.cases())
        .hasSizeGreaterThanOrEqualTo(23)
        .contains(
            "providerIsDiscoverableThroughServiceLoader",
            "batchSizeAndProfileLimitAreRespected",
            "aVendorsWaitHoldsEveryRequestOfTheBudget",
            "aSecondRunOfAnUnchangedSegmentSendsNothing",
            "aChangedFieldResendsExactlyThatProfile",
            "aProfileTheVendorRejectedIsRetriedOnTheNextRun",
            "aPlanPredictsTheRunAndWritesNothing");
  }

  @Test
  void aCaseAbortedByAnAssumptionFailsTheBinding() {
    Events containers =
        EngineTestKit.engine("junit-jupiter")
            .selectors(
                selectMethod(
                    SkipsTheVendorRejectionCase.class,
                    "perRecordVendorFailuresBecomeRejectedRecords"))
            .configurationParameter(ContractCoverage.PARTIAL, "true")
            .execute()
            .containerEvents();
    assertThat(failureOf(containers))
        .contains("perRecordVendorFailuresBecomeRejectedRecords: aborted")
        .contains("no vendor rejections here");
  }

  @Test
  void aCaseThatNeverRanFailsTheBinding() {
    Events containers =
        EngineTestKit.engine("junit-jupiter")
            .selectors(
                selectMethod(
                    ContractCatchesFlawsTest.Correct.class,
                    "providerIsDiscoverableThroughServiceLoader"))
            .execute()
            .containerEvents();
    assertThat(failureOf(containers))
        .contains("batchSizeAndProfileLimitAreRespected: never ran")
        .doesNotContain("providerIsDiscoverableThroughServiceLoader:");
  }

  @Test
  void aPartialRunOfCasesThatPassedIsAccepted() {
    Events containers =
        EngineTestKit.engine("junit-jupiter")
            .selectors(
                selectMethod(
                    ContractCatchesFlawsTest.Correct.class,
                    "providerIsDiscoverableThroughServiceLoader"))
            .configurationParameter(ContractCoverage.PARTIAL, "true")
            .execute()
            .containerEvents();
    assertThat(containers.failed().count()).isZero();
  }

  private static String failureOf(Events containers) {
    List<Event> failed = containers.failed().list();
    assertThat(failed).as("the binding's class fails").hasSize(1);
    Throwable cause =
        failed
            .get(0)
            .getPayload(TestExecutionResult.class)
            .flatMap(TestExecutionResult::getThrowable)
            .orElseThrow();
    assertThat(cause).isInstanceOf(AssertionError.class);
    return cause.getMessage();
  }

  /** A binding that skips the per-record case with an assumption, as a connector without them might. */
  static final class SkipsTheVendorRejectionCase extends ReferenceContractTest {
    @Override
    protected String vendorRejectionCategory() {
      Assumptions.assumeTrue(false, "no vendor rejections here");
      return null;
    }
  }
}
