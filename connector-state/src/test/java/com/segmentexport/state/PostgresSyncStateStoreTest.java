package com.segmentexport.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segmentexport.api.SyncStateException;
import com.segmentexport.spi.SyncStateStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
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
    };
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
