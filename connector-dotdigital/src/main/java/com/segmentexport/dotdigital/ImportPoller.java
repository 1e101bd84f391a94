package com.segmentexport.dotdigital;

import com.segmentexport.api.DestinationException;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.ExportCancelledException;
import com.segmentexport.spi.HttpResponse;
import com.segmentexport.spi.OutcomeUnknownException;
import com.segmentexport.spi.RateBudget;
import com.segmentexport.spi.VendorError;
import com.segmentexport.spi.VendorHttp;
import java.time.Duration;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a submitted dotdigital import ({@code GET /contacts/v3/import/{id}}) until it ends, adaptively.
 * Once imports have been seen to finish, the first poll goes out just before the typical import time
 * (at 97% of it) and the next ones follow closely, a hundredth of it apart (at least {@link #MIN_POLL}),
 * {@value #CLOSE_POLLS} times, then twice as far apart each time; until then, it backs off from
 * {@link #FIRST_POLL}. An import slot is idle from the moment its import finishes until a poll sees it,
 * so the close polls are what keeps the account's import capacity busy. Status polls are in the
 * vendor's "Unlimited" rate tier ({@link #STATUS_POLLS}).
 *
 * <p>An import is known only to have finished between the last poll that found it unfinished and the
 * one that found it finished (each taken as it was sent, when the answer's time would add the poll's own
 * round trip), so the midpoint is what feeds the connector's typical import time: feeding the time of
 * discovery would make the estimate chase its own polling delay.
 *
 * <p>Thread-safe: a destination's workers poll their imports with one poller; the typical import time
 * is the connector's, shared by its destinations.
 */
final class ImportPoller {
  /**
   * Import status polls are in dotdigital's Unlimited tier: they are not paced by the account's import
   * budget, and a 429 on imports does not hold them (nor theirs the imports).
   */
  static final RateBudget STATUS_POLLS = RateBudget.unmetered("dotdigital-import-status");

  /**
   * The first wait before polling an import, while no import of this connection has finished yet; each
   * further wait is twice the last.
   */
  static final Duration FIRST_POLL = Duration.ofMillis(50);

  /** The shortest wait between polls once the typical import time is known. */
  static final Duration MIN_POLL = Duration.ofMillis(2);

  /** Polls a hundredth of the typical import time apart before the interval starts doubling. */
  static final int CLOSE_POLLS = 10;

  /** The longest wait between two polls; also bounds how long a cancelled export waits for a poll. */
  static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(ImportPoller.class);

  private final DotdigitalConnector connector;
  private final VendorHttp http;
  private final HttpUrl endpoint;
  private final Duration importTimeout;

  ImportPoller(
      DotdigitalConnector connector, VendorHttp http, HttpUrl endpoint, Duration importTimeout) {
    this.connector = connector;
    this.http = http;
    this.endpoint = endpoint;
    this.importTimeout = importTimeout;
  }

  /**
   * Polls an import until it ends.
   *
   * @param importId the import's id, from its submission
   * @param submittedAt when it was submitted ({@link System#nanoTime()}), for the typical import time
   * @param batch the batch it carries, named in the log
   * @return the import's report, once it is Finished
   * @throws OutcomeUnknownException if its status cannot be read, or it does not end within the import
   *     timeout: it was accepted, and its contacts may yet be added
   * @throws DestinationException if it ended otherwise than Finished
   * @throws ExportCancelledException (sent) if the export stops meanwhile
   */
  ImportReport pollToEnd(String importId, long submittedAt, Batch batch) {
    HttpUrl url =
        DotdigitalConnector.url(endpoint, "contacts/v3/import")
            .newBuilder()
            .addPathSegment(importId)
            .build();
    long deadline = System.nanoTime() + importTimeout.toNanos();
    Schedule schedule = new Schedule(connector.typicalImportNanos());
    long lastUnfinished = submittedAt;
    while (true) {
      http.pause(Duration.ofNanos(schedule.next()), true);
      HttpResponse r;
      long polledAt = System.nanoTime();
      try {
        r =
            http.execute(
                connector.get(url),
                DotdigitalConnector.spec("import-status").inBudget(STATUS_POLLS));
      } catch (ExportCancelledException e) {
        // The import itself was sent: its records' fate is unknown, not "not attempted".
        throw new ExportCancelledException(e.getMessage(), true);
      } catch (DestinationException e) {
        throw new OutcomeUnknownException(
            e.httpStatus(),
            "dotdigital import "
                + importId
                + " was submitted but its "
                + "status could not be read ("
                + e.getMessage()
                + "); its outcome is unknown",
            e);
      }
      if (!r.isSuccessful()) {
        VendorError e = DotdigitalErrors.parse(r);
        throw new OutcomeUnknownException(
            r.code(),
            "dotdigital import "
                + importId
                + " was submitted but its status "
                + "could not be read (HTTP "
                + r.code()
                + " "
                + e.code()
                + ": "
                + e.message()
                + "); its outcome is unknown",
            null);
      }
      ImportReport report = ImportReport.read(r.body());
      String status = report.status();
      if ("Finished".equalsIgnoreCase(status)) {
        connector.recordImportTime((lastUnfinished + polledAt) / 2 - submittedAt);
        return report;
      }
      if (status == null || "NotFinished".equalsIgnoreCase(status)) {
        lastUnfinished = polledAt;
        if (System.nanoTime() - deadline > 0) {
          // Accepted by dotdigital and possibly still running: its contacts may yet be added.
          throw new OutcomeUnknownException(
              0,
              "dotdigital import "
                  + importId
                  + " did not finish within "
                  + importTimeout.toSeconds()
                  + " s; its outcome is unknown",
              null);
        }
        continue;
      }
      log.warn(
          "dotdigital import {} (batch {} of segment '{}') ended with status {}",
          importId,
          batch.sequence(),
          batch.segment(),
          safe(status));
      throw new DestinationException(
          r.code(),
          safe(status),
          describe(status),
          "dotdigital import "
              + importId
              + " ended with status "
              + safe(status)
              + ": "
              + describe(status));
    }
  }

  private static String describe(String status) {
    switch (status) {
      case "RejectedByWatchdog":
        return "dotdigital's watchdog rejected the import (its data-quality checks refused the contacts)";
      case "Failed":
        return "the import failed at dotdigital";
      case "ExceedsAllowedContactLimit":
        return "the import would exceed the account's contact limit";
      default:
        return "the import ended without finishing (" + safe(status) + ")";
    }
  }

  private static String safe(String status) {
    return status.matches("[A-Za-z]{1,40}") ? status : "unrecognised";
  }

  /**
   * The waits before each poll of one import: from just before the typical import time, then close
   * polls, then doubling; or, before any import has finished, doubling from {@link #FIRST_POLL}. Each at
   * most {@link #MAX_POLL_INTERVAL}.
   */
  static final class Schedule {
    private final long max = MAX_POLL_INTERVAL.toNanos();
    private long delay;
    private long step;
    private int closePolls;

    /** @param typicalNanos the typical import time, or 0 when none is known yet */
    Schedule(long typicalNanos) {
      delay =
          typicalNanos > 0
              ? clamp(typicalNanos - typicalNanos * 3 / 100, MIN_POLL.toNanos(), max)
              : FIRST_POLL.toNanos();
      step = typicalNanos > 0 ? clamp(typicalNanos / 100, MIN_POLL.toNanos(), max) : 0;
    }

    /** {@return the wait before the next poll, in nanoseconds} */
    long next() {
      long wait = delay;
      if (step > 0) {
        delay = step;
        if (++closePolls >= CLOSE_POLLS) {
          step = Math.min(step * 2, max);
        }
      } else {
        delay = Math.min(delay * 2, max);
      }
      return wait;
    }

    /**
     * The polls this schedule sends for an import that takes {@code importNanos} (the first that comes
     * after it finds it finished; round trips left out), for a plan's estimate.
     */
    static int polls(long typicalNanos, long importNanos) {
      Schedule schedule = new Schedule(typicalNanos);
      long waited = 0;
      int polls = 0;
      do {
        waited += schedule.next();
        polls++;
      } while (waited < importNanos);
      return polls;
    }

    private static long clamp(long v, long min, long max) {
      return Math.max(min, Math.min(max, v));
    }
  }
}
