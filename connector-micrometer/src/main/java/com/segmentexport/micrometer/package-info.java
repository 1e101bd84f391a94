/**
 * Micrometer metrics for exports: {@link com.segmentexport.micrometer.ExportMetrics} (an
 * {@link com.segmentexport.api.ExportListener} and a {@link io.micrometer.core.instrument.binder.MeterBinder})
 * and {@link com.segmentexport.micrometer.HttpMetrics} (an OkHttp {@link okhttp3.EventListener} for a host
 * client given to {@link com.segmentexport.api.Connectors#withHttpClient(okhttp3.OkHttpClient)}).
 */
package com.segmentexport.micrometer;
