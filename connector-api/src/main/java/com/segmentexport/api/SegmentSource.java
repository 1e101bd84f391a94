package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;

/**
 * Supplies each segment's profiles when an export runs: the saved {@link ExportDefinition} names the
 * segments, the host opens them at run time (for example as a JDBC cursor).
 */
@FunctionalInterface
public interface SegmentSource {
  /**
   * Opens the segment with this name. Called once per segment, in the definition's order.
   *
   * @param segmentName the segment's name
   * @return the segment, closed by the engine when it is done with it
   * @throws Exception any failure of the host's source: it ends the export as FAILED, with an
   *     {@link ExportException} carrying the partial result
   */
  Segment open(String segmentName) throws Exception;

  /**
   * The number of profiles in a segment, if cheaply known before it is opened. When every segment's
   * size is known, vendor limits are checked before anything is sent.
   *
   * @param segmentName the segment's name
   * @return the number of profiles in a segment, if cheaply known before it is opened
   */
  default OptionalLong size(String segmentName) {
    return OptionalLong.empty();
  }

  /**
   * Whether opening a segment and reading its profiles never block: the profiles are in memory (a list,
   * a Kafka Connect sink's window), not behind a database cursor, a file or the network. An export of
   * such a source holds no thread of its own: it reads its segments in steps on the threads every export
   * shares, between its batches, and holds no thread at all while it waits for a batch slot — so that a
   * JVM running a thousand such exports has a few dozen threads, not a thousand. (Unless the host limits
   * the exports running at once, {@link Connectors#withMaxRunningExports}: then each runs on a thread of
   * its own, as other exports do.)
   *
   * <p>A source that says so but blocks holds one of the shared threads while it waits, slowing every
   * export of the JVM. The default is {@code false}: each export reads on a thread of its own, which may
   * block.
   *
   * @return whether opening a segment and reading its profiles never block
   */
  default boolean isNonBlocking() {
    return false;
  }

  /**
   * {@return a source that opens its segments with {@code source} and says it never blocks} For
   * segments held in memory, for example {@code SegmentSource.nonBlocking(name -> Segment.of(name,
   * profiles))}; see {@link #isNonBlocking()}.
   *
   * @param source opens the segments; must not block
   */
  static SegmentSource nonBlocking(SegmentSource source) {
    requireNonNull(source, "source == null");
    return new SegmentSource() {
      @Override
      public Segment open(String segmentName) throws Exception {
        return source.open(segmentName);
      }

      @Override
      public OptionalLong size(String segmentName) {
        return source.size(segmentName);
      }

      @Override
      public boolean isNonBlocking() {
        return true;
      }
    };
  }
}
