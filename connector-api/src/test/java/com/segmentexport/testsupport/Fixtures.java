package com.segmentexport.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.segmentexport.api.Connection;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportOptions;
import com.segmentexport.api.ExportResult;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.PrivacyConsent;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RetryPolicy;
import com.segmentexport.api.Secret;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentResult;
import com.segmentexport.api.SegmentSource;
import com.segmentexport.spi.ConnectorProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** Shared builders for engine tests. */
public final class Fixtures {
  /** Short backoff so that retry tests run fast. */
  public static final RetryPolicy FAST_RETRY =
      RetryPolicy.DEFAULT.withDelays(Duration.ofMillis(5), Duration.ofMillis(50));

  /** Default options with {@link #FAST_RETRY}. */
  public static final ExportOptions FAST = ExportOptions.DEFAULT.withRetryPolicy(FAST_RETRY);

  /** The consent every test connection carries. */
  public static final PrivacyConsent CONSENT =
      PrivacyConsent.acknowledgedBy("dpo", Instant.parse("2025-01-01T00:00:00Z"));

  private Fixtures() {}

  /** A valid connection of {@code provider} to {@code vendor}. */
  public static Connection connection(ConnectorProvider provider, FakeVendor vendor) {
    return connectionBuilder(provider, vendor).build();
  }

  /** A connection builder of {@code provider} to {@code vendor}, ready to build. */
  public static Connection.Builder connectionBuilder(
      ConnectorProvider provider, FakeVendor vendor) {
    return Connection.builder(provider)
        .displayName("Test account")
        .setting("baseUrl", vendor.baseUrl())
        .secret("apiKey", Secret.of(FakeVendor.API_KEY))
        .privacyConsent(CONSENT);
  }

  /** email -> Email, first -> FirstName, last -> LastName. */
  public static FieldMapping mapping() {
    return FieldMapping.builder().email("email").firstName("first").lastName("last").build();
  }

  /** A definition of these segments with {@link #mapping()}. */
  public static ExportDefinition definition(Connection connection, String... segments) {
    return ExportDefinition.builder(connection).segments(segments).mapping(mapping()).build();
  }

  /** A profile with an e-mail address and a first name. */
  public static Profile profile(String email, String first) {
    return Profile.of("email", email, "first", first, "last", "Tester");
  }

  /** {@code n} valid profiles {@code <prefix><i>@example.org}, i from 1. */
  public static List<Profile> valid(String prefix, int n) {
    List<Profile> list = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      list.add(profile(prefix + i + "@example.org", "Name" + i));
    }
    return list;
  }

  /** The addresses of {@link #valid(String, int)}, lower-cased as the vendor keys them. */
  public static List<String> validAddresses(String prefix, int n) {
    List<String> list = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      list.add(prefix + i + "@example.org");
    }
    return list;
  }

  /** A source whose segments are these lists; sizes unknown in advance (opened as plain iterators). */
  public static SegmentSource streaming(Map<String, List<Profile>> segments) {
    return name -> Segment.of(name, OptionalLong.empty(), segments.get(name).iterator(), () -> {});
  }

  /** A source with one streaming segment. */
  public static SegmentSource streaming(String name, List<Profile> profiles) {
    return streaming(Map.of(name, profiles));
  }

  /** Asserts that every segment of a result adds up (the record also checks this when built). */
  public static void assertAddsUp(ExportResult result) {
    for (SegmentResult s : result.segments()) {
      assertThat(
              s.exported()
                  + s.rejected()
                  + s.duplicates()
                  + s.unconfirmed()
                  + s.unchanged()
                  + s.notAttempted())
          .as("segment %s adds up", s.name())
          .isEqualTo(s.read());
    }
    assertThat(
            result.exported()
                + result.rejected()
                + result.duplicates()
                + result.unconfirmed()
                + result.unchanged()
                + result.notAttempted())
        .isEqualTo(result.read());
  }

  /**
   * {@return profiles that, once {@code profiles} are read, fail with {@code failure}} As a host's cursor
   * that breaks midway: {@code hasNext} keeps saying there are more.
   *
   * @param profiles the profiles given before the failure
   * @param failure thrown (an unchecked exception or an error) by the {@code next} after the last
   */
  public static Iterator<Profile> failingAfter(
      List<Profile> profiles, java.util.function.Supplier<? extends Throwable> failure) {
    return new Iterator<>() {
      int next;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Profile next() {
        if (next == profiles.size()) {
          Throwable t = failure.get();
          if (t instanceof Error) {
            throw (Error) t;
          }
          throw (RuntimeException) t;
        }
        return profiles.get(next++);
      }
    };
  }
}
