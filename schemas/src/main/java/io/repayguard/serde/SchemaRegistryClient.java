package io.repayguard.serde;

import org.apache.avro.Schema;

/**
 * The few Confluent Schema Registry operations an Avro serde needs.
 *
 * <p>Implementations cache what never changes (an id's schema, a subject's id for a schema), so
 * steady-state serialisation makes no network calls.
 */
public interface SchemaRegistryClient {

  /** Registers {@code schema} under {@code subject} (or finds it registered) and returns its id. */
  int register(String subject, Schema schema);

  /**
   * Returns the id of {@code schema} under {@code subject}; fails if it is not registered there.
   */
  int idOf(String subject, Schema schema);

  /** Returns the schema with the global {@code id}; fails with {@link UnknownSchemaIdException}. */
  Schema schemaById(int id);

  /** Returns the newest version registered under {@code subject}. */
  RegisteredSchema latest(String subject);

  /** A schema with its global id, as the registry answers for a subject version. */
  record RegisteredSchema(int id, int version, Schema schema) {}
}
