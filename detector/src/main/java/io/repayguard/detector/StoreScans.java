package io.repayguard.detector;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** Whole-store sweeps, for retention in stages that keep no expiry index. */
final class StoreScans {
  private StoreScans() {}

  /** Deletes every entry whose value matches {@code expired}; returns how many. */
  static <V> int deleteWhere(final KeyValueStore<String, V> store, final Predicate<V> expired) {
    final List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, V> all = store.all()) {
      all.forEachRemaining(
          entry -> {
            if (expired.test(entry.value)) {
              keys.add(entry.key);
            }
          });
    }
    keys.forEach(store::delete);
    return keys.size();
  }
}
