/**
 * The dotdigital connector: exports segments into a dotdigital address book through the Contacts v3
 * bulk import, after discovering the account's regional endpoint. Start at
 * {@link com.segmentexport.dotdigital.DotdigitalConnectorProvider}.
 */
package com.segmentexport.dotdigital;
