package com.segmentexport.autopilot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Members as 64-bit hashes in a sorted array, 8 bytes a member however long the list. A member is
 * known by its contact id, which the upsert answer also gives: whether Autopilot takes
 * {@code Ana@example.org} and {@code ana@example.org} as one contact or two, the id says which
 * contact an upsert reached. Only a member page without {@code contact_id} falls back to the address,
 * trimmed and lower-cased.
 */
final class MemberSet {
  private long[] hashes = new long[16];
  private int size;

  void add(long key) {
    if (size == hashes.length) {
      hashes = Arrays.copyOf(hashes, size * 2);
    }
    hashes[size++] = key;
  }

  /** Sorts the members (once read) and trims the array to them. */
  MemberSet sorted() {
    Arrays.sort(hashes, 0, size);
    if (hashes.length > size + 16) {
      hashes = Arrays.copyOf(hashes, size);
    }
    return this;
  }

  /** How many members. */
  int size() {
    return size;
  }

  /** The members' keys, sorted or not. */
  List<Long> keys() {
    List<Long> keys = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      keys.add(hashes[i]);
    }
    return keys;
  }

  /** Whether the contact of this {@linkplain #key key} is a member. */
  boolean containsKey(long key) {
    return Arrays.binarySearch(hashes, 0, size, key) >= 0;
  }

  /** A set of these members and those keys (a merge: one pass, once a group). */
  MemberSet with(Collection<Long> keys) {
    if (keys.isEmpty()) {
      return this;
    }
    long[] added = keys.stream().mapToLong(Long::longValue).sorted().toArray();
    MemberSet merged = new MemberSet();
    merged.hashes = new long[Math.max(16, size + added.length)];
    int i = 0;
    int j = 0;
    while (i < size || j < added.length) {
      long next =
          j == added.length || (i < size && hashes[i] <= added[j]) ? hashes[i++] : added[j++];
      if (merged.size == 0 || merged.hashes[merged.size - 1] != next) {
        merged.hashes[merged.size++] = next;
      }
    }
    return merged;
  }

  /** A set of these members but those keys (a pass over the members). */
  MemberSet without(Collection<Long> keys) {
    if (keys.isEmpty()) {
      return this;
    }
    java.util.Set<Long> gone = new java.util.HashSet<>(keys);
    MemberSet kept = new MemberSet();
    kept.hashes = new long[Math.max(16, size)];
    for (int i = 0; i < size; i++) {
      if (!gone.contains(hashes[i])) {
        kept.hashes[kept.size++] = hashes[i];
      }
    }
    return kept;
  }

  /** An address as members and answers are compared: trimmed and lower-cased. */
  static String normalise(String email) {
    return email.trim().toLowerCase(Locale.ROOT);
  }

  /**
   * A contact's key: its contact id's hash, or without an id its normalised address's (each
   * prefixed, so that no id and address share a key).
   */
  static long key(String contactId, String normalisedAddress) {
    return contactId != null ? hash("id:" + contactId) : hash("email:" + normalisedAddress);
  }

  /** FNV-1a. */
  private static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001b3L;
    }
    return h;
  }
}
