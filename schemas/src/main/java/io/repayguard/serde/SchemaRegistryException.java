package io.repayguard.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The registry refused a request or could not be reached.
 *
 * <p>Carries Confluent's {@code error_code} (40401 unknown subject, 40403 unknown schema, 409
 * incompatible, ...) or -1 when the registry did not answer.
 */
public class SchemaRegistryException extends SerializationException {
  private final int errorCode;

  public SchemaRegistryException(final int errorCode, final String message) {
    super(message);
    this.errorCode = errorCode;
  }

  public SchemaRegistryException(final String message, final Throwable cause) {
    super(message, cause);
    this.errorCode = -1;
  }

  /** Confluent's error code, or -1 when there was no answer. */
  public int errorCode() {
    return errorCode;
  }
}
