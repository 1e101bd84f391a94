package com.segmentexport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Profile;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** A window: the latest record of a profile wins in place; windows that share a profile are ordered. */
class WindowTest {
  private static SinkRecord record(int partition, long offset) {
    return new SinkRecord("t", partition, null, null, null, null, offset);
  }

  @Test
  void aProfilesLaterRecordReplacesItsEarlierOneAndBothAreItsRecords() {
    Window w = new Window("VIP", 0);
    SinkRecord first = record(0, 1);
    SinkRecord other = record(0, 2);
    SinkRecord second = record(1, 7);
    w.add(first, Profile.of("email", "ann@example.org", "tier", "silver"), "ann@example.org");
    w.add(other, Profile.of("email", "bob@example.org"), "bob@example.org");
    w.add(second, Profile.of("email", "ANN@example.org", "tier", "gold"), "ann@example.org");

    assertThat(w.size()).isEqualTo(2);
    assertThat(w.profiles().get(0).get("tier")).isEqualTo("gold");
    assertThat(w.records(1)).containsExactly(first, second);
    assertThat(w.records(2)).containsExactly(other);
  }

  @Test
  void windowsThatShareAProfileAreOrderedOthersAreNot() {
    Window a = new Window("VIP", 0);
    Window b = new Window("VIP", 0);
    Window c = new Window("VIP", 0);
    a.add(record(0, 1), Profile.of("email", "ann@example.org"), "ann@example.org");
    b.add(record(0, 2), Profile.of("email", "bob@example.org"), "bob@example.org");
    c.add(record(0, 3), Profile.of("email", "ann@example.org"), "ann@example.org");
    assertThat(a.sharesProfilesWith(b)).isFalse();
    assertThat(a.sharesProfilesWith(c)).isTrue();
    assertThat(c.sharesProfilesWith(a)).isTrue();
  }

  @Test
  void aLargeWindowStillFindsEachProfilesRowAndItsSharedProfiles() {
    Window w = new Window("VIP", 0);
    for (int i = 0; i < 5_000; i++) {
      String email = "user" + i + "@example.org";
      w.add(record(i % 4, i), Profile.of("email", email, "n", i), i % 7 == 0 ? null : email);
    }
    for (int i = 0; i < 5_000; i += 3) {
      String email = "user" + i + "@example.org";
      w.add(
          record(i % 4, 5_000 + i), Profile.of("email", email, "n", -i), i % 7 == 0 ? null : email);
    }
    // rows without a key are never replaced: 5,000 rows, then a new row for each keyless repeat
    long keyless =
        java.util.stream.IntStream.range(0, 5_000).filter(i -> i % 3 == 0 && i % 7 == 0).count();
    assertThat(w.size()).isEqualTo(5_000 + (int) keyless);
    assertThat(w.profiles().get(3).get("n")).isEqualTo(-3);
    assertThat(w.profiles().get(4).get("n")).isEqualTo(4);
    assertThat(w.records(4)).hasSize(2);

    Window other = new Window("VIP", 0);
    other.add(record(0, 1), Profile.of("email", "nobody@example.org"), "nobody@example.org");
    assertThat(w.sharesProfilesWith(other)).isFalse();
    other.add(record(0, 2), Profile.of("email", "user4999@example.org"), "user4999@example.org");
    assertThat(w.sharesProfilesWith(other)).isTrue();
    assertThat(other.sharesProfilesWith(w)).isTrue();

    w.dropPartitions(Set.of(new TopicPartition("t", 3)));
    assertThat(w.sharesProfilesWith(other)).as("user4999 was in partition 3").isFalse();
    other.add(record(0, 3), Profile.of("email", "user4997@example.org"), "user4997@example.org");
    assertThat(w.sharesProfilesWith(other)).isTrue();
  }

  @Test
  void droppingARevokedPartitionKeepsTheOtherRowsAndTheirKeys() {
    Window w = new Window("VIP", 0);
    w.add(record(0, 1), Profile.of("email", "ann@example.org"), "ann@example.org");
    w.add(record(1, 1), Profile.of("email", "bob@example.org"), "bob@example.org");
    w.dropPartitions(Set.of(new TopicPartition("t", 0)));
    assertThat(w.size()).isEqualTo(1);
    assertThat(w.profiles().get(0).get("email")).isEqualTo("bob@example.org");
    Window later = new Window("VIP", 0);
    later.add(record(1, 2), Profile.of("email", "bob@example.org"), "bob@example.org");
    assertThat(w.sharesProfilesWith(later)).isTrue();
  }
}
