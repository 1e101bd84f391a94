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
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One segment of a run, source to result: opens the segment and its destination, maps and validates
 * each profile, de-duplicates ({@link Deduplicator}), fills batches ({@link BatchFiller}), keeps up to
 * {@link Scope#batchesInFlight} of them with the workers, and waits for every batch handed out before
 * it ends — also when reading fails, so that what the vendor did with them is known, not guessed.
 *
 * <p>It runs either on a thread of its own ({@link #run}), which waits for batch slots, or in steps
 * ({@link #beginInSteps}) for a source that never blocks: set up on a set-up thread, then read a few
 * thousand profiles at a time as tasks on the run's workers, holding no thread while it waits — the
 * batch that frees a slot schedules the next step, and the last one answered schedules the end. Both
 * share every part but the waiting.
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

  /** Profiles a step reads before it gives its thread back to the other exports' tasks. */
  static final int STEP_PROFILES = 4096;

  private final Scope run;
  private final String name;
  private final SegmentTally tally;
  private final Semaphore inFlight;

  /** The run's logging context, set on each task of the segment (its id and connector). */
  private final Map<String, String> context;

  /** The segment's destination in the sync state, once open; null without a sync state. */
  private SegmentSync sync;

  /** The keys of every member the segment holds, for a mirroring run; null otherwise. */
  private FingerprintSet seen;

  /** The segment's destination, once open. */
  private Destination destination;

  // The reader's: one thread at a time (the export's own; in steps, one step after another).

  /** The host's segment, once open and until closed. */
  private Segment segment;

  private Iterator<Profile> profiles;
  private Deduplicator admission;

  /** Whether this segment's reading (or opening) failed: the run fails once its batches are answered. */
  private boolean failedHere;

  /**
   * In steps: what the segment does once it has ended, on the thread that ended it (its result, or
   * the failure that kept it from making one); null when the segment runs on a thread of its own.
   */
  private final BiConsumer<SegmentResult, Throwable> whenEnded;

  /** In steps: batches filled but not yet handed to the workers. */
  private final ArrayDeque<Batch> filled = new ArrayDeque<>();

  /** In steps: whether the segment is read to its end (or its reading failed, or the run stopped). */
  private boolean readOver;

  /** In steps: the reader waits for a batch slot; the batch that frees one schedules the next step. */
  private final AtomicBoolean waitingForSlot = new AtomicBoolean();

  /** In steps: every batch is handed out; the last one answered ends the segment. */
  private volatile boolean draining;

  private final AtomicBoolean ending = new AtomicBoolean();

  SegmentPipeline(Scope run, String name) {
    this(run, name, null);
  }

  /**
   * A segment run in steps on the workers when {@code whenEnded} is given ({@link #beginInSteps}), on
   * the calling thread otherwise ({@link #run}).
   */
  SegmentPipeline(Scope run, String name, BiConsumer<SegmentResult, Throwable> whenEnded) {
    this.run = run;
    this.name = name;
    this.tally = new SegmentTally(name);
    this.inFlight = new Semaphore(run.batchesInFlight());
    this.context = MDC.getCopyOfContextMap();
    this.whenEnded = whenEnded;
  }

  /**
   * Runs the segment to its end on the calling thread, which waits for batch slots.
   *
   * @param first whether no profile has been sent yet in this run (a size hint over the cap then fails
   *     the export before anything is sent)
   */
  SegmentResult run(boolean first) {
    try {
      begin(first);
      // A host's source may wait for its next profile (a queue, a cursor's next page): a stop
      // interrupts this thread there, so that a cancelled run ends instead of waiting with it.
      run.control()
          .interruptibly(
              () -> {
                read(Long.MAX_VALUE);
                return null;
              });
      admission.finish();
    } catch (RuntimeException | Error e) {
      readingFailed(e);
    } finally {
      closeSegment();
      inFlight.acquireUninterruptibly(run.batchesInFlight());
    }
    return end();
  }

  /**
   * Sets the segment up on the calling thread (a set-up thread: it may wait for other exports), then
   * reads it in steps on the run's workers, holding no thread while it waits for a batch slot; the
   * segment's end is handed to {@code whenEnded}.
   *
   * @param first as for {@link #run}
   */
  void beginInSteps(boolean first) {
    try {
      begin(first);
    } catch (RuntimeException | Error e) {
      readingFailed(e);
      readOver = true;
      closeSegment();
    }
    run.workers().execute(inContext(this::step));
  }

  /**
   * Opens the segment and its destination, resumes the work a crashed run left at the vendor, and
   * makes the segment's admission: everything before its first profile is read.
   */
  private void begin(boolean first) {
    RunControl control = run.control();
    segment = open();
    OptionalLong hint = segment.sizeHint();
    boolean incremental = run.sync() != null && run.sync().skipsUnchanged();
    if (first && !incremental && hint.isPresent() && hint.getAsLong() > run.cap().cap()) {
      throw run.cap().exceeded(hint.getAsLong());
    }
    DestinationRequest request =
        new DestinationRequest(
            name, run.definition(), run.mapper().schema(), run.http(), run.directory());
    // With a store, the list is found or created under its claim: hosts sharing the store then
    // make one list for a new segment, never one each. Waits for other exports there (their
    // claim, their read or creation of the account's lists) end when this export is cancelled.
    Destination destination =
        control.interruptibly(
            () ->
                run.sync() == null
                    ? run.connector().open(request)
                    : run.sync().claimingList(name, () -> run.connector().open(request)));
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
    admission =
        new Deduplicator(
                new FingerprintSet(Math.min(hint.orElse(1024), run.cap().cap())),
                new BatchFiller(
                    name,
                    run.mapper().schema(),
                    run.limits(),
                    whenEnded == null ? batch -> submit(batch, destination) : filled::add,
                    sync),
                tally,
                run.cap(),
                sync)
            .reportingTo(run.listener());
    profiles = segment.profiles();
  }

  /** Records a failure of opening or reading the segment (the run stops, or fails once drained). */
  private void readingFailed(Throwable e) {
    if (e instanceof ExportCancelledException) {
      run.control().stop(e.getMessage());
    } else if (e instanceof ExportException) {
      failedHere = true;
      run.failures().record((ExportException) e);
    } else if (run.control().isStopped() && !(e instanceof Error)) {
      // The run was stopped (cancelled, its connection removed, failed) while the host's source
      // read: what the source threw then is the stop's interrupt, or comes after it; the run ends
      // as it was stopped.
      log.debug("Reading segment '{}' ended after the stop: {}", name, e.getClass().getName());
    } else {
      // An Error too (a heap exhausted by the host's source, a connector's linkage error): the
      // segment's counts so far still go into the result.
      failedHere = true;
      run.failures()
          .record(
              new ExportException(
                  "Reading segment '" + name + "' failed: " + e.getClass().getName(), e));
    }
  }

  /**
   * Closes the host's segment, once. A failure to close fails nothing: every profile the segment gave
   * was read and is accounted for; it is logged (its class only: a host's message may hold data).
   */
  private void closeSegment() {
    Segment s = segment;
    segment = null;
    if (s == null) {
      return;
    }
    try {
      s.close();
    } catch (Exception | Error e) {
      log.warn(
          "Closing segment '{}' failed ({}); every profile it gave was read and is accounted for",
          name,
          e.getClass().getName());
    }
  }

  /**
   * One step of a segment run in steps: hands out filled batches while slots are free, reads up to
   * {@value #STEP_PROFILES} profiles, and schedules what comes next — the next step, or the segment's
   * end once every batch is answered. Holds no thread while it waits: the batch that frees a slot
   * schedules the next step.
   */
  private void step() {
    try {
      if (!handOut()) {
        return;
      }
      if (!readOver) {
        boolean over;
        try {
          // Interruptible as on a thread of its own: a source that blocks though it said it would
          // not still lets a cancelled run end.
          over = run.control().interruptibly(() -> read(STEP_PROFILES));
          if (over) {
            admission.finish();
          }
        } catch (RuntimeException | Error e) {
          readingFailed(e);
          over = true;
        }
        if (over) {
          readOver = true;
          closeSegment();
        }
        if (!handOut()) {
          return;
        }
        if (!readOver) {
          // Read its share: the other exports' tasks on the workers go first.
          run.workers().execute(inContext(this::step));
          return;
        }
      }
      draining = true;
      if (allAnswered()) {
        endOnce();
      }
    } catch (Throwable e) {
      // Out of memory, say, outside the reading: the run fails, and the segment still ends once
      // its batches are answered, so that the export completes.
      readingFailed(e);
      readOver = true;
      filled.clear(); // counted as not attempted, as the run has stopped
      closeSegment();
      draining = true;
      if (allAnswered()) {
        endOnce();
      }
    }
  }

  /**
   * Hands filled batches to the workers while a slot is free.
   *
   * @return whether none is left; false when the step must end here, the next one scheduled (behind a
   *     batch still waiting for a thread, or by the batch that frees a slot)
   */
  private boolean handOut() {
    RunControl control = run.control();
    while (!filled.isEmpty()) {
      if (control.isStopped()) {
        for (Batch batch : filled) {
          tally.notAttempted(batch.size(), "the export stopped: " + control.stopReason());
        }
        filled.clear();
        return true;
      }
      if (run.workers().hasWaiting()) {
        // The previous batch has no thread yet: go on behind it, so that memory holds only the
        // batches being written (and one waiting per export), as for an export with a thread.
        run.workers().execute(inContext(this::step));
        return false;
      }
      if (!inFlight.tryAcquire()) {
        waitingForSlot.set(true);
        if (!inFlight.tryAcquire()) {
          return false;
        }
        if (!waitingForSlot.compareAndSet(true, false)) {
          // A batch answered meanwhile and scheduled the next step already: that step goes on.
          inFlight.release();
          return false;
        }
      }
      write(filled.poll(), destination);
    }
    return true;
  }

  /** In steps, after a batch is answered: the waiting reader goes on, or the drained segment ends. */
  private void answered() {
    if (waitingForSlot.compareAndSet(true, false)) {
      run.workers().execute(inContext(this::step));
    } else if (draining && allAnswered()) {
      endOnce();
    }
  }

  private boolean allAnswered() {
    return inFlight.availablePermits() == run.batchesInFlight();
  }

  private void endOnce() {
    if (ending.compareAndSet(false, true)) {
      run.workers().execute(inContext(this::endInSteps));
    }
  }

  private void endInSteps() {
    SegmentResult result;
    try {
      result = end();
    } catch (RuntimeException | Error e) {
      whenEnded.accept(null, e);
      return;
    }
    whenEnded.accept(result, null);
  }

  private Runnable inContext(Runnable task) {
    Map<String, String> context = this.context;
    return () -> {
      if (context != null) {
        MDC.setContextMap(context);
      }
      try {
        task.run();
      } finally {
        MDC.clear();
      }
    };
  }

  /**
   * Everything after the segment's last batch is answered: the run stops if reading failed, what was
   * read but never sent is counted, a mirroring run removes the members that left, and the sync state
   * records the segment's end.
   */
  private SegmentResult end() {
    RunControl control = run.control();
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

  /**
   * Reads up to {@code max} profiles, in steps fewer once a batch is filled.
   *
   * @return whether reading is over: the segment read to its end, the cap's counting done, or the run
   *     stopped
   */
  private boolean read(long max) {
    ConnectorLimits limits = run.limits();
    Iterator<Profile> profiles = this.profiles;
    Deduplicator admission = this.admission;
    for (long n = 0; n < max && filled.isEmpty(); n++) {
      if (run.control().isStopped() || !profiles.hasNext()) {
        return true;
      }
      if (run.cap().doneCounting()) {
        tally.stoppedReading(run.cap().reason(), run.cap().unreadNote());
        return true;
      }
      Profile profile =
          profiles.next(); // may throw: a profile counts as read once the source gave it
      long row = ++tally.read;
      if (profile == null) {
        throw new ExportException(
            "The source of segment '" + name + "' gave null instead of a profile at row " + row);
      }
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
    return false;
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
    write(batch, destination);
  }

  /** Hands a batch, its slot taken, to a worker. */
  private void write(Batch batch, Destination destination) {
    Map<String, String> context = this.context; // the run's id and connector, for the host's logs
    run.workers()
        .execute(
            () -> {
              // Everything inside the try: a batch slot not released (an Error before the write,
              // say out of memory) would leave the segment waiting for this batch forever.
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
                if (whenEnded != null) {
                  answered();
                }
              }
            });
  }
}
