package com.segmentexport.internal;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.SyncStateException;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.ExportCancelledException;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.Masking;
import com.segmentexport.spi.MemberOutcome;
import com.segmentexport.spi.OutcomeUnknownException;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What became of each batch, in the segment's counts and the run's rejected records: the connector's
 * {@link BatchResult} as it is, and each way a write can fail turned into exported, rejected (with
 * {@link #reasonFor the reason}), unconfirmed or not-attempted records. Worker threads.
 */
final class BatchOutcomes {
  private static final Logger log = LoggerFactory.getLogger(BatchOutcomes.class);
  private final RejectedRecords records;
  private final RunControl control;
  private final SafeListener listener;

  /** Ends the run at once with a failure (refused credentials, a connector's bug). */
  private final Consumer<ExportException> fail;

  BatchOutcomes(
      RejectedRecords records,
      RunControl control,
      SafeListener listener,
      Consumer<ExportException> fail) {
    this.records = records;
    this.control = control;
    this.listener = listener;
    this.fail = fail;
  }

  /**
   * The vendor answered: counts each record as the connector reports it, then records the outcomes in
   * the sync state, if the run has one (a state that cannot be written ends the run: the next one would
   * not know what this one confirmed).
   */
  void answered(Batch batch, SegmentTally tally, BatchResult result, SegmentSync sync) {
    for (BatchResult.Rejection r : result.rejections()) {
      records.reject(
          new RejectedRecord(
              batch.segment(),
              r.record().row(),
              Masking.email(r.record().email()),
              r.reason(),
              Optional.ofNullable(r.vendorCode()),
              Masking.addressIn(r.message(), r.record().email())));
    }
    tally.rejected(result.rejections().size());
    for (BatchResult.Rejection r : result.unconfirmed()) {
      records.unconfirmed(
          new RejectedRecord(
              batch.segment(),
              r.record().row(),
              Masking.email(r.record().email()),
              RejectionReason.UNCONFIRMED,
              Optional.empty(),
              Masking.addressIn(r.message(), r.record().email())));
    }
    tally.unconfirmed(result.unconfirmed().size());
    tally.exported(result.exported());
    result.created().ifPresent(tally::created);
    result.updated().ifPresent(tally::updated);
    result.counters().forEach(tally::count);
    listener.batchAcknowledged(
        batch.segment(),
        batch.size(),
        result.exported(),
        result.rejections().size(),
        tally.exportedSoFar());
    if (sync != null) {
      remember(() -> sync.answered(batch, result));
    }
  }

  /** Writes to the sync state; a failure ends the run with a {@link SyncStateException}. */
  private void remember(Runnable write) {
    try {
      write.run();
    } catch (SyncStateException e) {
      fail.accept(e);
    } catch (RuntimeException e) {
      fail.accept(
          new SyncStateException(
              "Recording a batch in the sync state failed: " + e.getClass().getName(), e));
    }
  }

  /**
   * The write threw: every record of the batch is accounted for by what the failure says, and, with a
   * sync state, recorded as rejected or unconfirmed (so that the next run sends it again).
   */
  void failed(Batch batch, SegmentTally tally, Throwable e, SegmentSync sync) {
    if (e instanceof ExportCancelledException) {
      if (((ExportCancelledException) e).sent()) {
        unconfirmAll(
            batch,
            tally,
            sync,
            "the export stopped before the vendor confirmed this record ("
                + control.stopReason()
                + ")");
      } else {
        tally.notAttempted(batch.size(), "the export stopped: " + control.stopReason());
      }
    } else if (e instanceof AuthenticationException) {
      rejectAll(
          batch,
          tally,
          sync,
          RejectionReason.DELIVERY_FAILED,
          "HTTP_" + ((AuthenticationException) e).httpStatus(),
          e.getMessage());
      fail.accept((AuthenticationException) e);
    } else if (e instanceof OutcomeUnknownException) {
      unconfirmAll(batch, tally, sync, e.getMessage());
      log.warn(
          "Batch {} of segment '{}' may or may not have been applied: {}",
          batch.sequence(),
          batch.segment(),
          e.getMessage());
    } else if (e instanceof DestinationException) {
      DestinationException d = (DestinationException) e;
      rejectAll(
          batch,
          tally,
          sync,
          reasonFor(d),
          d.vendorCode().orElse(d.httpStatus() > 0 ? "HTTP_" + d.httpStatus() : null),
          d.vendorMessage().orElse(d.getMessage()));
      log.warn(
          "Batch {} of segment '{}' failed: {}", batch.sequence(), batch.segment(), d.getMessage());
    } else if (e instanceof ExportException) {
      // A typed failure such as a ConfigurationException (plain HTTP refused): the export ends with
      // it as is.
      rejectAll(batch, tally, sync, RejectionReason.DELIVERY_FAILED, null, e.getMessage());
      fail.accept((ExportException) e);
    } else {
      // A connector's bug or an Error: uncaught, it would end the worker with the batch unaccounted
      // for.
      // Whether the connector had sent the batch is not known: it may be at the vendor.
      unconfirmAll(
          batch,
          tally,
          sync,
          "connector error before the vendor's answer was read: " + e.getClass().getName());
      fail.accept(new ExportException("The connector failed: " + e.getClass().getName(), e));
    }
  }

  /**
   * Why a batch the vendor refused whole is rejected: {@link RejectionReason#BATCH_FAILED} when the
   * vendor refused its content (a 4xx other than 408 and 429, or any answer with the vendor's own error
   * code), {@link RejectionReason#DELIVERY_FAILED} when it never got through (retries spent on 5xx,
   * timeouts or 429s).
   */
  static RejectionReason reasonFor(DestinationException e) {
    int status = e.httpStatus();
    boolean refused = status >= 400 && status < 500 && status != 408 && status != 429;
    return refused || (e.vendorCode().isPresent() && status != 429)
        ? RejectionReason.BATCH_FAILED
        : RejectionReason.DELIVERY_FAILED;
  }

  private void rejectAll(
      Batch batch,
      SegmentTally tally,
      SegmentSync sync,
      RejectionReason reason,
      String code,
      String message) {
    for (ExportRecord r : batch.records()) {
      records.reject(
          new RejectedRecord(
              batch.segment(),
              r.row(),
              Masking.email(r.email()),
              reason,
              Optional.ofNullable(code),
              message));
    }
    tally.rejected(batch.size());
    if (sync != null) {
      remember(() -> sync.all(batch, MemberOutcome.Kind.REJECTED, reason, code));
    }
  }

  private void unconfirmAll(Batch batch, SegmentTally tally, SegmentSync sync, String why) {
    for (ExportRecord r : batch.records()) {
      records.unconfirmed(
          new RejectedRecord(
              batch.segment(),
              r.row(),
              Masking.email(r.email()),
              RejectionReason.UNCONFIRMED,
              Optional.empty(),
              why));
    }
    tally.unconfirmed(batch.size());
    if (sync != null) {
      remember(
          () -> sync.all(batch, MemberOutcome.Kind.UNCONFIRMED, RejectionReason.UNCONFIRMED, null));
    }
  }
}
