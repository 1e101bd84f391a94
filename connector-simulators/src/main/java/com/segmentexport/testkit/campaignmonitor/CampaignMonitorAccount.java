package com.segmentexport.testkit.campaignmonitor;

import static com.segmentexport.testkit.campaignmonitor.CampaignMonitorJson.hexId;

import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator.Subscriber;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The state of the simulated Campaign Monitor client: its lists with their custom fields and
 * subscribers, the suppression list and the imports received, guarded by {@link #lock}. {@link
 * CampaignMonitorSimulator} answers the API from it.
 */
final class CampaignMonitorAccount {
  final Object lock = new Object();
  final Map<String, ListData> lists = new TreeMap<>();
  final Set<String> foreignLists = new HashSet<>();
  final Set<String> suppressed = new TreeSet<>();
  final List<CampaignMonitorSimulator.ImportRequest> importRequests = new ArrayList<>();

  String createList(String title) {
    synchronized (lock) {
      String id = hexId();
      lists.put(id, new ListData(title));
      return id;
    }
  }

  String ensureList(String title) {
    synchronized (lock) {
      for (Map.Entry<String, ListData> e : lists.entrySet()) {
        if (e.getValue().title.equals(title)) {
          return e.getKey();
        }
      }
      return createList(title);
    }
  }

  String foreignListId() {
    synchronized (lock) {
      String id = hexId();
      foreignLists.add(id);
      return id;
    }
  }

  void suppress(String email) {
    synchronized (lock) {
      suppressed.add(email.trim().toLowerCase(Locale.ROOT));
    }
  }

  Set<String> activeSubscribers(String listId) {
    synchronized (lock) {
      ListData l = lists.get(listId);
      Set<String> out = new TreeSet<>();
      if (l != null) {
        l.subscribers.forEach(
            (e, s) -> {
              if (s.state.equals(CampaignMonitorSimulator.ACTIVE)) {
                out.add(e);
              }
            });
      }
      return out;
    }
  }

  Optional<Subscriber> subscriber(String listId, String email) {
    synchronized (lock) {
      ListData l = lists.get(listId);
      SubscriberData s =
          l == null ? null : l.subscribers.get(email.trim().toLowerCase(Locale.ROOT));
      return s == null ? Optional.empty() : Optional.of(s.view(l));
    }
  }

  Map<String, String> customFields(String listId) {
    synchronized (lock) {
      ListData l = lists.get(listId);
      return l == null ? Map.of() : l.fieldTypes();
    }
  }

  List<CampaignMonitorSimulator.ImportRequest> importRequests() {
    synchronized (lock) {
      return List.copyOf(importRequests);
    }
  }

  static final class FieldDef {
    /** The list's key for it, bracketed and lower-cased: the one instance each subscriber's value is kept under. */
    final String key;

    final String name;
    final String dataType;

    FieldDef(String key, String name, String dataType) {
      this.key = key;
      this.name = name;
      this.dataType = dataType;
    }
  }

  static final class ListData {
    final String title;

    /** {@code AllClientLists} (the vendor's default) or {@code OnlyThisList}. */
    String unsubscribeSetting = "AllClientLists";

    final Map<String, FieldDef> fields = new LinkedHashMap<>();
    final Map<String, SubscriberData> subscribers = new TreeMap<>();

    ListData(String title) {
      this.title = title;
    }

    Map<String, String> fieldTypes() {
      Map<String, String> out = new LinkedHashMap<>();
      fields.forEach((k, f) -> out.put(k, f.dataType));
      return Collections.unmodifiableMap(out);
    }
  }

  static final class SubscriberData {
    private static final java.util.concurrent.atomic.AtomicLong JOINED =
        new java.util.concurrent.atomic.AtomicLong();
    private static final java.time.LocalDateTime EPOCH =
        java.time.LocalDateTime.of(2020, 1, 1, 0, 0);

    private static final java.time.format.DateTimeFormatter JOINED_FORMAT =
        java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    /**
     * When the subscriber joined the list, in seconds after 2020-01-01: distinct per record, kept for
     * life (a number rather than its text: a million subscribers' dates as text cost the simulator's
     * heap 60 MB).
     */
    private final long joinedSeconds = JOINED.incrementAndGet();

    String state;
    String name = "";
    String consent = "Unchanged";

    /** Whether the subscriber was ever unsubscribed, bounced or suppressed: its consent must not be overridden. */
    boolean optedOut;

    final Map<String, String> fields = new TreeMap<>();

    SubscriberData(String state) {
      this.state = state;
    }

    /** When the subscriber joined the list, as {@code ListJoinedDate} ({@code yyyy-MM-dd HH:mm:ss}). */
    String joined() {
      return EPOCH.plusSeconds(joinedSeconds).format(JOINED_FORMAT);
    }

    Subscriber view(ListData list) {
      Map<String, String> byName = new TreeMap<>();
      fields.forEach(
          (k, v) -> {
            FieldDef def = list.fields.get(k);
            byName.put(def == null ? k : def.name, v);
          });
      return new Subscriber(name, state, consent, Collections.unmodifiableMap(byName));
    }
  }
}
