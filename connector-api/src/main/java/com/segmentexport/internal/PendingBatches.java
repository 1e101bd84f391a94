package com.segmentexport.internal;

import com.segmentexport.spi.Batch;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.RecordSchema;
import java.util.ArrayList;
import java.util.List;

/**
 * The text form in which the sync state keeps the members of a batch left pending at the vendor (a
 * {@link com.segmentexport.spi.PendingWork}'s payload): enough to rebuild the batch for {@link
 * com.segmentexport.spi.Destination#resume} and to record its outcome with the hashes that were sent.
 */
final class PendingBatches {
  private PendingBatches() {}

  /** The first line of a removal batch's payload (a record's line starts with its row number). */
  private static final String REMOVAL = "#removal";

  /**
   * A pending work's batch, rebuilt: addresses and profile ids without values, and each member's hash;
   * {@code removal} when the work takes its members off the list (a mirroring run's removal) rather than
   * writes them.
   */
  record Decoded(Batch batch, long[] hashes, boolean removal) {}

  /** One line per record: row, member key, fields hash and address, tab-separated, escaped. */
  static String encode(Batch batch, RecordSchema schema) {
    return encode(batch, schema, false);
  }

  /**
   * The text form of a batch, as {@link #encode(Batch, RecordSchema)}; a removal batch's starts with a line
   * saying so.
   */
  static String encode(Batch batch, RecordSchema schema, boolean removal) {
    StringBuilder out = new StringBuilder(batch.size() * 64 + 10);
    if (removal) {
      out.append(REMOVAL).append('\n');
    }
    for (ExportRecord r : batch.records()) {
      out.append(r.row()).append('\t');
      escape(out, SegmentSync.memberKey(r)).append('\t');
      out.append(SegmentSync.fieldsHash(schema, r)).append('\t');
      escape(out, r.email()).append('\n');
    }
    return out.toString();
  }

  static Decoded decode(String payload, RecordSchema schema) {
    List<ExportRecord> records = new ArrayList<>();
    List<Long> hashes = new ArrayList<>();
    boolean removal = false;
    for (String line : payload.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      if (line.equals(REMOVAL)) {
        removal = true;
        continue;
      }
      String[] f = line.split("\t", -1);
      String key = unescape(f[1]);
      String id = key.startsWith("id:") ? key.substring(3) : null;
      records.add(
          new ExportRecord(
              Long.parseLong(f[0]), unescape(f[3]), new Object[schema.fields().size()], id));
      hashes.add(Long.parseLong(f[2]));
    }
    long[] h = new long[hashes.size()];
    for (int i = 0; i < h.length; i++) {
      h[i] = hashes.get(i);
    }
    return new Decoded(new Batch("resumed", 0, schema, records, 0), h, removal);
  }

  private static StringBuilder escape(StringBuilder out, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> out.append(c);
      }
    }
    return out;
  }

  private static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        out.append(n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
