package com.segmentexport.api;

/** The role of the person or service on whose behalf an export runs. */
public enum Role {
  /** Creates and manages connections, may see their settings (never their secrets). */
  ADMINISTRATOR,
  /** Uses connections an administrator has shared with contributors. */
  CONTRIBUTOR,
  /** May look at exports and results but never run them. */
  VIEWER
}
