package io.repayguard.cli;

import io.repayguard.detector.DetectorAcls;
import io.repayguard.detector.TopicNames;
import io.repayguard.sim.SimTopics;
import io.repayguard.stack.LocalSecurity;
import io.repayguard.stack.LocalStack;
import io.repayguard.stack.StackOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.acl.AclBinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Runs the local stack: a KRaft Kafka broker and a schema registry, with every topic created. */
@Command(
    name = "stack",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a local Kafka broker (KRaft, one node) and a schema registry, creates "
          + "every repayguard topic, prints where they listen, then 'ready'. Runs until Ctrl-C.",
      "Data lives in a temporary directory unless --data-dir is given."
    })
final class StackCommand implements Callable<Integer> {

  @ParentCommand RepayGuard parent;

  @Option(
      names = "--kafka-port",
      defaultValue = "9092",
      description = "Broker port on 127.0.0.1; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(
      names = "--registry-port",
      defaultValue = "8081",
      description =
          "Schema registry port on 127.0.0.1; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int registryPort;

  @Option(
      names = "--partitions",
      defaultValue = "6",
      description = "Partitions of every topic created (default ${DEFAULT-VALUE}).")
  int partitions;

  /** How clients reach the broker. */
  enum Security {
    plaintext,
    sasl_ssl
  }

  @Option(
      names = "--security",
      defaultValue = "plaintext",
      description =
          "plaintext, or sasl_ssl: clients authenticate with SCRAM-SHA-512 over TLS (certificates "
              + "made at the first start), or with a client certificate on a second listener "
              + "(mTLS, the next port); the registry serves HTTPS with basic authentication; "
              + "writes client.properties and mtls.properties (for --client-config) and ca.pem "
              + "next to the data and prints their paths (default ${DEFAULT-VALUE}).")
  Security security;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Keep broker data (topics, records, schemas) here across restarts.")
  Path dataDir;

  @Override
  public Integer call() throws InterruptedException {
    if (partitions < 1) {
      throw UserException.badInput("--partitions must be at least 1, got " + partitions);
    }
    final CountDownLatch stopped = new CountDownLatch(1);
    final LocalStack stack =
        start(kafkaPort, registryPort, partitions, dataDir, security == Security.sasl_ssl);
    if (stack.security().isPresent()) {
      try {
        stack.createAcls(detectorAcls());
      } catch (final IllegalStateException e) {
        stack.close();
        throw new UserException(UserException.UNUSABLE_ENVIRONMENT, e.getMessage(), e);
      }
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stack.close();
                  stopped.countDown();
                },
                "stack-shutdown"));
    parent.out().println("kafka=" + stack.bootstrapServers());
    parent.out().println("schema-registry=" + stack.schemaRegistryUrl());
    stack
        .security()
        .ifPresent(
            s -> {
              parent
                  .out()
                  .println("security=SASL_SSL (SCRAM-SHA-512, user " + LocalSecurity.USER + ")");
              parent.out().println("client-config=" + s.clientProperties());
              parent.out().println("ca=" + s.caPem());
              parent
                  .out()
                  .println(
                      "mtls="
                          + stack.mtlsBootstrapServers().orElseThrow()
                          + " (TLS with client certificates, user "
                          + LocalSecurity.USER
                          + ": --client-config "
                          + s.mtlsClientProperties()
                          + ")");
              parent
                  .out()
                  .println(
                      "detector-config="
                          + s.detectorProperties()
                          + " (user "
                          + LocalSecurity.DETECTOR_USER
                          + ", only a detector's ACLs, application id "
                          + LocalSecurity.DETECTOR_USER
                          + ")");
            });
    parent.out().println("ready");
    parent.out().flush();
    stopped.await();
    return 0;
  }

  /**
   * Starts the local stack with every topic of {@link #topics()}; a failure to start is the
   * environment's, reported in one line.
   */
  static LocalStack start(
      final int kafkaPort, final int registryPort, final int partitions, final Path dataDir) {
    return start(kafkaPort, registryPort, partitions, dataDir, false);
  }

  /** As {@link #start(int, int, int, Path)}, on SASL_SSL when {@code secured}. */
  static LocalStack start(
      final int kafkaPort,
      final int registryPort,
      final int partitions,
      final Path dataDir,
      final boolean secured) {
    try {
      return LocalStack.start(
          new StackOptions(kafkaPort, registryPort, partitions, dataDir, topics(), secured));
    } catch (final RuntimeException e) {
      throw new UserException(
          UserException.UNUSABLE_ENVIRONMENT, "cannot start the local stack: " + e.getMessage(), e);
    }
  }

  /**
   * The ACLs of the secured stack's detector user: a detector of application id {@value
   * LocalSecurity#DETECTOR_USER} on the default topics, and nothing else.
   */
  static List<AclBinding> detectorAcls() {
    return DetectorAcls.of(
        "User:" + LocalSecurity.DETECTOR_USER,
        LocalSecurity.DETECTOR_USER,
        TopicNames.forApplication(LocalSecurity.DETECTOR_USER));
  }

  /**
   * Every topic of DESIGN.md and the simulator's ground truth. The detector creates its own two,
   * named after its application id.
   */
  static List<String> topics() {
    final TopicNames names = TopicNames.defaults();
    final List<String> topics = new ArrayList<>(names.inputs());
    topics.addAll(List.of(names.alerts(), names.holdCommands(), names.dlq()));
    topics.add(SimTopics.GROUND_TRUTH);
    return topics;
  }
}
