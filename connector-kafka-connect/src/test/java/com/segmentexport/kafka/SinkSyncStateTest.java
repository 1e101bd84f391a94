package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.testkit.ProfileGenerator;
import com.segmentexport.testkit.Sandbox;
import com.segmentexport.testkit.Sandboxes;
import com.segmentexport.testkit.iterable.IterableSimulator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Incremental sync on Connect: the tasks share a PostgreSQL sync state, so that profiles the vendor
 * already holds as they are are not sent again, whichever task or connector sees them next.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SinkSyncStateTest {
  private final ConnectHarness harness = ConnectHarness.shared();
  private EmbeddedPostgres postgres;

  @BeforeAll
  void startPostgres() throws Exception {
    postgres = EmbeddedPostgres.start();
  }

  @AfterAll
  void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  private static List<Map<String, Object>> values(ProfileGenerator generator, int size) {
    List<Map<String, Object>> values = new ArrayList<>();
    generator
        .profiles(size)
        .forEachRemaining(
            p -> {
              Map<String, Object> v = new LinkedHashMap<>();
              p.fields().forEach((k, x) -> v.put(k, x instanceof Number ? x : String.valueOf(x)));
              v.put("segment", "Members");
              values.add(v);
            });
    return values;
  }

  @Test
  void tasksShareTheStateSoUnchangedProfilesAreNotSentAgain() throws Exception {
    ProfileGenerator generator = ProfileGenerator.builder().seed(61).build();
    int size = 4_000;
    ProfileGenerator.Expectation expected = generator.expect(size);
    harness.createTopic("state-a", 4);
    harness.createTopic("state-b", 4);
    harness.createTopic("state-dlq", 1);
    harness.produceValues("state-a", 4, values(generator, size), null);
    harness.produceValues("state-b", 4, values(generator, size), null);

    try (Sandbox sandbox = Sandboxes.start("iterable")) {
      IterableSimulator iterable = (IterableSimulator) sandbox.simulator();
      Map<String, String> config = ConnectHarness.sinkConfig("state-a", "state-dlq", 2, sandbox);
      config.put("export.segment.source", "field");
      config.put("export.segment.name", "segment");
      config.put("export.state.jdbc.url", postgres.getJdbcUrl("postgres", "postgres"));
      config.put("export.state.jdbc.user", "postgres");
      config.put("export.state.jdbc.password", "unused");
      config.put("export.state.schema", "connect_state");
      harness.startConnector("state-a", config, 2);
      try {
        ConnectHarness.await(
            () -> harness.committed("state-a") == size,
            ConnectHarness.TIMEOUT,
            () -> "committed " + harness.committed("state-a") + " of " + size);
      } finally {
        harness.deleteConnector("state-a");
      }
      assertThat(iterable.members("Members")).isEqualTo(expected.validEmails());
      long sent = iterable.receivedEmailCount();
      assertThat(sent).isEqualTo(expected.valid());
      assertThat(members()).isEqualTo(expected.valid());

      // The same profiles again, on another topic, through another connector's two tasks: the
      // shared state knows them all, nothing is sent.
      config.put("topics", "state-b");
      harness.startConnector("state-b", config, 2);
      try {
        ConnectHarness.await(
            () -> harness.committed("state-b") == size,
            ConnectHarness.TIMEOUT,
            () -> "committed " + harness.committed("state-b") + " of " + size);
      } finally {
        harness.deleteConnector("state-b");
      }
      assertThat(iterable.receivedEmailCount()).as("addresses sent again").isEqualTo(sent);
    }
  }

  private long members() throws Exception {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select count(*) from connect_state.segment_export_member")) {
      r.next();
      return r.getLong(1);
    }
  }
}
