package com.segmentexport.internal;

import com.segmentexport.api.ConnectorDescriptor;
import com.segmentexport.api.DestinationField;
import com.segmentexport.api.FieldMapping;
import com.segmentexport.api.FieldType;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RejectionReason;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.MappedField;
import com.segmentexport.spi.RecordSchema;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;

/** Applies a {@link FieldMapping} to profiles: e-mail validation, type conversion, size estimate. */
final class RecordMapper {
  /** Bytes a record's JSON envelope may take beyond its values, in any connector's format. */
  static final int RECORD_OVERHEAD_BYTES = 160;

  /** Most characters a NUMBER value may take written out in full: sign, digits and decimal point. */
  static final int MAX_NUMBER_CHARS = 40;

  private final RecordSchema schema;
  private final String[] sources;
  private final byte[][] nameBytes;

  /** The profile field holding the profile's stable id, or null. */
  private final String idSource;

  RecordMapper(FieldMapping mapping, ConnectorDescriptor provider) {
    List<MappedField> fields = new ArrayList<>();
    List<FieldMapping.Entry> entries = mapping.entries();
    sources = new String[entries.size()];
    nameBytes = new byte[entries.size()][];
    for (int i = 0; i < entries.size(); i++) {
      FieldMapping.Entry e = entries.get(i);
      FieldType type = e.type().orElseGet(() -> standardType(provider, e.destination()));
      fields.add(new MappedField(i, e.destination(), type, e.custom()));
      sources[i] = e.source();
      nameBytes[i] = e.destination().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    schema = new RecordSchema(fields);
    idSource = mapping.profileIdSource().orElse(null);
  }

  private static FieldType standardType(ConnectorDescriptor provider, String name) {
    for (DestinationField f : provider.destinationFields()) {
      if (f.name().equals(name)) {
        return f.type();
      }
    }
    return FieldType.TEXT;
  }

  RecordSchema schema() {
    return schema;
  }

  /** The outcome of mapping one profile: a record, or a rejection. */
  static final class Mapped {
    /** The record; replaced once by the sync state when the profile's address changed. */
    ExportRecord record;

    final long estimatedBytes;
    final RejectionReason reason;
    final String message;
    final String rawEmail;

    /** What the sync state knows of the profile: {@link #NEW}, {@link #CHANGED} or {@link #RETRY}. */
    byte known;

    /** Not in the sync state (or no state). */
    static final byte NEW = 0;

    /** Confirmed by the vendor with other fields. */
    static final byte CHANGED = 1;

    /** Rejected or unconfirmed at its last send. */
    static final byte RETRY = 2;

    private Mapped(
        ExportRecord record, long bytes, RejectionReason reason, String message, String rawEmail) {
      this.record = record;
      this.estimatedBytes = bytes;
      this.reason = reason;
      this.message = message;
      this.rawEmail = rawEmail;
    }
  }

  Mapped map(Profile profile, long row) {
    Object rawEmail = profile.get(sources[0]);
    String raw = rawEmail == null ? null : rawEmail.toString();
    if (raw == null || raw.isBlank()) {
      return new Mapped(
          null,
          0,
          RejectionReason.MISSING_EMAIL,
          "no e-mail address in profile field '" + sources[0] + "'",
          null);
    }
    String email = EmailAddresses.normalize(raw);
    if (email == null) {
      return new Mapped(null, 0, RejectionReason.INVALID_EMAIL, "not a valid e-mail address", raw);
    }
    List<MappedField> fields = schema.fields();
    Object[] values = new Object[fields.size()];
    // A normalised address is ASCII without quotes or backslashes: one byte a character, plus the
    // quotes.
    long bytes = RECORD_OVERHEAD_BYTES + nameBytes[0].length + email.length() + 2;
    for (int i = 1; i < values.length; i++) {
      Object v = profile.get(sources[i]);
      if (v == null) {
        continue;
      }
      MappedField f = fields.get(i);
      Object converted;
      try {
        converted = convert(v, f.type());
      } catch (IllegalArgumentException e) {
        return new Mapped(
            null,
            0,
            RejectionReason.INVALID_VALUE,
            "field '"
                + f.name()
                + "' is not a valid "
                + f.type().name().toLowerCase(Locale.ROOT)
                + (f.type() == FieldType.NUMBER
                    ? " (a finite number of at most "
                        + MAX_NUMBER_CHARS
                        + " characters written out in full)"
                    : ""),
            email);
      }
      if (converted != null) {
        values[i] = converted;
        bytes +=
            nameBytes[i].length
                + 8
                + (converted instanceof String
                    ? jsonLength((String) converted)
                    : converted instanceof Long
                        ? digits((Long) converted) + 2
                        : converted instanceof BigDecimal
                            // Written as toString() or, by some connectors, as toPlainString(): the
                            // longer.
                            ? Math.max(
                                    converted.toString().length(),
                                    plainLength((BigDecimal) converted))
                                + 2
                            : converted.toString().length() + 2);
      }
    }
    return new Mapped(
        new ExportRecord(row, email, values, profileId(profile)), bytes, null, null, email);
  }

  /** The profile's stable id as text, trimmed, or null when the mapping names none or it has none. */
  private String profileId(Profile profile) {
    if (idSource == null) {
      return null;
    }
    Object id = profile.get(idSource);
    String text = id == null ? "" : id.toString().trim();
    return text.isEmpty() ? null : text;
  }

  /** Converts a profile value to a field type; null for blank text. */
  static Object convert(Object v, FieldType type) {
    if (v instanceof String) {
      String s = ((String) v).trim();
      if (s.isEmpty()) {
        return null;
      }
      v = s;
    }
    switch (type) {
      case TEXT:
        if (v instanceof BigDecimal) {
          return ((BigDecimal) v).toPlainString();
        }
        if (v instanceof Date) {
          return ((Date) v).toInstant().toString();
        }
        return v.toString();
      case INTEGER:
        if (v instanceof Long) {
          return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
          return ((Number) v).longValue();
        }
        try {
          return new BigDecimal(v.toString()).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
          throw new IllegalArgumentException("not a whole number");
        }
      case NUMBER:
        return boundedNumber(v);
      case BOOLEAN:
        if (v instanceof Boolean) {
          return v;
        }
        switch (v.toString().toLowerCase(Locale.ROOT)) {
          case "true":
          case "yes":
          case "y":
          case "1":
            return Boolean.TRUE;
          case "false":
          case "no":
          case "n":
          case "0":
            return Boolean.FALSE;
          default:
            throw new IllegalArgumentException("not a boolean");
        }
      case DATE:
        return toDate(v);
      case DATETIME:
        return toInstant(v);
      default:
        throw new AssertionError(type);
    }
  }

  /**
   * A NUMBER value: finite, and at most {@link #MAX_NUMBER_CHARS} characters written out in full
   * (sign, digits and point, no exponent). Beyond that a value either overflows what the vendors store
   * (a double), so that {@code 1e400} makes a body they refuse, or expands without bound when a
   * connector writes it without an exponent ({@code 1e999999999} would take a gigabyte).
   */
  private static BigDecimal boundedNumber(Object v) {
    BigDecimal n;
    if (v instanceof BigDecimal) {
      n = (BigDecimal) v;
    } else {
      String s = v.toString();
      if (s.length() > MAX_NUMBER_CHARS) {
        throw new IllegalArgumentException("longer than " + MAX_NUMBER_CHARS + " characters");
      }
      try {
        n = new BigDecimal(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a number");
      }
    }
    if (plainLength(n) > MAX_NUMBER_CHARS) {
      throw new IllegalArgumentException(
          "more than " + MAX_NUMBER_CHARS + " characters written out in full");
    }
    return n;
  }

  /**
   * The length of {@link BigDecimal#toPlainString()}, computed without building it (which for
   * {@code 1e999999999} would exhaust memory).
   */
  static long plainLength(BigDecimal n) {
    long precision = n.precision();
    long scale = n.scale();
    long length;
    if (scale <= 0) {
      length = n.signum() == 0 ? 1 : precision - scale;
    } else if (scale >= precision) {
      length = scale + 2;
    } else {
      length = precision + 1;
    }
    return length + (n.signum() < 0 ? 1 : 0);
  }

  private static LocalDate toDate(Object v) {
    if (v instanceof LocalDate) {
      return (LocalDate) v;
    }
    if (v instanceof String && ((String) v).length() == 10) {
      try {
        return LocalDate.parse((String) v);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("not a date");
      }
    }
    return toInstant(v).atOffset(ZoneOffset.UTC).toLocalDate();
  }

  private static Instant toInstant(Object v) {
    if (v instanceof Instant) {
      return (Instant) v;
    }
    if (v instanceof OffsetDateTime) {
      return ((OffsetDateTime) v).toInstant();
    }
    if (v instanceof ZonedDateTime) {
      return ((ZonedDateTime) v).toInstant();
    }
    if (v instanceof LocalDateTime) {
      return ((LocalDateTime) v).toInstant(ZoneOffset.UTC);
    }
    if (v instanceof LocalDate) {
      return ((LocalDate) v).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    if (v instanceof Date) {
      return ((Date) v).toInstant();
    }
    String s = v.toString();
    try {
      if (s.length() == 10) {
        return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      try {
        return OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e) {
        return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
      }
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not a date-time");
    }
  }

  /** The characters of a whole number written in decimal, its minus sign included. */
  static int digits(long v) {
    if (v == Long.MIN_VALUE) {
      return 20;
    }
    int n = v < 0 ? 2 : 1;
    for (long a = Math.abs(v); a >= 10; a /= 10) {
      n++;
    }
    return n;
  }

  /** The JSON length of each ASCII character: 1 as it is, 2 after a backslash, 6 as a unicode escape. */
  private static final byte[] ASCII_JSON_LENGTH = new byte[128];

  static {
    for (char c = 0; c < 128; c++) {
      ASCII_JSON_LENGTH[c] = (byte) (c < 0x20 ? 6 : c == '"' || c == '\\' ? 2 : 1);
    }
  }

  /** The exact length in bytes of a string written as a JSON string by Moshi, quotes included. */
  static long jsonLength(String s) {
    int length = s.length();
    long n = 2;
    int i = 0;
    byte[] ascii = ASCII_JSON_LENGTH;
    // ASCII, which most values are from end to end, by table: one branch a character.
    for (; i < length; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        break;
      }
      n += ascii[c];
    }
    for (; i < length; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += ascii[c];
      } else if (c < 0x800) {
        n += 2;
      } else if (c == '\u2028' || c == '\u2029') {
        n += 6;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
