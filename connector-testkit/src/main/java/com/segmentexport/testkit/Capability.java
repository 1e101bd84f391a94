package com.segmentexport.testkit;

/**
 * What a connector can do that not every vendor allows. A binding of {@link SegmentExporterContract}
 * declares its connector's capabilities (by default all of them); for each one it lacks, the contract
 * asserts the documented refusal or absence instead of the behaviour, so that no case is skipped.
 */
public enum Capability {
  /**
   * Maps custom fields beyond the standard destination fields. Without it, a mapping with a custom
   * field is refused with a {@link com.segmentexport.api.ConfigurationException} naming the field,
   * before any request. Must agree with {@link com.segmentexport.spi.ConnectorProvider#supportsCustomFields()}.
   */
  CUSTOM_FIELDS,
  /**
   * Creates (or adopts) its destination list, named after the segment. Without it, the destination is
   * given by id in an export option, and a definition without that option is refused with a {@link
   * com.segmentexport.api.ConfigurationException} before any request.
   */
  CREATES_DESTINATION,
  /**
   * Reports how many contacts were new at the vendor ({@link
   * com.segmentexport.api.SegmentResult#created()}). Without it, {@code created()} is empty: the
   * connector never claims a count the vendor did not give.
   */
  REPORTS_CREATED,
  /**
   * Takes the customer's per-export profile limit as the connection setting {@code
   * maxProfilesPerExport}. Without it, the setting is refused with a {@link
   * com.segmentexport.api.ConfigurationException} and the limit case runs at the documented limit.
   */
  PROFILE_LIMIT_SETTING,
  /**
   * Leaves work at the vendor that it waits for (an asynchronous import) and announces it with {@link
   * com.segmentexport.spi.Batch#startedAtVendor}, so that a run that dies while it waits is finished by the
   * next one ({@link com.segmentexport.spi.Destination#resume}). Without it, the connector never
   * announces such work: its writes are answered in the request.
   */
  ASYNC_VENDOR_WORK,
  /**
   * Removes members from its destination list for {@link com.segmentexport.api.SyncMode#MIRROR} (list
   * membership only). Without it, a mirroring definition is refused with a {@link
   * com.segmentexport.api.ConfigurationException} before any request. Must agree with {@link
   * com.segmentexport.api.ConnectorDescriptor#supportsRemoval()}.
   */
  REMOVES_MEMBERS,
  /**
   * Gives a vendor contact a new address as the same contact, when a profile named by a stable id
   * ({@link com.segmentexport.api.FieldMapping.Builder#profileId}) changed its address since the vendor
   * confirmed it ({@link com.segmentexport.spi.ExportRecord#previousEmail()}), and counts each change as
   * {@code addressChange.changed}. Without it (a vendor with no such call), the connector adds the new
   * address and leaves the old contact on the list for a mirror mode to remove; it reports no change.
   */
  CHANGES_ADDRESS_IN_PLACE
}
