/**
 * The connector contract (TCK): {@link com.segmentexport.testkit.SegmentExporterContract} (the cases
 * every connector passes) and its support. The vendor simulators, sandboxes and profile generators it
 * runs against come from the {@code connector-simulators} module (same package, no test framework).
 */
package com.segmentexport.testkit;
