package io.repayguard.stack;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates Kafka topics that do not exist yet, leaving existing ones as they are. */
final class Topics {

  private static final long TIMEOUT_SECONDS = 30;
  private static final long RETRY_MS = 50;
  private static final OffsetSpec LATEST = OffsetSpec.latest();

  private Topics() {}

  /**
   * Creates each topic unless a topic of that name exists; waits until the broker confirms and
   * every partition has a leader.
   *
   * <p>The controller confirms a new topic before the broker has created its logs, and an
   * idempotent producer that comes in that moment is told NOT_LEADER_OR_FOLLOWER; its retries can
   * then land out of sequence and stall it until its delivery timeout (seen with 12 partitions on a
   * loaded machine). Waiting for the leaders here means the first record sent finds them.
   */
  static void createIfMissing(final String bootstrapServers, final List<NewTopic> topics) {
    createIfMissing(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), topics);
  }

  /** As {@link #createIfMissing(String, List)}, with an admin client of {@code client}. */
  static void createIfMissing(final Map<String, Object> client, final List<NewTopic> topics) {
    if (topics.isEmpty()) {
      return;
    }
    try (Admin admin = Admin.create(client)) {
      final CreateTopicsResult result = admin.createTopics(topics);
      result.values().forEach(Topics::awaitCreatedOrExisting);
      awaitLeaders(admin, topics.stream().map(NewTopic::name).toList());
    }
  }

  /**
   * Waits until every partition's leader serves it: the broker answers a ListOffsets request, which
   * only a leader that has created the partition's log does. Until then the answer is a retriable
   * error (UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER), and the request is sent again.
   */
  private static void awaitLeaders(final Admin admin, final List<String> names) {
    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    try {
      while (true) {
        try {
          admin.listOffsets(partitions(admin, names)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          return;
        } catch (final ExecutionException e) {
          if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(RETRY_MS);
        }
      }
    } catch (final ExecutionException e) {
      throw new IllegalStateException("Topics " + names + " have no leader yet", e.getCause());
    } catch (final TimeoutException e) {
      throw new IllegalStateException("Timed out waiting for the leaders of " + names, e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for leaders of " + names, e);
    }
  }

  private static Map<TopicPartition, OffsetSpec> partitions(
      final Admin admin, final List<String> names)
      throws ExecutionException, InterruptedException, TimeoutException {
    final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    admin
        .describeTopics(names)
        .allTopicNames()
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .forEach(
            (name, description) ->
                description
                    .partitions()
                    .forEach(p -> latest.put(new TopicPartition(name, p.partition()), LATEST)));
    return latest;
  }

  private static void awaitCreatedOrExisting(final String topic, final KafkaFuture<Void> creation) {
    try {
      creation.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (final ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("Cannot create topic " + topic, e.getCause());
      }
    } catch (final TimeoutException e) {
      throw new IllegalStateException("Timed out creating topic " + topic, e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topic " + topic, e);
    }
  }
}
