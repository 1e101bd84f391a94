/**
 * The Autopilot connector: exports segments into Autopilot lists named as the segments, through the
 * REST API v1 bulk upsert. Start at {@link com.segmentexport.autopilot.AutopilotConnectorProvider}.
 * Non-null by default.
 */
package com.segmentexport.autopilot;
