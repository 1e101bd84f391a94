package com.segmentexport.internal;

import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.LimitExceededException;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.BatchResult;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.Destination;
import com.segmentexport.spi.DestinationRequest;
import com.segmentexport.spi.ExportCancelledException;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.Masking;
import com.segmentexport.spi.OutcomeUnknownException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One export run: reads each segment once, maps and validates profiles, drops duplicates, fills
 * batches, keeps up to N in flight on worker threads, and accounts for every profile read.
 */
final class ExportRun implements ExportHandle {
  private static final Logger log = LoggerFactory.getLogger(ExportRun.class);
  private static final AtomicInteger RUNS = new AtomicInteger();
  /** Records de-duplicated together; see {@link Admission}. */
  static final int DEDUP_GROUP = 128;
  /** How long an interrupted {@link #await()} waits for the cancelled run to stop, for its result. */
  static final int STOP_WAIT_SECONDS = 30;
  /** How long the reader goes on past the export's profile cap, only to count the rest. */
  static final Duration PAST_CAP_READING = Duration.ofSeconds(10);

  private final Connector connector;
  private final ExportDefinition definition;
  private final SegmentSource source;
  private final ExportOptions options;
  private final RecordMapper mapper;
  private final ConnectorLimits limits;
  private final RunControl control;
  private final RunStats stats;
  private final SafeListener listener;
  private final DefaultVendorHttp http;
  private final CompletableFuture<ExportResult> completion = new CompletableFuture<>();
  private final List<RejectedRecord> sample = new ArrayList<>();
  private final List<SegmentResult> finished = new ArrayList<>();
  private final long profileCap;
  /**
   * Batches handed to workers at once: one more than the connector's requests in flight, so that a
   * batch's body is serialised while the others' requests are out, and is sent as soon as one returns.
   * {@link DefaultVendorHttp} holds the requests themselves to {@code maxConcurrentBatches}.
   */
  private final int batchesInFlight;
  private long admitted;
  /**
   * Past the profile cap the reader goes on only to count (and de-duplicate) what is left, so that the
   * result says how much was not sent; for at most this long, then it stops reading.
   */
  private final long pastCapReadingNanos;
  /** When the cap was first reached ({@link System#nanoTime()}), or 0. */
  private long capReachedAt;
  private volatile ExportException fatal;

  ExportRun(Connector connector, ExportDefinition definition, SegmentSource source, ExportOptions options,
      OkHttpClient client, AccountBudgets budgets) {
    this(connector, definition, source, options, client, budgets, PAST_CAP_READING);
  }

  ExportRun(Connector connector, ExportDefinition definition, SegmentSource source, ExportOptions options,
      OkHttpClient client, AccountBudgets budgets, Duration pastCapReading) {
    this.pastCapReadingNanos = pastCapReading.toNanos();
    this.connector = connector;
    this.definition = definition;
    this.source = source;
    this.options = options;
    this.mapper = new RecordMapper(definition.mapping(), definition.connection().provider());
    this.limits = connector.limits();
    this.control = new RunControl(definition.connection());
    this.stats = new RunStats(options.retryPolicy().retryBudget());
    this.listener = new SafeListener(options.listener());
    this.http = new DefaultVendorHttp(client, budgets, control, options.retryPolicy(), stats, listener,
        limits.maxConcurrentBatches());
    this.batchesInFlight = limits.maxConcurrentBatches() + 1;
    this.profileCap = limits.maxProfilesPerExport().orElse(Long.MAX_VALUE);
  }

  /** Checks limits against sizes known in advance. Throws before anything is sent. */
  void preflight() {
    if (profileCap == Long.MAX_VALUE) {
      return;
    }
    long total = 0;
    for (String name : definition.segments()) {
      OptionalLong size = source.size(name);
      if (size.isEmpty()) {
        return;
      }
      total += size.getAsLong();
    }
    if (total > profileCap) {
      throw limitExceeded(total);
    }
  }

  private String capReason() {
    return "the export reached " + definition.connection().provider().displayName() + "'s limit of " + profileCap
        + " profiles";
  }

  private LimitExceededException limitExceeded(long requested) {
    return new LimitExceededException(definition.connection().provider().displayName() + " accepts at most "
        + profileCap + " profiles per export; this export's segments hold " + requested
        + ". Split the segments across several exports.", profileCap, requested);
  }

  void start() {
    Thread runner = new Thread(this::run, "segment-export-" + RUNS.incrementAndGet());
    runner.setDaemon(true);
    runner.start();
  }

