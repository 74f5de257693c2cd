package io.repayguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The repository's {@code docker-compose.yml}, read for the tests that check or run it. */
final class ComposeFile {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path PATH = ROOT.resolve("docker-compose.yml");
  private static final Pattern TOPIC_LOOP = Pattern.compile("for topic in ([^;]+);");

  private final JsonNode yaml;

  ComposeFile() {
    try {
      this.yaml = new ObjectMapper(new YAMLFactory()).readTree(PATH.toFile());
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot read " + PATH, e);
    }
  }

  /** The node at {@code pointer} (JSON pointer syntax, e.g. {@code /services/kafka/ports}). */
  JsonNode at(final String pointer) {
    return yaml.at(pointer);
  }

  /** The names of the services whose image is {@code image}. */
  List<String> servicesOf(final String image) {
    final List<String> services = new ArrayList<>();
    yaml.get("services")
        .fields()
        .forEachRemaining(
            e -> {
              if (image.equals(e.getValue().path("image").asText())) {
                services.add(e.getKey());
              }
            });
    return services;
  }

  /** A service's environment, as it sets it. */
  Map<String, String> environment(final String service) {
    final Map<String, String> env = new HashMap<>();
    yaml.at("/services/" + service + "/environment")
        .fields()
        .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    return env;
  }

  /** A service's command, word by word. */
  List<String> command(final String service) {
    final List<String> command = new ArrayList<>();
    yaml.at("/services/" + service + "/command").forEach(n -> command.add(n.asText()));
    return command;
  }

  /** The topics the {@code topics} init service's loop creates. */
  List<String> initTopics() {
    final Matcher loop = TOPIC_LOOP.matcher(yaml.at("/services/topics/command/0").asText());
    if (!loop.find()) {
      throw new IllegalStateException("the topics service has no 'for topic in ...;' loop");
    }
    return List.of(loop.group(1).trim().split("\\s+"));
  }
}
