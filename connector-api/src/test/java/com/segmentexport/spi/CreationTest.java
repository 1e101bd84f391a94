package com.segmentexport.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A create whose outcome is unknown is resolved by looking the object up, never by a blind repeat. */
class CreationTest {
  private final List<String> lists = new ArrayList<>();
  private final AtomicInteger creates = new AtomicInteger();

  private Optional<String> find() {
    return lists.stream().filter(l -> l.startsWith("VIP")).findFirst();
  }

  @Test
  void aCreateAppliedButAnsweredAmbiguouslyIsAdoptedNotRepeated() {
    String id =
        Creation.createOrAdopt(
            "the list",
            this::find,
            () -> {
              creates.incrementAndGet();
              lists.add("VIP#1");
              throw new OutcomeUnknownException(504, "'create-list' failed (HTTP 504)", null);
            });
    assertThat(id).isEqualTo("VIP#1");
    assertThat(creates).hasValue(1);
    assertThat(lists).hasSize(1);
  }

  @Test
  void aCreateThatEvidentlyDidNotHappenIsTriedAgain() {
    String id =
        Creation.createOrAdopt(
            "the list",
            this::find,
            () -> {
              if (creates.incrementAndGet() == 1) {
                throw new OutcomeUnknownException(502, "'create-list' failed (HTTP 502)", null);
              }
              lists.add("VIP#" + creates.get());
              return "VIP#" + creates.get();
            });
    assertThat(id).isEqualTo("VIP#2");
    assertThat(lists).containsExactly("VIP#2");
  }

  @Test
  void givesUpAfterThreeAmbiguousAttemptsThatMadeNothing() {
    OutcomeUnknownException e =
        catchThrowableOfType(
            OutcomeUnknownException.class,
            () ->
                Creation.createOrAdopt(
                    "the list",
                    this::find,
                    () -> {
                      creates.incrementAndGet();
                      throw new OutcomeUnknownException(
                          503, "'create-list' failed (HTTP 503)", null);
                    }));
    assertThat(e.httpStatus()).isEqualTo(503);
    assertThat(creates).hasValue(Creation.MAX_ATTEMPTS);
  }

  @Test
  void otherFailuresAreNotRetried() {
    RuntimeException refused = new IllegalStateException("refused");
    Throwable thrown =
        catchThrowableOfType(
            IllegalStateException.class,
            () ->
                Creation.createOrAdopt(
                    "the list",
                    this::find,
                    () -> {
                      creates.incrementAndGet();
                      throw refused;
                    }));
    assertThat(thrown).isSameAs(refused);
    assertThat(creates).hasValue(1);
  }
}
