package com.segmentexport.testkit.campaignmonitor;

import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator.Subscriber;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  static final class FieldDef {
    final String name;
    final String dataType;

    FieldDef(String name, String dataType) {
      this.name = name;
      this.dataType = dataType;
    }
  }

  static final class ListData {
    final String title;
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
    String state;
    String name = "";
    String consent = "Unchanged";
    final Map<String, String> fields = new TreeMap<>();

    SubscriberData(String state) {
      this.state = state;
    }

    Subscriber view(ListData list) {
      Map<String, String> byName = new TreeMap<>();
      fields.forEach((k, v) -> {
        FieldDef def = list.fields.get(k);
        byName.put(def == null ? k : def.name, v);
      });
      return new Subscriber(name, state, consent, Collections.unmodifiableMap(byName));
    }
  }
}
