/**
 * A simulator of Iterable's REST API (lists, list subscription, users' addresses), for offline tests of host
 * applications and of the Iterable connector. Non-null by default.
 */
package com.segmentexport.testkit.iterable;
