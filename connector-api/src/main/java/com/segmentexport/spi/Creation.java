package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates vendor objects (lists, fields) whose create call is not idempotent without ever making two:
 * a create whose outcome is unknown is resolved by looking the object up again, never by repeating it
 * blindly.
 */
public final class Creation {
  private static final Logger log = LoggerFactory.getLogger(Creation.class);

  /** Creates attempted at most, when each one's outcome is unknown and the look-up finds nothing. */
  static final int MAX_ATTEMPTS = 3;

  private Creation() {}

  /**
   * Creates an object, or adopts the one a create with a lost answer made.
   *
   * <p>Calls {@code create}; if it throws {@link OutcomeUnknownException}, calls {@code find}: an object
   * found is returned (the create was applied, only its answer was lost); if none is found, the create
   * evidently did not happen and is tried again, up to {@value #MAX_ATTEMPTS} times in all. The caller
   * looks the object up before the first create, so an object that already exists is adopted without
   * any create.
   *
   * @param what a short name for logs, such as {@code the list for segment 'VIP'}; no personal data
   * @param find looks the object up by its natural key (its name); empty if it does not exist
   * @param create creates the object through {@link VendorHttp} with a {@link CallSpec} that is not
   *     idempotent, and returns it
   * @param <T> the object's id or handle
   * @return the created or adopted object
   * @throws OutcomeUnknownException if every attempt failed ambiguously and the object never appeared
   */
  public static <T> T createOrAdopt(String what, Supplier<Optional<T>> find, Supplier<T> create) {
    requireNonNull(what, "what == null");
    requireNonNull(find, "find == null");
    requireNonNull(create, "create == null");
    for (int attempt = 1; ; attempt++) {
      try {
        return create.get();
      } catch (OutcomeUnknownException e) {
        Optional<T> made = find.get();
        if (made.isPresent()) {
          log.info(
              "Creating {} failed ambiguously ({}); it exists, so it is used",
              what,
              e.getMessage());
          return made.get();
        }
        if (attempt >= MAX_ATTEMPTS) {
          throw e;
        }
        log.warn(
            "Creating {} failed ambiguously ({}) and it does not exist; creating it again",
            what,
            e.getMessage());
      }
    }
  }
}
