package io.repayguard.sim;

import io.repayguard.serde.AvroSerdeConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the Kafka cluster and the schema registry are, plus any extra client properties.
 *
 * @param extra further client and serde properties (security, {@code basic.auth.*}, ...), passed to
 *     every client as they are
 */
public record ClientSettings(
    String bootstrapServers, String schemaRegistryUrl, Map<String, String> extra) {

  public ClientSettings {
    extra = Map.copyOf(extra);
  }

  /** Common client properties: bootstrap servers, registry URL, then the extras. */
  public Map<String, Object> clientProperties() {
    final Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrapServers);
    props.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
    props.putAll(extra);
    return props;
  }
}
