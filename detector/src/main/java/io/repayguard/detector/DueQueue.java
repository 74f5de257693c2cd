package io.repayguard.detector;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A queue of work ordered by due time, in a state store keyed by (due, arrival number, tie break):
 * the two numbers big-endian with the sign bit flipped so byte order is numeric order, then the tie
 * break's UTF-8 bytes, so works queued by one fact for the same time stay apart.
 *
 * <p>The store must not be in Kafka Streams' record cache, whose iterator copies every cached key;
 * the detector puts a {@link WriteBackStore} above it instead, so work taken in the commit interval
 * that queued it is never written to RocksDB or the changelog. The queue remembers, in memory, the
 * earliest entry when it knows it (so a fact with nothing due opens no iterator, and taking the
 * entry a look found opens none either) and the key below which nothing is left (so an iterator
 * does not walk over the tombstones of work already taken). Both start unknown, as after a restart.
 *
 * @param <V> the work
 */
final class DueQueue<V> {
  private final KeyValueStore<Bytes, V> store;

  /** The earliest due time in the store, {@link Long#MAX_VALUE} when empty, null if unknown. */
  private Long head;

  /** The earliest entry whenever {@link #head} knows a due time; null otherwise. */
  private KeyValue<Bytes, V> earliest;

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
    if (head != null && (earliest == null || key.compareTo(earliest.key) <= 0)) {
      head = due;
      earliest = KeyValue.pair(key, work);
    }
    if (floor != null && key.compareTo(floor) < 0) {
      floor = key;
    }
  }

  /** Removes and returns the earliest work due at or before {@code now}, if any. */
  Optional<V> takeDue(final long now) {
    if (head != null && head > now) {
      return Optional.empty();
    }
    final KeyValue<Bytes, V> first = earliest != null ? earliest : first();
    if (first == null) {
      head = Long.MAX_VALUE;
      return Optional.empty();
    }
    final long due = dueOf(first.key);
    if (due > now) {
      head = due;
      earliest = first;
      return Optional.empty();
    }
    store.delete(first.key);
    if (size > 0) {
      size--;
    }
    floor = first.key;
    head = null;
    earliest = null;
    return Optional.of(first.value);
  }

  /** The earliest due time, if anything waits. */
  Optional<Long> nextDue() {
    if (head == null) {
      earliest = first();
      head = earliest == null ? Long.MAX_VALUE : dueOf(earliest.key);
    }
    return head == Long.MAX_VALUE ? Optional.empty() : Optional.of(head);
  }

  private KeyValue<Bytes, V> first() {
    try (KeyValueIterator<Bytes, V> from = floor == null ? store.all() : store.range(floor, null)) {
      return from.hasNext() ? from.next() : null;
    }
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
