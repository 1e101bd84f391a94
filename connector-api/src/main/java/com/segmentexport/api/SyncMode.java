package com.segmentexport.api;

/** How an export changes its destination. */
public enum SyncMode {
  /** Add new profiles and update existing ones; never remove anyone. */
  ADD_AND_UPDATE
}
