package com.segmentexport.api;

/** Names of the destination fields shared by connectors. */
public final class StandardFields {
  /** The e-mail address: required in every mapping. */
  public static final String EMAIL = "Email";

  /** First (given) name. */
  public static final String FIRST_NAME = "FirstName";

  /** Last (family) name. */
  public static final String LAST_NAME = "LastName";

  /** Full name (dotdigital). */
  public static final String FULL_NAME = "FullName";

  /** Gender (dotdigital). */
  public static final String GENDER = "Gender";

  /** Postal code (dotdigital). */
  public static final String POSTCODE = "Postcode";

  private StandardFields() {}
}