  private void run() {
    Instant startedAt = Instant.now();
    long t0 = System.nanoTime();
    listener.exportStarted(definition);
    log.info("Export '{}' started: {} segment(s) via {}", definition.name(), definition.segments().size(),
        definition.connection().connectorId());
    AtomicInteger workerIds = new AtomicInteger();
    ExecutorService workers = Executors.newFixedThreadPool(batchesInFlight, r -> {
      Thread t = new Thread(r, "segment-export-worker-" + workerIds.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      for (String name : definition.segments()) {
        if (control.isStopped()) {
          break;
        }
        runSegment(name, workers);
      }
    } catch (RuntimeException | Error e) {
      fail(e instanceof ExportException ? (ExportException) e
          : new ExportException("Export failed unexpectedly: " + e.getClass().getName(), e));
    } finally {
      workers.shutdownNow();
    }
    ExportResult result = result(startedAt, Duration.ofNanos(System.nanoTime() - t0));
    log.info("Export '{}' {}: read {}, exported {}, rejected {}, duplicates {}, unconfirmed {}, not attempted {}, "
            + "{} HTTP calls, {} retries", definition.name(), result.status(), result.read(), result.exported(),
        result.rejected(), result.duplicates(), result.unconfirmed(), result.notAttempted(), result.httpCalls(),
        result.retries());
    listener.exportFinished(result);
    if (fatal != null) {
      completion.completeExceptionally(fatal.withPartialResult(result));
    } else {
      completion.complete(result);
    }
  }

  /** Ends the run with this failure at once: batches in flight stop waiting for their answers. */
  private void fail(ExportException e) {
    recordFailure(e);
    control.stop("failed: " + e.getClass().getSimpleName());
  }

  /**
   * Records the failure that will end the run, without stopping it yet: the reader fails this way (a
   * source that throws, a destination that cannot be opened) so that batches already handed to the
   * vendor are still confirmed before the run stops.
   */
  private synchronized void recordFailure(ExportException e) {
    if (fatal == null) {
      fatal = e;
    }
  }

  private void runSegment(String name, ExecutorService workers) {
    SegmentTally tally = new SegmentTally(name);
    Semaphore inFlight = new Semaphore(batchesInFlight);
    boolean failedHere = false;
    try (Segment segment = open(name)) {
      OptionalLong hint = segment.sizeHint();
      if (admitted == 0 && hint.isPresent() && hint.getAsLong() > profileCap && finished.isEmpty()) {
        throw limitExceeded(hint.getAsLong());
      }
      Destination destination = connector.open(new DestinationRequest(name, definition, mapper.schema(), http));
      tally.destinationId = destination.id();
      listener.segmentStarted(name, destination.id(), hint);
      Admission admission = new Admission(new FingerprintSet(Math.min(hint.orElse(1024), profileCap)),
          new BatchFiller(name, destination, tally, inFlight, workers), tally);
      Iterator<Profile> profiles = segment.profiles();
      while (!control.isStopped() && profiles.hasNext()) {
        if (capReachedAt != 0 && System.nanoTime() - capReachedAt > pastCapReadingNanos) {
          tally.stoppedReading(capReason(), "; the rest of the segment was not read (counting stops "
              + Duration.ofNanos(pastCapReadingNanos).toSeconds() + " s after the limit)");
          break;
        }
        Profile profile = profiles.next();
        long row = ++tally.read;
        RecordMapper.Mapped m = mapper.map(profile, row);
        if (m.record == null) {
          tally.rejected(1);
          reject(new RejectedRecord(name, row, Masking.email(m.rawEmail), m.reason, Optional.empty(), m.message));
          continue;
        }
        if (m.estimatedBytes > limits.maxBatchBytes()) {
          // Alone it would already break the vendor's request size limit: reject it rather than send it.
          tally.rejected(1);
          reject(new RejectedRecord(name, row, Masking.email(m.record.email()), RejectionReason.INVALID_VALUE,
              Optional.empty(), "the profile's data (about " + m.estimatedBytes
                  + " bytes) exceeds the vendor's request size limit of " + limits.maxBatchBytes() + " bytes"));
          continue;
        }
        admission.offer(m);
      }
      admission.finish();
    } catch (ExportCancelledException e) {
      control.stop(e.getMessage());
    } catch (ExportException e) {
      failedHere = true;
      recordFailure(e);
    } catch (RuntimeException | Error e) {
      // An Error too (a heap exhausted by the host's source, a connector's linkage error): the segment's
      // counts so far still go into the result.
      failedHere = true;
      recordFailure(new ExportException("Reading segment '" + name + "' failed: " + e.getClass().getName(), e));
    } finally {
      // Batches already handed out are confirmed (or refused) before the segment ends, also when reading
      // failed: what the vendor did with them is known, not guessed.
      inFlight.acquireUninterruptibly(batchesInFlight);
    }
    if (failedHere) {
      control.stop("failed: " + fatal.getClass().getSimpleName());
    }
    if (control.isStopped()) {
      // Profiles read but never submitted (reading failed or the run stopped): in a batch being filled or
      // waiting to be de-duplicated.
      tally.accountRemainder("the export stopped: " + control.stopReason());
    }
    SegmentResult result = tally.result(control.isStopped() && fatal == null, failedHere || fatal != null);
    synchronized (this) {
      finished.add(result);
    }
    listener.segmentFinished(result);
  }

  /**
   * De-duplicates mapped records and admits them, in order, into batches, up to the export's profile
   * cap. Records wait in groups of {@value #DEDUP_GROUP}: the de-duplication table of a large segment
   * does not fit in the CPU's caches, and probing a whole group at once lets the CPU fetch its slots
   * together. Reader thread only.
   */
  private final class Admission {
    private final FingerprintSet seen;
    private final BatchFiller filler;
    private final SegmentTally tally;
    private final RecordMapper.Mapped[] waiting = new RecordMapper.Mapped[DEDUP_GROUP];
    private final long[] fingerprints = new long[DEDUP_GROUP];
    private final boolean[] fresh = new boolean[DEDUP_GROUP];
    private int count;

    Admission(FingerprintSet seen, BatchFiller filler, SegmentTally tally) {
      this.seen = seen;
      this.filler = filler;
      this.tally = tally;
    }

    void offer(RecordMapper.Mapped m) {
      waiting[count] = m;
      fingerprints[count++] = FingerprintSet.fingerprint(m.record.email());
      if (count == DEDUP_GROUP) {
        admitWaiting();
      }
    }

    /** Admits what waits and submits the last batch (which the engine accounts for if it has stopped). */
    void finish() {
      admitWaiting();
      filler.flush();
    }

    private void admitWaiting() {
      seen.addAll(fingerprints, count, fresh);
      int overCap = 0;
      for (int i = 0; i < count; i++) {
        RecordMapper.Mapped m = waiting[i];
        waiting[i] = null;
        if (!fresh[i]) {
          tally.duplicates++;
        } else if (admitted >= profileCap) {
          overCap++;
        } else {
          admitted++;
          filler.add(m);
        }
      }
      count = 0;
      if (overCap > 0) { // once per group: past the cap, every profile of a large segment comes here
        if (capReachedAt == 0) {
          capReachedAt = System.nanoTime();
        }
        tally.notAttempted(overCap, capReason());
      }
    }
  }

  /** Fills one segment's batches and submits each when the next record would not fit. Reader thread only. */
  private final class BatchFiller {
    private final String segment;
    private final Destination destination;
    private final SegmentTally tally;
    private final Semaphore inFlight;
    private final ExecutorService workers;
    private List<ExportRecord> records = new ArrayList<>(limits.maxBatchRecords());
    private long bytes;
    private long sequence;

    BatchFiller(String segment, Destination destination, SegmentTally tally, Semaphore inFlight,
        ExecutorService workers) {
      this.segment = segment;
      this.destination = destination;
      this.tally = tally;
      this.inFlight = inFlight;
      this.workers = workers;
    }

    void add(RecordMapper.Mapped m) {
      if (!records.isEmpty()
          && (records.size() >= limits.maxBatchRecords() || bytes + m.estimatedBytes > limits.maxBatchBytes())) {
        flush();
      }
      records.add(m.record);
      bytes += m.estimatedBytes;
    }

    void flush() {
      if (records.isEmpty()) {
        return;
      }
      submit(new Batch(segment, ++sequence, mapper.schema(), records, bytes), destination, tally, inFlight, workers);
      records = new ArrayList<>(limits.maxBatchRecords());
      bytes = 0;
    }
  }

  private Segment open(String name) {
    try {
      Segment segment = source.open(name);
      if (segment == null) {
        throw new ExportException("The segment source returned no segment for '" + name + "'");
      }
      return segment;
    } catch (ExportException e) {
      throw e;
    } catch (Exception e) {
      throw new ExportException("Opening segment '" + name + "' failed: " + e.getClass().getName(), e);
    }
  }

  private void submit(Batch batch, Destination destination, SegmentTally tally, Semaphore inFlight,
      ExecutorService workers) {
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
    workers.execute(() -> {
      try {
        write(batch, destination, tally);
      } finally {
        inFlight.release();
      }
    });
  }

  private void write(Batch batch, Destination destination, SegmentTally tally) {
    try {
      BatchResult result = destination.write(batch);
      for (BatchResult.Rejection r : result.rejections()) {
        reject(new RejectedRecord(batch.segment(), r.record().row(), Masking.email(r.record().email()),
            r.reason(), Optional.ofNullable(r.vendorCode()), maskQuoted(r.message(), r.record().email())));
      }
      tally.rejected(result.rejections().size());
      for (BatchResult.Rejection r : result.unconfirmed()) {
        unconfirmed(new RejectedRecord(batch.segment(), r.record().row(), Masking.email(r.record().email()),
            RejectionReason.UNCONFIRMED, Optional.empty(), maskQuoted(r.message(), r.record().email())));
      }
      tally.unconfirmed(result.unconfirmed().size());
      tally.exported(result.exported());
      result.created().ifPresent(tally::created);
      result.updated().ifPresent(tally::updated);
      result.counters().forEach(tally::count);
      listener.batchAcknowledged(batch.segment(), batch.size(), result.exported(), result.rejections().size(),
          tally.exportedSoFar());
    } catch (ExportCancelledException e) {
      if (e.sent()) {
        unconfirmAll(batch, tally,
            "the export stopped before the vendor confirmed this record (" + control.stopReason() + ")");
      } else {
        tally.notAttempted(batch.size(), "the export stopped: " + control.stopReason());
      }
    } catch (AuthenticationException e) {
      rejectAll(batch, tally, RejectionReason.DELIVERY_FAILED, "HTTP_" + e.httpStatus(), e.getMessage());
      fail(e);
    } catch (OutcomeUnknownException e) {
      unconfirmAll(batch, tally, e.getMessage());
      log.warn("Batch {} of segment '{}' may or may not have been applied: {}", batch.sequence(), batch.segment(),
          e.getMessage());
    } catch (DestinationException e) {
      boolean refused = e.httpStatus() >= 400 && e.httpStatus() < 500 && e.httpStatus() != 408
          && e.httpStatus() != 429;
      RejectionReason reason = refused || (e.vendorCode().isPresent() && e.httpStatus() != 429)
          ? RejectionReason.BATCH_FAILED : RejectionReason.DELIVERY_FAILED;
      rejectAll(batch, tally, reason, e.vendorCode().orElse(e.httpStatus() > 0 ? "HTTP_" + e.httpStatus() : null),
          e.vendorMessage().orElse(e.getMessage()));
      log.warn("Batch {} of segment '{}' failed: {}", batch.sequence(), batch.segment(), e.getMessage());
    } catch (ExportException e) {
      // A typed failure such as a ConfigurationException (plain HTTP refused): the export ends with it as is.
      rejectAll(batch, tally, RejectionReason.DELIVERY_FAILED, null, e.getMessage());
      fail(e);
    } catch (RuntimeException | Error e) {
      // Uncaught, an Error would end the worker with the batch unaccounted for. Whether the connector had
      // sent the batch is not known: it may be at the vendor.
      unconfirmAll(batch, tally, "connector error before the vendor's answer was read: " + e.getClass().getName());
      fail(new ExportException("The connector failed: " + e.getClass().getName(), e));
    }
  }

  /**
   * Vendors quote the address in some per-record messages ("Invalid email: ana@..."); results and
   * sinks must not carry it unmasked.
   */
  static String maskQuoted(String message, String email) {
    if (message == null || email == null || email.isEmpty()) {
      return message;
    }
    String lower = message.toLowerCase(java.util.Locale.ROOT);
    String needle = email.toLowerCase(java.util.Locale.ROOT);
    int at = lower.indexOf(needle);
    if (at < 0) {
      return message;
    }
    StringBuilder sb = new StringBuilder();
    int from = 0;
    while (at >= 0) {
      sb.append(message, from, at).append(Masking.email(email));
      from = at + needle.length();
      at = lower.indexOf(needle, from);
    }
    return sb.append(message.substring(from)).toString();
  }

  private void rejectAll(Batch batch, SegmentTally tally, RejectionReason reason, String code, String message) {
    for (ExportRecord r : batch.records()) {
      reject(new RejectedRecord(batch.segment(), r.row(), Masking.email(r.email()), reason,
          Optional.ofNullable(code), message));
    }
    tally.rejected(batch.size());
  }

  /** Records sent whose outcome is unknown: counted apart, in the sample, never given to the sink. */
  private void unconfirmAll(Batch batch, SegmentTally tally, String why) {
    for (ExportRecord r : batch.records()) {
      unconfirmed(new RejectedRecord(batch.segment(), r.row(), Masking.email(r.email()), RejectionReason.UNCONFIRMED,
          Optional.empty(), why));
    }
    tally.unconfirmed(batch.size());
  }

  private synchronized void unconfirmed(RejectedRecord record) {
    if (sample.size() < options.rejectedSampleSize()) {
      sample.add(record);
    }
  }

  private synchronized void reject(RejectedRecord record) {
    if (sample.size() < options.rejectedSampleSize()) {
      sample.add(record);
    }
    options.rejectedRecordSink().ifPresent(sink -> {
      try {
        sink.accept(record);
      } catch (RuntimeException e) {
        log.warn("Rejected-record sink threw {}; record of row {} not delivered to it",
            e.getClass().getName(), record.row());
      }
    });
  }

  private synchronized ExportResult result(Instant startedAt, Duration duration) {
    ExportStatus status;
    boolean allSucceeded = finished.stream().allMatch(s -> s.status() == ExportStatus.SUCCEEDED);
    boolean allFailed = !finished.isEmpty() && finished.stream().allMatch(s -> s.status() == ExportStatus.FAILED);
    if (fatal != null) {
      status = ExportStatus.FAILED;
    } else if (control.isStopped()) {
      status = ExportStatus.CANCELLED;
    } else if (allSucceeded) {
      status = ExportStatus.SUCCEEDED;
    } else if (allFailed) {
      status = ExportStatus.FAILED;
    } else {
      status = ExportStatus.PARTIALLY_SUCCEEDED;
    }
    Optional<String> failure = fatal != null ? Optional.of(fatal.getMessage())
        : control.isStopped() ? Optional.of("cancelled: " + control.stopReason()) : Optional.empty();
    return new ExportResult(definition.name(), status, finished, sample, stats.httpCalls.get(), stats.retries.get(),
        Duration.ofNanos(stats.throttledNanos.get()), startedAt, duration, failure);
  }

  @Override
  public void cancel() {
    control.stop("cancelled by the caller");
  }

  @Override
  public boolean isDone() {
    return completion.isDone();
  }

  @Override
  public ExportResult await() {
    try {
      return completion.get();
    } catch (InterruptedException e) {
      cancel();
      throw interrupted(e);
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    }
  }

  /**
   * The caller's thread was interrupted while it waited: the run is cancelled, and the exception carries
   * the result of the run once it has stopped (cancellation is prompt: in-flight requests end within
   * {@value #STOP_WAIT_SECONDS} s), like every other ending. The interrupt flag is set again.
   */
  private ExportException interrupted(InterruptedException e) {
    ExportException failure = new ExportException(
        "Interrupted while waiting for the export; the export was cancelled", e);
    boolean done = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_WAIT_SECONDS);
    while (!done && deadline - System.nanoTime() > 0) {
      try {
        completion.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        done = true;
      } catch (InterruptedException again) {
        // Keep waiting for the stop; the flag is restored below.
      } catch (ExecutionException | TimeoutException ended) {
        done = true;
      }
    }
    Thread.currentThread().interrupt();
    ExportResult result = null;
    if (completion.isDone()) {
      try {
        result = completion.join();
      } catch (CompletionException ended) {
        result = rethrow(ended.getCause()).partialResult().orElse(null);
      }
    }
    return result == null ? failure : failure.withPartialResult(result);
  }

  @Override
  public Optional<ExportResult> await(Duration timeout) {
    try {
      return Optional.of(completion.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      cancel();
      throw interrupted(e);
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    }
  }

  private static ExportException rethrow(Throwable cause) {
    if (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof ExportException ? (ExportException) cause
        : new ExportException("Export failed: " + cause.getClass().getName(), cause);
  }

  @Override
  public CompletableFuture<ExportResult> completion() {
    return completion;
  }
}
