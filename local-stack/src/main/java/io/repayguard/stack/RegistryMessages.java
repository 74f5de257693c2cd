package io.repayguard.stack;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The JSON request and response bodies of the schema registry's REST API, shaped like Confluent's.
 */
final class RegistryMessages {

  private RegistryMessages() {}

  /**
   * A schema sent to register, look up or test; unknown fields (metadata, ruleSet…) are ignored.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record SchemaRequest(String schema, String schemaType, List<JsonNode> references) {}

  /** The global id a registration answers with. */
  record IdResponse(int id) {}

  /** One version of a subject. */
  record SubjectVersionResponse(String subject, int version, int id, String schema) {

    static SubjectVersionResponse of(final SchemaStore.SchemaVersion version) {
      return new SubjectVersionResponse(
          version.subject(), version.version(), version.id(), version.schema());
    }
  }

  /** A schema fetched by its global id. */
  record SchemaResponse(String schema) {}

  /** A subject and version that use a global id. */
  record SubjectAndVersion(String subject, int version) {}

  /** The answer to reading a compatibility level. */
  record CompatibilityLevelResponse(String compatibilityLevel) {}

  /** The body of a compatibility level update, echoed as its answer. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record CompatibilityUpdate(String compatibility) {}

  /** The answer to a compatibility test; messages only when asked for with {@code verbose=true}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record CompatibilityCheckResponse(
      @JsonProperty("is_compatible") boolean isCompatible, List<String> messages) {}

  /** The registry's mode, always read-write. */
  record ModeResponse(String mode) {}

  /** An error, as {@code {"error_code": 40401, "message": "..."}}. */
  record ErrorResponse(@JsonProperty("error_code") int errorCode, String message) {}
}
