package io.repayguard.sim;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Tells whether a consumer group has processed everything on every partition it reads.
 *
 * <p>Caught up means: no committed data record lies at or after the group's committed offset on any
 * assigned partition. Transaction markers occupy offsets but are not data, so where the end offset
 * is beyond the committed one the partition is read, read_committed, to see whether a data record
 * is there.
 */
public final class GroupCatchUp implements AutoCloseable {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private final String group;
  private final Admin admin;
  private final KafkaConsumer<byte[], byte[]> probe;

  public GroupCatchUp(final Map<String, Object> clientProperties, final String group) {
    this.group = group;
    this.admin = Admin.create(clientProperties);
    final Map<String, Object> consumer = new HashMap<>(clientProperties);
    consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumer.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.probe =
        new KafkaConsumer<>(consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Polls until the group is caught up; fails after {@code timeout}. */
  public void await(final Duration timeout) throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (!caughtUp()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "consumer group "
                + group
                + " did not catch up within "
                + timeout
                + " (is the detector running with application id "
                + group
                + "?)");
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /** True when the group has processed every data record on every partition it reads. */
  public boolean caughtUp() {
    try {
      final Map<TopicPartition, OffsetAndMetadata> committed = committed();
      final Set<TopicPartition> partitions = new HashSet<>(assigned());
      partitions.addAll(committed.keySet());
      return !partitions.isEmpty() && processedUpTo(committed, endOffsets(partitions));
    } catch (final ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot read the offsets of group " + group + ": " + e.getMessage(), e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * True when the group has processed every data record before {@code ends} (offsets captured
   * earlier, for a bounded run); records after them do not count.
   */
  public boolean caughtUpTo(final Map<TopicPartition, Long> ends) {
    try {
      return processedUpTo(committed(), ends);
    } catch (final ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot read the offsets of group " + group + ": " + e.getMessage(), e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The group's committed offsets. */
  public Map<TopicPartition, OffsetAndMetadata> committed()
      throws ExecutionException, InterruptedException, TimeoutException {
    return admin
        .listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata()
        .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private boolean processedUpTo(
      final Map<TopicPartition, OffsetAndMetadata> committed,
      final Map<TopicPartition, Long> ends) {
    final Map<TopicPartition, Long> unread = new HashMap<>();
    ends.forEach(
        (partition, end) -> {
          final OffsetAndMetadata done = committed.get(partition);
          final long from = done == null ? 0 : done.offset();
          if (end > from) {
            unread.put(partition, from);
          }
        });
    return unread.isEmpty() || !hasData(unread, ends);
  }

  private Collection<TopicPartition> assigned()
      throws ExecutionException, InterruptedException, TimeoutException {
    final ConsumerGroupDescription description =
        admin
            .describeConsumerGroups(List.of(group))
            .describedGroups()
            .get(group)
            .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    final Set<TopicPartition> partitions = new HashSet<>();
    for (final MemberDescription member : description.members()) {
      partitions.addAll(member.assignment().topicPartitions());
    }
    return partitions;
  }

  /** The read_committed end offsets of {@code partitions}. */
  private Map<TopicPartition, Long> endOffsets(final Set<TopicPartition> partitions)
      throws ExecutionException, InterruptedException, TimeoutException {
    final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
    final Map<TopicPartition, Long> ends = new HashMap<>();
    admin
        .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
        .all()
        .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
        .forEach((p, info) -> ends.put(p, info.offset()));
    return ends;
  }

  /** True when a data record lies between each partition's start offset and its end. */
  private boolean hasData(
      final Map<TopicPartition, Long> from, final Map<TopicPartition, Long> ends) {
    probe.assign(from.keySet());
    from.forEach(probe::seek);
    final long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!probe.poll(Duration.ofMillis(100)).isEmpty()) {
        return true;
      }
      if (from.keySet().stream().allMatch(p -> probe.position(p) >= ends.get(p))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    probe.close();
    admin.close();
  }
}
