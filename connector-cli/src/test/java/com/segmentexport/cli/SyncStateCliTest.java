package com.segmentexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.testkit.dotdigital.DotdigitalSimulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's sync state: incremental by default, --state, --no-state, --full-refresh, state list/forget. */
class SyncStateCliTest {
  private static final String USER = "apiuser-state@apiconnector.com";
  private static final String PASSWORD = "state-test-password";

  @TempDir Path dir;

  /** Where the default state file goes: never the user's own data directory. */
  @TempDir Path stateHome;

  private DotdigitalSimulator dotdigital;
  private long book;
  private final Map<String, String> env = new HashMap<>();
  private String out;
  private String err;

  @BeforeEach
  void start() {
    dotdigital = new DotdigitalSimulator(USER, PASSWORD).start();
    book = dotdigital.createAddressBook("State tests");
    env.put("SEGMENT_EXPORT_DOTDIGITAL_USERNAME", USER);
    env.put("SEGMENT_EXPORT_DOTDIGITAL_PASSWORD", PASSWORD);
    env.put(StateLocation.ENV, defaultState().toString());
  }

  @AfterEach
  void stop() {
    dotdigital.close();
  }

  private Path defaultState() {
    return stateHome.resolve("data").resolve("state.db");
  }

  private int run(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = SegmentExportCli.run(args, env, new PrintWriter(o, true), new PrintWriter(e, true));
    out = o.toString();
    err = e.toString();
    return code;
  }

