package com.segmentexport.internal;

import com.segmentexport.api.Connection;
import com.segmentexport.api.ExportDefinition;
import com.segmentexport.api.ExportListener;
import com.segmentexport.api.Profile;
import com.segmentexport.api.RetryPolicy;
import com.segmentexport.spi.Batch;
import com.segmentexport.spi.ExportRecord;
import com.segmentexport.spi.RecordSchema;
import com.segmentexport.spi.VendorHttp;
import java.util.ArrayList;
import java.util.List;
import javax.net.SocketFactory;
import okhttp3.OkHttpClient;

/**
 * Not API: the engine's per-profile work, opened for the SDK's own benchmarks in
 * {@code connector-benchmarks}, which measure it without an export's threads, pacing and network.
 *
 * <p>Public only because those benchmarks are another module; it is the one class of this package that
 * a module other than connector-api may use, and only connector-benchmarks may (ModuleBoundaryTest
 * checks both). It changes with the engine, without notice.
 */
public final class EngineBenchmarkHooks {
  private EngineBenchmarkHooks() {}

  /**
   * The engine's reader for one segment of a definition: maps, validates and normalises each profile,
   * de-duplicates in groups of {@value Deduplicator#GROUP} and cuts batches of a fixed size.
   *
   * @param definition the export
   * @param segment the segment's name, carried by each batch
   * @param batchSize records per batch
   * @return the reader
   */
  public static Reader reader(ExportDefinition definition, String segment, int batchSize) {
    return new Reader(
        new RecordMapper(definition.mapping(), definition.connection().provider()),
        segment,
        batchSize);
  }

  /**
   * The engine's {@link VendorHttp} for a connection, on the SDK's own HTTP client: a budget of 100,000
   * requests a second, the default retry policy, no listener.
   *
   * @param connection the connection
   * @return the engine's {@link VendorHttp}
   */
  public static VendorHttp vendorHttp(Connection connection) {
    return new DefaultVendorHttp(
        HttpClients.newClient(),
        new RateLimiter(100_000),
        new RunControl(connection),
        RetryPolicy.DEFAULT,
        new RunStats(1000),
        new SafeListener(ExportListener.NONE));
  }

  /**
   * {@return the socket factory of the SDK's own HTTP client ({@code TCP_NODELAY} set), for a raw
   * OkHttp baseline that sends as the SDK does}
   */
  public static SocketFactory noDelaySocketFactory() {
    return HttpClients.noDelaySocketFactory();
  }

  /**
   * {@return a new client configured as the SDK's own (its pool, timeouts and sockets), for a
   * benchmark that adds an event listener to count calls and connections}
   */
  public static OkHttpClient sdkHttpClient() {
    return HttpClients.newClient();
  }

  /** One segment's reader: see {@link #reader}. Not thread-safe. */
  public static final class Reader {
    private final RecordMapper mapper;
    private final String segment;
    private final int batchSize;

    private Reader(RecordMapper mapper, String segment, int batchSize) {
      this.mapper = mapper;
      this.segment = segment;
      this.batchSize = batchSize;
    }

    /** {@return the schema of the records this reader makes} */
    public RecordSchema schema() {
      return mapper.schema();
    }

    /**
     * Maps, validates, de-duplicates and batches the profiles, as the engine's reader does: repeats of
     * an address are dropped, invalid profiles are left out.
     *
     * @param profiles the segment's profiles, in order
     * @return the batches, numbered from 1
     */
    public List<Batch> batches(List<Profile> profiles) {
      FingerprintSet seen = new FingerprintSet(profiles.size());
      List<Batch> batches = new ArrayList<>();
      List<ExportRecord> records = new ArrayList<>(batchSize);
      long bytes = 0;
      long row = 0;
      // De-duplicated in groups, as the engine's Deduplicator does.
      RecordMapper.Mapped[] waiting = new RecordMapper.Mapped[Deduplicator.GROUP];
      long[] fingerprints = new long[Deduplicator.GROUP];
      boolean[] fresh = new boolean[Deduplicator.GROUP];
      byte[] scratch = new byte[256];
      int count = 0;
      for (int i = 0; i < profiles.size(); i++) {
        RecordMapper.Mapped m = mapper.map(profiles.get(i), ++row);
        if (m.record != null) {
          waiting[count] = m;
          fingerprints[count++] = FingerprintSet.fingerprintLatin1(m.record.email(), scratch);
        }
        if (count == waiting.length || (i == profiles.size() - 1 && count > 0)) {
          seen.addAll(fingerprints, count, fresh);
          for (int j = 0; j < count; j++) {
            if (!fresh[j]) {
              continue;
            }
            records.add(waiting[j].record);
            bytes += waiting[j].estimatedBytes;
            if (records.size() == batchSize) {
              batches.add(new Batch(segment, batches.size() + 1, mapper.schema(), records, bytes));
              records = new ArrayList<>(batchSize);
              bytes = 0;
            }
          }
          count = 0;
        }
      }
      if (!records.isEmpty()) {
        batches.add(new Batch(segment, batches.size() + 1, mapper.schema(), records, bytes));
      }
      return batches;
    }
  }
}
