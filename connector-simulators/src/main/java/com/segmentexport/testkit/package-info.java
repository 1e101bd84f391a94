/**
 * Vendor simulators and test data that carry no test framework: {@link
 * com.segmentexport.testkit.VendorSimulator} (in-process stand-ins for the vendors' APIs, built on
 * MockWebServer), {@link com.segmentexport.testkit.Sandboxes} (a running simulator with the settings
 * a connection needs), {@link com.segmentexport.testkit.FaultPlan} and {@link
 * com.segmentexport.testkit.ProfileGenerator} (deterministic segments). The connector contract that
 * uses them lives in the {@code connector-testkit} module, in the same package.
 */
package com.segmentexport.testkit;
