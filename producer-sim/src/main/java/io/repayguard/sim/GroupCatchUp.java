package io.repayguard.sim;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
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

  /**
   * Waits as a barrier does: the group caught up, {@code idleWait} of quiet (the detector's idle
   * timeout and a margin), and caught up again; repeated while the group's members or their
   * partitions changed meanwhile. An instance that leaves commits its offsets, so the group looks
   * caught up while the instance taking its tasks over has yet to start them, and those partitions
   * go idle only idle-timeout after it does.
   *
   * @return how many times the wait was repeated because the group rebalanced
   */
  public int awaitIdle(final Duration timeout, final Duration idleWait)
      throws InterruptedException {
    int repeated = 0;
    Map<String, Set<TopicPartition>> before = stableAssignment(timeout);
    while (true) {
      await(timeout);
      TimeUnit.MILLISECONDS.sleep(idleWait.toMillis());
      await(timeout);
      final Map<String, Set<TopicPartition>> after = stableAssignment(timeout);
      if (after.equals(before)) {
        return repeated;
      }
      before = after;
      repeated++;
    }
  }

  /**
   * The partitions of each member once the group is stable: it has members and none waits for a
   * rebalance to end.
   */
  private Map<String, Set<TopicPartition>> stableAssignment(final Duration timeout)
      throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      final ConsumerGroupDescription group = description().orElse(null);
      if (group != null && group.groupState() == GroupState.STABLE && !group.members().isEmpty()) {
        final Map<String, Set<TopicPartition>> assignment = new HashMap<>();
        for (final MemberDescription member : group.members()) {
          assignment.put(member.consumerId(), member.assignment().topicPartitions());
        }
        return assignment;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "consumer group "
                + this.group
                + " has no stable member within "
                + timeout
                + " ("
                + (group == null ? "no such group" : group.groupState())
                + "; is the detector running with application id "
                + this.group
                + "?)");
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /** The group as the broker describes it; empty while no member has joined it yet. */
  private Optional<ConsumerGroupDescription> description() throws InterruptedException {
    try {
      return Optional.of(
          admin
              .describeConsumerGroups(List.of(group))
              .describedGroups()
              .get(group)
              .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    } catch (final ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return Optional.empty();
      }
      throw new IllegalStateException(
          "cannot describe consumer group " + group + ": " + e.getMessage(), e);
    } catch (final TimeoutException e) {
      throw new IllegalStateException(
          "cannot describe consumer group " + group + ": " + e.getMessage(), e);
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

  private Collection<TopicPartition> assigned() throws InterruptedException {
    final Set<TopicPartition> partitions = new HashSet<>();
    for (final MemberDescription member :
        description().map(ConsumerGroupDescription::members).orElse(List.of())) {
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
