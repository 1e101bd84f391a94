package com.segmentexport.internal;

import static java.util.Objects.requireNonNull;

import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.spi.AccountDirectory;
import com.segmentexport.spi.Connector;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One export run, the handle a host holds: its lifecycle (start, cancel, await, the result or the
 * failure with the partial result), the segments run one after another ({@link SegmentPipeline}), and
 * the failure that ends it. What each batch became is {@link BatchOutcomes}'s; the rejected records
 * are {@link RejectedRecords}'; the vendor's per-export cap is {@link ProfileCap}'s.
 */
final class ExportRun implements ExportHandle, SegmentPipeline.RunFailures {
  private static final Logger log = LoggerFactory.getLogger(ExportRun.class);
  private static final AtomicInteger RUNS = new AtomicInteger();

  /** The slf4j MDC key of the run's id while it runs, on its threads: host logs can be correlated. */
  static final String MDC_RUN_ID = "segmentExport.runId";

  /** The slf4j MDC key of the run's connector id. */
  static final String MDC_CONNECTOR = "segmentExport.connector";

  /** How long an interrupted {@link #await()} waits for the cancelled run to stop, for its result. */
  static final int STOP_WAIT_SECONDS = 30;

  private final Connector connector;
  private final ExportDefinition definition;
  private final SegmentSource source;
  private final RecordMapper mapper;
  private final RunControl control;
  private final RunStats stats;
  private final SafeListener listener;
  private final DefaultVendorHttp http;
  private final AccountDirectory directory;
  private final RejectedRecords rejected;
  private final ProfileCap cap;
  private final CompletableFuture<ExportResult> completion = new CompletableFuture<>();
  private final List<SegmentResult> finished = new ArrayList<>();

  /**
   * Batches handed to workers at once: one more than the connector's requests in flight, so that a
   * batch's body is serialised while the others' requests are out, and is sent as soon as one returns.
   * {@link DefaultVendorHttp} holds the requests themselves to {@code maxConcurrentBatches}.
   */
  private final int batchesInFlight;

  private volatile ExportException fatal;
  private final String runId = java.util.UUID.randomUUID().toString();

  /** The run's use of the sync state, or null without one. */
  private final SyncRun sync;

  /** The run's share of the threads every export shares, which write its batches. */
  private final EngineThreads.Lane workers;

  /** The run's share of the set-up threads, for a run in steps. */
  private final EngineThreads.Lane setUps;

  /**
   * Set by whichever comes first: the run's start on its thread, or a cancel while it still waits for
   * one (then the cancel completes it at once, and the start does nothing).
   */
  private final AtomicBoolean begun = new AtomicBoolean();

  // Set when the run starts, on its first thread.
  private Instant startedAt;
  private long startedNanos;
  private SegmentPipeline.Scope scope;

  ExportRun(
      Connector connector,
      ExportDefinition definition,
      SegmentSource source,
      ExportOptions options,
      OkHttpClient client,
      AccountBudgets budgets,
      SyncRun.Factory sync,
      EngineThreads threads) {
    this(
        connector,
        definition,
        source,
        options,
        client,
        budgets,
        sync,
        threads,
        ProfileCap.PAST_CAP_READING);
  }

  ExportRun(
      Connector connector,
      ExportDefinition definition,
      SegmentSource source,
      ExportOptions options,
      OkHttpClient client,
      AccountBudgets budgets,
      SyncRun.Factory sync,
      EngineThreads threads,
      Duration pastCapReading) {
    this.connector = connector;
    this.definition = definition;
    this.source = source;
    this.mapper = new RecordMapper(definition.mapping(), definition.connection().provider());
    this.control = new RunControl(definition.connection());
    this.stats = new RunStats(options.retryPolicy().retryBudget());
    this.listener = new SafeListener(options.listener());
    this.http =
        new DefaultVendorHttp(
            client,
            budgets,
            control,
            options.retryPolicy(),
            stats,
            listener,
            connector.limits().maxConcurrentBatches());
    this.directory = budgets.directory();
    this.rejected = new RejectedRecords(options);
    this.batchesInFlight = connector.limits().maxConcurrentBatches() + 1;
    this.cap =
        new ProfileCap(
            connector.limits().maxProfilesPerExport(),
            definition.connection().provider().displayName(),
            pastCapReading,
            Ticker.SYSTEM);
    this.sync = sync == null ? null : sync.forRun(definition, options, runId);
    this.workers = threads.lane();
    this.setUps = threads.setUpLane();
  }

