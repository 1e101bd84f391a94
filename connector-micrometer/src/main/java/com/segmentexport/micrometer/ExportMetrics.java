package com.segmentexport.micrometer;

import static java.util.Objects.requireNonNull;

import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.RejectedRecord;
import com.segmentexport.api.RejectedRecordSink;
import com.segmentexport.api.SegmentResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records exports in Micrometer: profiles by outcome, rejections by reason, segments, batches,
 * members removed by mirroring runs, retries, time throttled, export duration by status and exports in flight, per connector and
 * destination.
 *
 * <p>Make one, bind it to the host's registry (or registries) once, and instrument each export's options:
 *
 * <pre>{@code
 * ExportMetrics metrics = new ExportMetrics();
 * metrics.bindTo(meterRegistry);
 * ExportResult result = exporter.export(definition, source, metrics.instrument(ExportOptions.DEFAULT));
 * }</pre>
 *
 * <p>{@link #instrument(ExportOptions)} adds a listener (forwarding every event to the options' own
 * listener) and wraps the rejected-record sink to count rejections by reason (forwarding every record to
 * the options' own sink, if any). {@link #listener(ExportListener)} gives the listener alone, without
 * the rejections by reason.
 *
 * <h2>Meters</h2>
 *
 * <table>
 *   <caption>Meters and their tags</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@value #PROFILES}</td><td>counter</td><td>connector, destination, outcome</td>
 *     <td>profiles of finished segments by outcome: {@code read}, {@code exported}, {@code rejected},
 *     {@code duplicate}, {@code unconfirmed}, {@code unchanged}, {@code not_attempted} (read = the sum of the
 *     others)</td></tr>
 *   <tr><td>{@value #REJECTIONS}</td><td>counter</td><td>connector, destination, reason</td>
 *     <td>rejected profiles by {@link com.segmentexport.api.RejectionReason} (with
 *     {@link #instrument(ExportOptions)} only)</td></tr>
 *   <tr><td>{@value #SEGMENTS}</td><td>counter</td><td>connector, destination, status</td>
 *     <td>finished segments by {@link com.segmentexport.api.ExportStatus}</td></tr>
 *   <tr><td>{@value #BATCHES}</td><td>counter</td><td>connector, destination</td>
 *     <td>batches the vendor acknowledged</td></tr>
 *   <tr><td>{@value #REMOVALS}</td><td>counter</td><td>connector, destination, outcome</td>
 *     <td>members a mirroring run took off the list ({@code removed}) and those whose removal failed
 *     ({@code failed}), counted as each removal batch is answered</td></tr>
 *   <tr><td>{@value #RETRIES}</td><td>counter</td><td>connector, call</td>
 *     <td>requests repeated after a retryable failure, by the connector's call name</td></tr>
 *   <tr><td>{@value #THROTTLED}</td><td>timer</td><td>connector</td>
 *     <td>waits for the vendor's rate limit (count and total time)</td></tr>
 *   <tr><td>{@value #DURATION}</td><td>timer</td><td>connector, status</td>
 *     <td>finished exports by status, and how long they took</td></tr>
 *   <tr><td>{@value #ACTIVE}</td><td>gauge</td><td>connector</td><td>exports running now</td></tr>
 * </table>
 *
 * <h2>No personal data in tags</h2>
 *
 * <p>Tags are the connector id, the destination id (the vendor's id of the list or address book, or
 * {@code none} before it is known), and fixed vocabularies (outcome, reason, status, call name). The
 * segment's name is never a tag: hosts name segments after what they select ("customers who bought
 * baby products", a person's name in a one-off export), which can be personal or sensitive, and names
 * are unbounded, which a metrics backend does not cope with either. The vendor's free-text messages and
 * reasons are never tags for the same reasons.
 *
 * <p>Thread-safe: one instance serves any number of concurrent exports.
 */
public final class ExportMetrics implements MeterBinder {
  /** Counter of profiles by outcome. */
  public static final String PROFILES = "segment.export.profiles";

  /** Counter of rejected profiles by reason. */
  public static final String REJECTIONS = "segment.export.rejections";

  /** Counter of finished segments by status. */
  public static final String SEGMENTS = "segment.export.segments";

  /** Counter of acknowledged batches. */
  public static final String BATCHES = "segment.export.batches";

  /** Counter of members a mirroring run removed from the list, or failed to, by outcome. */
  public static final String REMOVALS = "segment.export.removals";

  /** Counter of retried requests. */
  public static final String RETRIES = "segment.export.retries";

  /** Timer of waits for the vendor's rate limit. */
  public static final String THROTTLED = "segment.export.throttled";

  /** Timer of finished exports by status. */
  public static final String DURATION = "segment.export.duration";

  /** Gauge of running exports. */
  public static final String ACTIVE = "segment.export.active";

  /** The destination tag's value while the destination is not known. */
  static final String NO_DESTINATION = "none";

  private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
  private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();

  /** Metrics recorded nowhere until {@link #bindTo(MeterRegistry) bound} to a registry. */
  public ExportMetrics() {}

  /**
   * Records into {@code meterRegistry} too; may be called for several registries. Bind before the
   * first export: meters registered earlier appear in a registry bound later, but count from then on.
   *
   * @param meterRegistry the host's registry
   */
  @Override
  public void bindTo(MeterRegistry meterRegistry) {
    requireNonNull(meterRegistry, "meterRegistry == null");
    registry.add(meterRegistry);
  }

  /**
   * A copy of {@code options} whose listener and rejected-record sink record metrics, then forward to
   * the options' own listener and sink. Call it once per export.
   *
   * @param options the export's options
   * @return options that record this export
   */
  public ExportOptions instrument(ExportOptions options) {
    requireNonNull(options, "options == null");
    Recorder recorder = new Recorder(options.listener());
    RejectedRecordSink sink =
        options
            .rejectedRecordSink()
            .map(
                own ->
                    (RejectedRecordSink)
                        record -> {
                          recorder.rejected(record);
                          own.accept(record);
                        })
            .orElse(recorder::rejected);
    return options.withListener(recorder).withRejectedRecordSink(sink);
  }

  /**
   * A listener that records one export's events and forwards them to {@code delegate}. Rejections by
   * reason need the sink: see {@link #instrument(ExportOptions)}. Use a new one for every export.
   *
   * @param delegate the host's own listener, or {@link ExportListener#NONE}
   * @return the recording listener
   */
  public ExportListener listener(ExportListener delegate) {
    return new Recorder(requireNonNull(delegate, "delegate == null"));
  }

  private AtomicInteger active(String connector) {
    return active.computeIfAbsent(
        connector,
        c -> {
          AtomicInteger running = new AtomicInteger();
          Gauge.builder(ACTIVE, running, AtomicInteger::get)
              .description("Exports running now")
              .tags("connector", c)
              .register(registry);
          return running;
        });
  }

  private Counter counter(String name, String description, String baseUnit, Tags tags) {
    return Counter.builder(name)
        .description(description)
        .baseUnit(baseUnit)
        .tags(tags)
        .register(registry);
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  /** One export's listener: knows its connector and which destination each segment went to. */
  private final class Recorder extends ExportListener {
    private final ExportListener delegate;
    private final Map<String, String> destinations = new ConcurrentHashMap<>();
    private volatile String connector = "unknown";

    Recorder(ExportListener delegate) {
      this.delegate = delegate;
    }

    private Tags where(String segment) {
      return Tags.of(
          "connector",
          connector,
          "destination",
          destinations.getOrDefault(segment, NO_DESTINATION));
    }

    @Override
    public void exportStarted(ExportDefinition definition) {
      connector = definition.connection().connectorId();
      active(connector).incrementAndGet();
      delegate.exportStarted(definition);
    }

    @Override
    public void segmentStarted(String segment, String destinationId, OptionalLong sizeHint) {
      destinations.put(segment, destinationId);
      delegate.segmentStarted(segment, destinationId, sizeHint);
    }

    @Override
    public void batchAcknowledged(
        String segment, int records, int exported, int rejected, long segmentExportedSoFar) {
      counter(BATCHES, "Batches the vendor acknowledged", "batches", where(segment)).increment();
      delegate.batchAcknowledged(segment, records, exported, rejected, segmentExportedSoFar);
    }

    @Override
    public void profilesUnchanged(String segment, int unchanged, long segmentUnchangedSoFar) {
      delegate.profilesUnchanged(segment, unchanged, segmentUnchangedSoFar);
    }

    @Override
    public void membersRemoved(String segment, int removed, int failed, long segmentRemovedSoFar) {
      Tags where = where(segment);
      removals(where, "removed", removed);
      removals(where, "failed", failed);
      delegate.membersRemoved(segment, removed, failed, segmentRemovedSoFar);
    }

    private void removals(Tags where, String outcome, long count) {
      counter(
              REMOVALS,
              "Members a mirroring run removed from the list, or failed to",
              "members",
              where.and("outcome", outcome))
          .increment(count);
    }

    @Override
    public void throttled(Duration wait, String reason) {
      Timer.builder(THROTTLED)
          .description("Waits for the vendor's rate limit")
          .tags("connector", connector)
          .register(registry)
          .record(wait);
      delegate.throttled(wait, reason);
    }

    @Override
    public void retrying(String call, int attempt, Duration delay, String reason) {
      counter(
              RETRIES,
              "Requests repeated after a retryable failure",
              "requests",
              Tags.of("connector", connector, "call", call))
          .increment();
      delegate.retrying(call, attempt, delay, reason);
    }

    @Override
    public void segmentFinished(SegmentResult result) {
      result.destinationId().ifPresent(id -> destinations.putIfAbsent(result.name(), id));
      Tags where = where(result.name());
      profiles(where, "read", result.read());
      profiles(where, "exported", result.exported());
      profiles(where, "rejected", result.rejected());
      profiles(where, "duplicate", result.duplicates());
      profiles(where, "unconfirmed", result.unconfirmed());
      profiles(where, "unchanged", result.unchanged());
      profiles(where, "not_attempted", result.notAttempted());
      counter(
              SEGMENTS,
              "Finished segments",
              "segments",
              where.and("status", lower(result.status())))
          .increment();
      delegate.segmentFinished(result);
    }

    private void profiles(Tags where, String outcome, long count) {
      counter(
              PROFILES,
              "Profiles of finished segments by outcome",
              "profiles",
              where.and("outcome", outcome))
          .increment(count);
    }

    @Override
    public void exportFinished(ExportResult result) {
      Timer.builder(DURATION)
          .description("Finished exports and how long they took")
          .tags("connector", connector, "status", lower(result.status()))
          .register(registry)
          .record(result.duration());
      active(connector).decrementAndGet();
      delegate.exportFinished(result);
    }

    void rejected(RejectedRecord record) {
      counter(
              REJECTIONS,
              "Rejected profiles by reason",
              "profiles",
              where(record.segment()).and("reason", lower(record.reason())))
          .increment();
    }
  }
}
