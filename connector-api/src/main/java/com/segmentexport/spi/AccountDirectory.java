package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

import com.segmentexport.api.AccessDeniedException;
import com.segmentexport.api.AuthenticationException;
import com.segmentexport.api.ConfigurationException;
import com.segmentexport.api.ConnectionRemovedException;
import com.segmentexport.api.DestinationException;
import com.segmentexport.api.ExportException;
import com.segmentexport.api.SyncStateException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the exports of one JVM know about one vendor account's named objects (its lists, its data
 * fields, its regional endpoint), so that a thousand exports on one account do not each read the
 * account's thousand lists. The engine keeps one directory per account (the same key as the account's
 * rate budget: connector, endpoint and a salted one-way fingerprint of the credentials, never a
 * credential) and hands it to the connector with every {@link DestinationRequest#directory()}.
 *
 * <p>A directory holds {@linkplain Catalog catalogs}, one per kind of object, each a map from a name to
 * what the connector needs (an id, a type). The rules, which every connector gets without writing them:
 *
 * <ol>
 *   <li><b>Hits may be a little old, misses never are.</b> {@link Catalog#find} answers from the last
 *       read of the account if that read started at most {@link #FRESHNESS} ago and holds the name;
 *       otherwise it waits for a read that started after it was called. So "it does not exist" is always
 *       the vendor's answer after the question, and an object another host made a minute ago is seen.
 *   <li><b>Concurrent reads coalesce.</b> Every caller that needs a read while one is running waits for
 *       the next one, which serves them all: a thousand exports starting at once cost a few reads, not a
 *       thousand.
 *   <li><b>Creation is single-flight per name.</b> {@link Catalog#findOrCreate} lets one caller of this
 *       JVM create a name at a time; the others wait and get what it made. Two exports of one JVM never
 *       create two lists of one name.
 *   <li><b>What an export makes is known at once.</b> A created object is added to the catalog, and kept
 *       in later reads for {@link #FRESHNESS}, its value before theirs (a vendor may list a new object
 *       late, and the value may say what a read cannot, such as "created a moment ago").
 *   <li><b>Stale entries are forgotten on the vendor's word.</b> A connector whose request names an
 *       object the vendor no longer has ("list not found") calls {@link Catalog#forget}; the next look-up
 *       reads the account again.
 * </ol>
 *
 * <p>A read or a creation runs on the calling export's {@link VendorHttp} (its rate budget, retries and
 * cancellation). When it fails, the callers that waited for it get the same failure (each an exception
 * of its own, of the same type and message, the original as its cause), except when the export that ran
 * it was cancelled ({@link ExportCancelledException}): then one of them reads again.
 *
 * <p>A directory also holds objects of the connector's own that the exports of the JVM share for the
 * account ({@link #shared}), such as what they learnt of a list's members: the connector makes each on
 * first use and bounds its memory itself.
 *
 * <p>Thread-safe. Values must be immutable; loaders and creators must not call back into the same
 * catalog.
 */
public final class AccountDirectory {
  /** How long an account's read answers for the names it holds: a few seconds. */
  public static final Duration FRESHNESS = Duration.ofSeconds(5);

  private final LongSupplier nanoTime;
  private final long freshNanos;
  private final ConcurrentMap<String, Catalog<?>> catalogs = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Object> shared = new ConcurrentHashMap<>();

  AccountDirectory(LongSupplier nanoTime, Duration freshness) {
    this.nanoTime = requireNonNull(nanoTime, "nanoTime == null");
    this.freshNanos = requireNonNull(freshness, "freshness == null").toNanos();
  }

  /**
   * A new, empty directory. The engine makes one per account and shares it between the exports of the
   * JVM; a connector used outside the engine (a test) gets one of its own.
   *
   * @return a new, empty directory
   */
  public static AccountDirectory create() {
    return new AccountDirectory(System::nanoTime, FRESHNESS);
  }

  /**
   * The catalog of one kind of object, made empty on first use.
   *
   * @param kind what the catalog holds, unique within the connector, such as {@code
   *     "iterable.standard-lists"}; its values must always be of one type
   * @param <V> the type of the values
   * @return the catalog of one kind of object
   */
  @SuppressWarnings("unchecked")
  public <V> Catalog<V> catalog(String kind) {
    requireNonNull(kind, "kind == null");
    return (Catalog<V>) catalogs.computeIfAbsent(kind, k -> new Catalog<>(this));
  }

  /**
   * An object of the connector's own, one per kind, shared by the exports of this JVM to the account
   * for the directory's life (for the engine's directories: while anything uses the account, and a
   * couple of minutes after): made by {@code make} on first
   * use (once, however many exports ask at once), then returned as it is. Nothing expires: the object
   * must be thread-safe and keep its own memory bounded.
   *
   * @param kind what the object is, unique within the connector and apart from the catalogs' kinds,
   *     such as {@code "autopilot.list-members"}
   * @param type the object's class
   * @param make makes the object; must not call back into this directory
   * @param <V> the object's type
   * @return the account's object of this kind
   * @throws IllegalArgumentException if the kind holds an object of another type
   */
  public <V> V shared(String kind, Class<V> type, Supplier<? extends V> make) {
    requireNonNull(kind, "kind == null");
    requireNonNull(type, "type == null");
    requireNonNull(make, "make == null");
    Object value =
        shared.computeIfAbsent(kind, k -> requireNonNull(make.get(), "make returned null"));
    if (!type.isInstance(value)) {
      throw new IllegalArgumentException(
          "kind '"
              + kind
              + "' holds a "
              + value.getClass().getName()
              + ", not a "
              + type.getName());
    }
    return type.cast(value);
  }

  /**
   * The named objects of one kind in one account: see {@link AccountDirectory} for the rules.
   *
   * @param <V> what a name maps to (an id, a type): immutable
   */
  public static final class Catalog<V> {
    private final AccountDirectory directory;
    private final ConcurrentMap<String, CompletableFuture<V>> creating = new ConcurrentHashMap<>();

    // Guarded by this.
    private Map<String, V> snapshot;
    private long snapshotStart;
    private boolean loading;
    private RuntimeException failure;
    private long failureStart;
    private final Map<String, Added<V>> added = new HashMap<>();

    private record Added<V>(V value, long at) {}

    private Catalog(AccountDirectory directory) {
      this.directory = directory;
    }

    /**
     * Looks a name up: in the last read if it holds the name and started at most {@link #FRESHNESS}
     * ago, else in a read that starts after this call (made by this caller or shared with others).
     *
     * @param name the object's name, as the vendor spells it
     * @param load reads every object of this kind from the vendor: each name to its value
     * @return the name's value, or empty if the vendor has no such object
     */
    public Optional<V> find(String name, Supplier<Map<String, V>> load) {
      requireNonNull(name, "name == null");
      requireNonNull(load, "load == null");
      long asked = directory.nanoTime.getAsLong();
      synchronized (this) {
        V known = fresh(name, asked);
        if (known != null) {
          return Optional.of(known);
        }
      }
      return Optional.ofNullable(readAfter(asked, load, name));
    }

    /**
     * Looks a name up as {@link #find} does and, if the vendor has no such object, creates it: one
     * caller of this JVM at a time per name, the others waiting for its result (if its export was
     * cancelled, they look the name up again, in a read started after it, before one creates it). The
     * object created is added to the catalog.
     *
     * @param name the object's name
     * @param load reads every object of this kind from the vendor
     * @param create creates the object (once: see {@link Creation#createOrAdopt}) and returns its value
     * @return the found or created object's value
     */
    public V findOrCreate(String name, Supplier<Map<String, V>> load, Supplier<V> create) {
      requireNonNull(create, "create == null");
      while (true) {
        // Looked up again after a creator that was cancelled: its create may have reached the
        // vendor
        // (an answer lost, then the look-up that would have found it cancelled), and only a read
        // started after it can say.
        Optional<V> found = find(name, load);
        if (found.isPresent()) {
          return found.get();
        }
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> theirs = creating.putIfAbsent(name, mine);
        if (theirs != null) {
          try {
            return theirs.get();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExportCancelledException(
                "interrupted while another export created it", false);
          } catch (ExecutionException e) {
            if (e.getCause() instanceof ExportCancelledException) {
              continue; // that export stopped: this one looks again, then tries for itself
            }
            throw ownCopy(unchecked(e.getCause()));
          }
        }
        try {
          V value;
          synchronized (this) {
            value = fresh(name, directory.nanoTime.getAsLong());
          }
          if (value == null) {
            value = requireNonNull(create.get(), "create returned null");
            put(name, value);
          }
          mine.complete(value);
          return value;
        } catch (RuntimeException | Error e) {
          mine.completeExceptionally(e);
          throw e;
        } finally {
          creating.remove(name, mine);
        }
      }
    }

    /**
     * Adds an object this JVM made or learnt of: looked up as present from now on, and kept in later
     * reads for {@link #FRESHNESS}.
     *
     * @param name the object's name
     * @param value its value
     */
    public synchronized void put(String name, V value) {
      requireNonNull(name, "name == null");
      requireNonNull(value, "value == null");
      added.put(name, new Added<>(value, directory.nanoTime.getAsLong()));
      if (snapshot != null) {
        snapshot.put(name, value);
      }
    }

    /**
     * Forgets a name, after the vendor answered that the object is gone: the next look-up reads the
     * account again.
     *
     * @param name the object's name
     */
    public synchronized void forget(String name) {
      requireNonNull(name, "name == null");
      added.remove(name);
      if (snapshot != null) {
        snapshot.remove(name);
      }
    }

    /** The name's value in a fresh read or a recent addition; null if neither holds it. */
    private V fresh(String name, long now) {
      if (snapshot != null && now - snapshotStart <= directory.freshNanos) {
        V v = snapshot.get(name);
        if (v != null) {
          return v;
        }
      }
      Added<V> a = added.get(name);
      return a != null && now - a.at() <= directory.freshNanos ? a.value() : null;
    }

    /** The name's value in a read that started at or after {@code asked}; null if it has none. */
    private V readAfter(long asked, Supplier<Map<String, V>> load, String name) {
      long start;
      synchronized (this) {
        while (true) {
          if (snapshot != null && snapshotStart - asked >= 0) {
            return snapshot.get(name);
          }
          if (failure != null && failureStart - asked >= 0) {
            throw ownCopy(failure);
          }
          if (!loading) {
            break;
          }
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExportCancelledException(
                "interrupted while another export read the account", false);
          }
        }
        loading = true;
        start = directory.nanoTime.getAsLong();
      }
      Map<String, V> read;
      try {
        read = new HashMap<>(requireNonNull(load.get(), "load returned null"));
      } catch (RuntimeException e) {
        synchronized (this) {
          loading = false;
          if (!(e instanceof ExportCancelledException)) {
            failure = e;
            failureStart = start;
          }
          notifyAll();
        }
        throw e;
      } catch (Error e) {
        synchronized (this) {
          loading = false;
          notifyAll();
        }
        throw e;
      }
      synchronized (this) {
        long now = directory.nanoTime.getAsLong();
        for (Iterator<Map.Entry<String, Added<V>>> it = added.entrySet().iterator();
            it.hasNext(); ) {
          Map.Entry<String, Added<V>> e = it.next();
          if (now - e.getValue().at() > directory.freshNanos) {
            it.remove();
          } else {
            read.put(e.getKey(), e.getValue().value()); // what this JVM made is the latest word
          }
        }
        snapshot = read;
        snapshotStart = start;
        loading = false;
        failure = null;
        notifyAll();
        return read.get(name);
      }
    }

    /**
     * The failure of another export's read or creation as this caller's own exception: same type,
     * status and message, the original as its cause. Each export's run attaches its own partial result
     * to the exception it ends with ({@link ExportException#withPartialResult}); one instance shared
     * by several exports would carry whichever run ended last, and hand a host another export's counts.
     */
    private static RuntimeException ownCopy(RuntimeException failure) {
      RuntimeException copy;
      if (failure instanceof OutcomeUnknownException o) {
        return new OutcomeUnknownException(o.httpStatus(), o.getMessage(), o);
      } else if (failure.getClass() == DestinationException.class) {
        DestinationException d = (DestinationException) failure;
        copy =
            new DestinationException(
                d.httpStatus(),
                d.vendorCode().orElse(null),
                d.vendorMessage().orElse(null),
                d.getMessage());
      } else if (failure.getClass() == AuthenticationException.class) {
        copy =
            new AuthenticationException(
                ((AuthenticationException) failure).httpStatus(), failure.getMessage());
      } else if (failure.getClass() == SyncStateException.class) {
        return new SyncStateException(failure.getMessage(), failure);
      } else if (failure.getClass() == AccessDeniedException.class) {
        copy = new AccessDeniedException(failure.getMessage());
      } else if (failure.getClass() == ConnectionRemovedException.class) {
        copy = new ConnectionRemovedException(failure.getMessage());
      } else if (failure.getClass() == ConfigurationException.class
          && ((ConfigurationException) failure).problems().size() == 1
          && ((ConfigurationException) failure).problems().get(0).equals(failure.getMessage())) {
        copy = new ConfigurationException(failure.getMessage());
      } else if (failure instanceof ExportException) {
        return new ExportException(failure.getMessage(), failure);
      } else {
        return failure; // not an export's failure: the engine wraps it in one of each run's own
      }
      copy.initCause(failure);
      return copy;
    }

    private static RuntimeException unchecked(Throwable t) {
      if (t instanceof RuntimeException r) {
        return r;
      }
      if (t instanceof Error e) {
        throw e;
      }
      return new CompletionException(t);
    }
  }
}
