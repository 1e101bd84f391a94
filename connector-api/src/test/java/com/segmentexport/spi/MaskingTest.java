package com.segmentexport.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MaskingTest {
  @Test
  void masksEveryAddressInAVendorsText() {
    assertThat(Masking.emailsIn("Invalid email: ana.silva@example.org, \"li@example.com\" and more"))
        .isEqualTo("Invalid email: a***@e***.org, \"l***@e***.com\" and more");
  }

  @Test
  void leavesTextWithoutAddressesAlone() {
    assertThat(Masking.emailsIn("Field 'signupDate' already exists")).isEqualTo("Field 'signupDate' already exists");
  }
}
