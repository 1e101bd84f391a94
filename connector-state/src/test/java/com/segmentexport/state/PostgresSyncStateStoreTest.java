package com.segmentexport.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.SyncStateException;
import com.segmentexport.spi.SyncStateStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store's behaviour on a real PostgreSQL (one server for the class, one schema per database the
 * tests ask for).
 */
class PostgresSyncStateStoreTest extends SyncStateStoreBehaviourTest {
  private static EmbeddedPostgres postgres;
  private static DataSource dataSource;
  private static final AtomicInteger schemas = new AtomicInteger();

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.start();
    dataSource = postgres.getPostgresDatabase();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Override
  protected Database freshDatabase() {
    String schema = "state_" + schemas.incrementAndGet();
    return new Database() {
      @Override
      public SyncStateStore open() {
        return JdbcSyncStateStore.postgres(dataSource, schema);
      }

      @Override
      public Connection jdbc() throws SQLException {
        return dataSource.getConnection();
      }

      @Override
      public String table(String name) {
        return schema + ".segment_export_" + name;
      }

      @Override
      public String snapshot() throws SQLException {
        return inDatabase(dataSource, schema);
      }

      @Override
      public void createNamespace(Statement s) throws SQLException {
        s.executeUpdate("CREATE SCHEMA " + schema);
      }
    };
  }

  /**
   * {@return the schemas of a database, and the tables (columns, indexes, rows) of one of them}
   *
   * @param in the database
   * @param schema the schema whose tables are listed
   */
  private static String inDatabase(DataSource in, String schema) throws SQLException {
    StringBuilder out = new StringBuilder();
    try (Connection c = in.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT nspname FROM pg_namespace ORDER BY nspname")) {
      while (rs.next()) {
        out.append("schema ").append(rs.getString(1)).append('\n');
      }
      return out.append(tablesAndRows(c, schema)).toString();
    }
  }

  /**
   * {@return a new database of the server, whose tables a store on {@code storeSource} (a data source
   * to the same database) keeps in the default schema, {@code public}}
   *
   * @param name the database's name
   * @param storeSource how the store connects to it
   */
  private static Database inPublic(String name, DataSource storeSource) {
    DataSource owner = postgres.getDatabase("postgres", name);
    return new Database() {
      @Override
      public SyncStateStore open() {
        return JdbcSyncStateStore.postgres(storeSource);
      }

      @Override
      public Connection jdbc() throws SQLException {
        return owner.getConnection();
      }

      @Override
      public String table(String table) {
        return "segment_export_" + table;
      }

      @Override
      public String snapshot() throws SQLException {
        return inDatabase(owner, "public");
      }
    };
  }

  /** {@return the name of a new, empty database on the server} */
  private static String createDatabase() throws SQLException {
    String name = "newer_" + schemas.incrementAndGet();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("CREATE DATABASE " + name);
    }
    return name;
  }

  @Test
  void aNewerDatabaseInTheDefaultSchemaIsRefusedAndLeftAsItWas() throws Exception {
    for (boolean unknownParts : new boolean[] {false, true}) {
      String name = createDatabase();
      Database newer = inPublic(name, postgres.getDatabase("postgres", name));
      writeNewerSchema(newer, unknownParts);
      String before = newer.snapshot();
      assertThat(before).contains("segment_export_schema_version");

      assertThatThrownBy(() -> open(newer))
          .isInstanceOf(SyncStateException.class)
          .hasMessageContaining("has schema version " + (JdbcSyncStateStore.SCHEMA_VERSION + 1))
          .hasMessageContaining("Nothing was sent");

      assertThat(newer.snapshot()).as("the database after the refusal").isEqualTo(before);
    }
  }

  @Test
  void aRoleThatMayNotCreateTablesIsToldTheDatabaseIsNewer() throws Exception {
    String name = createDatabase();
    String role = "no_create_" + schemas.incrementAndGet();
    Database newer = inPublic(name, postgres.getDatabase(role, name));
    writeNewerSchema(newer, false);
    try (Connection c = newer.jdbc();
        Statement s = c.createStatement()) {
      // A host's run-time role: it reads and writes rows, and creates nothing.
      s.executeUpdate("CREATE ROLE " + role + " LOGIN");
      s.executeUpdate("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
      s.executeUpdate("GRANT USAGE ON SCHEMA public TO " + role);
      s.executeUpdate(
          "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role);
    }
    String before = newer.snapshot();

    assertThatThrownBy(() -> open(newer))
        .isInstanceOf(SyncStateException.class)
        .hasMessageContaining("has schema version " + (JdbcSyncStateStore.SCHEMA_VERSION + 1))
        .hasMessageContaining("A newer version of the SDK wrote it")
        .hasMessageNotContaining("permission denied");

    assertThat(newer.snapshot()).as("the database after the refusal").isEqualTo(before);
  }

  @Test
  void theDefaultSchemaWorksToo() {
    try (SyncStateStore inPublic = JdbcSyncStateStore.postgres(dataSource)) {
      inPublic.open(LIST_A).record(List.of(confirmed("ann@example.com", 1L, null, T0)));
      assertThat(inPublic.open(LIST_A).memberCount()).isEqualTo(1);
      assertThat(inPublic.toString())
          .contains("jdbc:postgresql://")
          .doesNotContain("?")
          .doesNotContain("password");
      assertThat(inPublic.forget(LIST_A)).isEqualTo(1);
    }
  }

  @Test
  void aSchemaNameMustBePlain() {
    assertThatThrownBy(() -> JdbcSyncStateStore.postgres(dataSource, "x; DROP TABLE y"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JdbcSyncStateStore.postgres(dataSource, "Exports"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anUnreachableDatabaseFailsClearly() {
    org.postgresql.ds.PGSimpleDataSource nowhere = new org.postgresql.ds.PGSimpleDataSource();
    nowhere.setServerNames(new String[] {"127.0.0.1"});
    nowhere.setPortNumbers(new int[] {1});
    nowhere.setPassword("s3cret");
    nowhere.setConnectTimeout(2);
    assertThatThrownBy(() -> JdbcSyncStateStore.postgres(nowhere))
        .isInstanceOf(SyncStateException.class)
        .hasMessageContaining("Could not open the sync state")
        .hasMessageContaining("PostgreSQL")
        .hasMessageContaining("Nothing was sent")
        .hasMessageNotContaining("s3cret");
  }
}
