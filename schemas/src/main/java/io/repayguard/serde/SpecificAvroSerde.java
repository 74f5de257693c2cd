package io.repayguard.serde;

import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka {@link Serde} for one generated Avro class in Confluent's wire format.
 *
 * <p>Configured like Confluent's {@code SpecificAvroSerde}, with the same keys; reads always
 * resolve into {@code T}, whatever compatible schema the producer wrote with.
 */
public final class SpecificAvroSerde<T extends SpecificRecord> implements Serde<T> {
  private final AvroSerializer<T> serializer;
  private final AvroDeserializer<T> deserializer;

  /** Creates a serde for the generated class whose schema is {@code schema}. */
  public SpecificAvroSerde(final Schema schema) {
    this.serializer = new AvroSerializer<>();
    this.deserializer = new AvroDeserializer<>(schema);
  }

  /** Creates a serde already configured over {@code registry}, for values. */
  public SpecificAvroSerde(
      final Schema schema, final SchemaRegistryClient registry, final AvroSerdeConfig config) {
    this.serializer = new AvroSerializer<>(registry, config);
    this.deserializer = new AvroDeserializer<>(registry, schema);
  }

  @Override
  public void configure(final Map<String, ?> configs, final boolean isKey) {
    final Map<String, Object> withSpecific = new HashMap<>(configs);
    withSpecific.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, true);
    serializer.configure(withSpecific, isKey);
    deserializer.configure(withSpecific, isKey);
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }
}
