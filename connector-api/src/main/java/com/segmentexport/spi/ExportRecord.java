package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One profile, mapped, validated and converted, ready to be written. Values are {@code null} when
 * absent or blank (connectors omit them), else of the Java type for the field's
 * {@link com.segmentexport.api.FieldType}: {@code String}, {@code Long}, {@code java.math.BigDecimal},
 * {@code Boolean}, {@code java.time.LocalDate} or {@code java.time.Instant}.
 */
public final class ExportRecord {
  private final long row;
  private final String email;
  private final Object[] values;
  private final String profileId;
  private final String previousEmail;
  private final String vendorId;

  /**
   * Creates a record.
   *
   * @param row the 1-based position in the segment
   * @param email the normalised e-mail address (trimmed, domain lower-cased)
   * @param values the values by {@link MappedField#index()}; index 0 is ignored (the e-mail)
   */
  public ExportRecord(long row, String email, Object[] values) {
    this(row, email, values, null, null, null);
  }

  /**
   * Creates a record of a profile with a stable id.
   *
   * @param row the 1-based position in the segment
   * @param email the normalised e-mail address (trimmed, domain lower-cased)
   * @param values the values by {@link MappedField#index()}; index 0 is ignored (the e-mail)
   * @param profileId the profile's stable id, or null
   */
  public ExportRecord(long row, String email, Object[] values, String profileId) {
    this(row, email, values, profileId, null, null);
  }

  private ExportRecord(
      long row,
      String email,
      Object[] values,
      String profileId,
      String previousEmail,
      String vendorId) {
    this.row = row;
    this.email = requireNonNull(email, "email == null");
    this.values = requireNonNull(values, "values == null");
    this.profileId = profileId;
    this.previousEmail = previousEmail;
    this.vendorId = vendorId;
  }

  /**
   * {@return a copy of this record for a contact the vendor holds under another address}
   *
   * @param previousEmail the address the vendor last confirmed for this profile
   */
  public ExportRecord withPreviousEmail(String previousEmail) {
    return new ExportRecord(
        row,
        email,
        values,
        profileId,
        requireNonNull(previousEmail, "previousEmail == null"),
        vendorId);
  }

  /**
   * {@return a copy of this record carrying the vendor's own id of its contact}
   *
   * @param vendorId the id the vendor gave the contact (as {@link BatchResult.Builder#vendorId} reported it)
   */
  public ExportRecord withVendorId(String vendorId) {
    return new ExportRecord(
        row, email, values, profileId, previousEmail, requireNonNull(vendorId, "vendorId == null"));
  }

  /**
   * {@return the vendor's own id of the record's contact, when the sync state knows it} Set on the records
   * of a {@linkplain Destination#remove removal}, for vendors that remove by id.
   */
  public Optional<String> vendorId() {
    return Optional.ofNullable(vendorId);
  }

  /**
   * {@return the profile's stable id, when the export's mapping names one and the profile has it} Not
   * sent to the vendor.
   */
  public Optional<String> profileId() {
    return Optional.ofNullable(profileId);
  }

  /**
   * {@return the address the vendor last confirmed for this profile, when it differs from {@link #email()}}
   * Present only in incremental runs whose mapping names a {@linkplain #profileId() profile id}: the
   * profile's address changed since, and the connector updates the vendor's contact to the new address
   * where the vendor can, instead of adding a second contact.
   */
  public Optional<String> previousEmail() {
    return Optional.ofNullable(previousEmail);
  }

  /** {@return the 1-based position of the profile in its segment} */
  public long row() {
    return row;
  }

  /** {@return the normalised e-mail address} */
  public String email() {
    return email;
  }

  /**
   * {@return the value of a field, or null}
   *
   * @param field a field of the record's schema
   */
  public Object value(MappedField field) {
    return field.index() == 0 ? email : values[field.index()];
  }

  /**
   * {@return the value at a field index, or null}
   *
   * @param index the position, from 0
   */
  public Object value(int index) {
    return index == 0 ? email : values[index];
  }

  /**
   * {@return the value as text, or null}
   *
   * @param field a field of the record's schema
   */
  public String text(MappedField field) {
    Object v = value(field);
    return v == null ? null : v.toString();
  }

  /** Masks the e-mail address: personal data stays out of logs. */
  @Override
  public String toString() {
    return "ExportRecord{row=" + row + ", email=" + Masking.email(email) + "}";
  }
}
