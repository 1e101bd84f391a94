package com.segmentexport.cli;

import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.RemovalLimit;
import com.segmentexport.api.SyncMode;
import com.segmentexport.state.JdbcSyncStateStore;
import com.segmentexport.testkit.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/**
 * Which sync state {@code export} and {@code plan} use: {@code --state FILE}, {@code --no-state},
 * {@code --full-refresh}. By default the user's state file ({@link StateLocation}), so that every export
 * is incremental; in the sandbox a temporary file that lives as long as the sandbox's simulator, so that a
 * sandbox never mixes its state with a real account's.
 */
final class StateOptions {
  /** The default file, as option descriptions give it (picocli formats them: {@code %%} is a percent sign). */
  static final String DEFAULT_DESCRIPTION =
      "$"
          + StateLocation.ENV
          + ", else state.db in the user's data "
          + "directory: $XDG_DATA_HOME/segment-export (or ~/.local/share/segment-export) on Linux, "
          + "~/Library/Application Support/segment-export on macOS, %%LOCALAPPDATA%%\\segment-export on Windows";

  @Option(
      names = "--state",
      paramLabel = "FILE",
      description =
          "The sync state: an SQLite file remembering what each vendor confirmed, so that only new, "
              + "changed and previously failed profiles are sent; created when missing. Default: "
              + DEFAULT_DESCRIPTION
              + ".")
  Path file;

