package com.segmentexport.cli;

import com.segmentexport.api.ExportListener;
import com.segmentexport.api.SegmentResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Shows progress on stderr: profiles sent, members a mirroring run removed, rate, time throttled, and an
 * ETA when the size is known.
 * On a terminal it redraws one line; otherwise it prints a line every few seconds.
 */
final class ProgressBar extends ExportListener implements AutoCloseable {
  private static final int WIDTH = 24;
  private final PrintWriter err;
  private final boolean terminal;
  private final long total;
  private final long startNanos = System.nanoTime();
  private final Thread refresher;
  private long sent;

  /** Profiles of finished segments the sync state held as unchanged: done, though never sent. */
  private long unchanged;

  /** Members a mirroring run took off the list so far. */
  private long removed;

  /** Members whose removal failed so far. */
  private long removalsFailed;

  private long throttledNanos;
  private String segment = "";
  private long lastLineNanos;

  ProgressBar(PrintWriter err, boolean terminal, long total) {
    this.err = err;
    this.terminal = terminal;
    this.total = total;
    this.refresher =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  Thread.sleep(terminal ? 250 : 1000);
                } catch (InterruptedException e) {
                  return;
                }
                draw(false);
              }
            },
            "segment-export-progress");
    refresher.setDaemon(true);
    refresher.start();
  }

  @Override
  public synchronized void segmentStarted(
      String name, String destinationId, OptionalLong sizeHint) {
    segment = name;
  }

  @Override
  public synchronized void batchAcknowledged(
      String name, int records, int exported, int rejected, long soFar) {
    sent += records;
  }

  @Override
  public synchronized void membersRemoved(String name, int removed, int failed, long soFar) {
    this.removed += removed;
    this.removalsFailed += failed;
  }

  @Override
  public synchronized void throttled(Duration wait, String reason) {
    throttledNanos += wait.toNanos();
  }

  @Override
  public synchronized void segmentFinished(SegmentResult result) {
    unchanged += result.unchanged();
    draw(true);
  }

  synchronized String line() {
    double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
    double rate = sent / seconds;
    StringBuilder sb = new StringBuilder();
    long done = sent + unchanged;
    if (total > 0) {
      int filled = (int) Math.min(WIDTH, WIDTH * done / total);
      sb.append('[').append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ");
      sb.append(String.format("%,d/%,d sent", sent, total));
    } else {
      sb.append(String.format("%,d sent", sent));
    }
    if (unchanged > 0) {
      sb.append(String.format(", %,d unchanged", unchanged));
    }
    if (removed > 0 || removalsFailed > 0) {
      sb.append(String.format(", %,d removed", removed));
      if (removalsFailed > 0) {
        sb.append(String.format(" (%,d failed)", removalsFailed));
      }
    }
    sb.append(String.format("  %,.0f/s  throttled %.1fs", rate, throttledNanos / 1e9));
    if (total > 0 && rate > 0 && done < total) {
      long eta = (long) ((total - done) / rate);
      sb.append(String.format("  ETA %d:%02d", eta / 60, eta % 60));
    }
    if (!segment.isEmpty()) {
      sb.append("  [").append(segment).append(']');
    }
    return sb.toString();
  }

  private synchronized void draw(boolean force) {
    long now = System.nanoTime();
    if (terminal) {
      err.print("\r" + line() + "   ");
      err.flush();
    } else if (force || now - lastLineNanos > 5_000_000_000L) {
      err.println(line());
      lastLineNanos = now;
    }
  }

  /**
   * Whether stderr, where the bar is drawn, is a terminal. On Linux this reads where file descriptor 2
   * points; elsewhere it falls back to whether the JVM has a console.
   */
  static boolean stderrIsTerminal() {
    Path fd = Path.of("/proc/self/fd/2");
    try {
      return isTerminalDevice(Files.readSymbolicLink(fd).toString());
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return System.console() != null;
    }
  }

  /** Whether a file descriptor's target (such as {@code /dev/pts/3}) is a terminal device. */
  static boolean isTerminalDevice(String target) {
    return target.startsWith("/dev/pts/")
        || target.startsWith("/dev/tty")
        || target.equals("/dev/console");
  }

  @Override
  public void close() {
    refresher.interrupt();
    synchronized (this) {
      if (terminal) {
        err.print("\r" + line() + "   ");
        err.println();
      }
      err.flush();
    }
  }
}
