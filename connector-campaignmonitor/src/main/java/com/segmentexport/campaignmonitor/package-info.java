/**
 * The Campaign Monitor connector: exports segments into a Campaign Monitor list through the
 * synchronous bulk subscriber import. Start at
 * {@link com.segmentexport.campaignmonitor.CampaignMonitorConnectorProvider}. Non-null by default.
 */
package com.segmentexport.campaignmonitor;
