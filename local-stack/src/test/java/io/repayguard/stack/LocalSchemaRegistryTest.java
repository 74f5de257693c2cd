package io.repayguard.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Talks to a registry over real HTTP, backed by one in-process broker for all tests; every test
 * uses its own subjects.
 */
class LocalSchemaRegistryTest {

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static final String V1 = record("{\"name\":\"id\",\"type\":\"string\"}");
  private static final String V2_OPTIONAL_NOTE =
      record(
          "{\"name\":\"id\",\"type\":\"string\"}",
          "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}");
  private static final String V2_REQUIRED_AMOUNT =
      record("{\"name\":\"id\",\"type\":\"string\"}", "{\"name\":\"amount\",\"type\":\"long\"}");
  private static final String V2_DEFAULTED_AMOUNT =
      record(
          "{\"name\":\"id\",\"type\":\"string\"}",
          "{\"name\":\"amount\",\"type\":\"long\",\"default\":0}");

  private static LocalKafka kafka;
  private static LocalSchemaRegistry registry;

  /** An HTTP answer: status, content type and parsed JSON body. */
  private record Reply(int status, String contentType, JsonNode body) {}

  @BeforeAll
  static void startRegistry() {
    kafka = LocalKafka.start(0, null);
    registry = LocalSchemaRegistry.start(0, kafka.bootstrapServers());
  }

  @AfterAll
  static void stopRegistry() {
    registry.close();
    kafka.close();
  }

  @Test
  void shouldAnswerTheSameIdWhenASubjectRegistersTheSameSchemaAgain() throws Exception {
    // Given
    final int id = register("again-value", V1);

    // When
    final Reply reply =
        call("POST", "/subjects/again-value/versions", schema(V1.replace(",", " ,\n ")));

    // Then
    assertThat(reply.body()).isEqualTo(json("{\"id\":" + id + "}"));
    assertThat(call("GET", "/subjects/again-value/versions", null).body()).isEqualTo(json("[1]"));
  }

  @Test
  void shouldGiveTheSameSchemaUnderTwoSubjectsTheSameId() throws Exception {
    // When
    final int first = register("twins-a-value", V2_OPTIONAL_NOTE);
    final int second = register("twins-b-value", V2_OPTIONAL_NOTE);

    // Then
    assertThat(second).isEqualTo(first);
    assertThat(call("GET", "/schemas/ids/" + first + "/subjects", null).body())
        .isEqualTo(json("[\"twins-a-value\",\"twins-b-value\"]"));
    assertThat(call("GET", "/schemas/ids/" + first + "/versions", null).body())
        .isEqualTo(
            json(
                "[{\"subject\":\"twins-a-value\",\"version\":1},{\"subject\":\"twins-b-value\",\"version\":1}]"));
  }

  @Test
  void shouldServeASchemaByIdAndAnswer40403ForAnUnknownId() throws Exception {
    // Given
    final int id = register("by-id-value", V1);

    // When
    final Reply known = call("GET", "/schemas/ids/" + id, null);
    final Reply unknown = call("GET", "/schemas/ids/999999", null);

    // Then
    assertThat(known.body()).isEqualTo(JSON.valueToTree(Map.of("schema", canonical(V1))));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo(error(40403, "Schema 999999 not found."));
  }

  @Test
  void shouldListSubjectsAndTheirVersionsAndAnswer40401ForAnUnknownSubject() throws Exception {
    // Given
    register("listed-value", V1);
    register("listed-value", V2_OPTIONAL_NOTE);

    // When
    final Reply subjects = call("GET", "/subjects", null);
    final Reply versions = call("GET", "/subjects/listed-value/versions", null);
    final Reply unknown = call("GET", "/subjects/never-registered/versions", null);

    // Then
    assertThat(subjects.body().isArray()).isTrue();
    assertThat(subjects.body()).contains(JSON.getNodeFactory().textNode("listed-value"));
    assertThat(versions.body()).isEqualTo(json("[1,2]"));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo(error(40401, "Subject 'never-registered' not found."));
  }

