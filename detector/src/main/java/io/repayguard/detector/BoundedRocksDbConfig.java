package io.repayguard.detector;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the memory of every RocksDB store of the process: one shared block cache, which also
 * accounts for the memtables, and index and filter blocks kept in that cache.
 *
 * <p>The bound is {@code repayguard.rocksdb.memory.bytes} (default 512 MiB), half of it for
 * memtables. Kafka Streams' recommended pattern for bounded memory. The memtable share is large on
 * purpose: a 6-partition detector has about 60 stores, and when their memtables together pass the
 * share RocksDB flushes the one being written, however small. With 16 MiB shared, stores flushed at
 * a few hundred KiB, level 0 filled with tiny files and writes stalled: {@code ./repayguard bench}
 * went from about 200 to over 2,000 input records/s at 128 MiB. At 128 MiB the stream thread still
 * spent 10-30 s of a 50,000-record backlog inside RocksDB puts of the commit's cache flush (thread
 * dumps of {@code bench}); at 512 MiB those pauses are gone and the backlog is decided about 2.4x
 * faster end to end (BENCHMARKS.md, 2026-12-02).
 */
public final class BoundedRocksDbConfig implements RocksDBConfigSetter {
  public static final String MEMORY_BYTES_CONFIG = "repayguard.rocksdb.memory.bytes";
  private static final long DEFAULT_MEMORY_BYTES = 512L * 1024 * 1024;

  private static Cache cache;
  private static WriteBufferManager writeBufferManager;

  @Override
  public void setConfig(
      final String storeName, final Options options, final Map<String, Object> configs) {
    final BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(sharedCache(configs));
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setWriteBufferManager(writeBufferManager);
    options.setTableFormatConfig(table);
  }

  private static synchronized Cache sharedCache(final Map<String, Object> configs) {
    if (cache == null) {
      final Object configured = configs.get(MEMORY_BYTES_CONFIG);
      final long total =
          configured == null ? DEFAULT_MEMORY_BYTES : Long.parseLong(configured.toString());
      cache = new LRUCache(total, -1, false, 0.1);
      writeBufferManager = new WriteBufferManager(total / 2, cache);
    }
    return cache;
  }

  @Override
  public void close(final String storeName, final Options options) {
    // The cache and buffer manager are shared by every store of the process and live with it.
  }
}