  /** Checks limits against sizes known in advance. Throws before anything is sent. */
  void preflight() {
    if (cap.unlimited() || (sync != null && sync.skipsUnchanged())) {
      // An incremental run sends only what changed: the cap applies to that, counted as it goes.
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
    if (total > cap.cap()) {
      throw cap.exceeded(total);
    }
  }

  /**
   * Starts the run: on a thread of {@code runners} (at once, or when one is free), or, when its source
   * never blocks and the runners do not limit the exports running, in steps on the shared threads,
   * holding none of its own ({@link SegmentPipeline#beginInSteps}).
   */
  void start(ExportRunners runners) {
    String name = "segment-export-" + RUNS.incrementAndGet();
    // Until it has a thread, a cancel or the removal of its connection ends it at once.
    control.watchWhileQueued(this::endIfQueued);
    if (runsInSteps(runners)) {
      setUps.execute(() -> inRunContext(this::beginInSteps));
    } else {
      runners.start(name, () -> inRunContext(this::runAndComplete));
    }
  }

  private boolean runsInSteps(ExportRunners runners) {
    return !runners.limitsRunning() && (source.isNonBlocking() || EVERY_SOURCE_IN_STEPS);
  }

  /**
   * The system property that, set to {@code true}, runs every export in steps as if its source never
   * blocked: for hosts whose sources are all in memory without saying so, and for testing the steps.
   */
  static final String IN_STEPS_PROPERTY = "segmentexport.nonBlockingSources";

  private static final boolean EVERY_SOURCE_IN_STEPS = Boolean.getBoolean(IN_STEPS_PROPERTY);

  private void inRunContext(Runnable action) {
    MDC.put(MDC_RUN_ID, runId);
    MDC.put(MDC_CONNECTOR, definition.connection().connectorId());
    try {
      action.run();
    } finally {
      MDC.remove(MDC_RUN_ID);
      MDC.remove(MDC_CONNECTOR);
    }
  }

  private void runAndComplete() {
    if (!begun.compareAndSet(false, true)) {
      return; // cancelled while it waited for a runner, and completed then
    }
    control.endWatchWhileQueued();
    try {
      started();
      for (String name : definition.segments()) {
        if (control.isStopped()) {
          break;
        }
        SegmentResult result = new SegmentPipeline(scope, name).run(firstSegment());
        segmentFinished(result);
      }
    } catch (RuntimeException | Error e) {
      failUnexpectedly(e);
    }
    complete();
  }

  /** The run's first step, on a set-up thread: the first segment's set-up. */
  private void beginInSteps() {
    if (!begun.compareAndSet(false, true)) {
      return; // cancelled while it waited for a set-up thread, and completed then
    }
    control.endWatchWhileQueued();
    try {
      started();
    } catch (RuntimeException | Error e) {
      failUnexpectedly(e);
      complete();
      return;
    }
    setUpInSteps(0);
  }

  /** Sets the segment {@code index} up, on a set-up thread; or completes the run after the last. */
  private void setUpInSteps(int index) {
    try {
      if (index == definition.segments().size() || control.isStopped()) {
        complete();
        return;
      }
      new SegmentPipeline(
              scope,
              definition.segments().get(index),
              (result, failure) -> inRunContext(() -> endedInSteps(index, result, failure)))
          .beginInSteps(firstSegment());
    } catch (RuntimeException | Error e) {
      failUnexpectedly(e);
      complete();
    }
  }

  /** A segment run in steps has ended, on a worker: the next one is set up, or the run completes. */
  private void endedInSteps(int index, SegmentResult result, Throwable failure) {
    try {
      if (failure != null) {
        failUnexpectedly(failure);
        complete();
        return;
      }
      segmentFinished(result);
      if (index + 1 == definition.segments().size() || control.isStopped()) {
        complete();
      } else {
        setUps.execute(() -> inRunContext(() -> setUpInSteps(index + 1)));
      }
    } catch (RuntimeException | Error e) {
      failUnexpectedly(e);
      complete();
    }
  }

  private boolean firstSegment() {
    return cap.admitted() == 0 && finishedCount() == 0;
  }

  private void started() {
    startedAt = Instant.now();
    startedNanos = System.nanoTime();
    listener.exportStarted(definition);
    log.info(
        "Export '{}' started: {} segment(s) via {} (run {})",
        definition.name(),
        definition.segments().size(),
        definition.connection().connectorId(),
        runId);
    scope =
        new SegmentPipeline.Scope(
            connector,
            definition,
            source,
            mapper,
            connector.limits(),
            control,
            listener,
            http,
            directory,
            rejected,
            cap,
            new BatchOutcomes(rejected, control, listener, this::fail),
            this,
            workers,
            batchesInFlight,
            sync);
  }

  private void segmentFinished(SegmentResult result) {
    synchronized (this) {
      finished.add(result);
    }
    listener.segmentFinished(result);
  }

  private void failUnexpectedly(Throwable e) {
    fail(
        e instanceof ExportException
            ? (ExportException) e
            : new ExportException("Export failed unexpectedly: " + e.getClass().getName(), e));
  }

  /** Ends the run: its result (with the failure, if any) to the listener and the handle. */
  private void complete() {
    Instant at = startedAt == null ? Instant.now() : startedAt;
    long nanos = startedAt == null ? 0 : System.nanoTime() - startedNanos;
    ExportResult result = result(at, Duration.ofNanos(nanos));
    log.info(
        "Export '{}' {}: read {}, exported {}, rejected {}, duplicates {}, unconfirmed {}, unchanged {}, "
            + "not attempted {}, {} HTTP calls, {} retries",
        definition.name(),
        result.status(),
        result.read(),
        result.exported(),
        result.rejected(),
        result.duplicates(),
        result.unconfirmed(),
        result.unchanged(),
        result.notAttempted(),
        result.httpCalls(),
        result.retries());
    listener.exportFinished(result);
    if (fatal != null) {
      completion.completeExceptionally(fatal.withPartialResult(result));
    } else {
      completion.complete(result);
    }
  }

  private synchronized int finishedCount() {
    return finished.size();
  }

  /** Ends the run with this failure at once: batches in flight stop waiting for their answers. */
  private void fail(ExportException e) {
    record(e);
    control.stop("failed: " + e.getClass().getSimpleName());
  }

  /**
   * Records the failure that will end the run, without stopping it yet: the reader fails this way (a
   * source that throws, a destination that cannot be opened) so that batches already handed to the
   * vendor are still confirmed before the run stops.
   */
  @Override
  public synchronized void record(ExportException e) {
    if (fatal == null) {
      fatal = e;
    }
  }

  @Override
  public ExportException fatal() {
    return fatal;
  }

  private synchronized ExportResult result(Instant startedAt, Duration duration) {
    ExportStatus status;
    boolean allSucceeded = finished.stream().allMatch(s -> s.status() == ExportStatus.SUCCEEDED);
    boolean allFailed =
        !finished.isEmpty() && finished.stream().allMatch(s -> s.status() == ExportStatus.FAILED);
    if (fatal != null) {
      status = ExportStatus.FAILED;
    } else if (control.isStopped()) {
      status = ExportStatus.CANCELLED;
    } else if (finished.stream().anyMatch(s -> s.status() == ExportStatus.REMOVALS_HELD_BACK)
        && finished.stream()
            .allMatch(
                s ->
                    s.status() == ExportStatus.SUCCEEDED
                        || s.status() == ExportStatus.REMOVALS_HELD_BACK)) {
      status = ExportStatus.REMOVALS_HELD_BACK;
    } else if (allSucceeded) {
      status = ExportStatus.SUCCEEDED;
    } else if (allFailed) {
      status = ExportStatus.FAILED;
    } else {
      status = ExportStatus.PARTIALLY_SUCCEEDED;
    }
    Optional<String> failure =
        fatal != null
            ? Optional.of(fatal.getMessage())
            : control.isStopped()
                ? Optional.of("cancelled: " + control.stopReason())
                : Optional.empty();
    return new ExportResult(
        definition.name(),
        status,
        finished,
        rejected.sample(),
        stats.httpCalls.get(),
        stats.retries.get(),
        Duration.ofNanos(stats.throttledNanos.get()),
        startedAt,
        duration,
        failure);
  }

  @Override
  public void cancel() {
    control.stop("cancelled by the caller");
  }

  /**
   * Stopped (cancelled, its connection removed) while still waiting for its turn (behind
   * withMaxRunningExports, or for a set-up thread): it ends now, having read nothing, rather than when
   * a running export makes room.
   */
  private void endIfQueued() {
    if (begun.compareAndSet(false, true)) {
      control.endWatchWhileQueued();
      inRunContext(
          () -> {
            started();
            complete();
          });
    }
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
    ExportException failure =
        new ExportException(
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
    requireNonNull(timeout, "timeout == null");
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
    return cause instanceof ExportException
        ? (ExportException) cause
        : new ExportException("Export failed: " + cause.getClass().getName(), cause);
  }

  @Override
  public CompletableFuture<ExportResult> completion() {
    return completion;
  }
}
