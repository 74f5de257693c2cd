package io.repayguard.stack;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.repayguard.stack.RegistryMessages.CompatibilityCheckResponse;
import io.repayguard.stack.RegistryMessages.CompatibilityLevelResponse;
import io.repayguard.stack.RegistryMessages.CompatibilityUpdate;
import io.repayguard.stack.RegistryMessages.ErrorResponse;
import io.repayguard.stack.RegistryMessages.IdResponse;
import io.repayguard.stack.RegistryMessages.ModeResponse;
import io.repayguard.stack.RegistryMessages.SchemaRequest;
import io.repayguard.stack.RegistryMessages.SchemaResponse;
import io.repayguard.stack.RegistryMessages.SubjectAndVersion;
import io.repayguard.stack.RegistryMessages.SubjectVersionResponse;
import io.repayguard.stack.SchemaStore.SchemaVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the schema registry's REST API on the JDK HTTP server: one route table maps a method and
 * a path template to a thin action over the {@link SchemaStore} (reads) and the {@link SchemaLog}
 * (durable writes).
 *
 * <p>Every answer is JSON with content type {@value #CONTENT_TYPE}; errors read {@code
 * {"error_code": 40401, "message": "..."}} like Confluent's. Request bodies may come as {@code
 * application/vnd.schemaregistry.v1+json}, {@code application/vnd.schemaregistry+json}, {@code
 * application/json} or without a content type; anything else answers 415. A path no route knows
 * answers 404 (error_code 404), a known path with another method 405.
 */
