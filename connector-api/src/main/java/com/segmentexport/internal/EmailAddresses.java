package com.segmentexport.internal;

import java.net.IDN;
import java.util.Locale;

/**
 * Validates and normalises e-mail addresses the way the vendors accept them: a dot-atom local part of
 * ASCII characters (no quoted forms), a domain of at least two LDH labels (internationalised domains
 * converted to their ASCII form) with an alphabetic top-level label, 254 characters at most.
 * Normalising trims and lower-cases the domain; the local part keeps its case.
 */
public final class EmailAddresses {
  private static final String ATEXT_SPECIALS = "!#$%&'*+/=?^_`{|}~-";

  private EmailAddresses() {}

  /** Returns the normalised address, or null if it is not one the vendors accept. */
  public static String normalize(String raw) {
    if (raw == null) {
      return null;
    }
    String s = raw.trim();
    int at = s.indexOf('@');
    if (at <= 0 || at != s.lastIndexOf('@') || at == s.length() - 1 || at > 64) {
      return null;
    }
    String local = s.substring(0, at);
    if (!validLocal(local)) {
      return null;
    }
    String domain = asciiDomain(s.substring(at + 1));
    if (domain == null) {
      return null;
    }
    String normalized = local + '@' + domain;
    return normalized.length() <= 254 ? normalized : null;
  }

  /** The key two addresses share when vendors treat them as one contact: fully lower-cased. */
  public static String dedupKey(String normalized) {
    return normalized.toLowerCase(Locale.ROOT);
  }

  private static boolean validLocal(String local) {
    if (local.charAt(0) == '.' || local.charAt(local.length() - 1) == '.') {
      return false;
    }
    char previous = 0;
    for (int i = 0; i < local.length(); i++) {
      char c = local.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || (c < 128 && ATEXT_SPECIALS.indexOf(c) >= 0);
      if (!ok || (c == '.' && previous == '.')) {
        return false;
      }
      previous = c;
    }
    return true;
  }

  private static String asciiDomain(String domain) {
    if (domain.endsWith(".")) {
      return null;
    }
    String d = domain;
    for (int i = 0; i < d.length(); i++) {
      if (d.charAt(i) >= 128) {
        try {
          d = IDN.toASCII(domain, 0);
        } catch (IllegalArgumentException e) {
          return null;
        }
        break;
      }
    }
    d = d.toLowerCase(Locale.ROOT);
    if (d.length() > 253) {
      return null;
    }
    int labels = 0;
    int start = 0;
    while (start <= d.length()) {
      int end = d.indexOf('.', start);
      if (end < 0) {
        end = d.length();
      }
      String label = d.substring(start, end);
      if (!validLabel(label)) {
        return null;
      }
      labels++;
      if (end == d.length()) {
        if (labels < 2 || !validTopLevel(label)) {
          return null;
        }
        break;
      }
      start = end + 1;
    }
    return d;
  }

  private static boolean validLabel(String label) {
    int n = label.length();
    if (n == 0 || n > 63 || label.charAt(0) == '-' || label.charAt(n - 1) == '-') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = label.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static boolean validTopLevel(String label) {
    if (label.startsWith("xn--")) {
      return label.length() > 4;
    }
    if (label.length() < 2) {
      return false;
    }
    for (int i = 0; i < label.length(); i++) {
      char c = label.charAt(i);
      if (c < 'a' || c > 'z') {
        return false;
      }
    }
    return true;
  }
}
