package com.segmentexport.dotdigital;

import com.segmentexport.spi.ExportCancelledException;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * One destination's import slots ({@code maxConcurrentBatches}): an import holds one from the moment it
 * is sent until a poll finds it ended. The engine holds only requests to that number, and an import is
 * active between them. The engine hands out one batch more than that: its body is serialised while the
 * slots are busy and is sent as soon as one frees, so a slot does not stay idle while a body is written
 * or a report is read. Thread-safe.
 */
final class ImportSlots {
  private final Semaphore slots;

  /** @param slots imports active at once */
  ImportSlots(int slots) {
    this.slots = new Semaphore(slots);
  }

  /**
   * Waits for a slot and runs an import in it (submission and polling to its end), then frees it.
   *
   * @param importing submits an import and polls it to its end
   * @param <T> what the import gives
   * @return what {@code importing} returned
   * @throws ExportCancelledException if interrupted while waiting for a slot (nothing was sent)
   */
  <T> T holding(Supplier<T> importing) {
    try {
      slots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExportCancelledException("interrupted while waiting for an import slot", false);
    }
    try {
      return importing.get();
    } finally {
      slots.release();
    }
  }
}
