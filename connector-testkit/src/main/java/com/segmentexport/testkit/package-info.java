/**
 * Test support for connectors and for host applications: {@link
 * com.segmentexport.testkit.SegmentExporterContract} (the cases every connector passes), {@link
 * com.segmentexport.testkit.VendorSimulator} (in-process stand-ins for the vendors' APIs, built on
 * MockWebServer) and {@link com.segmentexport.testkit.ProfileGenerator} (deterministic segments).
 */
package com.segmentexport.testkit;
