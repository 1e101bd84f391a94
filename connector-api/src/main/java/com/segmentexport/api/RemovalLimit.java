package com.segmentexport.api;

/**
 * How many removals a {@linkplain SyncMode#MIRROR mirroring} run may make before it makes none: a source
 * that is suddenly empty or truncated must not empty a list. A run whose removals would be more than
 * {@code maxShare} of the members the SDK manages on the list, or more than {@code maxCount}, removes
 * nobody and ends {@link ExportStatus#REMOVALS_HELD_BACK}; so does a segment that read no profile,
 * unless {@code allowEmptySegment}. Raise the limit for one run with {@link
 * ExportOptions#withRemovalLimit}.
 *
 * @param maxShare the most removals as a share of the managed members, from 0 to 1
 * @param maxCount the most removals in one run, 0 or more
 * @param allowEmptySegment whether a segment that read no profile may remove every managed member
 */
public record RemovalLimit(double maxShare, long maxCount, boolean allowEmptySegment) {
  /** At most 10% of the managed members, any number of them; never from an empty segment. */
  public static final RemovalLimit DEFAULT = new RemovalLimit(0.10, Long.MAX_VALUE, false);

  /**
   * Checks the parts.
   *
   * @param maxShare the most removals as a share of the managed members, from 0 to 1
   * @param maxCount the most removals in one run, 0 or more
   * @param allowEmptySegment whether a segment that read no profile may remove every managed member
   */
  public RemovalLimit {
    if (!(maxShare >= 0 && maxShare <= 1)) {
      throw new IllegalArgumentException("maxShare must be between 0 and 1: " + maxShare);
    }
    if (maxCount < 0) {
      throw new IllegalArgumentException("maxCount < 0: " + maxCount);
    }
  }

  /**
   * {@return a limit of this share of the managed members}
   *
   * @param share from 0 to 1
   */
  public static RemovalLimit share(double share) {
    return new RemovalLimit(share, Long.MAX_VALUE, false);
  }

  /**
   * {@return a limit of this many removals}
   *
   * @param count 0 or more
   */
  public static RemovalLimit count(long count) {
    return new RemovalLimit(1, count, false);
  }

  /** {@return this limit, letting a segment that read no profile remove every managed member} */
  public RemovalLimit allowingAnEmptySegment() {
    return new RemovalLimit(maxShare, maxCount, true);
  }

  /**
   * {@return why removals are held back, or null if they may go}
   *
   * @param removals the removals the run found
   * @param managed the members the SDK manages on the list
   * @param read the profiles the segment read
   */
  public String holdsBack(long removals, long managed, long read) {
    if (removals == 0) {
      return null;
    }
    if (read == 0 && !allowEmptySegment) {
      return "the segment read no profile: removing all "
          + removals
          + " managed members is held back "
          + "(allow it with RemovalLimit.allowingAnEmptySegment())";
    }
    if (removals > maxCount) {
      return removals
          + " removals are more than the limit of "
          + maxCount
          + " (of "
          + managed
          + " managed members); none was made";
    }
    if (removals > Math.floor(maxShare * managed)) {
      return removals
          + " removals of "
          + managed
          + " managed members are more than the limit of "
          + Math.round(maxShare * 100)
          + "%; none was made";
    }
    return null;
  }
}
