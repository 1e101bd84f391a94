package com.segmentexport.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeapSamplerTest {
  @Test
  void seesMemoryStillHeldAfterACollection() throws InterruptedException {
    int size = 32 * 1024 * 1024;
    try (HeapSampler heap = HeapSampler.start()) {
      byte[] held = new byte[size];
      held[size - 1] = 1;
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (heap.peakLiveBytes() < size && System.nanoTime() < deadline) {
        System.gc();
        Thread.sleep(50);
      }
      assertThat(held[size - 1]).isEqualTo((byte) 1); // still reachable until here
      assertThat(heap.peakLiveBytes()).isGreaterThanOrEqualTo(size);
      assertThat(HeapSampler.peakHeapBytes()).isGreaterThanOrEqualTo(heap.peakLiveBytes());
    }
  }
}
