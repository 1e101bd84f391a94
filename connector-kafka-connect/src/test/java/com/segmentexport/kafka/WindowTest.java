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
