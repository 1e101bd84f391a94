package com.segmentexport.testkit;

import com.segmentexport.api.Profile;
import com.segmentexport.api.Segment;
import com.segmentexport.api.SegmentSource;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Deterministic synthetic segments of any size, generated lazily (a segment of millions holds no
 * memory), with chosen shares of invalid, missing and duplicate e-mail addresses, Unicode names,
 * long values and empty fields. The same seed and index always give the same profile.
 *
 * <p>Profiles have the fields {@value #EMAIL}, {@value #FIRST_NAME}, {@value #LAST_NAME},
 * {@value #TIER}, {@value #ORDERS} (a whole number) and {@value #SIGNUP_DATE} (a date).
 *
 * <pre>{@code
 * ProfileGenerator generator = ProfileGenerator.builder().seed(42)
 *     .invalidEmails(0.05).missingEmails(0.02).duplicateEmails(0.03).build();
 * Segment vip = generator.segment("VIP", 10_000);
 * ProfileGenerator.Expectation expected = generator.expect(10_000);   // what an export should do
 * }</pre>
 */
public final class ProfileGenerator {
  /** The e-mail address field. */
  public static final String EMAIL = "email";

  /** The first-name field. */
  public static final String FIRST_NAME = "first_name";

  /** The last-name field. */
  public static final String LAST_NAME = "last_name";

  /** A loyalty-tier text field. */
  public static final String TIER = "tier";

  /** A whole-number field. */
  public static final String ORDERS = "orders";

  /** A date field. */
  public static final String SIGNUP_DATE = "signup_date";

  private static final String[] FIRST = {
    "Ana", "Li", "Maria", "John", "Aisha", "Kenji", "Olga", "Pierre", "Sofia", "Tom", "Nia", "Ravi",
    "Emma", "Lucas", "Mei", "Omar"
  };
  private static final String[] LAST = {
    "Silva", "Wei", "Garcia", "Smith", "Khan", "Sato", "Ivanova", "Martin", "Rossi", "Brown",
    "Okafor", "Patel", "Müller", "Dubois", "Chen", "Haddad"
  };
  private static final String[] UNICODE_FIRST = {
    "Zoë",
    "Łukasz",
    "Søren",
    "李",
    "José-María",
    "Сергей",
    "Ærin",
    "Ñandú",
    "O'Brien",
    "Ğül",
    "Đorđe",
    "Ψάπφω",
    "😀 Sunny"
  };
  private static final String[] UNICODE_LAST = {
    "Ærøskøbing",
    "Nguyễn",
    "Ødegård",
    "王",
    "Çelik",
    "Żółć",
    "Straße",
    "D'Artagnan",
    "Иванов",
    "Ἀθηνᾶ"
  };
  private static final String[] TIERS = {"gold", "silver", "bronze", "platinum"};
  private static final String[] DOMAINS = {
    "example.org", "example.com", "example.net", "mail.example.org"
  };
  private static final String[] INVALID = {
    "no-at-sign.example.org",
    "two@@example.org",
    "dot..dot@example.org",
    "space in@example.org",
    "missing-tld@example",
    "trailing@example.org.",
    "@example.org",
    "local-only@",
    "comma,here@example.org",
    "bad@exa_mple.org"
  };

  private final long seed;
  private final double invalid;
  private final double missing;
  private final double duplicate;
  private final double unicode;
  private final double longValues;
  private final double emptyFields;

  private ProfileGenerator(Builder b) {
    this.seed = b.seed;
    this.invalid = b.invalid;
    this.missing = b.missing;
    this.duplicate = b.duplicate;
    this.unicode = b.unicode;
    this.longValues = b.longValues;
    this.emptyFields = b.emptyFields;
  }

  /** Starts a generator: seed 1, all addresses valid and distinct, plain names. */
  public static Builder builder() {
    return new Builder();
  }

  /** The kind of a row's e-mail address. */
  public enum Kind {
    /** A valid address, first seen at this row. */
    VALID,
    /** A malformed address. */
    INVALID,
    /** No address (field absent or blank). */
    MISSING,
    /** A repeat of an earlier row's address, possibly in other letter case. */
    DUPLICATE
  }

  /** The kind of the row at {@code index} (0-based). */
  public Kind kind(long index) {
    double u = unit(index, 1);
    if (u < invalid) {
      return Kind.INVALID;
    }
    if (u < invalid + missing) {
      return Kind.MISSING;
    }
    if (u < invalid + missing + duplicate && original(index) >= 0) {
      return Kind.DUPLICATE;
    }
    return Kind.VALID;
  }

  /** The row whose address a duplicate repeats, or -1 if there is none before it. */
  private long original(long index) {
    long j = index - 1 - (mix(index, 2) & 31);
    for (int tries = 0; j >= 0 && tries < 64; tries++, j--) {
      double u = unit(j, 1);
      if (u >= invalid + missing + duplicate) {
        return j;
      }
    }
    return -1;
  }

  /** The canonical (lower-cased) address of a valid row. */
  public String validEmail(long index) {
    return ("user."
            + index
            + "."
            + Long.toString(seed, 36)
            + "@"
            + DOMAINS[(int) (mix(index, 3) & 3)])
        .toLowerCase(Locale.ROOT);
  }

  /** The profile at {@code index} (0-based). */
  public Profile profile(long index) {
    Map<String, Object> fields = new LinkedHashMap<>(8);
    switch (kind(index)) {
      case VALID:
        String email = validEmail(index);
        long style = mix(index, 4) % 20;
        if (style == 0) {
          email = "  " + email + " "; // surrounding space: valid once trimmed
        } else if (style == 1) {
          email =
              email.substring(0, email.indexOf('@'))
                  + email.substring(email.indexOf('@')).toUpperCase(Locale.ROOT);
        }
        fields.put(EMAIL, email);
        break;
      case INVALID:
        fields.put(EMAIL, INVALID[(int) (mix(index, 5) % INVALID.length)]);
        break;
      case MISSING:
        if ((mix(index, 6) & 1) == 0) {
          fields.put(EMAIL, "   ");
        }
        break;
      case DUPLICATE:
        String original = validEmail(original(index));
        fields.put(EMAIL, (mix(index, 7) & 1) == 0 ? original : original.toUpperCase(Locale.ROOT));
        break;
      default:
        throw new AssertionError();
    }
    boolean uni = unit(index, 8) < unicode;
    if (unit(index, 9) >= emptyFields) {
      fields.put(FIRST_NAME, uni ? pick(UNICODE_FIRST, index, 10) : pick(FIRST, index, 10));
    } else {
      fields.put(FIRST_NAME, "");
    }
    fields.put(LAST_NAME, uni ? pick(UNICODE_LAST, index, 11) : pick(LAST, index, 11));
    String tier = pick(TIERS, index, 12);
    if (unit(index, 13) < longValues) {
      tier = (tier + "-" + "x".repeat(240)).substring(0, 240);
    }
    fields.put(TIER, tier);
    fields.put(ORDERS, mix(index, 14) % 500);
    fields.put(SIGNUP_DATE, LocalDate.of(2015, 1, 1).plusDays(mix(index, 15) % 3650));
    return Profile.of(fields);
  }

  /** Profiles 0 to {@code size - 1}, generated as they are read. */
  public Iterator<Profile> profiles(long size) {
    return new Iterator<>() {
      private long next;

      @Override
      public boolean hasNext() {
        return next < size;
      }

      @Override
      public Profile next() {
        if (next >= size) {
          throw new NoSuchElementException();
        }
        return profile(next++);
      }
    };
  }

  /** A segment of {@code size} profiles with its size known. */
  public Segment segment(String name, long size) {
    return Segment.of(name, OptionalLong.of(size), profiles(size), () -> {});
  }

  /** A segment of {@code size} profiles whose size is not announced. */
  public Segment segmentOfUnknownSize(String name, long size) {
    return Segment.of(name, OptionalLong.empty(), profiles(size), () -> {});
  }

  /** A source serving every segment name with {@code size} profiles of this generator. */
  public SegmentSource source(long size) {
    return new SegmentSource() {
      @Override
      public Segment open(String segmentName) {
        return segment(segmentName, size);
      }

      @Override
      public OptionalLong size(String segmentName) {
        return OptionalLong.of(size);
      }
    };
  }

  /**
   * What an export of the first {@code size} profiles should do. Keeps the expected addresses and
   * profiles only up to 200,000 rows; counts for any size.
   */
  public Expectation expect(long size) {
    boolean keep = size <= 200_000;
    Map<String, Profile> byEmail = keep ? new HashMap<>() : Map.of();
    Set<String> valid = keep ? new LinkedHashSet<>() : Set.of();
    long v = 0;
    long inv = 0;
    long miss = 0;
    long dup = 0;
    for (long i = 0; i < size; i++) {
      switch (kind(i)) {
        case VALID:
          v++;
          if (keep) {
            valid.add(validEmail(i));
            byEmail.put(validEmail(i), profile(i));
          }
          break;
        case INVALID:
          inv++;
          break;
        case MISSING:
          miss++;
          break;
        default:
          dup++;
      }
    }
    return new Expectation(size, v, inv, miss, dup, valid, byEmail);
  }

  /**
   * What an export of a generated segment should do.
   *
   * @param size profiles in the segment
   * @param valid distinct valid addresses (profiles that should be exported)
   * @param invalid rows with a malformed address
   * @param missing rows without an address
   * @param duplicates rows repeating an earlier address
   * @param validEmails the distinct valid addresses, lower-cased (empty beyond 200,000 rows)
   * @param profilesByEmail the profile of each valid address (empty beyond 200,000 rows)
   */
  public record Expectation(
      long size,
      long valid,
      long invalid,
      long missing,
      long duplicates,
      Set<String> validEmails,
      Map<String, Profile> profilesByEmail) {}

  private static String pick(String[] values, long index, int salt) {
    return values[(int) (Long.remainderUnsigned(mixStatic(index, salt), values.length))];
  }

  private long mix(long index, int salt) {
    return Long.remainderUnsigned(
        mixStatic(index ^ (seed * 0x9E3779B97F4A7C15L), salt), Long.MAX_VALUE);
  }

  private static long mixStatic(long index, int salt) {
    long z = index * 0xBF58476D1CE4E5B9L + salt * 0x94D049BB133111EBL + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private double unit(long index, int salt) {
    return (mix(index, salt) >>> 10) / (double) (1L << 53);
  }

  /** Builds a {@link ProfileGenerator}. */
  public static final class Builder {
    private long seed = 1;
    private double invalid;
    private double missing;
    private double duplicate;
    private double unicode;
    private double longValues;
    private double emptyFields;

    private Builder() {}

    /** The seed: the same seed gives the same profiles. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The share of rows with a malformed address. */
    public Builder invalidEmails(double share) {
      this.invalid = share(share);
      return this;
    }

    /** The share of rows without an address. */
    public Builder missingEmails(double share) {
      this.missing = share(share);
      return this;
    }

    /** The share of rows repeating an earlier address. */
    public Builder duplicateEmails(double share) {
      this.duplicate = share(share);
      return this;
    }

    /** The share of rows with non-ASCII names (accents, CJK, Cyrillic, Greek, emoji). */
    public Builder unicodeNames(double share) {
      this.unicode = share(share);
      return this;
    }

    /** The share of rows with a 240-character tier value. */
    public Builder longValues(double share) {
      this.longValues = share(share);
      return this;
    }

    /** The share of rows with an empty first name. */
    public Builder emptyFields(double share) {
      this.emptyFields = share(share);
      return this;
    }

    private static double share(double s) {
      if (s < 0 || s > 1) {
        throw new IllegalArgumentException("a share is between 0 and 1: " + s);
      }
      return s;
    }

    /** Builds the generator. */
    public ProfileGenerator build() {
      if (invalid + missing + duplicate > 1) {
        throw new IllegalArgumentException("invalid + missing + duplicate shares exceed 1");
      }
      return new ProfileGenerator(this);
    }
  }
}
