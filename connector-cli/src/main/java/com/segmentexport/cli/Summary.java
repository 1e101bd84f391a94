package com.segmentexport.cli;

import com.segmentexport.api.ExportResult;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.api.SegmentResult;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Prints an export's result as a table, one row per segment (and a total row for several). */
final class Summary {
  /**
   * One count column: its heading, its value for a segment, and its total ({@code null} when a total
   * makes no sense). Adding a count to the table is adding one entry to {@link #COLUMNS}.
   */
  private record Column(
      String heading,
      Function<SegmentResult, Object> value,
      Function<ExportResult, Object> total) {}

  private static final List<Column> COLUMNS =
      List.of(
          new Column("read", SegmentResult::read, ExportResult::read),
          new Column("exported", SegmentResult::exported, ExportResult::exported),
          new Column("created", s -> opt(s.created()), null),
          new Column("updated", s -> opt(s.updated()), null),
          new Column("unchanged", SegmentResult::unchanged, ExportResult::unchanged),
          new Column("rejected", SegmentResult::rejected, ExportResult::rejected),
          new Column("duplicates", SegmentResult::duplicates, ExportResult::duplicates),
          new Column("unconfirmed", SegmentResult::unconfirmed, ExportResult::unconfirmed),
          new Column("not attempted", SegmentResult::notAttempted, ExportResult::notAttempted));

  private Summary() {}

  static void print(ExportResult r, PrintWriter out) {
    print(r, Map.of(), out);
  }

  /**
   * Prints the table, then the run's figures, then the rejections by reason, most frequent first (all
   * of them, counted by the CLI).
   */
  static void print(
      ExportResult r, Map<RejectionReason, Long> rejectionsByReason, PrintWriter out) {
    int w = 8;
    for (SegmentResult s : r.segments()) {
      w = Math.max(w, Math.min(40, s.name().length()));
    }
    StringBuilder format = new StringBuilder("%-" + w + "s  %-19s");
    Object[] headings = new Object[COLUMNS.size() + 2];
    headings[0] = "segment";
    headings[1] = "status";
    for (int i = 0; i < COLUMNS.size(); i++) {
      format.append(" %").append(Math.max(8, COLUMNS.get(i).heading().length())).append('s');
      headings[i + 2] = COLUMNS.get(i).heading();
    }
    String row = format.append("%n").toString();
    out.printf(row, headings);
    for (SegmentResult s : r.segments()) {
      Object[] values = new Object[COLUMNS.size() + 2];
      values[0] = s.name().length() > 40 ? s.name().substring(0, 39) + "…" : s.name();
      values[1] = s.status();
      for (int i = 0; i < COLUMNS.size(); i++) {
        values[i + 2] = COLUMNS.get(i).value().apply(s);
      }
      out.printf(row, values);
    }
    if (r.segments().size() > 1) {
      Object[] values = new Object[COLUMNS.size() + 2];
      values[0] = "total";
      values[1] = r.status();
      for (int i = 0; i < COLUMNS.size(); i++) {
        Column c = COLUMNS.get(i);
        values[i + 2] = c.total() == null ? "" : c.total().apply(r);
      }
      out.printf(row, values);
    }
    out.printf(
        "%nstatus %s in %.1f s: %d HTTP calls, %d retries, %.1f s throttled%n",
        r.status(),
        r.duration().toMillis() / 1000.0,
        r.httpCalls(),
        r.retries(),
        r.throttledTime().toMillis() / 1000.0);
    if (!rejectionsByReason.isEmpty()) {
      out.println(
          "rejected by reason: "
              + rejectionsByReason.entrySet().stream()
                  .sorted(
                      Map.Entry.<RejectionReason, Long>comparingByValue()
                          .reversed()
                          .thenComparing(e -> e.getKey().name()))
                  .map(e -> e.getKey() + " " + e.getValue())
                  .collect(Collectors.joining(", ")));
    }
    for (SegmentResult s : r.segments()) {
      s.notAttemptedReason()
          .ifPresent(
              reason ->
                  out.printf("%s: %d not attempted: %s%n", s.name(), s.notAttempted(), reason));
      s.counters().forEach((k, v) -> out.printf("%s: %s = %d%n", s.name(), k, v));
    }
    r.failure().ifPresent(f -> out.println("reason: " + f));
  }

  private static String opt(OptionalLong v) {
    return v.isPresent() ? Long.toString(v.getAsLong()) : "-";
  }
}
