/**
 * The export engine's implementation. Not a published API: these classes change without notice.
 * Hosts use {@link com.segmentexport.api}; connectors use {@link com.segmentexport.spi}.
 *
 * <p>Everything here is package-private but for what another package must reach, each saying why:
 * {@link com.segmentexport.internal.DefaultSegmentExporter}, {@link com.segmentexport.internal.HttpClients}
 * and {@link com.segmentexport.internal.RateLimiters}, with which the host API's
 * {@link com.segmentexport.api.Connectors} builds the engine, and
 * {@link com.segmentexport.internal.EngineBenchmarkHooks} for the SDK's own benchmarks. The build's
 * {@code ModuleBoundaryTest} holds these edges.
 */
package com.segmentexport.internal;
