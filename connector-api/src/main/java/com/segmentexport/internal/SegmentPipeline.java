package com.segmentexport.internal;

import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.spi.AccountDirectory;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.DestinationRequest;
import com.segmentexport.spi.ExportCancelledException;
import com.segmentexport.spi.Masking;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One segment of a run, source to result: opens the segment and its destination, maps and validates
 * each profile, de-duplicates ({@link Deduplicator}), fills batches ({@link BatchFiller}), keeps up to
 * {@link Scope#batchesInFlight} of them with the workers, and waits for every batch handed out before
 * it ends — also when reading fails, so that what the vendor did with them is known, not guessed.
 */
final class SegmentPipeline {
  private static final Logger log = LoggerFactory.getLogger(SegmentPipeline.class);

  /** What a run shares with each of its segments. */
  record Scope(
      Connector connector,
      ExportDefinition definition,
      SegmentSource source,
      RecordMapper mapper,
      ConnectorLimits limits,
      RunControl control,
      SafeListener listener,
      DefaultVendorHttp http,
      AccountDirectory directory,
      RejectedRecords rejected,
      ProfileCap cap,
      BatchOutcomes outcomes,
      RunFailures failures,
      EngineThreads.Lane workers,
      int batchesInFlight,
      SyncRun sync) {}

  /** How a segment reports the failure that will end the run, without stopping batches in flight. */
  interface RunFailures {
    /** Records the failure that ends the run (the first one wins). */
    void record(ExportException e);

    /** The failure that ends the run, or null. */
    ExportException fatal();
  }

  private final Scope run;
  private final String name;
  private final SegmentTally tally;
  private final Semaphore inFlight;

  /** The segment's destination in the sync state, once open; null without a sync state. */
  private SegmentSync sync;

  /** The keys of every member the segment holds, for a mirroring run; null otherwise. */
  private FingerprintSet seen;

  /** The segment's destination, once open. */
  private Destination destination;

  SegmentPipeline(Scope run, String name) {
    this.run = run;
    this.name = name;
    this.tally = new SegmentTally(name);
    this.inFlight = new Semaphore(run.batchesInFlight());
  }

  /**
   * Runs the segment to its end.
   *
   * @param first whether no profile has been sent yet in this run (a size hint over the cap then fails
   *     the export before anything is sent)
   */
  SegmentResult run(boolean first) {
    RunControl control = run.control();
    boolean failedHere = false;
    try (Segment segment = open()) {
      OptionalLong hint = segment.sizeHint();
      boolean incremental = run.sync() != null && run.sync().skipsUnchanged();
      if (first && !incremental && hint.isPresent() && hint.getAsLong() > run.cap().cap()) {
        throw run.cap().exceeded(hint.getAsLong());
      }
      DestinationRequest request =
          new DestinationRequest(
              name, run.definition(), run.mapper().schema(), run.http(), run.directory());
      // With a store, the list is found or created under its claim: hosts sharing the store then
      // make one list for a new segment, never one each.
      Destination destination =
          run.sync() == null
              ? run.connector().open(request)
              : run.sync().claimingList(name, () -> run.connector().open(request));
      this.destination = destination;
      if (run.sync() != null && run.sync().removalLimit() != null) {
        seen = new FingerprintSet(Math.min(hint.orElse(1024), 1 << 20));
      }
      tally.destinationId = destination.id();
      if (run.sync() != null) {
        sync = run.sync().open(destination.id(), run.mapper().schema());
        // Work a crashed run left at the vendor is finished and recorded before any new batch.
        sync.resumePending(destination, tally);
      }
      run.listener().segmentStarted(name, destination.id(), hint);
      Deduplicator admission =
          new Deduplicator(
                  new FingerprintSet(Math.min(hint.orElse(1024), run.cap().cap())),
                  new BatchFiller(
                      name,
                      run.mapper().schema(),
                      run.limits(),
                      batch -> submit(batch, destination),
                      sync),
                  tally,
                  run.cap(),
                  sync)
              .reportingTo(run.listener());
      read(segment.profiles(), admission);
      admission.finish();
    } catch (ExportCancelledException e) {
      control.stop(e.getMessage());
    } catch (ExportException e) {
      failedHere = true;
      run.failures().record(e);
    } catch (RuntimeException | Error e) {
      // An Error too (a heap exhausted by the host's source, a connector's linkage error): the
      // segment's
      // counts so far still go into the result.
      failedHere = true;
      run.failures()
          .record(
              new ExportException(
                  "Reading segment '" + name + "' failed: " + e.getClass().getName(), e));
    } finally {
      inFlight.acquireUninterruptibly(run.batchesInFlight());
    }
    if (failedHere) {
      control.stop("failed: " + run.failures().fatal().getClass().getSimpleName());
    }
    if (control.isStopped()) {
      // Profiles read but never submitted (reading failed or the run stopped): in a batch being
      // filled or
      // waiting to be de-duplicated.
      tally.accountRemainder("the export stopped: " + control.stopReason());
    }
    boolean failed = failedHere || run.failures().fatal() != null;
    if (seen != null && !failed && !control.isStopped() && !tally.unreadRest()) {
      // The segment was read whole and every batch answered: the members it no longer holds leave
      // the list.
      try {
        new MirrorRemoval(
                sync,
                destination,
                run.mapper().schema(),
                name,
                run.limits().maxBatchRecords(),
                run.sync().removalLimit(),
                run.rejected(),
                tally,
                control,
                run.listener())
            .run(seen, tally.read);
      } catch (ExportCancelledException e) {
        control.stop(e.getMessage());
      } catch (ExportException e) {
        failed = true;
        run.failures().record(e);
      } catch (RuntimeException e) {
        failed = true;
        run.failures()
            .record(
                new ExportException(
                    "Removing members of segment '" + name + "' failed: " + e.getClass().getName(),
                    e));
      }
    }
    SegmentResult result = tally.result(control.isStopped() && !failed, failed);
    if (sync != null) {
      try {
        sync.finished(run.sync().runId(), result.status().name());
      } catch (RuntimeException e) {
        // Every batch's outcome is recorded already: only the run's own record is missing.
        log.warn(
            "Could not record the end of segment '{}' in the sync state: {}", name, e.toString());
      }
    }
    return result;
  }

  private void read(Iterator<Profile> profiles, Deduplicator admission) {
    ConnectorLimits limits = run.limits();
    while (!run.control().isStopped() && profiles.hasNext()) {
      if (run.cap().doneCounting()) {
        tally.stoppedReading(run.cap().reason(), run.cap().unreadNote());
        return;
      }
      Profile profile =
          profiles.next(); // may throw: a profile counts as read once the source gave it
      long row = ++tally.read;
      RecordMapper.Mapped m = run.mapper().map(profile, row);
      if (seen != null && m.record != null) {
        seen.add(SegmentSync.memberKey(m.record));
      }
      if (m.record == null) {
        tally.rejected(1);
        run.rejected()
            .reject(
                new RejectedRecord(
                    name, row, Masking.email(m.rawEmail), m.reason, Optional.empty(), m.message));
      } else if (m.estimatedBytes > limits.maxBatchBytes()) {
        // Alone it would already break the vendor's request size limit: reject it rather than send
        // it.
        tally.rejected(1);
        run.rejected()
            .reject(
                new RejectedRecord(
                    name,
                    row,
                    Masking.email(m.record.email()),
                    RejectionReason.INVALID_VALUE,
                    Optional.empty(),
                    "the profile's data (about "
                        + m.estimatedBytes
                        + " bytes) exceeds the vendor's request size limit of "
                        + limits.maxBatchBytes()
                        + " bytes"));
      } else {
        admission.offer(m);
      }
    }
  }

  private Segment open() {
    try {
      Segment segment = run.source().open(name);
      if (segment == null) {
        throw new ExportException("The segment source returned no segment for '" + name + "'");
      }
      return segment;
    } catch (ExportException e) {
      throw e;
    } catch (Exception e) {
      throw new ExportException(
          "Opening segment '" + name + "' failed: " + e.getClass().getName(), e);
    }
  }

  /** Hands a batch to a worker once one of the segment's batch slots is free; not at all once stopped. */
  private void submit(Batch batch, Destination destination) {
    RunControl control = run.control();
    while (true) {
      if (control.isStopped()) {
        tally.notAttempted(batch.size(), "the export stopped: " + control.stopReason());
        return;
      }
      try {
        if (inFlight.tryAcquire(50, TimeUnit.MILLISECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        control.stop("interrupted");
      }
    }
    // A slot is free; with every thread of the shared pool busy, hand over this batch only once the
    // previous one has a thread, so that memory holds only the batches being written (and one
    // each).
    while (true) {
      if (control.isStopped()) {
        inFlight.release();
        tally.notAttempted(batch.size(), "the export stopped: " + control.stopReason());
        return;
      }
      try {
        if (run.workers().awaitNoneWaiting(50)) {
          break;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        control.stop("interrupted");
      }
    }
    Map<String, String> context =
        MDC.getCopyOfContextMap(); // the run's id and connector, for the host's logs
    run.workers()
        .execute(
            () -> {
              // Everything inside the try: a batch slot not released (an Error before the write,
              // say
              // out of memory) would leave the segment waiting for this batch forever.
              try {
                if (context != null) {
                  MDC.setContextMap(context);
                }
                BatchResult result;
                try {
                  result = destination.write(batch);
                } catch (RuntimeException | Error e) {
                  run.outcomes().failed(batch, tally, e, sync);
                  return;
                }
                run.outcomes().answered(batch, tally, result, sync);
              } finally {
                inFlight.release();
                MDC.clear();
              }
            });
  }
}
