package io.repayguard.stack;

import java.util.List;

/**
 * A Schema Registry error carrying the HTTP status and the Confluent {@code error_code} it is
 * answered with, with the messages Confluent's registry uses.
 */
final class RegistryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int httpStatus;
  private final int errorCode;

  private RegistryException(
      final int httpStatus, final int errorCode, final String message, final Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  private RegistryException(final int httpStatus, final int errorCode, final String message) {
    this(httpStatus, errorCode, message, null);
  }

  int httpStatus() {
    return httpStatus;
  }

  int errorCode() {
    return errorCode;
  }

  static RegistryException subjectNotFound(final String subject) {
    return new RegistryException(404, 40401, "Subject '" + subject + "' not found.");
  }

  static RegistryException versionNotFound(final int version) {
    return new RegistryException(404, 40402, "Version " + version + " not found.");
  }

  static RegistryException schemaNotFound(final String id) {
    return new RegistryException(404, 40403, "Schema " + id + " not found.");
  }

  static RegistryException schemaNotFoundUnderSubject() {
    return new RegistryException(404, 40403, "Schema not found");
  }

  static RegistryException subjectCompatibilityNotConfigured(final String subject) {
    return new RegistryException(
        404,
        40408,
        "Subject '" + subject + "' does not have subject-level compatibility configured");
  }

  static RegistryException incompatible(final String subject, final List<String> violations) {
    return new RegistryException(
        409,
        409,
        "Schema being registered is incompatible with an earlier schema for"
            + " subject \""
            + subject
            + "\", details: "
            + violations);
  }

  static RegistryException invalidSchema(final String detail) {
    return new RegistryException(422, 42201, "Invalid schema: " + detail);
  }

  static RegistryException invalidVersion(final String version) {
    return new RegistryException(
        422,
        42202,
        "The specified version '"
            + version
            + "' is not a valid version id."
            + " Allowed values are between [1, 2^31-1] and the string \"latest\"");
  }

  static RegistryException invalidCompatibilityLevel(final String level) {
    return new RegistryException(
        422,
        42203,
        "Invalid compatibility level '"
            + level
            + "'. Valid values are none,"
            + " backward, forward, full, backward_transitive, forward_transitive, and full_transitive");
  }

  static RegistryException badRequest(final String detail) {
    return new RegistryException(400, 400, "Bad Request: " + detail);
  }

  static RegistryException routeNotFound() {
    return new RegistryException(404, 404, "HTTP 404 Not Found");
  }

  static RegistryException methodNotAllowed() {
    return new RegistryException(405, 405, "HTTP 405 Method Not Allowed");
  }

  static RegistryException unsupportedMediaType(final String contentType) {
    return new RegistryException(415, 415, "HTTP 415 Unsupported Media Type: " + contentType);
  }

  static RegistryException storeFailed(final String what, final Throwable cause) {
    return new RegistryException(
        500, 50001, "Error while " + what + ": " + cause.getMessage(), cause);
  }
}
