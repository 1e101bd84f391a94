package com.segmentexport.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.segmentexport.testkit.dotdigital.DotdigitalSimulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentExportCliTest {
  private static final String USER = "apiuser-cli@apiconnector.com";
  private static final String PASSWORD = "cli-test-password";

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
    book = dotdigital.createAddressBook("CLI tests");
  }

  @AfterEach
  void stop() {
    dotdigital.close();
  }

  /**
   * Runs {@code verify -c dotdigital} against the simulator with {@code more} arguments and the
   * consent.
   */
  private int verifyDotdigital(String... more) {
    List<String> args = new ArrayList<>(List.of("verify", "-c", "dotdigital"));
    args.addAll(List.of(more));
    args.addAll(
        List.of("--setting", "baseUrl=" + dotdigital.baseUrl(), "--privacy-consent-by", "Ops"));
    return run(args.toArray(String[]::new));
  }

  private int run(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = SegmentExportCli.run(args, env, new PrintWriter(o, true), new PrintWriter(e, true));
    out = o.toString();
    err = e.toString();
    return code;
  }

  private Path csv(String name, String... lines) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, List.of(lines), StandardCharsets.UTF_8);
    return f;
  }

  private void credentialsInEnv() {
    env.put("SEGMENT_EXPORT_DOTDIGITAL_USERNAME", USER);
    env.put("SEGMENT_EXPORT_DOTDIGITAL_PASSWORD", PASSWORD);
  }

  private String[] exportArgs(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "export",
                "-c",
                "dotdigital",
                "--setting",
                "baseUrl=" + dotdigital.baseUrl(),
                "--option",
                "addressBookId=" + book,
                "--map",
                "Email=email",
                "--map",
                "FirstName=first",
                "--no-progress"));
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  @Test
  void listsTheConnectorsWithSettingsFieldsAndLimits() {
    assertThat(run("connectors")).isZero();
    assertThat(out)
        .contains("dotdigital")
        .contains("addressBookId")
        .contains("Email")
        .contains("per export");
  }

  @Test
  void badUsageExitsTwoAndSendsNothing() throws IOException {
    Path f = csv("s.csv", "email,first", "ana@example.org,Ana");
    assertThat(run("export", "-c", "dotdigital", f.toString()))
        .as("no --map")
        .isEqualTo(ExitCodes.USAGE);
    assertThat(
            run(
                "export",
                "-c",
                "nosuch",
                "--map",
                "Email=email",
                "--privacy-consent-by",
                "x",
                f.toString()))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("nosuch").contains("available");
    assertThat(run("nonsense")).isEqualTo(ExitCodes.USAGE);
    credentialsInEnv();
    assertThat(
            run(
                exportArgs(
                    "--privacy-consent-by", "Ops", "--map", "tier:WHATEVER=x", f.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("WHATEVER");
    assertThat(
            run(exportArgs("--privacy-consent-by", "Ops", dir.resolve("missing.csv").toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("no such file");
    assertThat(dotdigital.requestCount()).isZero();
  }

  @Test
  void refusesToRunWithoutPrivacyConsentSayingWhy() throws IOException {
    credentialsInEnv();
    Path f = csv("s.csv", "email,first", "ana@example.org,Ana");
    assertThat(run(exportArgs(f.toString()))).isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("privacy consent").contains("--privacy-consent-by");
    assertThat(dotdigital.requestCount()).isZero();

    env.put("SEGMENT_EXPORT_PRIVACY_CONSENT_BY", "Jane Ops");
    assertThat(run(exportArgs(f.toString()))).as(err).isEqualTo(ExitCodes.SUCCESS);
  }

  @Test
  void credentialsComeFromTheEnvironmentOrAFileNeverFromArguments() throws IOException {
    assertThat(verifyDotdigital("--setting", "password=" + PASSWORD)).isEqualTo(ExitCodes.USAGE);
    assertThat(err)
        .contains("credential")
        .contains("SEGMENT_EXPORT_DOTDIGITAL_PASSWORD")
        .doesNotContain(PASSWORD);

    credentialsInEnv();
    assertThat(verifyDotdigital()).as(err).isEqualTo(ExitCodes.SUCCESS);
    assertThat(out).contains("accepted");

    env.put("SEGMENT_EXPORT_DOTDIGITAL_PASSWORD", "wrong-password-value");
    assertThat(verifyDotdigital()).isEqualTo(ExitCodes.FAILURE);
    assertThat(err + out).doesNotContain("wrong-password-value").doesNotContain(PASSWORD);

    env.clear();
    Path props = dir.resolve("dd.properties");
    Files.writeString(
        props,
        "dotdigital.username="
            + USER
            + "\ndotdigital.password="
            + PASSWORD
            + "\nprivacyConsent.acknowledgedBy=Jane Ops\n");
    assertThat(
            run(
                "verify",
                "-c",
                "dotdigital",
                "--config",
                props.toString(),
                "--setting",
                "baseUrl=" + dotdigital.baseUrl()))
        .as(err)
        .isEqualTo(ExitCodes.SUCCESS);
  }

  @Test
  void aConfigFileSavedWithAByteOrderMarkIsReadAsWritten() throws IOException {
    // Notepad and PowerShell save UTF-8 with a byte-order mark and CRLF: the first key was read as
    // "\uFEFFdotdigital.username", and the command said the credential was missing.
    Path props = dir.resolve("dd.properties");
    Files.write(
        props,
        ("\uFEFFdotdigital.username=" + USER + "\r\ndotdigital.password=" + PASSWORD + "\r\n")
            .getBytes(StandardCharsets.UTF_8));
    assertThat(verifyDotdigital("--config", props.toString())).as(err).isEqualTo(ExitCodes.SUCCESS);
  }

  @Test
  void whereCredentialsComeFromIsSaidForACredentialProblemOnly() {
    assertThat(verifyDotdigital()).isEqualTo(ExitCodes.USAGE);
    assertThat(err)
        .contains("credential username is required")
        .contains("SEGMENT_EXPORT_DOTDIGITAL_USERNAME");

    credentialsInEnv();
    assertThat(verifyDotdigital("--setting", "requestsPerSecond=fast")).isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("requestsPerSecond").doesNotContain("credentials come from");
  }

  @Test
  void aMisspelledSettingInTheConfigFileIsRefusedNotIgnored() throws IOException {
    // "requestPerSecond" for requestsPerSecond: the rate the user meant to lower was silently the
    // default. Keys of other connectors stay allowed (one file may serve every connector).
    Path props = dir.resolve("dd.properties");
    Files.writeString(
        props,
        "dotdigital.username="
            + USER
            + "\ndotdigital.password="
            + PASSWORD
            + "\ndotdigital.requestPerSecond=1\niterable.apiKey=another-key\n");
    assertThat(verifyDotdigital("--config", props.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(err)
        .contains("dotdigital.requestPerSecond")
        .contains("requestsPerSecond")
        .doesNotContain("iterable.apiKey")
        .doesNotContain(PASSWORD);
  }

  @Test
  void standardFieldsAreKnownInAnyCaseAsTheirTwiceCheckKnowsThem() throws IOException {
    // "--map email=..." was refused as "no --map Email=COLUMN" (while Email and email are the same
    // field to the check for a field mapped twice), and "--map firstname=..." made a custom field
    // "firstname" at the vendor instead of filling the first name.
    credentialsInEnv();
    Path vip = csv("vip.csv", "email,first", "ana.silva@example.org,Ana");
    assertThat(
            run(
                "export",
                "-c",
                "dotdigital",
                "--setting",
                "baseUrl=" + dotdigital.baseUrl(),
                "--option",
                "addressBookId=" + book,
                "--map",
                "email=email",
                "--map",
                "firstname=first",
                "--no-progress",
                "--privacy-consent-by",
                "Ops",
                vip.toString()))
        .as(err)
        .isEqualTo(ExitCodes.SUCCESS);
    assertThat(dotdigital.contactDataFields("ana.silva@example.org"))
        .containsEntry("FIRSTNAME", "Ana");
    assertThat(dotdigital.dataFields()).doesNotContainKey("firstname");
  }

  @Test
  void aMissingConfigFileIsNamedAsMissing() {
    Path missing = dir.resolve("no-such.properties");
    assertThat(
            run(
                "verify",
                "-c",
                "dotdigital",
                "--config",
                missing.toString(),
                "--privacy-consent-by",
                "Ops"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("no such file").contains(missing.toString());
  }

  @Test
  void exportsCsvAndJsonLinesAndWritesEveryRejectedRecord() throws IOException {
    credentialsInEnv();
    Path vip =
        csv(
            "vip.csv",
            "email,first",
            "ana.silva@example.org,Ana",
            "not-an-address,Bad",
            ",Missing",
            "ANA.SILVA@example.org,Dup",
            "li.wei@example.com,Li");
    Path lapsed =
        csv(
            "lapsed.jsonl",
            "{\"email\": \"zoe@example.net\", \"first\": \"Zoë\"}",
            "",
            "{\"email\": \"two@@example.org\", \"first\": \"X\"}");
    Path rejected = dir.resolve("out/rejected.csv");
    int code =
        run(
            exportArgs(
                "--privacy-consent-by",
                "Ops",
                "--rejected",
                rejected.toString(),
                vip.toString(),
                lapsed.toString()));
    assertThat(code).as(err).isEqualTo(ExitCodes.PARTIAL);
    assertThat(dotdigital.addressBookMembers(book))
        .containsExactlyInAnyOrder(
            "ana.silva@example.org", "li.wei@example.com", "zoe@example.net");
    assertThat(out).contains("vip").contains("lapsed").contains("PARTIALLY_SUCCEEDED");
    List<String> lines = Files.readAllLines(rejected, StandardCharsets.UTF_8);
    assertThat(lines.get(0)).isEqualTo("segment,row,masked_identifier,reason,vendor_code,message");
    assertThat(lines)
        .hasSize(4)
        .anySatisfy(l -> assertThat(l).startsWith("vip,2,").contains("INVALID_EMAIL"))
        .anySatisfy(l -> assertThat(l).startsWith("vip,3,").contains("MISSING_EMAIL"))
        .anySatisfy(l -> assertThat(l).startsWith("lapsed,2,").contains("INVALID_EMAIL"));
    assertThat(String.join("\n", lines))
        .doesNotContain("two@@example.org")
        .doesNotContain("not-an-address");
  }

  @Test
  void exitCodesTellSuccessPartialAndFailureApart() throws IOException {
    credentialsInEnv();
    Path clean = csv("clean.csv", "email,first", "a@example.org,A", "b@example.org,B");
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", clean.toString())))
        .as(err)
        .isEqualTo(ExitCodes.SUCCESS);
    Path partial = csv("partial.csv", "email,first", "c@example.org,C", "broken,X");
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", partial.toString())))
        .isEqualTo(ExitCodes.PARTIAL);
    env.put("SEGMENT_EXPORT_DOTDIGITAL_PASSWORD", "wrong-password-value");
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", clean.toString())))
        .isEqualTo(ExitCodes.FAILURE);
    assertThat(err).contains("export failed");
  }

  @Test
  void malformedFilesFailBeforeAnythingIsSent() throws IOException {
    credentialsInEnv();
    Path bad = csv("bad.jsonl", "{\"email\": \"a@example.org\"}", "{not json");
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", bad.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("line 2");
    Path ragged = csv("ragged.csv", "email,first", "a@example.org,A,extra");
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", ragged.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(dotdigital.requestCount()).isZero();
  }

  @Test
  void sandboxExportsTheSampleWithoutAnAccount() {
    Path sample = Path.of("..", "samples", "vip-customers.csv");
    int code =
        run(
            "export",
            "-c",
            "dotdigital",
            "--sandbox",
            "--privacy-consent-by",
            "Demo",
            "--no-progress",
            "--map",
            "Email=email_address",
            "--map",
            "FirstName=given_name",
            "--map",
            "tier=loyalty_tier",
            sample.toString());
    assertThat(code).as(err).isEqualTo(ExitCodes.PARTIAL);
    assertThat(err).contains("sandbox");
    assertThat(out).contains("vip-customers");
  }

  // ---- issue 22, item 1: --sandbox is isolated --------------------------------------------------

  @Test
  void sandboxIgnoresEveryConfiguredAddressAndCredentialAndSaysSo() throws Exception {
    try (MockWebServer real = new MockWebServer()) {
      real.start(InetAddress.getByName("127.0.0.1"), 0);
      String realUrl = real.url("/").toString();
      Path props = dir.resolve("it.properties");
      Files.writeString(
          props, "iterable.baseUrl=" + realUrl + "\niterable.apiKey=key-from-config-file\n");
      env.put("SEGMENT_EXPORT_ITERABLE_APIKEY", "key-from-environment");
      env.put("SEGMENT_EXPORT_ITERABLE_BASEURL", realUrl);
      Path f = csv("vip.csv", "email,first", "ana@example.org,Ana", "li@example.com,Li");

      int code =
          run(
              "export",
              "-c",
              "iterable",
              "--sandbox",
              "--config",
              props.toString(),
              "--setting",
              "baseUrl=" + realUrl,
              "--privacy-consent-by",
              "Ops",
              "--no-progress",
              "--map",
              "Email=email",
              "--map",
              "FirstName=first",
              f.toString());

      assertThat(real.getRequestCount()).as("requests to the configured endpoint").isZero();
      assertThat(code).as(err).isIn(ExitCodes.SUCCESS, ExitCodes.PARTIAL);
      assertThat(out).contains("vip");
      assertThat(err)
          .contains("sandbox: ignored")
          .contains("baseUrl")
          .contains("apiKey")
          .contains("SEGMENT_EXPORT_ITERABLE_APIKEY")
          .contains("--setting baseUrl");
      assertThat(err + out)
          .doesNotContain("key-from-environment")
          .doesNotContain("key-from-config-file")
          .doesNotContain(realUrl);

      assertThat(run("verify", "-c", "iterable", "--sandbox", "--privacy-consent-by", "Ops"))
          .as(err)
          .isEqualTo(ExitCodes.SUCCESS);
      assertThat(real.getRequestCount()).isZero();
    }
  }

  // ---- item 2: --rejected never destroys an input ----------------------------------------------

  @Test
  void refusesARejectedFileThatIsAnInputEvenThroughALink() throws IOException {
    credentialsInEnv();
    Path x = csv("x.jsonl", "{\"email\": \"ana@example.org\", \"first\": \"Ana\"}");
    String before = Files.readString(x);
    assertThat(
            run(
                exportArgs(
                    "--privacy-consent-by", "Ops", "--rejected", x.toString(), x.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("--rejected").contains("input");
    Path link = Files.createSymbolicLink(dir.resolve("link.csv"), x);
    assertThat(
            run(
                exportArgs(
                    "--privacy-consent-by", "Ops", "--rejected", link.toString(), x.toString())))
        .isEqualTo(ExitCodes.USAGE);
    Path relative = Path.of("").toAbsolutePath().relativize(x);
    assertThat(
            run(
                exportArgs(
                    "--privacy-consent-by",
                    "Ops",
                    "--rejected",
                    relative.toString(),
                    x.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(Files.readString(x)).isEqualTo(before);
    assertThat(dotdigital.requestCount()).isZero();
  }

  @Test
  void anEarlierRejectedFileIsUntouchedWhenTheExportNeverStarts() throws IOException {
    credentialsInEnv();
    Path rejected = dir.resolve("rejected.csv");
    Files.writeString(rejected, "the previous run's rejections\n");
    Path f = csv("s.csv", "email,first", "ana@example.org,Ana", "li@example.com,Li");
    // two profiles against a cap of one, without a sync state: refused before anything is sent (an
    // incremental run is not: the cap applies to what it sends)
    assertThat(
            run(
                exportArgs(
                    "--privacy-consent-by",
                    "Ops",
                    "--no-state",
                    "--setting",
                    "maxProfilesPerExport=1",
                    "--rejected",
                    rejected.toString(),
                    f.toString())))
        .as(err)
        .isEqualTo(ExitCodes.USAGE);
    assertThat(Files.readString(rejected)).isEqualTo("the previous run's rejections\n");
    try (var listing = Files.list(dir)) {
      assertThat(listing.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("rejected.csv", "s.csv");
    }
    assertThat(dotdigital.writeCount()).isZero();
  }

  // ---- item 3: mapped columns exist ------------------------------------------------------------

  @Test
  void everyMappedColumnMustBeInEveryFileBeforeAnythingIsSent() throws IOException {
    credentialsInEnv();
    Path vip = csv("vip.csv", "email,first", "ana@example.org,Ana");
    List<String> base =
        List.of(
            "export",
            "-c",
            "dotdigital",
            "--setting",
            "baseUrl=" + dotdigital.baseUrl(),
            "--option",
            "addressBookId=" + book,
            "--no-progress",
            "--privacy-consent-by",
            "Ops");

    List<String> args = new ArrayList<>(base);
    args.addAll(List.of("--map", "Email=email", "--map", "FirstName=frist", vip.toString()));
    assertThat(run(args.toArray(new String[0]))).isEqualTo(ExitCodes.USAGE);
    assertThat(err)
        .contains("column 'frist' is not in vip.csv (columns: email, first)")
        .contains("did you mean 'first'");

    args = new ArrayList<>(base);
    args.addAll(List.of("--map", "Email=Email", vip.toString()));
    assertThat(run(args.toArray(new String[0]))).isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("column 'Email' is not in vip.csv").contains("did you mean 'email'");

    Path other = csv("other.csv", "email,given", "li@example.com,Li");
    args = new ArrayList<>(base);
    args.addAll(
        List.of(
            "--map", "Email=email", "--map", "FirstName=first", vip.toString(), other.toString()));
    assertThat(run(args.toArray(new String[0]))).isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("column 'first' is not in other.csv");

    Path lines = csv("lapsed.jsonl", "{\"email\": \"zoe@example.net\", \"first\": \"Zoe\"}");
    args = new ArrayList<>(base);
    args.addAll(List.of("--map", "Email=email", "--map", "FirstName=frist", lines.toString()));
    assertThat(run(args.toArray(new String[0]))).isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("'frist'").contains("lapsed.jsonl").contains("did you mean 'first'");

    assertThat(dotdigital.requestCount()).isZero();
  }

  // ---- item 4: a failing rejected file never hides the result ----------------------------------

  @Test
  void aRejectedFileThatCannotBeWrittenStillShowsTheSummaryAndLeavesNoTornFile()
      throws IOException {
    credentialsInEnv();
    Path f = csv("s.csv", "email,first", "ana@example.org,Ana", "not-an-address,Bad");
    Path rejected = dir.resolve("rejected.csv");
    // a lone surrogate in the segment name cannot be encoded as UTF-8
    int code =
        run(
            exportArgs(
                "--privacy-consent-by",
                "Ops",
                "--segment-name",
                "vip\uD800",
                "--rejected",
                rejected.toString(),
                f.toString()));
    assertThat(code).as(err).isEqualTo(ExitCodes.PARTIAL);
    assertThat(out).contains("PARTIALLY_SUCCEEDED").contains("not attempted");
    assertThat(err).contains("rejected-record file").contains("was not written");
    assertThat(rejected).doesNotExist();
    try (var listing = Files.list(dir)) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("s.csv");
    }
    assertThat(dotdigital.addressBookMembers(book)).containsExactly("ana@example.org");
  }

  // ---- item 6: no formula in the rejected CSV --------------------------------------------------

  @Test
  void rejectedCellsThatASpreadsheetWouldRunAsFormulasAreQuoted() throws IOException {
    credentialsInEnv();
    Path f = csv("=1+2.csv", "email,first", "ana@example.org,Ana", "not-an-address,Bad");
    Path rejected = dir.resolve("rejected.csv");
    assertThat(
            run(
                exportArgs(
                    "--privacy-consent-by",
                    "Ops",
                    "--rejected",
                    rejected.toString(),
                    f.toString())))
        .as(err)
        .isEqualTo(ExitCodes.PARTIAL);
    List<String> lines = Files.readAllLines(rejected, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).startsWith("'=1+2,2,");
    for (String risky : List.of("=SUM(A1)", "+1", "-1", "@cmd", "\tx", "\rx")) {
      assertThat(RejectedCsv.cell(risky)).isEqualTo("'" + risky);
    }
    assertThat(RejectedCsv.cell("vip")).isEqualTo("vip");
    assertThat(RejectedCsv.cell("")).isEmpty();
  }

  // ---- item 9: every input problem found before sending is exit 2 ------------------------------

  @Test
  void everyInputProblemFoundBeforeSendingExitsTwo() throws IOException {
    credentialsInEnv();
    Path trailing = csv("trailing.csv", "email,first,", "ana@example.org,Ana,");
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", trailing.toString())))
        .as(err)
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("trailing.csv").contains("column 3").contains("no name");

    Path latin1 = dir.resolve("latin1.csv");
    Files.write(
        latin1,
        ("email,first\nana@example.org,Ana\nzoe@example.net,Zo\u00eb\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", latin1.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("latin1.csv is not UTF-8 at line 3");
    Path latin1Lines = dir.resolve("latin1.jsonl");
    Files.write(
        latin1Lines,
        ("{\"email\": \"ana@example.org\", \"first\": \"Ana\"}\n"
                + "{\"email\": \"zoe@example.net\", \"first\": \"Zo\u00eb\"}\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", latin1Lines.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("latin1.jsonl is not UTF-8 at line 2");

    Path ok = csv("ok.csv", "email,first", "ana@example.org,Ana", "li@example.com,Li");
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", "--map", "tier=", ok.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("no column");
    assertThat(
            run(
                "export",
                "-c",
                "dotdigital",
                "--setting",
                "baseUrl=" + dotdigital.baseUrl(),
                "--option",
                "addressBookId=" + book,
                "--privacy-consent-by",
                "Ops",
                "--map",
                "Email=",
                ok.toString()))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(
            run(
                exportArgs(
                    "--privacy-consent-by",
                    "Ops",
                    "--setting",
                    "requestsPerSecond=-3",
                    ok.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("requestsPerSecond");
    assertThat(
            run(
                exportArgs(
                    "--privacy-consent-by",
                    "Ops",
                    "--no-state",
                    "--setting",
                    "maxProfilesPerExport=1",
                    ok.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("at most 1");
    assertThat(dotdigital.requestCount()).isZero();

    assertThat(run("export", "--help")).isEqualTo(ExitCodes.SUCCESS);
    assertThat(out).contains("--rejected");
    assertThat(run("verify", "--help")).isEqualTo(ExitCodes.SUCCESS);
    assertThat(out).contains("--sandbox");
  }

  // ---- item 10: silently wrong input is refused ------------------------------------------------

  @Test
  void silentlyWrongInputIsRefused() throws IOException {
    credentialsInEnv();
    Path twoValues =
        csv(
            "two.jsonl",
            "{\"email\": \"ana@example.org\", \"first\": \"Ana\"} {\"email\": \"x@example.org\"}");
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", twoValues.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("two.jsonl line 1 has more than one JSON value");

    Path txt = csv("s.txt", "email,first", "ana@example.org,Ana");
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", txt.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("s.txt").contains("--format");
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", "--format", "csv", txt.toString())))
        .as(err)
        .isEqualTo(ExitCodes.SUCCESS);
    int requests = dotdigital.requestCount();

    Path ok = csv("ok.csv", "email,first,tier", "li@example.com,Li,gold");
    assertThat(
            run(
                exportArgs(
                    "--privacy-consent-by", "Ops", "--map", "FirstName=tier", ok.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("'FirstName' twice");
    assertThat(
            run(
                exportArgs(
                    "--privacy-consent-by", "Ops", "--map", "FIRSTNAME=tier", ok.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(
            run(
                exportArgs(
                    "--privacy-consent-by",
                    "Ops",
                    "--map",
                    "LastName:INTEGER=tier",
                    ok.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("LastName is a standard field");
    assertThat(
            run(exportArgs("--privacy-consent-by", "Ops", "--map", ":INTEGER=tier", ok.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("not a field name");

    Path longLine = dir.resolve("long.jsonl");
    Files.writeString(
        longLine,
        "{\"email\": \"ana@example.org\", \"first\": \"Ana\"}\n{\"email\": \"b@example.org\", "
            + "\"first\": \""
            + "x".repeat(SegmentFiles.MAX_LINE_BYTES)
            + "\"}\n",
        StandardCharsets.UTF_8);
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", longLine.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("long.jsonl line 2 is longer than 1024 KiB");
    Path longField = dir.resolve("long.csv");
    Files.writeString(
        longField,
        "email,first\nana@example.org,\""
            + "x\n".repeat(SegmentFiles.MAX_LINE_BYTES / 2 + 1)
            + "\"\n",
        StandardCharsets.UTF_8);
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", longField.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err)
        .contains("long.csv record 1")
        .contains("'first'")
        .contains("longer than 1024 KiB");
    assertThat(dotdigital.requestCount()).isEqualTo(requests);
  }

  // ---- item 11: messages a user can act on -----------------------------------------------------

  @Test
  void messagesSayWhatIsWrongAndWhere() throws IOException {
    credentialsInEnv();
    Path folder = Files.createDirectory(dir.resolve("folder.csv"));
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", folder.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("is a directory");

    Path badJson =
        csv(
            "bad.jsonl",
            "{\"email\": \"ana@example.org\"}",
            "{\"email\": \"b@example.org\" \"first\": 1}");
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", badJson.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err)
        .contains("bad.jsonl line 2 is not valid JSON")
        .contains("$.email")
        .doesNotContain("setLenient");

    Path dup = csv("dup.csv", "email,first,email", "ana@example.org,Ana,a@example.org");
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", dup.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("the column 'email' twice");

    Path ok = csv("ok.csv", "email,first", "ana@example.org,Ana");
    assertThat(
            run(
                "export",
                "-c",
                "dotdigital",
                "--setting",
                "baseUrl=" + dotdigital.baseUrl(),
                "--option",
                "addressBookId=" + book,
                "--privacy-consent-by",
                "Ops",
                "--map",
                "FirstName=first",
                ok.toString()))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("--map Email=").doesNotContain("email(sourceField)");
    assertThat(dotdigital.requestCount()).isZero();

    Path mixed =
        csv(
            "mixed.csv",
            "email,first",
            "ana@example.org,Ana",
            "not-an-address,Bad",
            ",Missing",
            "also-bad,X");
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", mixed.toString())))
        .isEqualTo(ExitCodes.PARTIAL);
    assertThat(out).contains("rejected by reason: INVALID_EMAIL 2, MISSING_EMAIL 1");
  }

  @Test
  void anUnreadableFileIsReportedAsSuch() throws IOException {
    Path f = csv("locked.csv", "email,first", "ana@example.org,Ana");
    assumeTrue(
        f.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
    Files.setPosixFilePermissions(f, java.util.Set.of());
    assumeFalse(Files.isReadable(f), "the file stays readable to this user (root)");
    credentialsInEnv();
    assertThat(run(exportArgs("--privacy-consent-by", "Ops", f.toString())))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err).contains("cannot read").contains("locked.csv").contains("permission denied");
  }
}
