package com.segmentexport.testkit.dotdigital;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
  // By lower-cased address, in a hash table as a vendor indexes its contacts: a sorted map of a
  // million contacts cost most of the simulator's CPU in the benchmarks (string comparisons down a
  // 20-level tree per imported row, under the lock). Ordered views (snapshot) sort a copy.
  final Map<String, ContactState> contacts = new HashMap<>();
  final Map<String, ImportJob> imports = new LinkedHashMap<>();

  /** Bulk removals from address books ({@code POST /v2/address-books/{id}/contacts/delete}) by job id. */
  final Map<String, ImportJob> removals = new LinkedHashMap<>();

  final Deque<String> forcedStatuses = new ArrayDeque<>();
  long nextBookId = 4711;
  long nextContactId = 35_210_001;

  long createAddressBook(String name) {
    synchronized (lock) {
      long id = nextBookId++;
      books.put(id, new BookState(name));
      return id;
    }
  }

  long ensureAddressBook(String name) {
    synchronized (lock) {
      for (Map.Entry<Long, BookState> e : books.entrySet()) {
        if (e.getValue().name.equals(name)) {
          return e.getKey();
        }
      }
      return createAddressBook(name);
    }
  }

  Set<String> addressBookMembers(long id) {
    synchronized (lock) {
      BookState b = books.get(id);
      return b == null ? Set.of() : Set.copyOf(b.members);
    }
  }

  void addContact(String email, String status, Map<String, ?> dataFields) {
    synchronized (lock) {
      ContactState c =
          new ContactState(nextContactId++, email.trim().toLowerCase(Locale.ROOT), status);
      for (Map.Entry<String, ?> e : dataFields.entrySet()) {
        String field = fields.get(e.getKey().toUpperCase(Locale.ROOT));
        if (field == null) {
          throw new IllegalArgumentException("no data field " + e.getKey());
        }
        c.dataFields.put(field.substring(0, field.indexOf('|')), e.getValue());
      }
      contacts.put(c.email, c);
    }
  }

  void addToAddressBook(long id, String email) {
    synchronized (lock) {
      String key = email.trim().toLowerCase(Locale.ROOT);
      if (!contacts.containsKey(key)) {
        throw new IllegalArgumentException("no such contact");
      }
      books.get(id).members.add(key);
    }
  }

  Optional<String> contactStatus(String email) {
    synchronized (lock) {
      ContactState c = contacts.get(email.trim().toLowerCase(Locale.ROOT));
      return c == null ? Optional.empty() : Optional.of(c.status);
    }
  }

  Map<String, String> contactDataFields(String email) {
    synchronized (lock) {
      ContactState c = contacts.get(email.trim().toLowerCase(Locale.ROOT));
      return c == null ? Map.of() : c.textFields();
    }
  }

  Map<String, String> dataFields() {
    synchronized (lock) {
      Map<String, String> out = new LinkedHashMap<>();
      for (String f : fields.values()) {
        int bar = f.indexOf('|');
        out.put(f.substring(0, bar), f.substring(bar + 1));
      }
      return out;
    }
  }

  static final class BookState {
    final String name;
    final Set<String> members = new LinkedHashSet<>();

    /** Addresses unsubscribed from this book ({@code POST /v2/address-books/{id}/contacts/unsubscribe}). */
    final Set<String> unsubscribed = new LinkedHashSet<>();

    BookState(String name) {
      this.name = name;
    }
  }

  static final class ContactState {
    final long id;

    /** The contact's address, lower-cased; it changes only by a single-contact write naming a new one. */
    String email;

    String status;
    final Map<String, Object> dataFields = new TreeMap<>();

    ContactState(long id, String email, String status) {
      this.id = id;
      this.email = email;
      this.status = status;
    }

    Map<String, String> textFields() {
      Map<String, String> out = new TreeMap<>();
      dataFields.forEach(
          (k, v) -> {
            String text =
                v instanceof Double
                        && ((Double) v) == Math.rint((Double) v)
                        && !((Double) v).isInfinite()
                    ? Long.toString(((Double) v).longValue())
                    : v.toString();
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
