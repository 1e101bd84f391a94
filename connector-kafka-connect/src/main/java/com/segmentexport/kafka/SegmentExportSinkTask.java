package com.segmentexport.kafka;

import com.segmentexport.api.AccessDeniedException;
import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.Connection;
import com.segmentexport.api.ConnectionRemovedException;
import com.segmentexport.api.Connectors;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportHandle;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.ExportStatus;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.LimitExceededException;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentExporter;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.state.JdbcSyncStateStore;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports the records of its partitions through the SDK's engine, in windows: a window collects one
 * segment's records until it holds {@code export.window.max.records} or is {@code export.window.flush.ms}
 * old (or, with {@code export.window.close.when.idle}, until a poll finds no record while no other
 * window of its segment is in flight), then becomes one export run over those profiles (the engine validates, de-duplicates, batches,
 * retries, paces and masks). Windows of one segment run side by side unless they hold the same
 * profile: then the later one waits for the earlier, so that a profile's values land in order. Offsets are committed only up to records whose window ended with every
 * record confirmed by the vendor or rejected into the dead-letter queue. A window the vendor did not
 * fully confirm (a 5xx after the engine's retries, a timeout) runs again with back-off, holding its
 * offsets back; a permanent failure (credentials refused, destination gone, configuration) fails the
 * task once, from {@link #put}.
 *
 * <p>Lifecycle as Connect drives it: {@link #start}, then {@link #open} and any number of {@link
 * #put} and {@link #preCommit} calls, {@link #close} on rebalance, {@link #stop}. All on the task's
 * thread; the engine's threads only hand finished runs back through a queue.
 */
public final class SegmentExportSinkTask extends SinkTask {
  private static final Logger log = LoggerFactory.getLogger(SegmentExportSinkTask.class);
  private static final int MAX_CACHED_DEFINITIONS = 1_000;

  /**
   * The longest the task's thread waits for records while a window of its runs: a run that ends is
   * seen (and its offsets offered for commit) within this time, not at the next offset commit.
   */
  static final long POLL_WHILE_RUNNING_MS = 25;

  /**
   * The longest {@link #close} and {@link #stop} wait for the cancelled runs of windows holding
   * records of the partitions they give up: until those runs end, batches of them may still reach the
   * vendor, after the partitions' new owner wrote newer values of the same profiles. Well under the
   * consumer's {@code max.poll.interval.ms} (5 minutes by default), which a longer wait on the task's
   * thread would risk: a cancelled run stops within a request's time (its batches in flight end).
   */
  static final long CANCELLED_RUNS_WAIT_MS = 10_000;

  /** Runs of a window whose batch the vendor refused whole, before its records go to the DLQ. */
  static final int BATCH_REFUSAL_ATTEMPTS = 3;

  /** A finished run, as the engine's thread hands it to the task's. */
  private record Finished(Window window, ExportResult result, Throwable failure) {}

  /** The exporter of the task at one rate, with its definitions per segment. */
  private static final class Exporter {
    final double rate;
    final Connection connection;
    final SegmentExporter exporter;
    final Map<String, ExportDefinition> definitions =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, ExportDefinition> eldest) {
            return size() > MAX_CACHED_DEFINITIONS;
          }
        };

    Exporter(double rate, Connection connection, SegmentExporter exporter) {
      this.rate = rate;
      this.connection = connection;
      this.exporter = exporter;
    }
  }

  private SinkConfig config;
  private RecordProfiles reader;
  private FieldMapping mapping;
  private String keyField;
  private String account;
  private Connectors connectors;
  private Instant consentTime;
  private JdbcSyncStateStore state;
  private Exporter exporter;
  private final List<Exporter> retired = new ArrayList<>();

  private final Map<String, Window> open = new LinkedHashMap<>();
  private final Map<String, ArrayDeque<Window>> closed = new LinkedHashMap<>();
  private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
  private final PartitionOffsets offsets = new PartitionOffsets();
  private final Set<TopicPartition> assigned = new HashSet<>();

  /**
   * Partitions revoked while a window holding their records ran: if the window runs again, it leaves
   * them to their new owner, which consumes them again from the last commit.
   */
  private final Map<Window, Set<TopicPartition>> revokedWhileRunning = new HashMap<>();

  private int running;
  private boolean paused;
  private String fatal;

  /** Connect's no-argument constructor. */
  public SegmentExportSinkTask() {}

  @Override
  public String version() {
    return SegmentExportSinkConnector.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    connectors = Connectors.load(SegmentExportSinkTask.class.getClassLoader());
    try {
      config = SinkConfig.parse(connectors, props);
      mapping = config.mapping();
    } catch (ConfigurationException e) {
      throw new ConnectException(e.getMessage(), e);
    }
    reader = new RecordProfiles(config.segmentSource(), config.segmentName());
    keyField = config.profileKeyField();
    consentTime = Instant.now();
    account = JvmAccounts.account(config.connectorId(), config.settings(), config.secrets());
    JvmAccounts.join(account, this, config.accountRequestsPerSecond() / config.taskCount());
    if (config.stateUrl().isPresent()) {
      state =
          SharedStates.acquire(
              config.stateUrl().get(),
              config.stateUser(),
              config.statePassword(),
              config.stateSchema());
    }
    log.info(
        "Segment export task started: connector {}, {} task(s), {} req/s for this task's share",
        config.connectorId(),
        config.taskCount(),
        SinkConfig.plain(config.accountRequestsPerSecond() / config.taskCount()));
  }

  @Override
  public void open(Collection<TopicPartition> partitions) {
    assigned.addAll(partitions);
    // Connect keeps a partition paused across rebalances: new ones follow the task's state.
    TopicPartition[] opened = partitions.toArray(new TopicPartition[0]);
    if (paused) {
      context.pause(opened);
    } else {
      context.resume(opened);
    }
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    failIfFatal();
    drainFinished();
    failIfFatal();
    long now = System.currentTimeMillis();
    int maxRecords = config.windowMaxRecords(); // a look-up in the parsed configuration
    for (SinkRecord r : records) {
      Profile profile;
      String segment;
      try {
        profile = reader.profile(r);
        segment = reader.segment(r, profile);
      } catch (DataException e) {
        offsets.add(
            r.originalTopic(),
            r.originalKafkaPartition(),
            r.originalKafkaOffset(),
            Completion.of(report(r, e)));
        continue;
      }
      Window w = open.computeIfAbsent(segment, s -> new Window(s, now));
      w.add(withoutValue(r), profile, key(profile));
      offsets.add(r.originalTopic(), r.originalKafkaPartition(), r.originalKafkaOffset(), w);
      if (w.size() >= maxRecords) {
        close(w);
      }
    }
    if (records.isEmpty() && config.windowCloseWhenIdle()) {
      closeIdle();
    }
    progress(now);
    failIfFatal();
  }

  @Override
  public Map<TopicPartition, OffsetAndMetadata> preCommit(
      Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    drainFinished();
    progress(System.currentTimeMillis());
    Map<TopicPartition, OffsetAndMetadata> commit = new LinkedHashMap<>();
    for (TopicPartition tp : currentOffsets.keySet()) {
      offsets.committable(tp).ifPresent(o -> commit.put(tp, new OffsetAndMetadata(o)));
    }
    return commit;
  }

  /**
   * Gives up partitions: windows drop their records, and the runs of windows holding them are
   * cancelled; returns once those runs ended (at most {@link #CANCELLED_RUNS_WAIT_MS}), so that none
   * of their batches reaches the vendor after the partitions' new owner wrote to it.
   */
  @Override
  public void close(Collection<TopicPartition> partitions) {
    Set<TopicPartition> closing = new HashSet<>(partitions);
    assigned.removeAll(closing);
    offsets.remove(closing);
    if (assigned.isEmpty()) {
      discardAll();
      return;
    }
    // Partitions moved to another task: it gets their uncommitted records again. Windows that did
    // not start drop them.
    for (Window w : open.values()) {
      w.dropPartitions(closing);
    }
    // A window waiting to run again drops them too. A running one that holds their records is
    // cancelled, and the task waits for its run to end: its batches, sent after the new owner sent
    // the same profiles' newer values, would overwrite those. It runs again without them.
    List<ExportHandle> cancelled = new ArrayList<>();
    for (ArrayDeque<Window> q : closed.values()) {
      for (Window w : q) {
        if (w.state == Window.State.READY || w.state == Window.State.WAITING_RETRY) {
          w.dropPartitions(closing);
        } else if (w.state == Window.State.RUNNING) {
          revokedWhileRunning.computeIfAbsent(w, k -> new HashSet<>()).addAll(closing);
          if (w.handle != null && w.holdsAny(closing)) {
            w.handle.cancel();
            cancelled.add(w.handle);
          }
        }
      }
    }
    awaitCancelled(cancelled);
  }

  /**
   * Waits, at most {@link #CANCELLED_RUNS_WAIT_MS}, for cancelled runs to end, so that none of their
   * batches reaches the vendor once the partitions are given up; logs when the bound is reached.
   */
  private static void awaitCancelled(List<ExportHandle> cancelled) {
    if (cancelled.isEmpty()) {
      return;
    }
    CompletableFuture<?>[] ends =
        cancelled.stream()
            .map(h -> h.completion().handle((r, e) -> null))
            .toArray(CompletableFuture<?>[]::new);
    try {
      CompletableFuture.allOf(ends).get(CANCELLED_RUNS_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn(
          "{} of {} cancelled export run(s) of revoked partitions still running after {} ms;"
              + " batches they have in flight may still reach the vendor",
          java.util.Arrays.stream(ends).filter(f -> !f.isDone()).count(),
          ends.length,
          CANCELLED_RUNS_WAIT_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn(
          "Interrupted while waiting for {} cancelled export run(s) of revoked partitions to end",
          ends.length);
    } catch (ExecutionException e) {
      // Not thrown: each end is handled above.
    }
  }

  /**
   * Cancels the running windows' runs and waits for them to end (at most {@link
   * #CANCELLED_RUNS_WAIT_MS}) before closing the exporters.
   */
  @Override
  public void stop() {
    discardAll();
    if (account != null) {
      JvmAccounts.leave(account, this);
    }
    if (exporter != null) {
      exporter.exporter.close();
      exporter = null;
    }
    retired.forEach(e -> e.exporter.close());
    retired.clear();
    if (state != null) {
      SharedStates.release(state);
      state = null;
    }
  }

  // ---- windows ---------------------------------------------------------------------------------

  /**
   * The record as its window keeps it, for the dead-letter queue: without its converted value (a map
   * per record, which the profile copied), so that the records of windows in flight weigh less on
   * the heap. Connect's reporter writes the record as it was consumed (its original key, value and
   * headers), not this value. A value of bytes (ByteArrayConverter) is the consumed record's own
   * array, which the record keeps anyway: that record is kept as it is, without a copy.
   */
  private static SinkRecord withoutValue(SinkRecord r) {
    if (r.value() instanceof byte[]) {
      return r;
    }
    return r.newRecord(
        r.topic(),
        r.kafkaPartition(),
        r.keySchema(),
        r.key(),
        r.valueSchema(),
        null,
        r.timestamp(),
        r.headers());
  }

  private String key(Profile profile) {
    Object v = profile.get(keyField);
    String s = v == null ? "" : v.toString().trim();
    return s.isEmpty() ? null : s.toLowerCase(Locale.ROOT);
  }

  private void close(Window w) {
    open.remove(w.segment);
    w.state = Window.State.READY;
    closed.computeIfAbsent(w.segment, s -> new ArrayDeque<>()).addLast(w);
  }

  /**
   * Closes the open windows of segments with no window being exported or waiting to be: the worker's
   * poll found no record, so waiting for the flush interval would only delay them.
   */
  private void closeIdle() {
    List<Window> idle = new ArrayList<>();
    for (Window w : open.values()) {
      ArrayDeque<Window> q = closed.get(w.segment);
      if (w.size() > 0 && (q == null || q.isEmpty())) {
        idle.add(w);
      }
    }
    idle.forEach(this::close);
  }

  /** Closes windows past their flush interval, starts what may start, pauses or resumes. */
  private void progress(long now) {
    List<Window> due = new ArrayList<>();
    for (Window w : open.values()) {
      if (now - w.openedAt >= config.windowFlushMillis() && w.size() > 0) {
        due.add(w);
      }
    }
    due.forEach(this::close);
    open.values().removeIf(w -> w.size() == 0 && now - w.openedAt >= config.windowFlushMillis());
    for (Iterator<Map.Entry<String, ArrayDeque<Window>>> it = closed.entrySet().iterator();
        it.hasNext(); ) {
      ArrayDeque<Window> q = it.next().getValue();
      q.removeIf(
          w -> {
            if ((w.state == Window.State.READY || w.state == Window.State.WAITING_RETRY)
                && w.size() == 0) {
              w.state = Window.State.DONE;
              return true;
            }
            return false;
          });
      if (q.isEmpty()) {
        it.remove();
        continue;
      }
      // A window starts once no earlier window of its segment still to be done holds one of its
      // profiles: a profile's later values land after its earlier ones, and windows of other
      // profiles run side by side.
      List<Window> earlier = new ArrayList<>();
      for (Window w : q) {
        if (running >= config.windowsMaxInFlight()) {
          break;
        }
        boolean startable =
            w.state == Window.State.READY
                || (w.state == Window.State.WAITING_RETRY && now >= w.retryAt);
        if (startable
            && earlier.stream().noneMatch(w::sharesProfilesWith)
            && JvmAccounts.mayStart(account, w.segment, w)) {
          start(w);
        }
        earlier.add(w);
      }
    }
    backPressure();
    wakeUp(now);
  }

  /**
   * Bounds the worker's next wait for records ({@code SinkTaskContext.timeout}, which Connect applies
   * to its next poll): without records coming, {@link #put} would only run again at the next offset
   * commit, so a window would close up to {@code offset.flush.interval.ms} after its flush time and a
   * finished run be seen as late. The task's thread wakes for the first of: an open window's flush
   * time (or {@link #POLL_WHILE_RUNNING_MS} when windows close when idle), a window's retry time,
   * {@link #POLL_WHILE_RUNNING_MS} while a window runs or waits for its turn; never sooner than that
   * (a window whose time came may still have to wait for another).
   */
  private void wakeUp(long now) {
    long next = Long.MAX_VALUE;
    for (Window w : open.values()) {
      next = Math.min(next, w.openedAt + config.windowFlushMillis());
      if (config.windowCloseWhenIdle()) {
        next = Math.min(next, now + POLL_WHILE_RUNNING_MS); // a poll that finds nothing closes it
      }
    }
    for (ArrayDeque<Window> q : closed.values()) {
      for (Window w : q) {
        if (w.state == Window.State.RUNNING || w.state == Window.State.READY) {
          next = Math.min(next, now + POLL_WHILE_RUNNING_MS);
        } else if (w.state == Window.State.WAITING_RETRY) {
          next = Math.min(next, w.retryAt);
        }
      }
    }
    if (next != Long.MAX_VALUE) {
      context.timeout(Math.max(POLL_WHILE_RUNNING_MS, next - now));
    }
  }

  /**
   * Pauses the task's partitions while too much waits to be exported: twice {@code
   * export.windows.max.in.flight} closed windows, or twice {@code export.window.max.records} records
   * in windows not running; resumes below. Memory stays bounded by the windows, not by the topic.
   */
  private void backPressure() {
    int waiting = 0;
    long buffered = 0;
    for (ArrayDeque<Window> q : closed.values()) {
      waiting += q.size();
      for (Window w : q) {
        if (w.state != Window.State.RUNNING) {
          buffered += w.size();
        }
      }
    }
    for (Window w : open.values()) {
      buffered += w.size();
    }
    boolean full =
        waiting >= 2 * config.windowsMaxInFlight() || buffered >= 2L * config.windowMaxRecords();
    if (full && !paused && !assigned.isEmpty()) {
      context.pause(assigned.toArray(new TopicPartition[0]));
      paused = true;
      log.debug(
          "Paused {} partition(s): {} windows, {} records wait",
          assigned.size(),
          waiting,
          buffered);
    } else if (!full && paused) {
      context.resume(context.assignment().toArray(new TopicPartition[0]));
      paused = false;
    }
  }

  private Exporter exporter() {
    double rate = JvmAccounts.rate(account);
    if (exporter == null || exporter.rate != rate) {
      if (exporter != null) {
        retired.add(exporter);
      }
      // The SDK's limiter for the account takes the rate of the latest exporter built for it: this
      // JVM's tasks on the account together (see JvmAccounts).
      Connection connection = config.connection(rate, consentTime);
      exporter = new Exporter(rate, connection, connectors.administratorExporter(connection));
    }
    return exporter;
  }

  private void start(Window w) {
    w.attempts++;
    w.clearRejections();
    w.state = Window.State.RUNNING;
    w.startedAt = System.currentTimeMillis();
    running++;
    log.debug(
        "Window of segment '{}' starts: {} profiles, {} ms after it opened, attempt {}",
        w.segment,
        w.size(),
        w.startedAt - w.openedAt,
        w.attempts);
    try {
      Exporter ex = exporter();
      ExportDefinition definition =
          ex.definitions.computeIfAbsent(
              w.segment, s -> config.definition(ex.connection, mapping, s));
      List<Profile> profiles = w.profiles();
      ExportOptions options =
          ExportOptions.DEFAULT
              .withRejectedRecordSink(w::rejected)
              .withRetryPolicy(config.retryPolicy());
      if (state != null) {
        options = options.withSyncState(state);
      }
      // The window's profiles are in memory: the export runs in steps on the engine's shared
      // threads, with no thread of its own, however many tasks this worker runs.
      w.handle =
          ex.exporter.start(
              definition, SegmentSource.nonBlocking(name -> Segment.of(name, profiles)), options);
      w.handle.completion().whenComplete((r, e) -> finished.add(new Finished(w, r, e)));
    } catch (RuntimeException e) {
      finished.add(new Finished(w, null, e));
    }
  }

  /** Handles the runs that ended since the last call: done, again later, or the task fails. */
  private void drainFinished() {
    Finished f;
    while ((f = finished.poll()) != null) {
      Window w = f.window();
      if (w.state != Window.State.RUNNING) {
        continue; // discarded meanwhile
      }
      running--;
      Set<TopicPartition> revoked = revokedWhileRunning.remove(w);
      Throwable failure =
          f.failure() instanceof CompletionException && f.failure().getCause() != null
              ? f.failure().getCause()
              : f.failure();
      Optional<SegmentResult> segment =
          f.result() == null ? Optional.empty() : f.result().segment(w.segment);
      JvmAccounts.ended(
          account,
          w.segment,
          w,
          segment.flatMap(SegmentResult::destinationId).isPresent()
              || (failure != null
                  && failure instanceof com.segmentexport.api.ExportException ee
                  && ee.partialResult()
                      .flatMap(r -> r.segment(w.segment))
                      .flatMap(SegmentResult::destinationId)
                      .isPresent()));
      if (failure != null) {
        if (isPermanent(failure)) {
          fatal =
              "The segment export to "
                  + config.connectorId()
                  + " failed for good, the task stops (nothing more is sent, offsets of unconfirmed"
                  + " records are not committed) ("
                  + failure.getClass().getSimpleName()
                  + "): "
                  + failure.getMessage();
          log.error(fatal);
          return;
        }
        retryLater(w, revoked, failure.getClass().getSimpleName() + ": " + failure.getMessage());
        continue;
      }
      SegmentResult s = segment.orElse(null);
      List<RejectedRecord> rejections = w.rejections();
      long undelivered = rejections.stream().filter(SegmentExportSinkTask::isTransient).count();
      // A whole batch the vendor refused may have been refused for a passing reason (a list just
      // created that the vendor does not know yet): the window runs again before its records go to
      // the DLQ.
      long refusedWhole =
          rejections.stream().filter(r -> r.reason() == RejectionReason.BATCH_FAILED).count();
      if (refusedWhole > 0 && w.attempts < BATCH_REFUSAL_ATTEMPTS) {
        undelivered += refusedWhole;
      }
      if (s == null
          || f.result().status() == ExportStatus.CANCELLED
          || s.unconfirmed() > 0
          || s.notAttempted() > 0
          || undelivered > 0) {
        retryLater(
            w,
            revoked,
            s == null
                ? "no result for the segment"
                : (s.unconfirmed()
                    + " unconfirmed, "
                    + s.notAttempted()
                    + " not attempted, "
                    + undelivered
                    + " not delivered or refused whole"
                    + s.notAttemptedReason().map(x -> " (" + x + ")").orElse("")));
        continue;
      }
      for (RejectedRecord r : rejections) {
        DataException why =
            new DataException(
                "Rejected by the segment export to "
                    + config.connectorId()
                    + " (segment '"
                    + w.segment
                    + "'): "
                    + r.reason()
                    + r.vendorCode().map(c -> " [" + c + "]").orElse("")
                    + ": "
                    + r.message()
                    + (r.maskedIdentifier().isEmpty() ? "" : " (" + r.maskedIdentifier() + ")"));
        for (SinkRecord record : w.records(r.row())) {
          Future<Void> report = report(record, why);
          if (fatal != null) {
            return;
          }
          w.reported(report);
        }
      }
      w.state = Window.State.DONE;
      ArrayDeque<Window> q = closed.get(w.segment);
      if (q != null) {
        q.remove(w);
      }
      // Its offsets may be committed now rather than at the next offset.flush.interval.ms.
      context.requestCommit();
      log.debug(
          "Window of segment '{}' done in {} ms: {} exported, {} unchanged, {} rejected, {}"
              + " duplicates",
          w.segment,
          System.currentTimeMillis() - w.startedAt,
          s.exported(),
          s.unchanged(),
          s.rejected(),
          s.duplicates());
    }
  }

  private void retryLater(Window w, Set<TopicPartition> revoked, String why) {
    if (revoked != null) {
      w.dropPartitions(revoked);
    }
    long delay =
        Math.min(
            config.retryBackoffMaxMillis(),
            config.retryBackoffMillis() << Math.min(20, Math.max(0, w.attempts - 1)));
    w.state = Window.State.WAITING_RETRY;
    w.retryAt = System.currentTimeMillis() + delay;
    log.warn(
        "Window of segment '{}' ({} profiles) not fully confirmed by {} ({}); exported again in {}"
            + " ms (attempt {}); its offsets are held back",
        w.segment,
        w.size(),
        config.connectorId(),
        why,
        delay,
        w.attempts + 1);
  }

  /**
   * A rejection that another run may mend: the request never got through ({@code DELIVERY_FAILED}),
   * or a whole batch refused with a server error status as the vendor's code (the engine counts a
   * 5xx that carries a vendor code as {@code BATCH_FAILED}; an outage is not a refusal of the content).
   */
  static boolean isTransient(RejectedRecord r) {
    if (r.reason() == RejectionReason.DELIVERY_FAILED) {
      return true;
    }
    return r.reason() == RejectionReason.BATCH_FAILED
        && r.vendorCode().map(c -> c.matches("(HTTP_)?(5\\d\\d|408|429)")).orElse(false);
  }

  /** Failures that another run cannot mend: the task fails rather than redeliver forever. */
  static boolean isPermanent(Throwable e) {
    if (e instanceof AuthenticationException
        || e instanceof AccessDeniedException
        || e instanceof ConfigurationException
        || e instanceof ConnectionRemovedException
        || e instanceof LimitExceededException) {
      return true;
    }
    if (e instanceof DestinationException d) {
      int status = d.httpStatus();
      return !(status == 0 || status >= 500 || status == 408 || status == 429);
    }
    return !(e instanceof com.segmentexport.api.ExportException);
  }

  private Future<Void> report(SinkRecord record, DataException why) {
    ErrantRecordReporter reporter = context.errantRecordReporter();
    if (reporter == null) {
      fatal =
          "A record was rejected and the connector has no dead-letter queue to send it to ("
              + why.getMessage()
              + "). Set errors.tolerance=all and errors.deadletterqueue.topic.name.";
      log.error(fatal);
      return null;
    }
    return reporter.report(record, why);
  }

  private void failIfFatal() {
    if (fatal != null) {
      String message = fatal;
      throw new ConnectException(message);
    }
  }

  private void discardAll() {
    for (Window w : open.values()) {
      w.state = Window.State.DISCARDED;
    }
    open.clear();
    List<ExportHandle> cancelled = new ArrayList<>();
    for (ArrayDeque<Window> q : closed.values()) {
      for (Window w : q) {
        if (w.state == Window.State.RUNNING && w.handle != null) {
          w.handle.cancel();
          cancelled.add(w.handle);
          running--;
          JvmAccounts.ended(account, w.segment, w, false);
        }
        w.state = Window.State.DISCARDED;
      }
    }
    closed.clear();
    revokedWhileRunning.clear();
    finished.clear();
    offsets.clear();
    running = Math.max(0, running);
    awaitCancelled(cancelled);
  }
}
