/**
 * The service-provider interface: what a vendor connector implements ({@link
 * com.segmentexport.spi.ConnectorProvider}, {@link com.segmentexport.spi.Connector}, {@link
 * com.segmentexport.spi.Destination}) and the plumbing the engine hands it ({@link
 * com.segmentexport.spi.VendorHttp}, {@link com.segmentexport.spi.Json}, batches of mapped, validated,
 * de-duplicated records).
 *
 * <p>The SPI builds on the host API ({@link com.segmentexport.api}: a provider is a {@link
 * com.segmentexport.api.ConnectorDescriptor}, connectors read {@link com.segmentexport.api.Connection}s
 * and throw its exceptions) and never on the engine; the host API does not depend on the SPI, but for
 * {@link com.segmentexport.api.Connectors}, which loads providers and builds the engine.
 *
 * <p>A connector holds only vendor protocol: how to find or create the destination list, how one
 * batch is written, how a response maps to per-record outcomes, and how errors map to the SDK's
 * exceptions. Batching, rate limiting, retries, accounting and cancellation live in the engine.
 *
 * <h2>Nulls</h2>
 * Parameters and return values are never null unless their documentation says so ("or null"): optional
 * values are {@link java.util.Optional} in the host API, and documented nullable parameters in the few
 * SPI places where a vendor may leave something out (a {@link com.segmentexport.spi.BatchResult.Rejection}'s
 * vendor code, a {@link com.segmentexport.spi.CallSpec}'s budget). Constructors and factories check their
 * arguments with {@link java.util.Objects#requireNonNull} and say which one was null.
 */
package com.segmentexport.spi;
