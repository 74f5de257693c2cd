package io.repayguard.detector;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A key-value store that keeps the writes of one commit interval in memory, in key order, and
 * writes them to the store below (RocksDB and its changelog) when Kafka Streams flushes caches,
 * which it does before every commit: an entry put and deleted between two commits, as most of the
 * decision stage's queue entries are on a backlog, costs no RocksDB write, no changelog record and
 * no serialisation.
 *
 * <p>Unlike Kafka Streams' record cache, an iterator reads the buffer's own sorted map, so opening
 * one does not copy every buffered key (see {@link DueQueue}), and a key deleted before it was ever
 * written below leaves no tombstone. A delete asks the store below whether the key is there.
 *
 * <p>The flush before a commit is Kafka Streams' {@link CachedStateStore} hook, an internal
 * interface its own caching layer uses: the state manager calls {@link #flushCache()} on every
 * registered store that implements it, before the task's records are flushed and its transaction
 * committed, at every commit, task suspension and clean close. {@code WriteBackStoreTest} restarts
 * a topology on its state directory and fails if a Kafka Streams upgrade stops calling it. A dirty
 * close (an aborted transaction) drops the buffer, as the transaction drops what it wrote.
 *
 * <p>An iterator must be closed before the next write. The buffer is bounded: past {@link
 * #MAX_BUFFERED} entries, everything buffered is written below at once.
 *
 * @param <V> the value
 */
final class WriteBackStore<V> implements KeyValueStore<Bytes, V>, CachedStateStore<Bytes, V> {
  /** Buffered writes past which the buffer is written below before the commit. */
  static final int MAX_BUFFERED = 20_000;

  private final KeyValueStore<Bytes, V> below;

  /** Writes since the last flush, by key: a value, or {@code null} for a delete to write. */
  private final NavigableMap<Bytes, V> buffer = new TreeMap<>();

  WriteBackStore(final KeyValueStore<Bytes, V> below) {
    this.below = below;
  }

  /** Builds what {@code below} builds, with a write-back buffer above it. */
  static <V> StoreBuilder<KeyValueStore<Bytes, V>> over(
      final StoreBuilder<KeyValueStore<Bytes, V>> below) {
    return new StoreBuilder<>() {
      @Override
      public StoreBuilder<KeyValueStore<Bytes, V>> withCachingEnabled() {
        below.withCachingEnabled();
        return this;
      }

      @Override
      public StoreBuilder<KeyValueStore<Bytes, V>> withCachingDisabled() {
        below.withCachingDisabled();
        return this;
      }

      @Override
      public StoreBuilder<KeyValueStore<Bytes, V>> withLoggingEnabled(
          final Map<String, String> config) {
        below.withLoggingEnabled(config);
        return this;
      }

      @Override
      public StoreBuilder<KeyValueStore<Bytes, V>> withLoggingDisabled() {
        below.withLoggingDisabled();
        return this;
      }

      @Override
      public KeyValueStore<Bytes, V> build() {
        return new WriteBackStore<>(below.build());
      }

      @Override
      public Map<String, String> logConfig() {
        return below.logConfig();
      }

      @Override
      public boolean loggingEnabled() {
        return below.loggingEnabled();
      }

      @Override
      public String name() {
        return below.name();
      }
    };
  }

  @Override
  public void put(final Bytes key, final V value) {
    if (value == null) {
      delete(key);
      return;
    }
    buffer.put(key, value);
    if (buffer.size() > MAX_BUFFERED) {
      flushCache();
    }
  }

  @Override
  public V putIfAbsent(final Bytes key, final V value) {
    final V current = get(key);
    if (current == null) {
      put(key, value);
    }
    return current;
  }

  @Override
  public void putAll(final List<KeyValue<Bytes, V>> entries) {
    entries.forEach(entry -> put(entry.key, entry.value));
  }

  @Override
  public V delete(final Bytes key) {
    final V before;
    if (buffer.containsKey(key)) {
      before = buffer.get(key);
      if (below.get(key) == null) {
        buffer.remove(key);
      } else {
        buffer.put(key, null);
      }
    } else {
      before = below.get(key);
      if (before != null) {
        buffer.put(key, null);
      }
    }
    return before;
  }

  @Override
  public V get(final Bytes key) {
    return buffer.containsKey(key) ? buffer.get(key) : below.get(key);
  }

  @Override
  public KeyValueIterator<Bytes, V> range(final Bytes from, final Bytes to) {
    final NavigableMap<Bytes, V> part;
    if (from == null && to == null) {
      part = buffer;
    } else if (from == null) {
      part = buffer.headMap(to, true);
    } else if (to == null) {
      part = buffer.tailMap(from, true);
    } else if (from.compareTo(to) > 0) {
      part = new TreeMap<>();
    } else {
      part = buffer.subMap(from, true, to, true);
    }
    return new Merged<>(part.entrySet().iterator(), below.range(from, to));
  }

  @Override
  public KeyValueIterator<Bytes, V> all() {
    return range(null, null);
  }

  /** Not used by the detector's queues, which read forward only. */
  @Override
  public KeyValueIterator<Bytes, V> reverseRange(final Bytes from, final Bytes to) {
    throw new UnsupportedOperationException("a write-back store reads forward only");
  }

  /** Not used by the detector's queues, which read forward only. */
  @Override
  public KeyValueIterator<Bytes, V> reverseAll() {
    throw new UnsupportedOperationException("a write-back store reads forward only");
  }

  /** Not used by the detector's queues, which read by range. */
  @Override
  public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, V> prefixScan(
      final P prefix, final PS prefixKeySerializer) {
    throw new UnsupportedOperationException("a write-back store reads by range");
  }

  /** The store below's estimate; buffered writes are not counted. */
  @Override
  public long approximateNumEntries() {
    return below.approximateNumEntries();
  }

  /** Writes every buffered put and delete below, in key order, and empties the buffer. */
  @Override
  public void flushCache() {
    for (final Map.Entry<Bytes, V> write : buffer.entrySet()) {
      if (write.getValue() == null) {
        below.delete(write.getKey());
      } else {
        below.put(write.getKey(), write.getValue());
      }
    }
    buffer.clear();
    if (below instanceof CachedStateStore<?, ?> cached) {
      cached.flushCache();
    }
  }

  /** Drops the buffer: what it held was not committed. */
  @Override
  public void clearCache() {
    buffer.clear();
    if (below instanceof CachedStateStore<?, ?> cached) {
      cached.clearCache();
    }
  }

  /** Nothing is forwarded on flush: this store feeds no downstream processor. */
  @Override
  public boolean setFlushListener(
      final CacheFlushListener<Bytes, V> listener, final boolean sendOldValues) {
    return false;
  }

  @Override
  public String name() {
    return below.name();
  }

  @Override
  public void init(final StateStoreContext context, final StateStore root) {
    buffer.clear();
    below.init(context, root);
  }

  /** Flushes the store below; the buffer is written only by {@link #flushCache()}. */
  @Override
  public void flush() {
    below.flush();
  }

  /**
   * Commits the store below. Kafka Streams calls this after the task's transaction committed, too
   * late to write anything into it: the buffer was written by {@link #flushCache()} before.
   */
  @Override
  public void commit(final Map<TopicPartition, Long> changelogOffsets) {
    below.commit(changelogOffsets);
  }

  @Override
  public Long committedOffset(final TopicPartition partition) {
    return below.committedOffset(partition);
  }

  @Override
  public boolean managesOffsets() {
    return below.managesOffsets();
  }

  @Override
  public long approximateNumUncommittedBytes() {
    return below.approximateNumUncommittedBytes();
  }

  /** Closes the store below; what is still buffered was not committed and is dropped. */
  @Override
  public void close() {
    buffer.clear();
    below.close();
  }

  @Override
  public boolean persistent() {
    return below.persistent();
  }

  @Override
  public boolean isOpen() {
    return below.isOpen();
  }

  @Override
  public <R> QueryResult<R> query(
      final Query<R> query, final PositionBound positionBound, final QueryConfig config) {
    return below.query(query, positionBound, config);
  }

  @Override
  public Position getPosition() {
    return below.getPosition();
  }

  /**
   * The buffer's entries over the store's, in key order; on a key in both, the buffer's write wins,
   * and a buffered delete hides the key.
   */
  private static final class Merged<V> implements KeyValueIterator<Bytes, V> {
    private final Iterator<Map.Entry<Bytes, V>> buffered;
    private final KeyValueIterator<Bytes, V> stored;
    private Map.Entry<Bytes, V> nextBuffered;
    private KeyValue<Bytes, V> next;

    Merged(final Iterator<Map.Entry<Bytes, V>> buffered, final KeyValueIterator<Bytes, V> stored) {
      this.buffered = buffered;
      this.stored = stored;
      this.nextBuffered = buffered.hasNext() ? buffered.next() : null;
    }

    @Override
    public boolean hasNext() {
      while (next == null && (nextBuffered != null || stored.hasNext())) {
        final int order =
            nextBuffered == null
                ? 1
                : stored.hasNext() ? nextBuffered.getKey().compareTo(stored.peekNextKey()) : -1;
        if (order > 0) {
          next = stored.next();
        } else {
          if (order == 0) {
            stored.next();
          }
          if (nextBuffered.getValue() != null) {
            next = KeyValue.pair(nextBuffered.getKey(), nextBuffered.getValue());
          }
          nextBuffered = buffered.hasNext() ? buffered.next() : null;
        }
      }
      return next != null;
    }

    @Override
    public KeyValue<Bytes, V> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      final KeyValue<Bytes, V> result = next;
      next = null;
      return result;
    }

    @Override
    public Bytes peekNextKey() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return next.key;
    }

    @Override
    public void close() {
      stored.close();
    }
  }
}
