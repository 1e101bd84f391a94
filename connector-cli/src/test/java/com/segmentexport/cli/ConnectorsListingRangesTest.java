package com.segmentexport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code connectors} listing shows each setting's range, as a host's form would. */
class ConnectorsListingRangesTest {
  @Test
  void everyRangedSettingShowsItsRange() {
    StringWriter out = new StringWriter();
    int code =
        SegmentExportCli.run(
            new String[] {"connectors"},
            Map.of(),
            new PrintWriter(out, true),
            new PrintWriter(new StringWriter(), true));
    assertThat(code).isZero();
    String listing = out.toString();
    assertThat(listing)
        .containsPattern("maxConcurrentBatches +integer between 1 and 25, default 5")
        .containsPattern("maxConcurrentUpserts +integer between 1 and 64, default 4")
        .containsPattern("importTimeoutSeconds +integer between 1 and 86400, default 3600")
        .containsPattern("addressBookId +integer between 1 and 2147483647, required")
        .containsPattern("requestsPerSecond +decimal between 0.01 and 1000000, default 5")
        .containsPattern("maxProfilesPerExport +integer at least 1  ");
  }
}
