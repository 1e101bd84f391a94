package com.segmentexport.internal;

import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.SegmentResult;
import java.time.Duration;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls a host's listener one event at a time, logging and swallowing whatever it throws. */
final class SafeListener extends ExportListener {
  private static final Logger log = LoggerFactory.getLogger(SafeListener.class);
  private final ExportListener delegate;

  SafeListener(ExportListener delegate) {
    this.delegate = delegate;
  }

  /**
   * Calls the listener. Whatever it throws is ignored, errors too: an {@link AssertionError} from a
   * host test's listener (or a checked exception thrown sneakily) escaping here would leave the run's
   * bookkeeping undone, and a run whose start or end event threw would never complete.
   */
  private synchronized void call(Runnable event) {
    try {
      event.run();
    } catch (Throwable e) {
      try {
        log.warn(
            "Export listener {} threw {}; ignored",
            delegate.getClass().getName(),
            e.getClass().getName());
      } catch (Throwable ignored) {
        // Logging failed too (out of memory): the event is lost, the run goes on.
      }
    }
  }

  @Override
  public void exportStarted(ExportDefinition definition) {
    call(() -> delegate.exportStarted(definition));
  }

  @Override
  public void segmentStarted(String segment, String destinationId, OptionalLong sizeHint) {
    call(() -> delegate.segmentStarted(segment, destinationId, sizeHint));
  }

  @Override
  public void profilesUnchanged(String segment, int unchanged, long soFar) {
    call(() -> delegate.profilesUnchanged(segment, unchanged, soFar));
  }

  @Override
  public void batchAcknowledged(
      String segment, int records, int exported, int rejected, long soFar) {
    call(() -> delegate.batchAcknowledged(segment, records, exported, rejected, soFar));
  }

  @Override
  public void membersRemoved(String segment, int removed, int failed, long soFar) {
    call(() -> delegate.membersRemoved(segment, removed, failed, soFar));
  }

  @Override
  public void throttled(Duration wait, String reason) {
    call(() -> delegate.throttled(wait, reason));
  }

  @Override
  public void retrying(String callName, int attempt, Duration delay, String reason) {
    call(() -> delegate.retrying(callName, attempt, delay, reason));
  }

  @Override
  public void segmentFinished(SegmentResult result) {
    call(() -> delegate.segmentFinished(result));
  }

  @Override
  public void exportFinished(ExportResult result) {
    call(() -> delegate.exportFinished(result));
  }
}
