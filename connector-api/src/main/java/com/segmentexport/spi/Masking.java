package com.segmentexport.spi;

/** Masks personal data for logs, messages and rejected-record reports. */
public final class Masking {
  private Masking() {}

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
