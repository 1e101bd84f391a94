package com.segmentexport.spi;

import static java.util.Objects.requireNonNull;

import com.segmentexport.api.ExportDefinition;

/**
 * What {@link Connector#open} receives for one segment.
 *
 * @param segment the segment's name
 * @param definition the export being run (options, mapping)
 * @param schema the mapped fields each record carries
 * @param http the client to use for every request of this export
 */
public record DestinationRequest(
    String segment, ExportDefinition definition, RecordSchema schema, VendorHttp http) {
  /**
   * Checks the parts.
   *
   * @param segment the segment's name
   * @param definition the export being run (options, mapping)
   * @param schema the mapped fields each record carries
   * @param http the client to use for every request of this export
   */
  public DestinationRequest {
    requireNonNull(segment, "segment == null");
    requireNonNull(definition, "definition == null");
    requireNonNull(schema, "schema == null");
    requireNonNull(http, "http == null");
  }
}
