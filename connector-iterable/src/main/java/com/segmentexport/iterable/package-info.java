/**
 * The Iterable connector: exports segments into Iterable static lists named as the segments, through
 * {@code POST /api/lists/subscribe}. Start at {@link com.segmentexport.iterable.IterableConnectorProvider}.
 * Non-null by default.
 */
package com.segmentexport.iterable;
