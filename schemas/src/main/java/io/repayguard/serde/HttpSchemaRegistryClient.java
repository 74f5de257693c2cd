package io.repayguard.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.avro.Schema;

/**
 * A client of the Confluent Schema Registry REST API over HTTP, with caching.
 *
 * <p>Speaks {@code POST /subjects/{s}/versions}, {@code POST /subjects/{s}}, {@code GET
 * /schemas/ids/{id}} and {@code GET /subjects/{s}/versions/latest}. Ids and their schemas never
 * change in a registry, so both directions are cached for the life of the client; the latest
 * version is not cached. Several URLs may be given comma-separated; they are tried in order.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final List<URI> baseUris;
  private final Optional<String> authorization;
  private final HttpClient http;
  private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
  private final Map<String, Map<Schema, Integer>> idBySubject = new ConcurrentHashMap<>();

  /**
   * Creates a client for {@code urls} (comma-separated) with optional {@code user:password}
   * basic-auth credentials.
   */
  public HttpSchemaRegistryClient(final String urls, final Optional<String> userInfo) {
    this(urls, userInfo, Optional.empty());
  }

  /** As {@link #HttpSchemaRegistryClient(String, Optional)}, over HTTPS with {@code tls}. */
  public HttpSchemaRegistryClient(
      final String urls, final Optional<String> userInfo, final Optional<SSLContext> tls) {
    this.baseUris = parseUrls(urls);
    this.authorization =
        userInfo.map(
            u -> "Basic " + Base64.getEncoder().encodeToString(u.getBytes(StandardCharsets.UTF_8)));
    final HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(TIMEOUT);
    tls.ifPresent(http::sslContext);
    this.http = http.build();
  }

  private static List<URI> parseUrls(final String urls) {
    final List<URI> uris =
        java.util.Arrays.stream(urls.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .map(s -> URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s))
            .toList();
    if (uris.isEmpty()) {
      throw new IllegalArgumentException("schema.registry.url is empty");
    }
    return uris;
  }

  /** The user-info part of the first URL ({@code http://user:pw@host}), for URL credentials. */
  public static Optional<String> userInfoOfUrl(final String urls) {
    return Optional.ofNullable(parseUrls(urls).get(0).getUserInfo());
  }

  @Override
  public int register(final String subject, final Schema schema) {
    final Integer cached = cachedId(subject, schema);
    if (cached != null) {
      return cached;
    }
    final JsonNode answer =
        send("POST", "/subjects/" + encode(subject) + "/versions", body(schema));
    final int id = answer.path("id").asInt();
    remember(subject, schema, id);
    return id;
  }

  @Override
  public int idOf(final String subject, final Schema schema) {
    final Integer cached = cachedId(subject, schema);
    if (cached != null) {
      return cached;
    }
    final JsonNode answer = send("POST", "/subjects/" + encode(subject), body(schema));
    final int id = answer.path("id").asInt();
    remember(subject, schema, id);
    return id;
  }

  @Override
  public Schema schemaById(final int id) {
    final Schema cached = schemaById.get(id);
    if (cached != null) {
      return cached;
    }
    final JsonNode answer;
    try {
      answer = send("GET", "/schemas/ids/" + id, null);
    } catch (final SchemaRegistryException e) {
      if (e.errorCode() == 40403) {
        throw new UnknownSchemaIdException(id);
      }
      throw e;
    }
    final Schema schema = new Schema.Parser().parse(answer.path("schema").asText());
    schemaById.put(id, schema);
    return schema;
  }

  @Override
  public RegisteredSchema latest(final String subject) {
    final JsonNode answer = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null);
    final Schema schema = new Schema.Parser().parse(answer.path("schema").asText());
    final int id = answer.path("id").asInt();
    schemaById.putIfAbsent(id, schema);
    return new RegisteredSchema(id, answer.path("version").asInt(), schema);
  }

  private Integer cachedId(final String subject, final Schema schema) {
    final Map<Schema, Integer> ids = idBySubject.get(subject);
    return ids == null ? null : ids.get(schema);
  }

  private void remember(final String subject, final Schema schema, final int id) {
    idBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).put(schema, id);
    schemaById.putIfAbsent(id, schema);
  }

  private static String body(final Schema schema) {
    final ObjectNode node = JSON.createObjectNode();
    node.put("schema", schema.toString());
    return node.toString();
  }

  private static String encode(final String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonNode send(final String method, final String path, final String body) {
    SchemaRegistryException unreachable = null;
    for (final URI base : baseUris) {
      try {
        return sendTo(base, method, path, body);
      } catch (final SSLException e) {
        unreachable =
            new SchemaRegistryException(
                "schema registry at "
                    + base
                    + ": TLS failed ("
                    + e.getMessage()
                    + "); schema.registry.ssl.truststore.* must name a store that trusts its"
                    + " certificate",
                e);
      } catch (final IOException e) {
        unreachable =
            new SchemaRegistryException(
                "schema registry at "
                    + base
                    + " is unreachable ("
                    + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + ")",
                e);
      }
    }
    throw unreachable;
  }

  private JsonNode sendTo(final URI base, final String method, final String path, final String body)
      throws IOException {
    final HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(TIMEOUT)
            .header("Accept", CONTENT_TYPE)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (body != null) {
      request.header("Content-Type", CONTENT_TYPE);
    }
    authorization.ifPresent(a -> request.header("Authorization", a));
    final HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      throw new SchemaRegistryException(
          response.statusCode(),
          "schema registry at "
              + base
              + (response.statusCode() == 401
                  ? " asks for credentials it accepts (HTTP 401): set"
                      + " basic.auth.credentials.source=USER_INFO and basic.auth.user.info="
                      + "user:password"
                  : " refused this user " + method + " " + path + " (HTTP 403)"));
    }
    final JsonNode answer = parse(response.body());
    if (response.statusCode() / 100 != 2) {
      final int code = answer.path("error_code").asInt(response.statusCode());
      final String message = answer.path("message").asText("HTTP " + response.statusCode());
      throw new SchemaRegistryException(
          code,
          "schema registry refused "
              + method
              + " "
              + path
              + ": "
              + message
              + " (error "
              + code
              + ")");
    }
    return answer;
  }

  private static JsonNode parse(final String text) {
    try {
      return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
    } catch (final IOException e) {
      return JSON.createObjectNode();
    }
  }
}
