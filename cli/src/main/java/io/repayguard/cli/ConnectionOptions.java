package io.repayguard.cli;

import io.repayguard.sim.ClientSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Where Kafka and the schema registry are: flag, else environment variable, else the local stack.
 *
 * <p>{@code --client-config FILE} adds Kafka client and serde properties (security settings, {@code
 * basic.auth.*}) for a real cluster and a Confluent Schema Registry.
 */
final class ConnectionOptions {
  static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
  static final String DEFAULT_REGISTRY = "http://127.0.0.1:8081";

  static final String BOOTSTRAP_ENV = "REPAYGUARD_BOOTSTRAP_SERVERS";
  static final String REGISTRY_ENV = "REPAYGUARD_SCHEMA_REGISTRY_URL";

  /**
   * Environment variables with this prefix set a Kafka, Kafka Streams or registry client property,
   * for containers configured by environment alone: the rest of the name, lower-cased, with {@code
   * _} read as {@code .} ({@code REPAYGUARD_CONFIG_NUM_STANDBY_REPLICAS=1} sets {@code
   * num.standby.replicas=1}).
   */
  static final String CONFIG_ENV_PREFIX = "REPAYGUARD_CONFIG_";

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description =
          "Kafka bootstrap servers (env "
              + BOOTSTRAP_ENV
              + "; default "
              + DEFAULT_BOOTSTRAP
              + ", the local stack).")
  String bootstrapServers;

  @Option(
      names = "--schema-registry-url",
      paramLabel = "URL",
      description =
          "Schema registry URL (env "
              + REGISTRY_ENV
              + "; default "
              + DEFAULT_REGISTRY
              + ", the local stack).")
  String schemaRegistryUrl;

  @Option(
      names = "--client-config",
      paramLabel = "FILE",
      description =
          "Properties file of extra Kafka client and serde settings "
              + "(security.protocol, sasl.*, basic.auth.credentials.source, basic.auth.user.info, ...).")
  Path clientConfig;

  /**
   * The settings to connect with: flag, else environment, else {@code fileProperties} ({@code
   * bootstrap.servers}, {@code schema.registry.url}), else the local stack.
   */
  ClientSettings resolve(final Map<String, String> env, final Map<String, String> fileProperties) {
    final Map<String, String> extra = new HashMap<>(fileProperties);
    extra.putAll(fromEnvironment(env));
    extra.putAll(extraProperties());
    final String bootstrap =
        first(
            bootstrapServers,
            env.get(BOOTSTRAP_ENV),
            extra.remove("bootstrap.servers"),
            DEFAULT_BOOTSTRAP);
    final String registry =
        first(
            schemaRegistryUrl,
            env.get(REGISTRY_ENV),
            extra.remove("schema.registry.url"),
            DEFAULT_REGISTRY);
    return new ClientSettings(bootstrap, registry, extra);
  }

  /** The properties {@link #CONFIG_ENV_PREFIX} variables set. */
  static Map<String, String> fromEnvironment(final Map<String, String> env) {
    final Map<String, String> properties = new HashMap<>();
    env.forEach(
        (name, value) -> {
          if (name.startsWith(CONFIG_ENV_PREFIX) && name.length() > CONFIG_ENV_PREFIX.length()) {
            properties.put(
                name.substring(CONFIG_ENV_PREFIX.length())
                    .toLowerCase(java.util.Locale.ROOT)
                    .replace('_', '.'),
                value);
          }
        });
    return properties;
  }

  private static String first(final String... candidates) {
    for (final String c : candidates) {
      if (c != null && !c.isBlank()) {
        return c;
      }
    }
    throw new IllegalStateException("no candidate");
  }

  /** The extra client properties of {@code --client-config}, empty without one. */
  Map<String, String> extraProperties() {
    return clientConfig == null ? Map.of() : readProperties(clientConfig);
  }

  static Map<String, String> readProperties(final Path file) {
    final Properties props = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      props.load(in);
    } catch (final NoSuchFileException e) {
      throw UserException.badInput("no such file: " + file);
    } catch (final IOException e) {
      throw UserException.badInput("cannot read " + file + ": " + e.getMessage());
    }
    final Map<String, String> map = new HashMap<>();
    props.stringPropertyNames().forEach(k -> map.put(k, props.getProperty(k)));
    return map;
  }
}
