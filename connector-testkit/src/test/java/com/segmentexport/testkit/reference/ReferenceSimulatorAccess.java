package com.segmentexport.testkit.reference;

import com.segmentexport.testkit.VendorSimulator;
import java.util.Set;

/** Lets tests in other packages use the package-private reference simulator. */
public final class ReferenceSimulatorAccess {
  private ReferenceSimulatorAccess() {}

  /** A new reference simulator accepting {@code key}. */
  public static VendorSimulator create(String key) {
    return new ReferenceSimulator(key);
  }

  /** The members of the list named {@code list}. */
  public static Set<String> members(VendorSimulator simulator, String list) {
    return ((ReferenceSimulator) simulator).membersOf(list).keySet();
  }
}
