package io.repayguard.serde;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * The serde settings, read with Confluent's own config keys so their serdes can be swapped in.
 *
 * <p>{@code schema.registry.url} (comma-separated; {@code mock://scope} for an in-process
 * registry), {@code auto.register.schemas} (default true), {@code use.latest.version} (default
 * false), {@code basic.auth.credentials.source} ({@code USER_INFO} or {@code URL}, default URL),
 * {@code basic.auth.user.info} ({@code user:password}), {@code specific.avro.reader} (default
 * false: generic records), and {@code schema.registry.ssl.*} for an HTTPS registry ({@link
 * RegistryTls}).
 */
public record AvroSerdeConfig(
    String registryUrl,
    boolean autoRegisterSchemas,
    boolean useLatestVersion,
    Optional<String> userInfo,
    boolean specificAvroReader,
    Optional<RegistryTls> tls) {

  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  public static final String USE_LATEST_VERSION = "use.latest.version";
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
  private static final String MOCK_SCHEME = "mock://";

  /** Reads the settings from a Kafka client config map; fails on a missing URL or a bad value. */
  public static AvroSerdeConfig from(final Map<String, ?> configs) {
    final Object url = configs.get(SCHEMA_REGISTRY_URL);
    if (url == null || url.toString().isBlank()) {
      throw new ConfigException(
          "Missing required configuration \""
              + SCHEMA_REGISTRY_URL
              + "\" which has no default value.");
    }
    final String source =
        string(configs, BASIC_AUTH_CREDENTIALS_SOURCE, "URL").toUpperCase(Locale.ROOT);
    final Optional<String> userInfo =
        switch (source) {
          case "USER_INFO" ->
              Optional.ofNullable(configs.get(BASIC_AUTH_USER_INFO))
                  .map(Object::toString)
                  .filter(s -> !s.isBlank());
          case "URL" ->
              url.toString().startsWith(MOCK_SCHEME)
                  ? Optional.empty()
                  : HttpSchemaRegistryClient.userInfoOfUrl(url.toString());
          default ->
              throw new ConfigException(
                  BASIC_AUTH_CREDENTIALS_SOURCE, source, "must be USER_INFO or URL");
        };
    return new AvroSerdeConfig(
        url.toString(),
        bool(configs, AUTO_REGISTER_SCHEMAS, true),
        bool(configs, USE_LATEST_VERSION, false),
        userInfo,
        bool(configs, SPECIFIC_AVRO_READER, false),
        RegistryTls.from(configs));
  }

  /** A client for the configured registry: in-process for {@code mock://}, HTTP otherwise. */
  public SchemaRegistryClient newClient() {
    if (registryUrl.startsWith(MOCK_SCHEME)) {
      return MockSchemaRegistry.forScope(registryUrl.substring(MOCK_SCHEME.length()));
    }
    return new HttpSchemaRegistryClient(registryUrl, userInfo, tls.map(RegistryTls::sslContext));
  }

  private static String string(final Map<String, ?> configs, final String key, final String dflt) {
    final Object value = configs.get(key);
    return value == null ? dflt : value.toString().trim();
  }

  private static boolean bool(final Map<String, ?> configs, final String key, final boolean dflt) {
    final Object value = configs.get(key);
    if (value == null) {
      return dflt;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    final String text = value.toString().trim().toLowerCase(Locale.ROOT);
    if (!text.equals("true") && !text.equals("false")) {
      throw new ConfigException(key, value, "must be true or false");
    }
    return Boolean.parseBoolean(text);
  }
}
