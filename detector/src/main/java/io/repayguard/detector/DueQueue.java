package io.repayguard.detector;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A queue of work ordered by due time, in a state store keyed by (due, arrival number, tie break):
 * the two numbers big-endian with the sign bit flipped so byte order is numeric order, then the tie
 * break's UTF-8 bytes, so works queued by one fact for the same time stay apart.
 *
 * <p>The store holds every work and is the truth; the queue keeps in memory a read window, a copy
 * of at most {@link #WINDOW} entries from its head, so a fact with nothing due opens no iterator
 * and one iterator serves many takes (a profile of {@code bench} found a third of the read-ahead
 * queue's cost in the iterator each take opened). Work added inside the window's range joins it;
 * work beyond it stays in the store alone until the window is read again. The window, and the key
 * below which nothing is left (so an iterator does not walk over the tombstones of work taken),
 * start unknown, as after a restart.
 *
 * <p>The store must not be cached: a cached store's iterator copies every cached key.
 *
 * @param <V> the work
 */
final class DueQueue<V> {
  /** How many entries one read of the store brings into the window. */
  static final int WINDOW = 64;

  private final KeyValueStore<Bytes, V> store;

  /**
   * The first entries of the store, in key order; null when unknown. Holds every entry up to {@link
   * #windowEnd}, or every entry when {@link #complete}.
   */
  private TreeMap<Bytes, V> window;

  /** The last key the window is known to cover; null when the window is complete and empty. */
  private Bytes windowEnd;

  /** Whether the window holds every entry of the store. */
  private boolean complete;

  /** No entry lies below this key; null for the start of the store. */
  private Bytes floor;

  /** How many entries the store holds; -1 until first asked (counted then, once). */
  private long size = -1;

  DueQueue(final KeyValueStore<Bytes, V> store) {
    this.store = store;
  }

  /** The number of works queued: counted from the store at the first call, then kept. */
  long size() {
    if (size < 0) {
      long count = 0;
      try (KeyValueIterator<Bytes, V> all = store.all()) {
        while (all.hasNext()) {
          all.next();
          count++;
        }
      }
      size = count;
    }
    return size;
  }

  void add(final long due, final long seq, final String tieBreak, final V work) {
    final Bytes key = key(due, seq, tieBreak);
    store.put(key, work);
    if (size >= 0) {
      size++;
    }
    if (window != null && (complete || key.compareTo(windowEnd) <= 0)) {
      window.put(key, work);
      while (window.size() > 2 * WINDOW) {
        window.pollLastEntry();
        complete = false;
        windowEnd = window.lastKey();
      }
    }
    if (floor != null && key.compareTo(floor) < 0) {
      floor = key;
    }
  }

  /** Removes and returns the earliest work due at or before {@code now}, if any. */
  Optional<V> takeDue(final long now) {
    final Map.Entry<Bytes, V> first = first();
    if (first == null || dueOf(first.getKey()) > now) {
      return Optional.empty();
    }
    store.delete(first.getKey());
    window.pollFirstEntry();
    if (window.isEmpty() && !complete) {
      window = null;
    }
    if (size > 0) {
      size--;
    }
    floor = first.getKey();
    return Optional.of(first.getValue());
  }

  /** The earliest due time, if anything waits. */
  Optional<Long> nextDue() {
    final Map.Entry<Bytes, V> first = first();
    return first == null ? Optional.empty() : Optional.of(dueOf(first.getKey()));
  }

  /** The earliest entry, reading the window from the store when it is unknown; null if none. */
  private Map.Entry<Bytes, V> first() {
    if (window == null) {
      window = new TreeMap<>();
      try (KeyValueIterator<Bytes, V> from =
          floor == null ? store.all() : store.range(floor, null)) {
        while (window.size() < WINDOW && from.hasNext()) {
          final KeyValue<Bytes, V> entry = from.next();
          window.put(entry.key, entry.value);
        }
        complete = !from.hasNext();
      }
      windowEnd = window.isEmpty() ? null : window.lastKey();
    }
    return window.firstEntry();
  }

  static Bytes key(final long due, final long seq, final String tieBreak) {
    final byte[] tail = tieBreak.getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(
        ByteBuffer.allocate(16 + tail.length)
            .putLong(due ^ Long.MIN_VALUE)
            .putLong(seq ^ Long.MIN_VALUE)
            .put(tail)
            .array());
  }

  static long dueOf(final Bytes key) {
    return ByteBuffer.wrap(key.get()).getLong() ^ Long.MIN_VALUE;
  }
}