  @Test
  void shouldServeAVersionByNumberAndLatestAndAnswer40401And40402() throws Exception {
    // Given
    final int id1 = register("versions-value", V1);
    final int id2 = register("versions-value", V2_OPTIONAL_NOTE);

    // When
    final Reply first = call("GET", "/subjects/versions-value/versions/1", null);
    final Reply latest = call("GET", "/subjects/versions-value/versions/latest", null);
    final Reply unknownVersion = call("GET", "/subjects/versions-value/versions/7", null);
    final Reply unknownSubject = call("GET", "/subjects/nobody-value/versions/latest", null);
    final Reply invalidVersion = call("GET", "/subjects/versions-value/versions/abc", null);

    // Then
    assertThat(first.body()).isEqualTo(subjectVersion("versions-value", 1, id1, V1));
    assertThat(latest.body()).isEqualTo(subjectVersion("versions-value", 2, id2, V2_OPTIONAL_NOTE));
    assertThat(unknownVersion.status()).isEqualTo(404);
    assertThat(unknownVersion.body()).isEqualTo(error(40402, "Version 7 not found."));
    assertThat(unknownSubject.status()).isEqualTo(404);
    assertThat(unknownSubject.body()).isEqualTo(error(40401, "Subject 'nobody-value' not found."));
    assertThat(invalidVersion.status()).isEqualTo(422);
    assertThat(invalidVersion.body().get("error_code").asInt()).isEqualTo(42202);
  }

  @Test
  void shouldLookUpASchemaUnderASubjectAndAnswer40401And40403() throws Exception {
    // Given
    final int id = register("lookup-value", V1);

    // When
    final Reply found = call("POST", "/subjects/lookup-value", schema(V1));
    final Reply otherSchema = call("POST", "/subjects/lookup-value", schema(V2_OPTIONAL_NOTE));
    final Reply unknownSubject = call("POST", "/subjects/lookup-nobody", schema(V1));

    // Then
    assertThat(found.body()).isEqualTo(subjectVersion("lookup-value", 1, id, V1));
    assertThat(otherSchema.status()).isEqualTo(404);
    assertThat(otherSchema.body()).isEqualTo(error(40403, "Schema not found"));
    assertThat(unknownSubject.status()).isEqualTo(404);
    assertThat(unknownSubject.body()).isEqualTo(error(40401, "Subject 'lookup-nobody' not found."));
  }

  @Test
  void shouldAcceptAnOptionalFieldWithDefaultUnderBackward() throws Exception {
    // Given
    register("backward-ok-value", V1);

    // When
    final Reply reply =
        call("POST", "/subjects/backward-ok-value/versions", schema(V2_OPTIONAL_NOTE));

    // Then
    assertThat(reply.status()).isEqualTo(200);
    assertThat(call("GET", "/subjects/backward-ok-value/versions", null).body())
        .isEqualTo(json("[1,2]"));
  }

  @Test
  void shouldRefuseARequiredFieldWithoutDefaultUnderBackwardWith409() throws Exception {
    // Given
    register("backward-refused-value", V1);

    // When
    final Reply reply =
        call("POST", "/subjects/backward-refused-value/versions", schema(V2_REQUIRED_AMOUNT));

    // Then
    assertThat(reply.status()).isEqualTo(409);
    assertThat(reply.body().get("error_code").asInt()).isEqualTo(409);
    assertThat(reply.body().get("message").asText())
        .startsWith(
            "Schema being registered is incompatible with an earlier schema for subject"
                + " \"backward-refused-value\"")
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE");
    assertThat(call("GET", "/subjects/backward-refused-value/versions", null).body())
        .isEqualTo(json("[1]"));
  }

  @Test
  void shouldAcceptAnIncompatibleSchemaOnceTheSubjectLevelIsNone() throws Exception {
    // Given
    register("relaxed-value", V1);

    // When
    final Reply update = call("PUT", "/config/relaxed-value", Map.of("compatibility", "NONE"));
    final Reply registration =
        call("POST", "/subjects/relaxed-value/versions", schema(V2_REQUIRED_AMOUNT));

    // Then
    assertThat(update.body()).isEqualTo(json("{\"compatibility\":\"NONE\"}"));
    assertThat(call("GET", "/config/relaxed-value", null).body())
        .isEqualTo(json("{\"compatibilityLevel\":\"NONE\"}"));
    assertThat(registration.status()).isEqualTo(200);
    assertThat(call("GET", "/subjects/relaxed-value/versions", null).body())
        .isEqualTo(json("[1,2]"));
  }

  @Test
  void shouldAcceptAnIncompatibleSchemaWhileTheGlobalLevelIsNone() throws Exception {
    // Given
    register("global-none-value", V1);
    assertThat(call("GET", "/config", null).body())
        .isEqualTo(json("{\"compatibilityLevel\":\"BACKWARD\"}"));

    // When
    final Reply update = call("PUT", "/config", Map.of("compatibility", "none"));
    final Reply registration;
    try {
      registration =
          call("POST", "/subjects/global-none-value/versions", schema(V2_REQUIRED_AMOUNT));
      assertThat(call("GET", "/config", null).body())
          .isEqualTo(json("{\"compatibilityLevel\":\"NONE\"}"));
    } finally {
      call("PUT", "/config", Map.of("compatibility", "BACKWARD"));
    }

    // Then
    assertThat(update.body()).isEqualTo(json("{\"compatibility\":\"NONE\"}"));
    assertThat(registration.status()).isEqualTo(200);
    assertThat(call("GET", "/config", null).body())
        .isEqualTo(json("{\"compatibilityLevel\":\"BACKWARD\"}"));
  }