  @Option(
      names = "--no-state",
      description = "Use no sync state: send every profile and record nothing.")
  boolean noState;

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      description =
          "incremental (the default): send only new, changed and previously failed profiles; or mirror: "
              + "that, and then remove from the list the members this tool put there that left the segment "
              + "(list membership only; at most --max-removals, else none).")
  String mode;

  @Option(
      names = "--max-removals",
      paramLabel = "N|P%",
      description =
          "With --mode mirror: the most removals one run may make, a count (500) or a share of the members "
              + "this tool manages on the list (25%%); over it, nobody is removed. Default: 10%%.")
  String maxRemovals;

  /**
   * {@return the sync mode the options ask for, or null for the default}
   *
   * @throws UsageException for an unknown mode
   */
  SyncMode syncMode() {
    if (mode == null || mode.equals("incremental")) {
      return null;
    }
    if (mode.equals("mirror")) {
      return SyncMode.MIRROR;
    }
    throw new UsageException("--mode " + mode + ": give incremental or mirror");
  }

  /** The removal limit {@code --max-removals} gives. */
  private RemovalLimit removalLimit() {
    if (maxRemovals == null) {
      return RemovalLimit.DEFAULT;
    }
    String v = maxRemovals.trim();
    try {
      if (v.endsWith("%")) {
        double share = Double.parseDouble(v.substring(0, v.length() - 1).trim()) / 100;
        if (share >= 0 && share <= 1) {
          return RemovalLimit.share(share);
        }
      } else {
        long count = Long.parseLong(v);
        if (count >= 0) {
          return RemovalLimit.count(count);
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(
        "--max-removals " + maxRemovals + ": give a count (500) or a share from 0% to 100% (25%)");
  }

  @Option(
      names = "--full-refresh",
      description =
          "Send every profile, the unchanged ones too, and rewrite the sync state from the vendor's "
              + "answers (for a list someone changed by hand).")
  boolean fullRefresh;

  /**
   * Opens the sync state the options choose.
   *
   * @param env the CLI's environment
   * @param box the sandbox, or null
   * @param plan whether for a plan, which creates no state file
   * @param others files the state must not be (the inputs, the rejected-record file)
   * @throws UsageException for contradicting options, or a state file that is one of {@code others}
   * @throws com.segmentexport.api.SyncStateException if the state file cannot be used
   */
  StateFile open(Map<String, String> env, Sandbox box, boolean plan, List<Path> others) {
    if (noState && file != null) {
      throw new UsageException("--state and --no-state contradict each other; give one");
    }
    SyncMode mirror = syncMode();
    RemovalLimit limit = removalLimit();
    if (maxRemovals != null && mirror != SyncMode.MIRROR) {
      throw new UsageException("--max-removals goes with --mode mirror");
    }
    if (noState && mirror == SyncMode.MIRROR) {
      throw new UsageException(
          "--mode mirror removes the members the sync state knows to have left: it needs a state, not "
              + "--no-state");
    }
    if (noState && fullRefresh) {
      throw new UsageException(
          "--full-refresh rewrites the sync state, and --no-state uses none (every profile is "
              + "sent anyway); give one");
    }
    if (noState) {
      return new StateFile(null, null, null, false, RemovalLimit.DEFAULT);
    }
    if (box != null) {
      if (file != null) {
        throw new UsageException(
            "--state does not go with --sandbox: the sandbox's simulator and its sync state "
                + "last only as long as the command, apart from any real account's state (to see an incremental run, "
                + "give export --runs 2)");
      }
      Path dir;
      try {
        dir = Files.createTempDirectory("segment-export-sandbox-");
      } catch (IOException e) {
        throw new UsageException(
            "cannot create a temporary directory for the sandbox's sync state: " + e.getMessage());
      }
      return new StateFile(
          JdbcSyncStateStore.sqlite(dir.resolve(StateLocation.FILE)),
          null,
          dir,
          fullRefresh,
          limit);
    }
    Path f = file != null ? file : StateLocation.defaultFile(env);
    checkNoneOf(f, others);
    if (plan && !Files.exists(f)) {
      return new StateFile(null, f, null, fullRefresh, limit);
    }
    return new StateFile(JdbcSyncStateStore.sqlite(f), f, null, fullRefresh, limit);
  }

  private static void checkNoneOf(Path state, List<Path> others) {
    Path absolute = state.toAbsolutePath().normalize();
    for (Path other : others) {
      boolean same;
      try {
        same =
            absolute.equals(other.toAbsolutePath().normalize())
                || Files.exists(state) && Files.exists(other) && Files.isSameFile(state, other);
      } catch (IOException e) {
        throw new UsageException(
            "cannot compare the sync state file "
                + state
                + " with "
                + other
                + ": "
                + e.getMessage());
      }
      if (same) {
        throw new UsageException(
            "the sync state file "
                + state
                + " is "
                + other
                + ", a file this command reads or "
                + "writes: choose another --state file");
      }
    }
  }

  /**
   * The sync state a command uses, if any: the store, its file ({@code null} in the sandbox), and the
   * sandbox's temporary directory, deleted on {@link #close()}.
   */
  static final class StateFile implements AutoCloseable {
    private final JdbcSyncStateStore store;
    private final Path file;
    private final Path sandboxDir;
    private final boolean fullRefresh;
    private final RemovalLimit removalLimit;

    StateFile(
        JdbcSyncStateStore store,
        Path file,
        Path sandboxDir,
        boolean fullRefresh,
        RemovalLimit removalLimit) {
      this.removalLimit = removalLimit;
      this.store = store;
      this.file = file;
      this.sandboxDir = sandboxDir;
      this.fullRefresh = fullRefresh;
    }

    /** {@return the store, or null without one} */
    JdbcSyncStateStore store() {
      return store;
    }

    /** {@return the options with this state and mode} */
    ExportOptions apply(ExportOptions options) {
      ExportOptions o =
          store == null ? options : options.withSyncState(store).withRemovalLimit(removalLimit);
      return fullRefresh ? o.withFullRefresh() : o;
    }

    /** {@return whether unchanged profiles are left out} */
    boolean incremental() {
      return store != null && !fullRefresh;
    }

    /** {@return which state this is, for the summary: "sync state /x/state.db (incremental)"} */
    String describe() {
      if (store == null && file == null) {
        return "no sync state (--no-state)";
      }
      String where =
          sandboxDir != null ? "the sandbox's temporary sync state" : "sync state " + file;
      if (store == null) {
        return where + " (not created yet: every profile is new)";
      }
      return where + (fullRefresh ? " (full refresh)" : " (incremental)");
    }

    @Override
    public void close() {
      if (store != null) {
        store.close();
      }
      if (sandboxDir != null) {
        try (Stream<Path> files = Files.walk(sandboxDir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
          // a temporary directory left behind harms nothing
        }
      }
    }
  }
}
