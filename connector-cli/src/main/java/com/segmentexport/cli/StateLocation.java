package com.segmentexport.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where the CLI keeps its sync state when {@code --state} does not say: the file named by
 * {@value #ENV}, else {@code state.db} in the user's data directory, the platform's usual one.
 * <ul>
 *   <li>Linux and other Unix systems: {@code $XDG_DATA_HOME/segment-export/state.db}, or
 *       {@code ~/.local/share/segment-export/state.db} when {@code XDG_DATA_HOME} is unset or not an
 *       absolute path (as the XDG Base Directory specification says);
 *   <li>macOS: {@code ~/Library/Application Support/segment-export/state.db};
 *   <li>Windows: {@code %LOCALAPPDATA%\segment-export\state.db}.
 * </ul>
 */
final class StateLocation {
  /** The environment variable naming the state file, for hosts that run the CLI from a scheduler. */
  static final String ENV = "SEGMENT_EXPORT_STATE";

  static final String DIRECTORY = "segment-export";
  static final String FILE = "state.db";

  private StateLocation() {}

  /** The default state file of this machine's user, from the CLI's environment. */
  static Path defaultFile(Map<String, String> env) {
    return defaultFile(
        env, System.getProperty("os.name", ""), System.getProperty("user.home", "."));
  }

  /**
   * The default state file.
   *
   * @param env the environment
   * @param osName the {@code os.name} system property
   * @param userHome the {@code user.home} system property, used when the environment has no home
   */
  static Path defaultFile(Map<String, String> env, String osName, String userHome) {
    String explicit = env.get(ENV);
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String os = osName.toLowerCase(Locale.ROOT);
    if (os.startsWith("windows")) {
      String local = env.get("LOCALAPPDATA");
      Path base =
          local != null && !local.isBlank()
              ? Path.of(local)
              : Path.of(env.getOrDefault("USERPROFILE", userHome), "AppData", "Local");
      return base.resolve(DIRECTORY).resolve(FILE);
    }
    String home = env.get("HOME");
    Path homeDir = Path.of(home != null && !home.isBlank() ? home : userHome);
    if (os.startsWith("mac")) {
      return homeDir
          .resolve("Library")
          .resolve("Application Support")
          .resolve(DIRECTORY)
          .resolve(FILE);
    }
    String xdg = env.get("XDG_DATA_HOME");
    Path data =
        xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
            ? Path.of(xdg)
            : homeDir.resolve(".local").resolve("share");
    return data.resolve(DIRECTORY).resolve(FILE);
  }
}