  @Test
  void shouldAnswer40408ForASubjectWithoutItsOwnLevelUnlessDefaultToGlobal() throws Exception {
    // When
    final Reply own = call("GET", "/config/no-own-level-value", null);
    final Reply global = call("GET", "/config/no-own-level-value?defaultToGlobal=true", null);

    // Then
    assertThat(own.status()).isEqualTo(404);
    assertThat(own.body())
        .isEqualTo(
            error(
                40408,
                "Subject 'no-own-level-value' does not have subject-level compatibility configured"));
    assertThat(global.body()).isEqualTo(json("{\"compatibilityLevel\":\"BACKWARD\"}"));
  }

  @Test
  void shouldRefuseAnUnknownCompatibilityLevelWith42203() throws Exception {
    // When
    final Reply reply = call("PUT", "/config/odd-level-value", Map.of("compatibility", "SIDEWAYS"));

    // Then
    assertThat(reply.status()).isEqualTo(422);
    assertThat(reply.body().get("error_code").asInt()).isEqualTo(42203);
  }

  @Test
  void shouldTestCompatibilityAgainstLatestOrAGivenVersion() throws Exception {
    // Given
    register("check-value", V1);
    register("check-value", V2_DEFAULTED_AMOUNT);

    // When
    final Reply againstLatest =
        call(
            "POST",
            "/compatibility/subjects/check-value/versions/latest",
            schema(V2_REQUIRED_AMOUNT));
    final Reply againstFirst =
        call("POST", "/compatibility/subjects/check-value/versions/1", schema(V2_REQUIRED_AMOUNT));
    final Reply verbose =
        call(
            "POST",
            "/compatibility/subjects/check-value/versions/1?verbose=true",
            schema(V2_REQUIRED_AMOUNT));
    final Reply unknownVersion =
        call("POST", "/compatibility/subjects/check-value/versions/9", schema(V2_REQUIRED_AMOUNT));
    final Reply unknownSubject =
        call("POST", "/compatibility/subjects/check-nobody/versions/latest", schema(V1));

    // Then
    assertThat(againstLatest.body()).isEqualTo(json("{\"is_compatible\":true}"));
    assertThat(againstFirst.body()).isEqualTo(json("{\"is_compatible\":false}"));
    assertThat(verbose.body().get("is_compatible").asBoolean()).isFalse();
    assertThat(verbose.body().get("messages")).isNotEmpty();
    assertThat(unknownVersion.body()).isEqualTo(error(40402, "Version 9 not found."));
    assertThat(unknownSubject.body()).isEqualTo(error(40401, "Subject 'check-nobody' not found."));
  }

  @Test
  void shouldRefuseInvalidSchemasAndOtherSchemaTypesWith42201() throws Exception {
    // When
    final Reply invalid =
        call("POST", "/subjects/invalid-value/versions", schema("{\"type\":\"record\""));
    final Reply protobuf =
        call(
            "POST",
            "/subjects/invalid-value/versions",
            Map.of("schema", "syntax = \"proto3\";", "schemaType", "PROTOBUF"));

    // Then
    assertThat(invalid.status()).isEqualTo(422);
    assertThat(invalid.body().get("error_code").asInt()).isEqualTo(42201);
    assertThat(protobuf.status()).isEqualTo(422);
    assertThat(protobuf.body().get("error_code").asInt()).isEqualTo(42201);
    assertThat(call("GET", "/subjects/invalid-value/versions", null).status()).isEqualTo(404);
  }

