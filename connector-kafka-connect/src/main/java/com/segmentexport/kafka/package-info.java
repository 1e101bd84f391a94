/**
 * A Kafka Connect sink connector that runs every connector of the Segment Export SDK: {@link
 * com.segmentexport.kafka.SegmentExportSinkConnector} and its task. A host of the SDK like the CLI: it
 * uses the host API ({@code com.segmentexport.api}) only. Nothing here is null unless said so.
 */
package com.segmentexport.kafka;