final class RegistryHttpHandler implements HttpHandler {

  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpHandler.class);
  private static final Set<String> ACCEPTED_CONTENT_TYPES =
      Set.of(CONTENT_TYPE, "application/vnd.schemaregistry+json", "application/json");
  private static final String AVRO = "AVRO";

  /** Computes the JSON body of a successful (200) answer from a matched request. */
  @FunctionalInterface
  private interface Action {
    Object answer(Call call) throws IOException;
  }

  private record Route(String method, List<String> template, Action action) {

    /** Returns the path variables when {@code segments} fit the template. */
    Optional<Map<String, String>> match(final List<String> segments) {
      if (segments.size() != template.size()) {
        return Optional.empty();
      }
      final Map<String, String> variables = new HashMap<>();
      for (int i = 0; i < segments.size(); i++) {
        final String expected = template.get(i);
        if (expected.startsWith("{")) {
          variables.put(expected.substring(1, expected.length() - 1), segments.get(i));
        } else if (!expected.equals(segments.get(i))) {
          return Optional.empty();
        }
      }
      return Optional.of(variables);
    }
  }

  private record Answer(int status, Object body) {}

  private final SchemaStore store;
  private final SchemaLog log;
  private final ObjectMapper json;
  private final List<Route> routes;

  RegistryHttpHandler(final SchemaStore store, final SchemaLog log, final ObjectMapper json) {
    this.store = store;
    this.log = log;
    this.json = json;
    this.routes =
        List.of(
            route("GET", "/", call -> Map.of()),
            route("GET", "/schemas/types", call -> List.of(AVRO)),
            route(
                "GET",
                "/schemas/ids/{id}",
                call -> new SchemaResponse(store.schemaById(call.id()))),
            route("GET", "/schemas/ids/{id}/subjects", this::subjectsUsingId),
            route("GET", "/schemas/ids/{id}/versions", this::versionsUsingId),
            route("GET", "/subjects", call -> store.subjects()),
            route("POST", "/subjects/{subject}", this::lookUp),
            route("GET", "/subjects/{subject}/versions", call -> store.versions(call.subject())),
            route("POST", "/subjects/{subject}/versions", this::register),
            route("GET", "/subjects/{subject}/versions/{version}", this::subjectVersion),
            route("GET", "/subjects/{subject}/versions/{version}/schema", this::rawSchema),
            route(
                "GET",
                "/config",
                call -> new CompatibilityLevelResponse(store.globalLevel().name())),
            route("PUT", "/config", call -> updateCompatibility(null, call)),
            route("GET", "/config/{subject}", this::subjectCompatibility),
            route("PUT", "/config/{subject}", call -> updateCompatibility(call.subject(), call)),
            route("POST", "/compatibility/subjects/{subject}/versions", this::testAgainstSubject),
            route(
                "POST",
                "/compatibility/subjects/{subject}/versions/{version}",
                this::testAgainstVersion),
            route("GET", "/mode", call -> new ModeResponse("READWRITE")));
  }

  @Override
  public void handle(final HttpExchange exchange) throws IOException {
    try {
      final Answer answer = answer(exchange);
      final byte[] body = json.writeValueAsBytes(answer.body());
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      exchange.sendResponseHeaders(answer.status(), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    } finally {
      exchange.close();
    }
  }

  private Answer answer(final HttpExchange exchange) {
    try {
      final List<String> segments = segments(exchange.getRequestURI().getRawPath());
      boolean pathKnown = false;
      for (final Route route : routes) {
        final Optional<Map<String, String>> variables = route.match(segments);
        if (variables.isPresent()) {
          pathKnown = true;
          if (route.method().equals(exchange.getRequestMethod())) {
            return new Answer(200, route.action().answer(new Call(exchange, variables.get())));
          }
        }
      }
      throw pathKnown ? RegistryException.methodNotAllowed() : RegistryException.routeNotFound();
    } catch (final RegistryException e) {
      return new Answer(e.httpStatus(), new ErrorResponse(e.errorCode(), e.getMessage()));
    } catch (final IOException | RuntimeException e) {
      LOG.error(
          "Schema registry failed on {} {}",
          exchange.getRequestMethod(),
          exchange.getRequestURI(),
          e);
      return new Answer(500, new ErrorResponse(50001, "Internal error: " + e.getMessage()));
    }
  }

  private Object register(final Call call) throws IOException {
    return new IdResponse(log.register(call.subject(), call.schemaText()));
  }

  private Object lookUp(final Call call) throws IOException {
    return SubjectVersionResponse.of(store.lookUp(call.subject(), call.schemaText()));
  }

  private Object subjectVersion(final Call call) {
    return SubjectVersionResponse.of(store.version(call.subject(), call.version()));
  }

  private Object rawSchema(final Call call) throws IOException {
    return json.readTree(store.version(call.subject(), call.version()).schema());
  }

  private Object subjectsUsingId(final Call call) {
    return store.versionsUsing(call.id()).stream().map(SchemaVersion::subject).distinct().toList();
  }

  private Object versionsUsingId(final Call call) {
    return store.versionsUsing(call.id()).stream()
        .map(version -> new SubjectAndVersion(version.subject(), version.version()))
        .toList();
  }

  private Object subjectCompatibility(final Call call) {
    final Optional<CompatibilityLevel> own = store.subjectLevel(call.subject());
    if (own.isPresent()) {
      return new CompatibilityLevelResponse(own.get().name());
    }
    if (call.flag("defaultToGlobal")) {
      return new CompatibilityLevelResponse(store.globalLevel().name());
    }
    throw RegistryException.subjectCompatibilityNotConfigured(call.subject());
  }

  private Object updateCompatibility(final String subjectOrNull, final Call call)
      throws IOException {
    final String requested = call.body(CompatibilityUpdate.class).compatibility();
    final CompatibilityLevel level =
        CompatibilityLevel.parse(requested)
            .orElseThrow(() -> RegistryException.invalidCompatibilityLevel(requested));
    log.setCompatibility(subjectOrNull, level);
    return new CompatibilityUpdate(level.name());
  }

  private Object testAgainstVersion(final Call call) throws IOException {
    final int version = call.version();
    return compatibilityAnswer(
        call, store.violationsAgainstVersion(call.subject(), version, call.schemaText()));
  }

  private Object testAgainstSubject(final Call call) throws IOException {
    return compatibilityAnswer(
        call, store.violationsAgainstSubject(call.subject(), call.schemaText()));
  }

  private static Object compatibilityAnswer(final Call call, final List<String> violations) {
    return new CompatibilityCheckResponse(
        violations.isEmpty(), call.flag("verbose") ? violations : null);
  }

  private static Route route(final String method, final String path, final Action action) {
    return new Route(method, segments(path), action);
  }

  private static List<String> segments(final String rawPath) {
    try {
      return Arrays.stream(rawPath.split("/"))
          .filter(segment -> !segment.isEmpty())
          // A path keeps '+' literally; URLDecoder would turn it into a space.
          .map(segment -> URLDecoder.decode(segment.replace("+", "%2B"), UTF_8))
          .toList();
    } catch (final IllegalArgumentException e) {
      throw RegistryException.routeNotFound();
    }
  }

  /** A request matched to a route: its path variables, query parameters and body. */
  private final class Call {

    private final HttpExchange exchange;
    private final Map<String, String> variables;

    Call(final HttpExchange exchange, final Map<String, String> variables) {
      this.exchange = exchange;
      this.variables = variables;
    }

    String subject() {
      return variables.get("subject");
    }

    int id() {
      try {
        return Integer.parseInt(variables.get("id"));
      } catch (final NumberFormatException e) {
        throw RegistryException.routeNotFound();
      }
    }

    /** Returns the version path variable, {@link SchemaStore#LATEST} for "latest" or -1. */
    int version() {
      final String text = variables.get("version");
      if ("latest".equals(text) || "-1".equals(text)) {
        return SchemaStore.LATEST;
      }
      try {
        final int version = Integer.parseInt(text);
        if (version >= 1) {
          return version;
        }
      } catch (final NumberFormatException e) {
        throw RegistryException.invalidVersion(text);
      }
      throw RegistryException.invalidVersion(text);
    }

    boolean flag(final String name) {
      final String query = exchange.getRequestURI().getRawQuery();
      if (query == null) {
        return false;
      }
      return Arrays.stream(query.split("&"))
          .map(parameter -> parameter.split("=", 2))
          .anyMatch(
              pair ->
                  URLDecoder.decode(pair[0], UTF_8).equals(name)
                      && pair.length == 2
                      && "true".equalsIgnoreCase(URLDecoder.decode(pair[1], UTF_8)));
    }

    /** Returns the Avro schema text of a schema request body, refusing what is not Avro. */
    String schemaText() throws IOException {
      final SchemaRequest request = body(SchemaRequest.class);
      if (request.schemaType() != null
          && !AVRO.equals(request.schemaType().toUpperCase(Locale.ROOT))) {
        throw RegistryException.invalidSchema(
            "unsupported schema type " + request.schemaType() + ", this registry knows AVRO only");
      }
      if (request.references() != null && !request.references().isEmpty()) {
        throw RegistryException.invalidSchema(
            "schema references are not supported by this registry");
      }
      return request.schema();
    }

    <T> T body(final Class<T> type) throws IOException {
      requireAcceptedContentType();
      final byte[] bytes;
      try (InputStream in = exchange.getRequestBody()) {
        bytes = in.readAllBytes();
      }
      if (bytes.length == 0) {
        throw RegistryException.badRequest("the request has no body");
      }
      final T body;
      try {
        body = json.readValue(bytes, type);
      } catch (final JsonProcessingException e) {
        throw RegistryException.badRequest(e.getOriginalMessage());
      }
      if (body == null) {
        throw RegistryException.badRequest("the request body is null");
      }
      return body;
    }

    private void requireAcceptedContentType() {
      final String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
      if (contentType == null) {
        return;
      }
      final String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      if (!ACCEPTED_CONTENT_TYPES.contains(mediaType)) {
        throw RegistryException.unsupportedMediaType(contentType);
      }
    }
  }
}