  @Test
  void shouldAnswerAnUnknownRouteWith404() throws Exception {
    // When
    final Reply reply = call("GET", "/no/such/route", null);

    // Then
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.body()).isEqualTo(error(404, "HTTP 404 Not Found"));
  }

  @Test
  void shouldAnswerTheDiscoveryCallsOfClientsAndUisAnd405ForAnotherMethod() throws Exception {
    // When
    final Reply root = call("GET", "/", null);
    final Reply types = call("GET", "/schemas/types", null);
    final Reply mode = call("GET", "/mode", null);
    final Reply delete = call("DELETE", "/subjects", null);

    // Then
    assertThat(root.body()).isEqualTo(json("{}"));
    assertThat(types.body()).isEqualTo(json("[\"AVRO\"]"));
    assertThat(mode.body()).isEqualTo(json("{\"mode\":\"READWRITE\"}"));
    assertThat(delete.status()).isEqualTo(405);
    assertThat(delete.body()).isEqualTo(error(405, "HTTP 405 Method Not Allowed"));
  }

  @Test
  void shouldSendTheRegistryContentTypeOnEveryAnswer() throws Exception {
    // Given
    register("content-type-value", V1);

    // When
    final Reply ok = call("GET", "/subjects/content-type-value/versions/1", null);
    final Reply notFound = call("GET", "/subjects/content-type-nobody/versions", null);
    final Reply noRoute = call("GET", "/nowhere", null);
    final Reply invalid = call("POST", "/subjects/content-type-value/versions", schema("nope"));

    // Then
    assertThat(new Reply[] {ok, notFound, noRoute, invalid})
        .extracting(Reply::status, Reply::contentType)
        .containsExactly(
            tuple(200, CONTENT_TYPE),
            tuple(404, CONTENT_TYPE),
            tuple(404, CONTENT_TYPE),
            tuple(422, CONTENT_TYPE));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/vnd.schemaregistry.v1+json",
        "application/vnd.schemaregistry+json",
        "application/json",
        "application/json; charset=utf-8"
      })
  void shouldAcceptTheRegistryRequestContentTypes(final String contentType) throws Exception {
    // When
    final Reply reply =
        call("POST", "/subjects/content-types-value/versions", schema(V1), contentType);

    // Then
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().get("id").isInt()).isTrue();
  }

  @Test
  void shouldRefuseOtherRequestContentTypesWith415() throws Exception {
    // When
    final Reply reply = call("POST", "/subjects/text-value/versions", schema(V1), "text/plain");

    // Then
    assertThat(reply.status()).isEqualTo(415);
    assertThat(reply.body().get("error_code").asInt()).isEqualTo(415);
  }

  @Test
  void shouldKeepIdsVersionsAndLevelsAcrossARestartOnTheSameBroker() throws Exception {
    // Given
    final int id1 = register("restart-value", V1);
    final int id2 = register("restart-value", V2_OPTIONAL_NOTE);
    call("PUT", "/config/restart-value", Map.of("compatibility", "FULL"));

    // When
    registry.close();
    registry = LocalSchemaRegistry.start(0, kafka.bootstrapServers());

    // Then
    assertThat(call("GET", "/subjects/restart-value/versions", null).body())
        .isEqualTo(json("[1,2]"));
    assertThat(call("GET", "/subjects/restart-value/versions/1", null).body())
        .isEqualTo(subjectVersion("restart-value", 1, id1, V1));
    assertThat(call("GET", "/subjects/restart-value/versions/2", null).body())
        .isEqualTo(subjectVersion("restart-value", 2, id2, V2_OPTIONAL_NOTE));
    assertThat(call("GET", "/config/restart-value", null).body())
        .isEqualTo(json("{\"compatibilityLevel\":\"FULL\"}"));
    assertThat(register("restart-value", V1)).isEqualTo(id1);
    assertThat(register("restart-other-value", V2_OPTIONAL_NOTE)).isEqualTo(id2);
    assertThat(register("restart-third-value", V2_DEFAULTED_AMOUNT.replace("Payment", "Renamed")))
        .isGreaterThan(Math.max(id1, id2));
  }

  private static int register(final String subject, final String avsc) throws Exception {
    final Reply reply = call("POST", "/subjects/" + subject + "/versions", schema(avsc));
    assertThat(reply.status()).as("registering under %s: %s", subject, reply.body()).isEqualTo(200);
    return reply.body().get("id").asInt();
  }

  private static Reply call(final String method, final String path, final Object body)
      throws Exception {
    return call(method, path, body, CONTENT_TYPE);
  }

  private static Reply call(
      final String method, final String path, final Object body, final String contentType)
      throws Exception {
    final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(registry.url() + path));
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", contentType)
          .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    }
    final HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(null),
        json(response.body()));
  }

  private static Map<String, String> schema(final String avsc) {
    return Map.of("schema", avsc);
  }

  private static JsonNode subjectVersion(
      final String subject, final int version, final int id, final String avsc) throws IOException {
    return JSON.valueToTree(
        Map.of("subject", subject, "version", version, "id", id, "schema", canonical(avsc)));
  }

  private static JsonNode error(final int errorCode, final String message) {
    return JSON.valueToTree(Map.of("error_code", errorCode, "message", message));
  }

  private static JsonNode json(final String text) throws IOException {
    return JSON.readTree(text);
  }

  private static String canonical(final String avsc) {
    return new Schema.Parser().parse(avsc).toString();
  }

  private static String record(final String... fields) {
    return "{\"type\":\"record\",\"name\":\"Payment\",\"namespace\":\"io.repayguard.test\",\"fields\":["
        + String.join(",", fields)
        + "]}";
  }
}
