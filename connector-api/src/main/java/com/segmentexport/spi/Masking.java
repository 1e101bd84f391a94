package com.segmentexport.spi;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Masks personal data for logs, messages and rejected-record reports. */
public final class Masking {
  private static final Pattern EMAIL_LIKE =
      Pattern.compile("[^\\s@\"'<>(),;:]+@[^\\s@\"'<>(),;:]+");

  private Masking() {}

  /**
   * Masks, with {@link #email}, everything in a vendor's text that looks like an e-mail address, so
   * that the vendor's own messages can go into exceptions and rejection reports.
   *
   * @param text text that may contain e-mail addresses
   * @return the text with every e-mail-like part masked
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
   * Masks one known address wherever a vendor's message quotes it, in any letter case ("Invalid email:
   * Ana@example.org"), so that results and sinks never carry it unmasked; null stays null.
   *
   * @param message the vendor's message, or null
   * @param email the record's address
   * @return the message with every occurrence of the address masked by {@link #email}
   */
  public static String addressIn(String message, String email) {
    if (message == null || email == null || email.isEmpty()) {
      return message;
    }
    String lower = message.toLowerCase(java.util.Locale.ROOT);
    String needle = email.toLowerCase(java.util.Locale.ROOT);
    int at = lower.indexOf(needle);
    if (at < 0) {
      return message;
    }
    StringBuilder sb = new StringBuilder();
    int from = 0;
    while (at >= 0) {
      sb.append(message, from, at).append(email(email));
      from = at + needle.length();
      at = lower.indexOf(needle, from);
    }
    return sb.append(message.substring(from)).toString();
  }

  /**
   * Masks an e-mail address, keeping its first character and top-level domain:
   * {@code ana.silva@example.org} becomes {@code a***@e***.org}. Never returns the input unchanged
   * unless it is empty. Characters are code points: a first character outside the Basic Multilingual
   * Plane (an emoji) is kept whole, and the result is always well-formed UTF-16 (an unpaired surrogate
   * in the input becomes U+FFFD), so any UTF-8 writer can write it.
   *
   * @param email the e-mail address
   * @return the address, masked
   */
  public static String email(String email) {
    if (email == null || email.isEmpty()) {
      return "";
    }
    String s = email.trim();
    int at = s.lastIndexOf('@');
    if (at <= 0 || at == s.length() - 1) {
      return s.isEmpty() ? "***" : firstCharacter(s) + "***";
    }
    String domain = s.substring(at + 1);
    int dot = domain.lastIndexOf('.');
    String tld = dot > 0 && dot < domain.length() - 1 ? domain.substring(dot) : "";
    if (tld.length() > 8) {
      tld = "";
    }
    return firstCharacter(s) + "***@" + firstCharacter(domain) + "***" + wellFormed(tld);
  }

  /** The first code point of a non-empty string, U+FFFD if it is an unpaired surrogate. */
  private static String firstCharacter(String s) {
    return wellFormed(s.substring(0, Character.charCount(s.codePointAt(0))));
  }

  /** The text with each unpaired surrogate replaced by U+FFFD. */
  private static String wellFormed(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int n = Character.charCount(cp);
      boolean unpaired = n == 1 && Character.isSurrogate(s.charAt(i));
      if (unpaired && out == null) {
        out = new StringBuilder(s.length()).append(s, 0, i);
      }
      if (out != null) {
        if (unpaired) {
          out.append('\uFFFD');
        } else {
          out.appendCodePoint(cp);
        }
      }
      i += n;
    }
    return out == null ? s : out.toString();
  }
}
