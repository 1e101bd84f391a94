package com.segmentexport.dotdigital;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The waits between an import's status polls, without polling. */
class ImportPollerTest {
  private static final long MS = 1_000_000;

  private static List<Long> waitsInMillis(long typicalNanos, int polls) {
    ImportPoller.Schedule schedule = new ImportPoller.Schedule(typicalNanos);
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < polls; i++) {
      waits.add(schedule.next() / MS);
    }
    return waits;
  }

  @Test
  void beforeAnyImportFinishedTheWaitsDoubleFromTheFirstPollUpToTheLongest() {
    assertThat(waitsInMillis(0, 9))
        .containsExactly(50L, 100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L);
  }

  @Test
  void withATypicalTimeTheFirstPollGoesJustBeforeItThenTenClosePollsThenDoubling() {
    List<Long> waits = waitsInMillis(Duration.ofSeconds(1).toNanos(), 15);
    assertThat(waits.get(0)).isEqualTo(970);
    assertThat(waits.subList(1, 11)).containsOnly(10L).hasSize(ImportPoller.CLOSE_POLLS);
    assertThat(waits.subList(11, 15)).containsExactly(20L, 40L, 80L, 160L);
  }

  @Test
  void theWaitsStayBetweenTheShortestAndTheLongest() {
    assertThat(waitsInMillis(100_000, 3)).containsExactly(2L, 2L, 2L);
    assertThat(waitsInMillis(Duration.ofMinutes(10).toNanos(), 3))
        .containsExactly(5000L, 5000L, 5000L);
  }
}
