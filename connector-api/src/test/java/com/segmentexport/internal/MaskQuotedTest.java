package com.segmentexport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MaskQuotedTest {
  @Test
  void masksEveryQuotedOccurrenceWhateverItsCase() {
    assertThat(ExportRun.maskQuoted("Invalid email: Ana.Silva@example.org (ana.silva@EXAMPLE.org)",
        "ana.silva@example.org"))
        .isEqualTo("Invalid email: a***@e***.org (a***@e***.org)")
        .doesNotContainIgnoringCase("silva");
  }

  @Test
  void leavesOtherMessagesAlone() {
    assertThat(ExportRun.maskQuoted("Subscriber is unsubscribed", "ana@example.org"))
        .isEqualTo("Subscriber is unsubscribed");
    assertThat(ExportRun.maskQuoted(null, "ana@example.org")).isNull();
  }
}
