package com.segmentexport.internal;

import com.segmentexport.api.ConnectorLimits;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportPlan;
import com.segmentexport.api.Profile;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentPlan;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.spi.AccountDirectory;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.Connector;
import com.segmentexport.spi.DestinationPreview;
import com.segmentexport.spi.DestinationRequest;
import com.segmentexport.spi.DestinationState;
import com.segmentexport.spi.ExportRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import okhttp3.OkHttpClient;

/**
 * A run that writes nothing: each segment goes through the same mapping, de-duplication, sync-state check,
 * cap and batching as an export, but its batches are only counted, the connector only looks at the
 * destination ({@link Connector#preview}), and the sync state is only read. Runs in the caller's thread.
 */
final class ExportPlanner {
  private final Connector connector;
  private final ExportDefinition definition;
  private final SegmentSource source;
  private final ExportOptions options;
  private final SyncRun sync;
  private final RecordMapper mapper;
  private final ProfileCap cap;
  private final DefaultVendorHttp http;
  private final AccountDirectory directory;
  private long calls;

  ExportPlanner(
      Connector connector,
      ExportDefinition definition,
      SegmentSource source,
      ExportOptions options,
      OkHttpClient client,
      AccountBudgets budgets,
      SyncRun.Factory syncs) {
    this.connector = connector;
    this.definition = definition;
    this.source = source;
    this.options = options;
    this.sync = syncs.forRun(definition, options, "plan");
    this.mapper = new RecordMapper(definition.mapping(), definition.connection().provider());
    this.cap =
        new ProfileCap(
            connector.limits().maxProfilesPerExport(),
            definition.connection().provider().displayName(),
            Duration.ZERO,
            Ticker.SYSTEM);
    RunControl control = new RunControl(definition.connection());
    this.directory = budgets.directory();
    this.http =
        new DefaultVendorHttp(
            client,
            budgets,
            control,
            options.retryPolicy(),
            new RunStats(options.retryPolicy().retryBudget()),
            new SafeListener(ExportListener.NONE),
            connector.limits().maxConcurrentBatches());
  }

  ExportPlan plan() {
    List<SegmentPlan> plans = new ArrayList<>();
    for (String name : definition.segments()) {
      plans.add(plan(name));
    }
    double rate = connector.limits().requestsPerSecond();
    Duration duration = Duration.ofMillis((long) Math.ceil(calls * 1000.0 / rate));
    return new ExportPlan(definition.name(), plans, calls, duration);
  }

  /**
   * The calls the run's removals would make: the leaving members in removal batches of the connector's
   * batch size, as the run hands them to {@link com.segmentexport.spi.Destination#remove}, each costed by
   * {@link Connector#estimatedRemovalCalls} (a call per member at some vendors, one per batch at others).
   */
  private long removalCalls(String name, SegmentSync state, FingerprintSet seen) {
    int batchSize = Math.max(1, connector.limits().maxBatchRecords());
    long[] removalCalls = {0};
    List<ExportRecord> pending = new ArrayList<>(Math.min(batchSize, 1024));
    Runnable flush =
        () -> {
          Batch batch = new Batch(name, 0, mapper.schema(), pending, 0);
          removalCalls[0] += Math.max(1, connector.estimatedRemovalCalls(batch));
          pending.clear();
        };
    state
        .state()
        .forEachMember(
            member -> {
              if (member.confirmedHash().isPresent() && !seen.contains(member.memberKey())) {
                pending.add(MirrorRemoval.record(member, mapper.schema()));
                if (pending.size() == batchSize) {
                  flush.run();
                }
              }
            });
    if (!pending.isEmpty()) {
      flush.run();
    }
    return removalCalls[0];
  }

  private SegmentPlan plan(String name) {
    DestinationPreview preview =
        connector.preview(
            new DestinationRequest(name, definition, mapper.schema(), http, directory));
    SegmentSync state = null;
    if (sync != null && preview.destinationId().isPresent()) {
      Optional<DestinationState> found = sync.find(preview.destinationId().get());
      if (found.isPresent()) {
        state =
            new SegmentSync(
                found.get(), mapper.schema(), sync.skipsUnchanged(), Clock.systemUTC(), "plan");
      }
    }
    SegmentTally tally = new SegmentTally(name);
    boolean mirror = sync != null && sync.removalLimit() != null;
    FingerprintSet seen = mirror ? new FingerprintSet(1024) : null;
    long[] byKnown = new long[3];
    long[] invalid = {0};
    long[] batches = {0};
    ConnectorLimits limits = connector.limits();
    Deduplicator admission =
        new Deduplicator(
            new FingerprintSet(1024),
            new BatchFiller(
                name,
                mapper.schema(),
                limits,
                batch -> {
                  batches[0]++;
                  calls += Math.max(1, connector.estimatedCalls(batch));
                }),
            tally,
            cap,
            state,
            m -> byKnown[m.known]++);
    try (Segment segment = source.open(name)) {
      if (segment == null) {
        throw new ExportException("The segment source returned no segment for '" + name + "'");
      }
      Iterator<Profile> profiles = segment.profiles();
      while (profiles.hasNext()) {
        RecordMapper.Mapped m = mapper.map(profiles.next(), ++tally.read);
        if (seen != null && m.record != null) {
          seen.add(SegmentSync.memberKey(m.record));
        }
        if (m.record == null || m.estimatedBytes > limits.maxBatchBytes()) {
          invalid[0]++;
        } else {
          admission.offer(m);
        }
      }
      admission.finish();
    } catch (ExportException e) {
      throw e;
    } catch (Exception e) {
      throw new ExportException(
          "Reading segment '" + name + "' for a plan failed: " + e.getClass().getName(), e);
    }
    long toRemove = 0;
    String heldBack = null;
    if (mirror && state != null) {
      // The members the run would remove, and whether its removal limit would hold them back,
      // counting the
      // members it adds as managed (as they are once the vendor confirms them).
      long[] managed = {0};
      long[] leaving = {0};
      state
          .state()
          .forEachMember(
              member -> {
                if (member.confirmedHash().isPresent()) {
                  managed[0]++;
                  if (!seen.contains(member.memberKey())) {
                    leaving[0]++;
                  }
                }
              });
      toRemove = leaving[0];
      heldBack =
          sync.removalLimit()
              .holdsBack(toRemove, managed[0] + byKnown[RecordMapper.Mapped.NEW], tally.read);
      if (heldBack == null && toRemove > 0) {
        calls += removalCalls(name, state, seen);
      }
    }
    return new SegmentPlan(
        name,
        preview.destinationId(),
        preview.exists(),
        tally.read,
        byKnown[RecordMapper.Mapped.NEW],
        byKnown[RecordMapper.Mapped.CHANGED],
        byKnown[RecordMapper.Mapped.RETRY],
        tally.unchangedSoFar(),
        invalid[0],
        tally.duplicates,
        tally.notAttemptedSoFar(),
        preview.fieldsToCreate(),
        batches[0],
        toRemove,
        Optional.ofNullable(heldBack));
  }
}
