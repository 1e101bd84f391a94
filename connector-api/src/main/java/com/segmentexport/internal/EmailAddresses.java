package com.segmentexport.internal;

import java.net.IDN;
import java.util.Locale;

/**
 * Validates and normalises e-mail addresses the way the vendors accept them: a dot-atom local part of
 * ASCII characters (no quoted forms), a domain of at least two LDH labels (internationalised domains
 * converted to their ASCII form) with an alphabetic top-level label, 254 characters at most.
 * Normalising trims and lower-cases the domain; the local part keeps its case.
 */
final class EmailAddresses {
  private static final String ATEXT_SPECIALS = "!#$%&'*+/=?^_`{|}~-";

  /** The ASCII characters of a dot-atom's atoms (RFC 5322 atext): letters, digits and the specials. */
  private static final boolean[] ATEXT = new boolean[128];

  static {
    for (char c = 0; c < 128; c++) {
      ATEXT[c] =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || ATEXT_SPECIALS.indexOf(c) >= 0;
    }
  }

  private EmailAddresses() {}

  /** Returns the normalised address, or null if it is not one the vendors accept. */
  static String normalize(String raw) {
    if (raw == null) {
      return null;
    }
    // One pass, within the bounds String.trim() would give: the common address (trimmed, ASCII, its
    // domain lower-case) comes back as the very string it was given, with nothing allocated.
    int begin = 0;
    int end = raw.length();
    while (begin < end && raw.charAt(begin) <= ' ') {
      begin++;
    }
    while (end > begin && raw.charAt(end - 1) <= ' ') {
      end--;
    }
    int at = localPartEnd(raw, begin, end);
    if (at < 0) {
      return null;
    }
    boolean upper = false;
    int labels = 0;
    int label = at + 1;
    int topLevel = label;
    for (int i = at + 1; i <= end; i++) {
      char c = i < end ? raw.charAt(i) : '.';
      if (c == '.') {
        if (!validLabel(raw, label, i)) {
          return null;
        }
        labels++;
        topLevel = label;
        label = i + 1;
      } else if (c >= 'A' && c <= 'Z') {
        upper = true;
      } else if (c >= 128) {
        return withInternationalDomain(raw.substring(begin, at), raw.substring(at + 1, end));
      } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return null;
      }
    }
    if (labels < 2
        || end - at - 1 > 253
        || end - begin > 254
        || !validTopLevel(raw, topLevel, end)) {
      return null;
    }
    if (!upper) {
      return begin == 0 && end == raw.length() ? raw : raw.substring(begin, end);
    }
    return raw.substring(begin, at + 1) + raw.substring(at + 1, end).toLowerCase(Locale.ROOT);
  }

  /**
   * Validates the local part, a dot-atom from {@code begin}: returns the index of the {@code @} that
   * ends it, or -1 if it is empty, longer than 64 characters, or not a dot-atom.
   */
  private static int localPartEnd(String s, int begin, int end) {
    char previous = '.'; // a leading dot is refused like a doubled one
    for (int i = begin; i < end; i++) {
      char c = s.charAt(i);
      if (c == '@') {
        return i == begin || i - begin > 64 || previous == '.' ? -1 : i;
      }
      if (!((c < 128 && ATEXT[c]) || (c == '.' && previous != '.'))) {
        return -1;
      }
      previous = c;
    }
    return -1;
  }

  /** A domain with non-ASCII characters: converted to its ASCII form, then validated. */
  private static String withInternationalDomain(String local, String domain) {
    if (domain.endsWith(".")) {
      return null;
    }
    String d;
    try {
      d = IDN.toASCII(domain, 0).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (d.length() > 253
        || !d.chars()
            .allMatch(
                c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
      return null;
    }
    int labels = 0;
    int label = 0;
    for (int i = 0; i <= d.length(); i++) {
      if (i == d.length() || d.charAt(i) == '.') {
        if (!validLabel(d, label, i)) {
          return null;
        }
        labels++;
        if (i == d.length()) {
          break;
        }
        label = i + 1;
      }
    }
    String normalized = local + '@' + d;
    return labels >= 2 && validTopLevel(d, label, d.length()) && normalized.length() <= 254
        ? normalized
        : null;
  }

  /** A DNS label of characters already checked to be letters, digits and hyphens. */
  private static boolean validLabel(String s, int from, int to) {
    int n = to - from;
    return n > 0 && n <= 63 && s.charAt(from) != '-' && s.charAt(to - 1) != '-';
  }

  /** An alphabetic top-level label of two letters or more, or an internationalised one ({@code xn--}). */
  private static boolean validTopLevel(String s, int from, int to) {
    if (s.regionMatches(true, from, "xn--", 0, 4)) {
      return to - from > 4;
    }
    if (to - from < 2) {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        return false;
      }
    }
    return true;
  }
}
