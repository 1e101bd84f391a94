package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.SyncStateException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which failures make a window run again, and which fail the task. */
class FailureRulesTest {
  private static RejectedRecord rejected(RejectionReason reason, String code) {
    return new RejectedRecord("VIP", 1, "a***@e***.org", reason, Optional.ofNullable(code), "m");
  }

  @Test
  void undeliveredRecordsAndServerErrorsRunAgainRefusalsGoToTheDeadLetterQueue() {
    assertThat(SegmentExportSinkTask.isTransient(rejected(RejectionReason.DELIVERY_FAILED, null)))
        .isTrue();
    assertThat(SegmentExportSinkTask.isTransient(rejected(RejectionReason.BATCH_FAILED, "503")))
        .as("a 5xx the vendor gave a code")
        .isTrue();
    assertThat(
            SegmentExportSinkTask.isTransient(rejected(RejectionReason.BATCH_FAILED, "HTTP_502")))
        .isTrue();
    assertThat(SegmentExportSinkTask.isTransient(rejected(RejectionReason.BATCH_FAILED, "400")))
        .isFalse();
    assertThat(
            SegmentExportSinkTask.isTransient(rejected(RejectionReason.BATCH_FAILED, "BadParams")))
        .isFalse();
    assertThat(SegmentExportSinkTask.isTransient(rejected(RejectionReason.INVALID_EMAIL, null)))
        .isFalse();
    assertThat(SegmentExportSinkTask.isTransient(rejected(RejectionReason.VENDOR_REJECTED, "5")))
        .isFalse();
  }

  @Test
  void refusedCredentialsAGoneDestinationAndConfigurationFailTheTask() {
    assertThat(SegmentExportSinkTask.isPermanent(new AuthenticationException(401, "refused")))
        .isTrue();
    assertThat(SegmentExportSinkTask.isPermanent(new ConfigurationException("bad"))).isTrue();
    assertThat(
            SegmentExportSinkTask.isPermanent(
                new DestinationException(404, "NotFound", "no such list", "gone")))
        .isTrue();
    assertThat(
            SegmentExportSinkTask.isPermanent(
                new DestinationException(503, null, null, "unavailable")))
        .isFalse();
    assertThat(
            SegmentExportSinkTask.isPermanent(new DestinationException(0, null, null, "timeout")))
        .isFalse();
    assertThat(SegmentExportSinkTask.isPermanent(new SyncStateException("locked", null)))
        .as("a state that may come back")
        .isFalse();
    assertThat(SegmentExportSinkTask.isPermanent(new IllegalStateException("a bug"))).isTrue();
  }
}