  private String[] args(String command, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                command,
                "-c",
                "dotdigital",
                "--setting",
                "baseUrl=" + dotdigital.baseUrl(),
                "--option",
                "addressBookId=" + book,
                "--privacy-consent-by",
                "Ops",
                "--map",
                "Email=email",
                "--map",
                "FirstName=first",
                "--no-progress"));
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  private Path csv(String name, String... lines) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, List.of(lines), StandardCharsets.UTF_8);
    return f;
  }

  private Path vip() throws IOException {
    return csv(
        "vip.csv",
        "email,first",
        "ana@example.org,Ana",
        "li@example.com,Li",
        "zoe@example.net,Zoe",
        "not-an-address,Bad");
  }

  /** A count of the summary's row for a segment: 0 read, 1 exported, 4 unchanged, 5 rejected. */
  private static long cell(String summary, String segment, int column) {
    String row = summary.lines().filter(l -> l.startsWith(segment + " ")).findFirst().orElseThrow();
    String[] cells = row.trim().split("\\s+");
    return Long.parseLong(cells[2 + column].replace("-", "0"));
  }

  @Test
  void byDefaultASecondRunSendsNothingAndSaysSo() throws IOException {
    Path vip = vip();
    assertThat(run(args("export", vip.toString()))).as(err).isEqualTo(ExitCodes.PARTIAL);
    assertThat(cell(out, "vip", 1)).as("exported").isEqualTo(3);
    assertThat(out)
        .contains(
            "sync state " + defaultState() + " (incremental): 3 sent, 0 unchanged and not sent");
    assertThat(defaultState()).isRegularFile();
    int writes = dotdigital.writeCount();

    assertThat(run(args("export", vip.toString()))).as(err).isEqualTo(ExitCodes.PARTIAL);
    assertThat(cell(out, "vip", 1)).as("exported").isZero();
    assertThat(cell(out, "vip", 4)).as("unchanged").isEqualTo(3);
    assertThat(cell(out, "vip", 5)).as("rejected: the invalid row, every time").isEqualTo(1);
    assertThat(out)
        .contains("(incremental): 0 sent, 3 unchanged and not sent (--full-refresh sends them)");
    assertThat(dotdigital.writeCount()).as("writes of the second run").isEqualTo(writes);

    // one changed field: exactly that profile is sent
    Files.writeString(
        vip, Files.readString(vip).replace("li@example.com,Li", "li@example.com,Lea"));
    assertThat(run(args("export", vip.toString()))).as(err).isEqualTo(ExitCodes.PARTIAL);
    assertThat(cell(out, "vip", 1)).as("exported").isEqualTo(1);
    assertThat(cell(out, "vip", 4)).as("unchanged").isEqualTo(2);
    assertThat(out).contains("1 sent, 2 unchanged");
  }

  @Test
  void theProgressLineCountsUnchangedProfilesAsDone() throws IOException {
    Path vip = vip();
    assertThat(run(args("export", vip.toString()))).as(err).isEqualTo(ExitCodes.PARTIAL);
    List<String> withProgress = new ArrayList<>(List.of(args("export", vip.toString())));
    withProgress.remove("--no-progress");
    assertThat(run(withProgress.toArray(new String[0]))).as(err).isEqualTo(ExitCodes.PARTIAL);
    assertThat(err).contains("0/4 sent, 3 unchanged").contains("[" + "#".repeat(18) + "......]");
  }

  @Test
  void fullRefreshSendsEveryProfileAndRewritesTheState() throws IOException {
    Path vip = vip();
    Path state = dir.resolve("my-state.db");
    assertThat(run(args("export", "--state", state.toString(), vip.toString())))
        .as(err)
        .isEqualTo(ExitCodes.PARTIAL);
    assertThat(state).isRegularFile();
    assertThat(defaultState()).as("--state replaces the default").doesNotExist();

    assertThat(run(args("export", "--state", state.toString(), "--full-refresh", vip.toString())))
        .as(err)
        .isEqualTo(ExitCodes.PARTIAL);
    assertThat(cell(out, "vip", 1)).as("exported").isEqualTo(3);
    assertThat(cell(out, "vip", 4)).as("unchanged").isZero();
    assertThat(out)
        .contains("sync state " + state + " (full refresh): 3 sent, the state rewritten");

    assertThat(run(args("export", "--state", state.toString(), vip.toString())))
        .as(err)
        .isEqualTo(ExitCodes.PARTIAL);
    assertThat(cell(out, "vip", 4)).as("unchanged after the refresh").isEqualTo(3);
  }

  @Test
  void noStateSendsEveryProfileAndWritesNoFile() throws IOException {
    Path vip = vip();
    for (int i = 0; i < 2; i++) {
      assertThat(run(args("export", "--no-state", vip.toString())))
          .as(err)
          .isEqualTo(ExitCodes.PARTIAL);
      assertThat(cell(out, "vip", 1)).as("exported").isEqualTo(3);
      assertThat(cell(out, "vip", 4)).as("unchanged").isZero();
      assertThat(out).contains("no sync state (--no-state): 3 sent, nothing recorded");
    }
    assertThat(defaultState()).doesNotExist();
    assertThat(stateHome.resolve("data")).doesNotExist();
  }

  @Test
  void contradictingOrDangerousStateOptionsAreBadUsageAndSendNothing() throws IOException {
    Path vip = vip();
    Path state = dir.resolve("s.db");
    assertThat(run(args("export", "--state", state.toString(), "--no-state", vip.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("--state and --no-state");
    assertThat(run(args("export", "--no-state", "--full-refresh", vip.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("--full-refresh").contains("--no-state");
    assertThat(run(args("export", "--state", vip.toString(), vip.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("sync state file").contains("choose another --state file");
    Path rejected = dir.resolve("rejected.csv");
    assertThat(
            run(
                args(
                    "export",
                    "--state",
                    rejected.toString(),
                    "--rejected",
                    rejected.toString(),
                    vip.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(run(args("export", "--runs", "2", vip.toString()))).isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("--runs is for --sandbox only");
    assertThat(
            run(
                "export",
                "-c",
                "iterable",
                "--sandbox",
                "--privacy-consent-by",
                "Ops",
                "--map",
                "Email=email",
                "--state",
                state.toString(),
                vip.toString()))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("--state does not go with --sandbox");
    assertThat(dotdigital.requestCount()).isZero();
    assertThat(state).doesNotExist();
    assertThat(rejected).doesNotExist();
    assertThat(Files.readString(vip)).startsWith("email,first");
  }

  @Test
  void aCorruptStateFileIsAClearErrorAndNothingIsSent() throws IOException {
    Path vip = vip();
    Path state = dir.resolve("corrupt.db");
    byte[] garbage =
        "this is not an SQLite database, but it is somebody's file\n"
            .repeat(100)
            .getBytes(StandardCharsets.UTF_8);
    Files.write(state, garbage);

    assertThat(run(args("export", "--state", state.toString(), vip.toString())))
        .isEqualTo(ExitCodes.STATE);
    assertThat(err)
        .contains("corrupt.db")
        .contains("not an SQLite database")
        .contains("Nothing was sent");
    assertThat(out).doesNotContain("vip");
    assertThat(Files.readAllBytes(state)).isEqualTo(garbage);

    assertThat(run(args("plan", "--state", state.toString(), vip.toString())))
        .isEqualTo(ExitCodes.STATE);
    assertThat(err).contains("not an SQLite database");
    assertThat(dotdigital.requestCount()).isZero();
  }

  @Test
  void aStateFileOfANewerSdkIsAClearErrorAndNothingIsSent() throws Exception {
    Path vip = vip();
    Path state = dir.resolve("newer.db");
    assertThat(run(args("export", "--state", state.toString(), vip.toString())))
        .as(err)
        .isEqualTo(ExitCodes.PARTIAL);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + state);
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "INSERT INTO segment_export_schema_version (version, installed_at) VALUES (99, 0)");
    }
    dotdigital.resetCounters();
    assertThat(run(args("export", "--state", state.toString(), vip.toString())))
        .isEqualTo(ExitCodes.STATE);
    assertThat(err)
        .contains("newer.db")
        .contains("schema version 99")
        .contains("newer version of the SDK")
        .contains("Nothing was sent");
    assertThat(dotdigital.requestCount()).isZero();
  }

  @Test
  void aStateFileThatIsADirectoryIsAClearError() throws IOException {
    Path state = Files.createDirectory(dir.resolve("state.db"));
    assertThat(run(args("export", "--state", state.toString(), vip().toString())))
        .isEqualTo(ExitCodes.STATE);
    assertThat(err).contains("state.db").contains("cannot be opened");
    assertThat(dotdigital.requestCount()).isZero();
  }

  @Test
  void aLockedStateFileIsAClearErrorAndNothingIsSent() throws Exception {
    Path vip = vip();
    Path state = dir.resolve("locked.db");
    assertThat(run(args("export", "--state", state.toString(), vip.toString())))
        .as(err)
        .isEqualTo(ExitCodes.PARTIAL);
    dotdigital.resetCounters();
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + state);
        Statement s = other.createStatement()) {
      s.execute("BEGIN EXCLUSIVE");
      Files.writeString(
          vip, Files.readString(vip).replace("li@example.com,Li", "li@example.com,Lea"));

      assertThat(run(args("export", "--state", state.toString(), vip.toString())))
          .isEqualTo(ExitCodes.STATE);
      s.execute("ROLLBACK");
    }
    assertThat(err)
        .contains("locked.db")
        .contains("locked by another process")
        .contains("Nothing was sent");
    assertThat(dotdigital.writeCount()).as("no silent full re-send").isZero();
  }

  @Test
  void aStateThatFailsDuringTheRunFailsTheRunWithExitFour() throws Exception {
    Path vip = vip();
    Path state = dir.resolve("busy.db");
    assertThat(
            run(
                args(
                    "export",
                    "--state",
                    state.toString(),
                    "--full-refresh",
                    csv("first.csv", "email,first", "first@example.org,First").toString())))
        .as(err)
        .isEqualTo(ExitCodes.SUCCESS);
    dotdigital.latency(java.time.Duration.ofMillis(300));
    dotdigital.resetCounters();
    // once the first batch is on its way, another process takes the file's write lock and keeps it
    java.util.concurrent.CountDownLatch locked = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Thread locker =
        new Thread(
            () -> {
              try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + state);
                  Statement s = other.createStatement()) {
                while (dotdigital.writeCount() == 0) {
                  Thread.sleep(5);
                }
                s.execute("BEGIN EXCLUSIVE");
                locked.countDown();
                release.await();
                s.execute("ROLLBACK");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    locker.start();
    int code;
    try {
      code = run(args("export", "--state", state.toString(), vip.toString()));
    } finally {
      release.countDown();
      locker.join();
    }
    assertThat(locked.getCount()).as("the lock was taken during the run").isZero();
    assertThat(code).as(out + err).isEqualTo(ExitCodes.STATE);
    assertThat(err)
        .contains("export failed")
        .contains("busy.db")
        .contains("locked")
        .contains("the sync state could not record the run")
        .contains("nothing is lost");
    assertThat(out).as("the partial summary").contains("vip").contains("FAILED");
  }

  @Test
  void aPlanNeitherCreatesNorChangesTheStateFile() throws IOException {
    Path vip = vip();
    assertThat(run(args("plan", vip.toString()))).as(err).isEqualTo(ExitCodes.SUCCESS);
    assertThat(out).contains("sync state " + defaultState() + " (not created yet");
    assertThat(stateHome.resolve("data")).as("no state file, no directory").doesNotExist();

    assertThat(run(args("export", vip.toString()))).as(err).isEqualTo(ExitCodes.PARTIAL);
    byte[] before = Files.readAllBytes(defaultState());
    dotdigital.resetCounters();
    Object vendor = dotdigital.snapshot();
    assertThat(run(args("plan", vip.toString()))).as(err).isEqualTo(ExitCodes.SUCCESS);
    assertThat(out).contains("(incremental)").contains("nothing was sent or written");
    assertThat(Files.readAllBytes(defaultState())).isEqualTo(before);
    assertThat(dotdigital.calls())
        .allSatisfy(c -> assertThat(c.method()).as(c.path()).isEqualTo("GET"));
    assertThat(dotdigital.snapshot()).isEqualTo(vendor);
  }

  @Test
  void theSandboxKeepsItsOwnStateAndItsSecondRunSendsNothing() throws IOException {
    Path vip = vip();
    assertThat(
            run(
                "export",
                "-c",
                "iterable",
                "--sandbox",
                "--runs",
                "2",
                "--privacy-consent-by",
                "Ops",
                "--no-progress",
                "--map",
                "Email=email",
                "--map",
                "FirstName=first",
                vip.toString()))
        .as(err)
        .isEqualTo(ExitCodes.PARTIAL);
    String second = out.substring(out.indexOf("run 2 of 2"));
    assertThat(out.substring(0, out.indexOf("run 2 of 2")))
        .contains("the sandbox's temporary sync state (incremental): 3 sent, 0 unchanged");
    assertThat(cell(second, "vip", 1)).as("exported").isZero();
    assertThat(cell(second, "vip", 4)).as("unchanged").isEqualTo(3);
    assertThat(second).contains("0 sent, 3 unchanged and not sent");
    assertThat(defaultState()).as("the user's state is not the sandbox's").doesNotExist();
  }

  @Test
  void forgettingAListMakesItsNextExportSendEveryProfile() throws IOException {
    Path vip = vip();
    Path state = dir.resolve("s.db");
    assertThat(run(args("export", "--state", state.toString(), vip.toString())))
        .as(err)
        .isEqualTo(ExitCodes.PARTIAL);

    assertThat(run("state", "list", "--state", state.toString()))
        .as(err)
        .isEqualTo(ExitCodes.SUCCESS);
    assertThat(out)
        .contains("1 destination(s)")
        .containsPattern("dotdigital\\s+" + book + "\\s+\\w+\\s+3");
    assertThat(out + err).doesNotContain(PASSWORD);

    int requests = dotdigital.requestCount();
    String[] forget = {
      "state",
      "forget",
      "-c",
      "dotdigital",
      "--setting",
      "baseUrl=" + dotdigital.baseUrl(),
      "--privacy-consent-by",
      "Ops",
      "--state",
      state.toString(),
      "--list",
      Long.toString(book)
    };
    assertThat(run(forget)).as(err).isEqualTo(ExitCodes.SUCCESS);
    assertThat(out).contains("forgot 3 member(s) of dotdigital list " + book);
    assertThat(dotdigital.requestCount()).as("forget makes no vendor call").isEqualTo(requests);

    assertThat(run(args("export", "--state", state.toString(), vip.toString())))
        .as(err)
        .isEqualTo(ExitCodes.PARTIAL);
    assertThat(cell(out, "vip", 1)).as("exported").isEqualTo(3);
    assertThat(cell(out, "vip", 4)).as("unchanged").isZero();

    requests = dotdigital.requestCount();
    String[] unknown = forget.clone();
    unknown[unknown.length - 1] = "999999";
    assertThat(run(unknown)).isEqualTo(ExitCodes.FAILURE);
    assertThat(err)
        .contains("holds nothing for dotdigital list 999999")
        .contains(Long.toString(book));
    env.put("SEGMENT_EXPORT_DOTDIGITAL_PASSWORD", "another-account");
    assertThat(run(forget)).isEqualTo(ExitCodes.FAILURE);
    assertThat(err).contains("only for another account");
    assertThat(
            run(
                "state",
                "forget",
                "-c",
                "dotdigital",
                "--privacy-consent-by",
                "Ops",
                "--state",
                dir.resolve("none.db").toString(),
                "--list",
                "1"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("no sync state file");
    assertThat(run("state", "list", "--state", dir.resolve("none.db").toString()))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(dir.resolve("none.db")).doesNotExist();
    assertThat(
            run(
                "state",
                "forget",
                "-c",
                "dotdigital",
                "--sandbox",
                "--privacy-consent-by",
                "Ops",
                "--list",
                "1"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("nothing to forget");
    assertThat(dotdigital.requestCount())
        .as("state commands make no vendor call")
        .isEqualTo(requests);
  }

  @Test
  void helpSaysExportsAreIncrementalAndWhereTheStateIs() {
    // picocli formats descriptions; one it cannot format (a lone %) it prints raw, warning on
    // System.err
    java.io.PrintStream systemErr = System.err;
    java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(warnings, true, StandardCharsets.UTF_8));
    try {
      assertThat(run("export", "--help")).isEqualTo(ExitCodes.SUCCESS);
      assertThat(out)
          .contains("Incremental by default")
          .contains("unchanged")
          .contains("--full-refresh")
          .contains("--no-state")
          .contains("--state=FILE")
          .contains("share/segment-export")
          .contains("Application Support")
          .contains("%LOCALAPPDATA%");
      assertThat(run("state", "forget", "--help")).isEqualTo(ExitCodes.SUCCESS);
      assertThat(out).contains("%LOCALAPPDATA%");
      assertThat(run("--help")).isEqualTo(ExitCodes.SUCCESS);
      assertThat(out)
          .contains("plan")
          .contains("state")
          .contains("the sync state file cannot be used")
          // exit 3 is also an unconfirmed profile and a mirror's removals held back (README)
          .contains("unconfirmed")
          .contains("removals held back");
    } finally {
      System.setErr(systemErr);
    }
    assertThat(warnings.toString(StandardCharsets.UTF_8))
        .as("picocli's warnings")
        .doesNotContain("WARN");
  }

  @Test
  void theDefaultStateFileIsInThePlatformsDataDirectory() {
    Map<String, String> none = Map.of();
    assertThat(StateLocation.defaultFile(Map.of("XDG_DATA_HOME", "/xdg"), "Linux", "/home/ana"))
        .isEqualTo(Path.of("/xdg/segment-export/state.db"));
    assertThat(StateLocation.defaultFile(Map.of("XDG_DATA_HOME", "relative"), "Linux", "/home/ana"))
        .as("a relative XDG_DATA_HOME is ignored")
        .isEqualTo(Path.of("/home/ana/.local/share/segment-export/state.db"));
    assertThat(StateLocation.defaultFile(Map.of("HOME", "/home/li"), "Linux", "/home/ana"))
        .isEqualTo(Path.of("/home/li/.local/share/segment-export/state.db"));
    assertThat(StateLocation.defaultFile(none, "Mac OS X", "/Users/ana"))
        .isEqualTo(Path.of("/Users/ana/Library/Application Support/segment-export/state.db"));
    assertThat(
            StateLocation.defaultFile(
                    Map.of("LOCALAPPDATA", "C:\\Users\\ana\\AppData\\Local"),
                    "Windows 11",
                    "C:\\Users\\ana")
                .toString())
        .startsWith("C:\\Users\\ana\\AppData\\Local")
        .contains("segment-export")
        .endsWith("state.db");
    assertThat(
            StateLocation.defaultFile(
                Map.of(StateLocation.ENV, "/srv/exports/state.db", "XDG_DATA_HOME", "/xdg"),
                "Linux",
                "/home/ana"))
        .isEqualTo(Path.of("/srv/exports/state.db"));
  }

  @Test
  void theProgressLinesSayHowManyAMirroringRunRemoved() throws IOException {
    List<String> rows = new ArrayList<>(List.of("email,first"));
    for (int i = 1; i <= 20; i++) {
      rows.add("m" + i + "@example.org,M" + i);
    }
    Path all = csv("mirror.csv", rows.toArray(new String[0]));
    assertThat(run(args("export", "--mode", "mirror", all.toString())))
        .as(err)
        .isEqualTo(ExitCodes.SUCCESS);
    List<String> withProgress =
        new ArrayList<>(
            List.of(
                args(
                    "export",
                    "--mode",
                    "mirror",
                    csv("mirror.csv", rows.subList(0, 19).toArray(new String[0])).toString())));
    withProgress.remove("--no-progress");
    assertThat(run(withProgress.toArray(new String[0]))).as(err).isEqualTo(ExitCodes.SUCCESS);
    assertThat(err).contains("2 removed");
  }

  @Test
  void mirrorModeRemovesWhoLeftUpToTheLimitAndSaysWhenItHoldsBack() throws IOException {
    List<String> rows = new ArrayList<>(List.of("email,first"));
    for (int i = 1; i <= 20; i++) {
      rows.add("m" + i + "@example.org,M" + i);
    }
    Path all = csv("mirror.csv", rows.toArray(new String[0]));
    assertThat(run(args("export", "--mode", "mirror", all.toString())))
        .as(err)
        .isEqualTo(ExitCodes.SUCCESS);
    assertThat(dotdigital.addressBookMembers(book)).hasSize(20);

    // Two of twenty left: 10%, within the default limit.
    Path fewer = csv("mirror.csv", rows.subList(0, 19).toArray(new String[0]));
    assertThat(run(args("export", "--mode", "mirror", fewer.toString())))
        .as(err)
        .isEqualTo(ExitCodes.SUCCESS);
    assertThat(out).contains("2 removed from the list (mirror)");
    assertThat(dotdigital.addressBookMembers(book)).hasSize(18).doesNotContain("m19@example.org");

    // Half of them gone: over 10%, nobody removed, and the summary says why; exit 3.
    Path half = csv("mirror.csv", rows.subList(0, 10).toArray(new String[0]));
    assertThat(run(args("export", "--mode", "mirror", half.toString())))
        .as(err)
        .isEqualTo(ExitCodes.PARTIAL);
    assertThat(out).contains("removals held back").contains("9 removals of 18 managed members");
    assertThat(dotdigital.addressBookMembers(book)).hasSize(18);
    // Raised for one run, they go.
    assertThat(run(args("export", "--mode", "mirror", "--max-removals", "50%", half.toString())))
        .as(err)
        .isEqualTo(ExitCodes.SUCCESS);
    assertThat(dotdigital.addressBookMembers(book)).hasSize(9);
  }

  @Test
  void mirrorOptionsThatCannotWorkAreUsageErrors() throws IOException {
    Path vip = vip();
    assertThat(run(args("export", "--mode", "mirror", "--no-state", vip.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("needs a state");
    assertThat(run(args("export", "--max-removals", "5", vip.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("--mode mirror");
    assertThat(run(args("export", "--mode", "mirror", "--max-removals", "120%", vip.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(run(args("export", "--mode", "sideways", vip.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(dotdigital.requestCount()).isZero();
  }
}
