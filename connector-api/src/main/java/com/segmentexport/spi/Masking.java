package com.segmentexport.spi;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Masks personal data for logs, messages and rejected-record reports. */
public final class Masking {
  private static final Pattern EMAIL_LIKE = Pattern.compile("[^\\s@\"'<>(),;:]+@[^\\s@\"'<>(),;:]+");

  private Masking() {}

  /**
   * Masks, with {@link #email}, everything in a vendor's text that looks like an e-mail address, so
   * that the vendor's own messages can go into exceptions and rejection reports.
   */
  public static String emailsIn(String text) {
    Matcher m = EMAIL_LIKE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(email(m.group())));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * Masks an e-mail address, keeping its first letter and top-level domain:
   * {@code ana.silva@example.org} becomes {@code a***@e***.org}. Never returns the input unchanged
   * unless it is empty.
   */
  public static String email(String email) {
    if (email == null || email.isEmpty()) {
      return "";
    }
    String s = email.trim();
    int at = s.lastIndexOf('@');
    if (at <= 0 || at == s.length() - 1) {
      return s.isEmpty() ? "***" : s.charAt(0) + "***";
    }
    String domain = s.substring(at + 1);
    int dot = domain.lastIndexOf('.');
    String tld = dot > 0 && dot < domain.length() - 1 ? domain.substring(dot) : "";
    if (tld.length() > 8) {
      tld = "";
    }
    return s.charAt(0) + "***@" + domain.charAt(0) + "***" + tld;
  }
}
