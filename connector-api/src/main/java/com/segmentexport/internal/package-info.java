/**
 * The export engine's implementation. Not a published API: these classes change without notice.
 * Hosts use {@link com.segmentexport.api}; connectors use {@link com.segmentexport.spi}.
 */
package com.segmentexport.internal;
