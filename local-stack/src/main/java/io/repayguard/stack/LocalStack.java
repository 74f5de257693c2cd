package io.repayguard.stack;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AclBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the whole local environment — a single-node Kafka broker, a schema registry on it and the
 * project's topics — and stops it in reverse order.
 *
 * <p>Topics are created if missing with the requested partitions, replication factor 1 and {@code
 * retention.ms=-1}, because replay and scoring need history and Kafka would otherwise delete
 * records by their (historical) event timestamps. With a data directory the broker keeps its data
 * in {@code <dataDir>/kafka} and a restart finds topics, records and schemas again.
 */
public final class LocalStack implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
  private static final Map<String, String> KEEP_FOREVER = Map.of("retention.ms", "-1");

  private final LocalKafka kafka;
  private final LocalSchemaRegistry registry;

  private LocalStack(final LocalKafka kafka, final LocalSchemaRegistry registry) {
    this.kafka = kafka;
    this.registry = registry;
  }

  /** Starts the broker, then the registry, then creates the topics; returns when all are ready. */
  public static LocalStack start(final StackOptions options) {
    final long startNanos = System.nanoTime();
    final LocalKafka kafka =
        LocalKafka.start(
            options.kafkaPort(),
            options.dataDirOrNull() == null ? null : options.dataDirOrNull().resolve("kafka"),
            Map.of(),
            options.secured());
    try {
      final LocalSchemaRegistry registry =
          LocalSchemaRegistry.start(
              options.registryPort(),
              kafka.clientProperties(),
              kafka.security().map(LocalSecurity::registryAccess));
      kafka
          .security()
          .ifPresent(
              s ->
                  s.writeClientFiles(
                      kafka.bootstrapServers(),
                      kafka.mtlsBootstrapServers().orElseThrow(),
                      Optional.of(registry.url())));
      try {
        Topics.createIfMissing(
            kafka.clientProperties(),
            options.topics().stream()
                .map(
                    name ->
                        new NewTopic(name, options.partitions(), (short) 1).configs(KEEP_FOREVER))
                .toList());
      } catch (final RuntimeException e) {
        registry.close();
        throw e;
      }
      LOG.info(
          "Local stack ready in {} ms: Kafka {}, schema registry {}",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
          kafka.bootstrapServers(),
          registry.url());
      return new LocalStack(kafka, registry);
    } catch (final RuntimeException e) {
      kafka.close();
      throw e;
    }
  }

  /**
   * Creates each named topic that does not exist yet, with {@code partitions} partitions,
   * replication factor 1 and {@code retention.ms=-1}; existing topics are left as they are.
   */
  public static void createTopics(
      final String bootstrapServers, final int partitions, final List<String> names) {
    Topics.createIfMissing(
        bootstrapServers,
        names.stream()
            .map(name -> new NewTopic(name, partitions, (short) 1).configs(KEEP_FOREVER))
            .toList());
  }

  /** Creates {@code acls} (those that exist already stay as they are), as the stack's admin. */
  public void createAcls(final Collection<AclBinding> acls) {
    try (Admin admin = Admin.create(kafka.clientProperties())) {
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    } catch (final ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create ACLs: " + e.getMessage(), e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating ACLs", e);
    }
  }

  /** The address of a secured stack's mTLS listener (client certificates). */
  public Optional<String> mtlsBootstrapServers() {
    return kafka.mtlsBootstrapServers();
  }

  /** The security of a stack started secured; empty for a PLAINTEXT one. */
  public Optional<LocalSecurity> security() {
    return kafka.security();
  }

  /** Returns the broker's address, {@code 127.0.0.1:PORT}. */
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /**
   * Returns the schema registry's base URL, {@code http://127.0.0.1:PORT}, or {@code https://} when
   * secured.
   */
  public String schemaRegistryUrl() {
    return registry.url();
  }

  /** Stops the schema registry, then the broker, waiting for both. */
  @Override
  public void close() {
    try {
      registry.close();
    } finally {
      kafka.close();
    }
  }
}
