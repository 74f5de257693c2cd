package io.repayguard.stack;

import static io.repayguard.stack.KafkaTestClients.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts the whole stack on a data directory, then again, and finds topics and schemas. */
class LocalStackTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String SCHEMA =
      "{\"type\":\"record\",\"name\":\"CreditUse\",\"fields\":[{\"name\":\"creditId\",\"type\":\"string\"}]}";

  @TempDir Path dataDir;

  @Test
  void shouldStartBrokerRegistryAndTopicsAndFindThemAgainAfterARestart() throws Exception {
    // Given
    final StackOptions options =
        new StackOptions(0, 0, 3, dataDir, List.of("credit-use", "merchant-order"));
    final int id;
    try (LocalStack stack = LocalStack.start(options)) {
      assertThat(stack.bootstrapServers()).startsWith("127.0.0.1:");
      assertThat(stack.schemaRegistryUrl()).startsWith("http://127.0.0.1:");
      assertTopicsKeepEverythingWithThreePartitions(stack.bootstrapServers());
      final JsonNode registered =
          post(
              stack.schemaRegistryUrl() + "/subjects/credit-use-value/versions",
              JSON.writeValueAsString(Map.of("schema", SCHEMA)));
      id = registered.get("id").asInt();
    }
    assertThat(dataDir.resolve("kafka").resolve("meta.properties")).exists();

    // When
    try (LocalStack restarted = LocalStack.start(options)) {

      // Then
      assertTopicsKeepEverythingWithThreePartitions(restarted.bootstrapServers());
      final JsonNode latest =
          get(restarted.schemaRegistryUrl() + "/subjects/credit-use-value/versions/latest");
      assertThat(latest.get("id").asInt()).isEqualTo(id);
      assertThat(latest.get("version").asInt()).isEqualTo(1);
    }
  }

  @Test
  void shouldRefuseFewerThanOnePartition() {
    assertThatThrownBy(() -> new StackOptions(0, 0, 0, null, List.of("t")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("partitions must be at least 1, was 0");
  }

  private static void assertTopicsKeepEverythingWithThreePartitions(final String bootstrap)
      throws Exception {
    try (Admin admin = admin(bootstrap)) {
      assertThat(
              admin.describeTopics(List.of("credit-use", "merchant-order")).allTopicNames().get())
          .extractingFromEntries(
              entry -> entry.getKey(), entry -> entry.getValue().partitions().size())
          .containsExactlyInAnyOrder(tuple("credit-use", 3), tuple("merchant-order", 3));
      final Map<ConfigResource, Config> configs =
          admin
              .describeConfigs(
                  List.of(
                      new ConfigResource(ConfigResource.Type.TOPIC, "credit-use"),
                      new ConfigResource(ConfigResource.Type.TOPIC, "merchant-order")))
              .all()
              .get();
      assertThat(configs.values())
          .extracting(config -> config.get("retention.ms").value())
          .containsExactly("-1", "-1");
    }
  }

  private static JsonNode post(final String url, final String body) throws Exception {
    final HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static JsonNode get(final String url) throws Exception {
    final HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
