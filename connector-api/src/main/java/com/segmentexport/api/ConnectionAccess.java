package com.segmentexport.api;

import static java.util.Objects.requireNonNull;

/** Who may use a {@link Connection} to run exports. */
public enum ConnectionAccess {
  /** Only administrators (the default). */
  ADMINISTRATORS,
  /** Administrators and contributors; contributors never see the connection's credentials. */
  ADMINISTRATORS_AND_CONTRIBUTORS;

  /**
   * Returns true if a caller with {@code role} may run exports on a connection with this access.
   *
   * @param role the role the caller acts as
   * @return true if a caller with {@code role} may run exports on a connection with this access
   */
  public boolean allows(Role role) {
    requireNonNull(role, "role == null");
    switch (role) {
      case ADMINISTRATOR:
        return true;
      case CONTRIBUTOR:
        return this == ADMINISTRATORS_AND_CONTRIBUTORS;
      default:
        return false;
    }
  }
}
