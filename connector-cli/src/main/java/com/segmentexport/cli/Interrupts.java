package com.segmentexport.cli;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What Ctrl-C (SIGINT) does. The first one runs the current action (an export cancels itself and
 * then reports what it did); with no action set (nothing sent yet) it exits at once, as does a second
 * one. {@link #none()} never fires: for a CLI run inside another program, such as a test.
 */
final class Interrupts {
  /** Exit code after an interrupt: 128 + SIGINT. */
  static final int EXIT_CODE = 130;

  private final AtomicInteger count = new AtomicInteger();
  private final PrintWriter err;
  private volatile Runnable action;

  Interrupts(PrintWriter err) {
    this.err = err;
  }

  /** Interrupts that never come. */
  static Interrupts none() {
    return new Interrupts(new PrintWriter(java.io.Writer.nullWriter()));
  }

  /** Handles SIGINT with {@link #signal()}; falls back to the JVM's default where signals cannot be caught. */
  @SuppressWarnings("sunapi")
  static Interrupts onSigint(PrintWriter err) {
    Interrupts interrupts = new Interrupts(err);
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> interrupts.signal());
    } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
      // no SIGINT here (or it is ignored, as for a background job): the JVM's default stays
    }
    return interrupts;
  }

  /** Sets what the first interrupt does; null means exit at once. */
  void onInterrupt(Runnable a) {
    action = a;
  }

  /** Whether an interrupt came. */
  boolean interrupted() {
    return count.get() > 0;
  }

  /** One interrupt. */
  void signal() {
    Runnable a = action;
    if (count.incrementAndGet() > 1 || a == null) {
      err.println();
      err.println("interrupted: exiting now");
      err.flush();
      halt();
      return;
    }
    err.println();
    err.println("interrupted: stopping the export (Ctrl-C again to quit at once)");
    err.flush();
    a.run();
  }

  /** Exits the process at once with {@link #EXIT_CODE}. */
  void halt() {
    Runtime.getRuntime().halt(EXIT_CODE);
  }
}
