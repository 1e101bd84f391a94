package com.segmentexport.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import com.segmentexport.testkit.VendorSimulator;
import com.segmentexport.testkit.autopilot.AutopilotSimulator;
import com.segmentexport.testkit.campaignmonitor.CampaignMonitorSimulator;
import com.segmentexport.testkit.dotdigital.DotdigitalSimulator;
import com.segmentexport.testkit.iterable.IterableSimulator;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SimulatorServerTest {
  @ParameterizedTest
  @ValueSource(strings = {"autopilot", "campaignmonitor", "dotdigital", "iterable"})
  void countsTheMembersOfEachNamedList(String connector) {
    try (Sandbox sandbox = Sandboxes.start(connector)) {
      VendorSimulator sim = sandbox.simulator();
      Map<String, String> destinations = new HashMap<>();

      String created = SimulatorServer.answer(sim, destinations, "destinations a%20b c");

      String id = destinations.get("a b");
      switch (connector) {
        case "campaignmonitor":
          assertThat(created).isEqualTo("option=listId a+b=" + id + " c=" + destinations.get("c"));
          ((CampaignMonitorSimulator) sim).addSubscriber(id, "x@example.org", "Active");
          break;
        case "dotdigital":
          assertThat(created)
              .isEqualTo("option=addressBookId a+b=" + id + " c=" + destinations.get("c"));
          DotdigitalSimulator dd = (DotdigitalSimulator) sim;
          dd.addContact("x@example.org", DotdigitalSimulator.SUBSCRIBED, Map.of());
          dd.addToAddressBook(Long.parseLong(id), "x@example.org");
          break;
        case "iterable": // the connector finds or creates the list named as the segment
          assertThat(created).isEqualTo("option=");
          IterableSimulator it = (IterableSimulator) sim;
          it.addUser("x@example.org", Map.of());
          it.addListMember(it.createList("a b", "Standard"), "x@example.org");
          it.createList("c", "Standard");
          break;
        default:
          assertThat(created).isEqualTo("option=");
          AutopilotSimulator ap = (AutopilotSimulator) sim;
          ap.addContact("x@example.org", Map.of());
          ap.addListMember(ap.createList("a b"), "x@example.org");
          ap.createList("c");
          break;
      }

      assertThat(SimulatorServer.answer(sim, destinations, "members a%20b c nowhere"))
          .isEqualTo("a+b=1 c=0 nowhere=-1");
    }
  }

  @Test
  void retainContactsKeepsTheVendorsStateButNotTheLogOfEveryAddressReceived() throws IOException {
    try (Sandbox sandbox = SimulatorServer.startUnlimited("iterable")) {
      VendorSimulator sim = sandbox.simulator();
      assertThat(SimulatorServer.answer(sim, new HashMap<>(), "retain-contacts")).isEqualTo("ok");
      IterableSimulator it = (IterableSimulator) sim;
      long list = it.createList("a", "Standard");
      OkHttpClient client = new OkHttpClient();
      Request subscribe =
          new Request.Builder()
              .url(it.url("/api/lists/subscribe"))
              .header("Api-Key", it.credentials().get(0))
              .post(
                  RequestBody.create(
                      "{\"listId\":" + list + ",\"subscribers\":[{\"email\":\"x@example.org\"}]}",
                      MediaType.get("application/json")))
              .build();
      int status = 400;
      for (int i = 0; i < 3 && status == 400; i++) { // the sandbox refuses a new list's first
        try (Response r = client.newCall(subscribe).execute()) {
          status = r.code();
        }
      }

      assertThat(status).isEqualTo(200);
      assertThat(SimulatorServer.answer(sim, new HashMap<>(), "members a")).isEqualTo("a=1");
      assertThat(sim.receivedEmailCount()).isEqualTo(1);
      assertThat(sim.receivedEmails()).isEmpty();
    }
  }

  @Test
  void answersAnUnknownCommandWithAnError() {
    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      assertThat(SimulatorServer.answer(sandbox.simulator(), new HashMap<>(), "fly away"))
          .isEqualTo("error=" + SimulatorServer.encode("unknown command fly"));
    }
  }

  @Test
  void aRemoteSimulatorAnswersCommandsFromItsOwnJvm() throws Exception {
    try (RemoteSimulator remote =
        RemoteSimulator.launch("campaignmonitor", -1, List.of("-Xmx256m"))) {
      assertThat(remote.pinned()).isFalse();
      assertThat(remote.command("retain-contacts")).isEqualTo("ok");
      assertThat(remote.command("destinations one")).startsWith("option=listId one=");
      assertThat(remote.command("members one two")).isEqualTo("one=0 two=-1");
      assertThat(remote.command("stats"))
          .matches("cpuSeconds=[0-9.]+ gcSeconds=[0-9.]+ peakThreads=[0-9]+ heapUsedMiB=[0-9]+");
      assertThatThrownBy(() -> remote.command("fly"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("unknown command fly");
    }
  }
}
