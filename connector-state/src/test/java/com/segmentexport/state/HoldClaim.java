package com.segmentexport.state;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Another process for {@link SqliteSyncStateStoreTest}: opens the state file given, takes the claim
 * given, prints {@code HELD}, and holds the claim until its standard input ends.
 */
public final class HoldClaim {
  private HoldClaim() {}

  /**
   * Holds a claim.
   *
   * @param args the state file and the claim
   */
  public static void main(String[] args) throws IOException {
    try (JdbcSyncStateStore store = JdbcSyncStateStore.sqlite(Path.of(args[0]))) {
      store.exclusively(
          args[1],
          () -> {
            System.out.println("HELD");
            System.out.flush();
            try {
              while (System.in.read() >= 0) {
                // until the test closes our input
              }
            } catch (IOException e) {
              throw new IllegalStateException(e);
            }
            return null;
          });
    }
    System.out.println("RELEASED");
  }
}
