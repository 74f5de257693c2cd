package io.repayguard.stack;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Says how to start a {@link LocalStack}: ports, the partitions and names of the topics to create,
 * and where data lives.
 *
 * @param kafkaPort the broker's client port on 127.0.0.1, 0 for a free one
 * @param registryPort the schema registry's HTTP port on 127.0.0.1, 0 for a free one
 * @param partitions the partition count of each created topic, at least 1
 * @param dataDirOrNull the directory whose {@code kafka} subdirectory keeps broker data across
 *     restarts, or null for temporary data deleted on close
 * @param topics the topics to create if missing, with {@code retention.ms=-1}
 * @param secured whether the broker serves clients on SASL_SSL (SCRAM-SHA-512, see {@link
 *     LocalSecurity}) rather than PLAINTEXT
 */
public record StackOptions(
    int kafkaPort,
    int registryPort,
    int partitions,
    Path dataDirOrNull,
    List<String> topics,
    boolean secured) {

  /** A PLAINTEXT stack. */
  public StackOptions(
      final int kafkaPort,
      final int registryPort,
      final int partitions,
      final Path dataDirOrNull,
      final List<String> topics) {
    this(kafkaPort, registryPort, partitions, dataDirOrNull, topics, false);
  }

  /** Validates the options and copies the topic list. */
  public StackOptions {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
    }
    if (kafkaPort < 0 || registryPort < 0) {
      throw new IllegalArgumentException("ports must be 0 or positive");
    }
    topics = List.copyOf(Objects.requireNonNull(topics, "topics"));
  }
}
