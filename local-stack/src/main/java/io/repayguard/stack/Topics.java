package io.repayguard.stack;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates Kafka topics that do not exist yet, leaving existing ones as they are. */
final class Topics {

  private static final long TIMEOUT_SECONDS = 30;

  private Topics() {}

  /** Creates each topic unless a topic of that name exists; waits until the broker confirms. */
  static void createIfMissing(final String bootstrapServers, final List<NewTopic> topics) {
    if (topics.isEmpty()) {
      return;
    }
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      final CreateTopicsResult result = admin.createTopics(topics);
      result.values().forEach(Topics::awaitCreatedOrExisting);
    }
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
