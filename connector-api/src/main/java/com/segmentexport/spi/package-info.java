/**
 * The service-provider interface: what a vendor connector implements ({@link
 * com.segmentexport.spi.Connector}, {@link com.segmentexport.spi.Destination}) and the plumbing the
 * engine hands it ({@link com.segmentexport.spi.VendorHttp}, {@link com.segmentexport.spi.Json},
 * batches of mapped, validated, de-duplicated records).
 *
 * <p>A connector holds only vendor protocol: how to find or create the destination list, how one
 * batch is written, how a response maps to per-record outcomes, and how errors map to the SDK's
 * exceptions. Batching, rate limiting, retries, accounting and cancellation live in the engine.
 */
package com.segmentexport.spi;
