package io.repayguard.serde;

/** A record names a schema id the registry does not know (Confluent error 40403). */
public class UnknownSchemaIdException extends SchemaRegistryException {
  public UnknownSchemaIdException(final int id) {
    super(40403, "Schema " + id + " not found in the schema registry");
  }
}
