package io.repayguard.detector;

import io.repayguard.detector.facts.Fact;
import io.repayguard.detector.facts.Tick;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Routes facts: a watermark (no payload) to every partition, a tick to the partition it belongs to,
 * anything else by its key like Kafka's default partitioner.
 */
final class FactPartitioner implements StreamPartitioner<String, Fact> {

  @Override
  public Optional<Set<Integer>> partitions(
      final String topic, final String key, final Fact fact, final int numPartitions) {
    if (fact.getPayload() == null) {
      final Set<Integer> all = new HashSet<>();
      for (int p = 0; p < numPartitions; p++) {
        all.add(p);
      }
      return Optional.of(all);
    }
    if (fact.getPayload() instanceof Tick tick) {
      return Optional.of(Set.of(tick.getPartition()));
    }
    final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    return Optional.of(Set.of(Utils.toPositive(Utils.murmur2(keyBytes)) % numPartitions));
  }
}
