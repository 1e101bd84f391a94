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
 * @param directory what the exports of this JVM know about the account's named objects (lists, fields),
 *     shared by every export on the same account
 */
public record DestinationRequest(
    String segment,
    ExportDefinition definition,
    RecordSchema schema,
    VendorHttp http,
    AccountDirectory directory) {
  /**
   * Checks the parts.
   *
   * @param segment the segment's name
   * @param definition the export being run (options, mapping)
   * @param schema the mapped fields each record carries
   * @param http the client to use for every request of this export
   * @param directory what the exports of this JVM know about the account's named objects
   */
  public DestinationRequest {
    requireNonNull(segment, "segment == null");
    requireNonNull(definition, "definition == null");
    requireNonNull(schema, "schema == null");
    requireNonNull(http, "http == null");
    requireNonNull(directory, "directory == null");
  }

  /**
   * A request with a directory of its own, shared with no other export (for a connector used outside
   * the engine, as in a test).
   *
   * @param segment the segment's name
   * @param definition the export being run (options, mapping)
   * @param schema the mapped fields each record carries
   * @param http the client to use for every request of this export
   */
  public DestinationRequest(
      String segment, ExportDefinition definition, RecordSchema schema, VendorHttp http) {
    this(segment, definition, schema, http, AccountDirectory.create());
  }
}
