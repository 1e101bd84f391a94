package com.segmentexport.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MaskAddressInTest {
  @Test
  void masksEveryQuotedOccurrenceWhateverItsCase() {
    assertThat(
            Masking.addressIn(
                "Invalid email: Ana.Silva@example.org (ana.silva@EXAMPLE.org)",
                "ana.silva@example.org"))
        .isEqualTo("Invalid email: a***@e***.org (a***@e***.org)")
        .doesNotContainIgnoringCase("silva");
  }

  @Test
  void leavesOtherMessagesAlone() {
    assertThat(Masking.addressIn("Subscriber is unsubscribed", "ana@example.org"))
        .isEqualTo("Subscriber is unsubscribed");
    assertThat(Masking.addressIn(null, "ana@example.org")).isNull();
  }
}
