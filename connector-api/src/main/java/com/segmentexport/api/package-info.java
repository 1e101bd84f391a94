/**
 * The host API of the Segment Export SDK: discover connectors, build connections and export
 * definitions, run exports and read their results.
 *
 * <p>A host needs nothing else: connectors are {@link com.segmentexport.api.ConnectorDescriptor}s here.
 * What vendor modules implement is in {@link com.segmentexport.spi}, which builds on this package;
 * {@link com.segmentexport.api.Connectors} joins the two and the engine.
 *
 * <p>All types are non-null by default: parameters, return values and fields are never {@code null}
 * unless a method says otherwise; absent values are {@link java.util.Optional}s.
 */
package com.segmentexport.api;
