package com.segmentexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.testkit.dotdigital.DotdigitalSimulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code segment-export plan}: what an export would do, with nothing sent and nothing written. */
class PlanCommandTest {
  private static final String USER = "apiuser-plan@apiconnector.com";
  private static final String PASSWORD = "plan-test-password";

  @TempDir Path dir;

  /** Where the sync state goes by default: never the user's own data directory. */
  @TempDir Path stateHome;

  private DotdigitalSimulator dotdigital;
  private long book;
  private final Map<String, String> env = new HashMap<>();
  private String out;
  private String err;

  @BeforeEach
  void start() {
    env.put(StateLocation.ENV, stateHome.resolve("state.db").toString());
    dotdigital = new DotdigitalSimulator(USER, PASSWORD).start();
    book = dotdigital.createAddressBook("Plan tests");
    env.put("SEGMENT_EXPORT_DOTDIGITAL_USERNAME", USER);
    env.put("SEGMENT_EXPORT_DOTDIGITAL_PASSWORD", PASSWORD);
  }

  @AfterEach
  void stop() {
    dotdigital.close();
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

  /** The number on a row of the plan's table, by column (0 is the first count, "read"). */
  private static long cell(String table, String segment, int column) {
    String row = table.lines().filter(l -> l.startsWith(segment + " ")).findFirst().orElseThrow();
    String[] cells = row.trim().split("\\s+");
    return Long.parseLong(cells[cells.length - 9 + column]);
  }

  @Test
  void aPlanCountsWhatTheExportWouldDoAndMakesOnlyReadRequests() throws IOException {
    Path vip =
        csv(
            "vip.csv",
            "email,first,tier",
            "ana@example.org,Ana,gold",
            "not-an-address,Bad,gold",
            "ANA@example.org,Dup,gold",
            "li@example.com,Li,silver");
    Object before = dotdigital.snapshot();

    int code =
        run(
            args(
                "plan",
                "--map",
                "tier=tier",
                "--rejected",
                dir.resolve("rejected.csv").toString(),
                vip.toString()));

    assertThat(code).as(err).isEqualTo(ExitCodes.SUCCESS);
    assertThat(cell(out, "vip", 0)).as("read").isEqualTo(4);
    assertThat(cell(out, "vip", 1)).as("to add").isEqualTo(2);
    assertThat(cell(out, "vip", 5)).as("invalid").isEqualTo(1);
    assertThat(cell(out, "vip", 6)).as("duplicates").isEqualTo(1);
    assertThat(cell(out, "vip", 8)).as("batches").isEqualTo(1);
    assertThat(out)
        .contains("to send: 2 profile(s)")
        .contains("estimate: ")
        .contains("nothing was sent or written");
    assertThat(err).contains("--rejected").contains("not written");
    // read-only calls (such as a connector's look at the address book and its fields) only
    assertThat(dotdigital.calls())
        .allSatisfy(
            c -> {
              assertThat(c.method()).as(c.path()).isEqualTo("GET");
              assertThat(c.write()).isFalse();
            });
    assertThat(dotdigital.writeCount()).isZero();
    assertThat(dotdigital.snapshot()).isEqualTo(before);
    try (var listing = Files.list(dir)) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("vip.csv");
    }
  }

  @Test
  void aMirrorPlanSaysWhomItWouldRemoveOrWhyNobody() throws IOException {
    List<String> rows = new ArrayList<>(List.of("email,first"));
    for (int i = 1; i <= 20; i++) {
      rows.add("m" + i + "@example.org,M" + i);
    }
    Path all = csv("mirror.csv", rows.toArray(new String[0]));
    assertThat(run(args("export", "--mode", "mirror", all.toString()))).as(err).isZero();
    Path fewer = csv("mirror.csv", rows.subList(0, 19).toArray(new String[0]));
    assertThat(run(args("plan", "--mode", "mirror", fewer.toString()))).as(err).isZero();
    assertThat(out)
        .contains("mirror: 2 member(s) to remove from the list (mirror)")
        .contains("for the batches and the removals");
    Path half = csv("mirror.csv", rows.subList(0, 10).toArray(new String[0]));
    assertThat(run(args("plan", "--mode", "mirror", half.toString()))).as(err).isZero();
    assertThat(out)
        .contains("mirror: 11 member(s) left the segment; none would be removed: ")
        .doesNotContain("and the removals");
    assertThat(run(args("plan", "--mode", "mirror", "--max-removals", "60%", half.toString())))
        .as(err)
        .isZero();
    assertThat(out).contains("mirror: 11 member(s) to remove from the list (mirror)");
    assertThat(dotdigital.addressBookMembers(book)).as("a plan removes nobody").hasSize(20);
  }

  @Test
  void theSandboxPlansToo() throws IOException {
    Path vip = csv("vip.csv", "email,first", "ana@example.org,Ana", "li@example.com,Li");
    // export's command line with 'plan' for 'export', --runs included
    assertThat(
            run(
                "plan",
                "-c",
                "iterable",
                "--sandbox",
                "--runs",
                "2",
                "--privacy-consent-by",
                "Ops",
                "--map",
                "Email=email",
                "--map",
                "FirstName=first",
                vip.toString()))
        .as(err)
        .isEqualTo(ExitCodes.SUCCESS);
    assertThat(cell(out, "vip", 1)).as("to add").isEqualTo(2);
    assertThat(err).contains("sandbox");
  }

  @Test
  void planTakesExportsArgumentsAndRefusesTheSameMistakes() throws IOException {
    Path vip = csv("vip.csv", "email,first", "ana@example.org,Ana");
    assertThat(run(args("plan", "--map", "LastName=last", vip.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("column 'last' is not in vip.csv");
    assertThat(run("plan", "--help")).isEqualTo(ExitCodes.SUCCESS);
    assertThat(out).contains("Writes nothing").contains("--map").contains("--sandbox");
    assertThat(dotdigital.requestCount()).isZero();
  }
}
