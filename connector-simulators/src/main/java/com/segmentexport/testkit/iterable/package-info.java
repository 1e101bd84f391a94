/**
 * A simulator of Iterable's REST API (lists and list subscription), for offline tests of host
 * applications and of the Iterable connector. Non-null by default.
 */
package com.segmentexport.testkit.iterable;
