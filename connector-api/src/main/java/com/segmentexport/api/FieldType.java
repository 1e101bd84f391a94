package com.segmentexport.api;

/** The type of a destination field; profile values are converted to it before they are sent. */
public enum FieldType {
  /** Free text. */
  TEXT,
  /** A whole number. */
  INTEGER,
  /** A decimal number. */
  NUMBER,
  /** True or false. */
  BOOLEAN,
  /** A calendar date without time. */
  DATE,
  /** An instant in time. */
  DATETIME
}
