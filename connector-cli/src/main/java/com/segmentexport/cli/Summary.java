package com.segmentexport.cli;

import com.segmentexport.api.ExportResult;
import com.segmentexport.api.SegmentResult;
import java.io.PrintWriter;
import java.util.OptionalLong;

/** Prints an export's result as a table. */
final class Summary {
  private Summary() {}

  static void print(ExportResult r, PrintWriter out) {
    int w = 8;
    for (SegmentResult s : r.segments()) {
      w = Math.max(w, Math.min(40, s.name().length()));
    }
    String row = "%-" + w + "s  %-19s %9s %9s %8s %8s %9s %10s %13s%n";
    out.printf(row, "segment", "status", "read", "exported", "created", "updated", "rejected", "duplicates",
        "not attempted");
    for (SegmentResult s : r.segments()) {
      String name = s.name().length() > 40 ? s.name().substring(0, 39) + "…" : s.name();
      out.printf(row, name, s.status(), s.read(), s.exported(), opt(s.created()), opt(s.updated()), s.rejected(),
          s.duplicates(), s.notAttempted());
    }
    if (r.segments().size() > 1) {
      out.printf(row, "total", r.status(), r.read(), r.exported(), "", "", r.rejected(), r.duplicates(),
          r.notAttempted());
    }
    out.printf("%nstatus %s in %.1f s: %d HTTP calls, %d retries, %.1f s throttled%n", r.status(),
        r.duration().toMillis() / 1000.0, r.httpCalls(), r.retries(), r.throttledTime().toMillis() / 1000.0);
    for (SegmentResult s : r.segments()) {
      s.notAttemptedReason().ifPresent(reason -> out.printf("%s: %d not attempted: %s%n", s.name(),
          s.notAttempted(), reason));
      s.counters().forEach((k, v) -> out.printf("%s: %s = %d%n", s.name(), k, v));
    }
    r.failure().ifPresent(f -> out.println("reason: " + f));
  }

  private static String opt(OptionalLong v) {
    return v.isPresent() ? Long.toString(v.getAsLong()) : "-";
  }
}
