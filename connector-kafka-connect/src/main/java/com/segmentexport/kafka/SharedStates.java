package com.segmentexport.kafka;

import com.segmentexport.state.JdbcSyncStateStore;
import java.util.HashMap;
import java.util.Map;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The PostgreSQL sync states of this worker JVM, one store per database, user and schema, shared by
 * the tasks that name it and closed when the last of them stops. Tasks on other workers share the
 * same tables through the database.
 */
final class SharedStates {
  private static final class Entry {
    final JdbcSyncStateStore store;
    int users;

    Entry(JdbcSyncStateStore store) {
      this.store = store;
    }
  }

  private static final Map<String, Entry> STORES = new HashMap<>();

  private SharedStates() {}

  static synchronized JdbcSyncStateStore acquire(
      String url, String user, String password, String schema) {
    String key = url + '\n' + user + '\n' + schema;
    Entry e = STORES.get(key);
    if (e == null) {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setURL(url);
      if (user != null) {
        ds.setUser(user);
      }
      if (password != null) {
        ds.setPassword(password);
      }
      JdbcSyncStateStore store =
          schema == null
              ? JdbcSyncStateStore.postgres(ds)
              : JdbcSyncStateStore.postgres(ds, schema);
      e = new Entry(store);
      STORES.put(key, e);
    }
    e.users++;
    return e.store;
  }

  static synchronized void release(JdbcSyncStateStore store) {
    STORES
        .entrySet()
        .removeIf(
            en -> {
              if (en.getValue().store != store) {
                return false;
              }
              if (--en.getValue().users > 0) {
                return false;
              }
              store.close();
              return true;
            });
  }
}
