package com.segmentexport.kafka;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops the module's shared Connect cluster when the test run ends, before the JVM's own shutdown
 * (Kafka deletes its log directories in a shutdown hook of its own; a broker still writing then logs
 * errors).
 */
public final class StopSharedCluster implements LauncherSessionListener {
  /** JUnit's no-argument constructor. */
  public StopSharedCluster() {}

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    ConnectHarness.stopShared();
  }
}
