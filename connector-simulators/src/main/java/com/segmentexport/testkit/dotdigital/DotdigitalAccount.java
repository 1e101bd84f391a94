package com.segmentexport.testkit.dotdigital;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The state of the simulated dotdigital account: address books, data fields, contacts and imports,
 * guarded by {@link #lock}. {@link DotdigitalSimulator} answers the API from it.
 */
final class DotdigitalAccount {
  final Object lock = new Object();
  final Map<Long, BookState> books = new TreeMap<>();
  final Map<String, String> fields = new LinkedHashMap<>(); // upper-case name -> "Name|Type"
  final Map<String, ContactState> contacts = new TreeMap<>();
  final Map<String, ImportJob> imports = new LinkedHashMap<>();
  final Deque<String> forcedStatuses = new ArrayDeque<>();
  long nextBookId = 4711;
  long nextContactId = 35_210_001;

  static final class BookState {
    final String name;
    final Set<String> members = new LinkedHashSet<>();

    BookState(String name) {
      this.name = name;
    }
  }

  static final class ContactState {
    final long id;
    final String email;
    String status;
    final Map<String, Object> dataFields = new TreeMap<>();

    ContactState(long id, String email, String status) {
      this.id = id;
      this.email = email;
      this.status = status;
    }

    Map<String, String> textFields() {
      Map<String, String> out = new TreeMap<>();
      dataFields.forEach((k, v) -> {
        String text = v instanceof Double && ((Double) v) == Math.rint((Double) v) && !((Double) v).isInfinite()
            ? Long.toString(((Double) v).longValue()) : v.toString();
        out.put(k, text);
      });
      return Collections.unmodifiableMap(out);
    }
  }

  static final class ImportJob {
    final long finishAtNanos;
    String terminal;
    byte[] report;

    ImportJob(long finishAtNanos) {
      this.finishAtNanos = finishAtNanos;
    }

    boolean finished() {
      return System.nanoTime() - finishAtNanos >= 0;
    }
  }
}
