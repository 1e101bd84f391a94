package com.segmentexport.cli;

import com.segmentexport.api.ExportPlan;
import com.segmentexport.api.SegmentPlan;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/** Prints an {@link ExportPlan} as a table, one row per segment (and a total row for several). */
final class PlanTable {
  /** One count column: its heading and its value for a segment. */
  private record Column(String heading, ToLongFunction<SegmentPlan> value) {}

  private static final List<Column> COLUMNS =
      List.of(
          new Column("read", SegmentPlan::read),
          new Column("to add", SegmentPlan::toAdd),
          new Column("to update", SegmentPlan::toUpdate),
          new Column("to retry", SegmentPlan::toRetry),
          new Column("unchanged", SegmentPlan::unchanged),
          new Column("invalid", SegmentPlan::invalid),
          new Column("duplicates", SegmentPlan::duplicates),
          new Column("over cap", SegmentPlan::overCap),
          new Column("batches", SegmentPlan::batches));

  private PlanTable() {}

  /**
   * Prints the table, the custom fields each segment would create, the members a mirroring run would
   * remove (or why it would remove none), and the estimated calls and time.
   *
   * @param plan the plan
   * @param vendor the vendor's display name
   * @param out where to print
   */
  static void print(ExportPlan plan, String vendor, PrintWriter out) {
    int w = 8;
    for (SegmentPlan s : plan.segments()) {
      w = Math.max(w, Math.min(40, s.name().length()));
    }
    StringBuilder format = new StringBuilder("%-" + w + "s  %-24s");
    for (Column c : COLUMNS) {
      format.append(" %").append(Math.max(8, c.heading().length())).append('s');
    }
    String row = format.append("%n").toString();
    out.printf(row, cells("segment", "list", c -> c.heading()));
    for (SegmentPlan s : plan.segments()) {
      String name = s.name().length() > 40 ? s.name().substring(0, 39) + "…" : s.name();
      out.printf(row, cells(name, list(s), c -> c.value().applyAsLong(s)));
    }
    if (plan.segments().size() > 1) {
      out.printf(row, cells("total", "", c -> plan.segments().stream().mapToLong(c.value()).sum()));
    }
    out.println();
    for (SegmentPlan s : plan.segments()) {
      if (!s.fieldsToCreate().isEmpty()) {
        out.printf(
            "%s: custom fields to create: %s%n", s.name(), String.join(", ", s.fieldsToCreate()));
      }
    }
    boolean removes = false;
    for (SegmentPlan s : plan.segments()) {
      if (s.removalsHeldBackReason().isPresent()) {
        out.printf(
            "%s: %d member(s) left the segment; none would be removed: %s%n",
            s.name(), s.toRemove(), s.removalsHeldBackReason().get());
      } else if (s.toRemove() > 0) {
        removes = true;
        out.printf("%s: %d member(s) to remove from the list (mirror)%n", s.name(), s.toRemove());
      }
    }
    out.printf(
        "to send: %d profile(s), %d unchanged and not sent%n", plan.toSend(), plan.unchanged());
    out.printf(
        "estimate: %d call(s) to %s for the batches%s, at least %s at the connection's rate limit%n",
        plan.calls(),
        vendor,
        removes ? " and the removals" : "",
        duration(plan.estimatedDuration()));
  }

  private static Object[] cells(String segment, String list, Function<Column, Object> value) {
    Object[] cells = new Object[COLUMNS.size() + 2];
    cells[0] = segment;
    cells[1] = list;
    for (int i = 0; i < COLUMNS.size(); i++) {
      cells[i + 2] = value.apply(COLUMNS.get(i));
    }
    return cells;
  }

  /** The destination list: its id when it exists, or what the run would do. */
  static String list(SegmentPlan s) {
    String id = s.destinationId().orElse(null);
    if (s.destinationExists().isPresent() && !s.destinationExists().get()) {
      return id == null ? "new (to create)" : id + " (missing)";
    }
    if (id == null) {
      return s.destinationExists().isPresent() ? "exists" : "unknown";
    }
    return id.length() > 24 ? id.substring(0, 23) + "…" : id;
  }

  /** A duration as people read it: {@code 0.8 s}, {@code 12 min 5 s}, {@code 3 h 20 min}. */
  static String duration(Duration d) {
    long seconds = d.getSeconds();
    if (seconds < 60) {
      return String.format("%.1f s", d.toMillis() / 1000.0);
    }
    if (seconds < 3600) {
      return String.format("%d min %d s", seconds / 60, seconds % 60);
    }
    return String.format("%d h %d min", seconds / 3600, seconds % 3600 / 60);
  }
}
