package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.Iterator;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * A named segment's profiles, read once, in order, never held in memory whole.
 *
 * <p>The engine calls {@link #profiles()} once and {@link #close()} when it is done (also on failure
 * or cancellation), so a segment may wrap a database cursor or a file.
 */
public interface Segment extends AutoCloseable {
  /** {@return the segment's name, as in the {@link ExportDefinition}} */
  String name();

  /**
   * The number of profiles, if known in advance; used for limit checks and progress.
   *
   * @return the number of profiles, if known in advance
   */
  OptionalLong sizeHint();

  /**
   * The profiles. Called once.
   *
   * @return the profiles
   */
  Iterator<Profile> profiles();

  /** Releases the source (cursor, file). The default does nothing. */
  @Override
  default void close() {}

  /**
   * A segment over an iterable; its size is known when it is a {@link Collection}.
   *
   * @param name the segment's name
   * @param profiles the profiles
   * @return a segment over an iterable
   */
  static Segment of(String name, Iterable<Profile> profiles) {
    requireNonNull(profiles, "profiles == null");
    OptionalLong size =
        profiles instanceof Collection
            ? OptionalLong.of(((Collection<?>) profiles).size())
            : OptionalLong.empty();
    return of(name, size, profiles.iterator(), () -> {});
  }

  /**
   * {@return a segment over a stream, closed when the export is done with it}
   *
   * @param name the segment's name
   * @param profiles the profiles
   */
  static Segment of(String name, Stream<Profile> profiles) {
    requireNonNull(profiles, "profiles == null");
    return of(name, OptionalLong.empty(), profiles.iterator(), profiles::close);
  }

  /**
   * {@return a segment of known size over a stream, closed when the export is done with it}
   *
   * @param name the segment's name
   * @param size how many profiles the stream holds
   * @param profiles the profiles
   */
  static Segment of(String name, long size, Stream<Profile> profiles) {
    requireNonNull(profiles, "profiles == null");
    return of(name, OptionalLong.of(size), profiles.iterator(), profiles::close);
  }

  /**
   * {@return a segment over an iterator with an optional size and a close action}
   *
   * @param name the segment's name
   * @param sizeHint how many profiles the segment holds, if known
   * @param profiles the profiles
   * @param onClose run when the export is done with the segment
   */
  static Segment of(
      String name, OptionalLong sizeHint, Iterator<Profile> profiles, Runnable onClose) {
    requireNonNull(name, "name == null");
    requireNonNull(sizeHint, "sizeHint == null");
    requireNonNull(profiles, "profiles == null");
    requireNonNull(onClose, "onClose == null");
    return new Segment() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public OptionalLong sizeHint() {
        return sizeHint;
      }

      @Override
      public Iterator<Profile> profiles() {
        return profiles;
      }

      @Override
      public void close() {
        onClose.run();
      }

      @Override
      public String toString() {
        return "Segment[" + name + "]";
      }
    };
  }
}
