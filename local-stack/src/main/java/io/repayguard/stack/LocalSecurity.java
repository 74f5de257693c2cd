package io.repayguard.stack;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * SASL_SSL for the local broker: a certificate authority and a broker certificate for 127.0.0.1 and
 * localhost made with the JDK's own {@code keytool} at the first start, SCRAM-SHA-512 users {@value
 * #ADMIN} (the broker's own and the stack's) and {@value #USER} (for repayguard's commands), random
 * passwords. All of it is kept in {@code <data>-security} beside the broker's data (Kafka allows no
 * other directory in its log directory), so a restart on the same data finds it again, with {@code
 * client.properties} for the Java tools ({@code --client-config}) and {@code ca.pem} for other
 * clients. The local schema registry serves HTTPS with the broker's certificate and asks for the
 * same users and passwords (HTTP basic authentication); the client files say how to reach it. A
 * second listener takes client certificates instead of passwords (mTLS): the CA signs one for each
 * of {@value #USER} and {@value #DETECTOR_USER}, whose {@code CN} is the principal's name, and
 * {@code mtls.properties} uses it.
 */
public final class LocalSecurity {
  /** The broker's own user, also the stack's (topics, the registry's log). */
  static final String ADMIN = "admin";

  /** The user repayguard's commands connect as, through {@link #clientProperties()}. */
  public static final String USER = "repayguard";

  /**
   * A user with no rights of its own: the stack gives it a detector's ACLs ({@code
   * detector.properties} connects as it).
   */
  public static final String DETECTOR_USER = "repayguard-detector";

  static final String MECHANISM = "SCRAM-SHA-512";
  private static final String VALIDITY_DAYS = "3650";
  private static final String SCRAM_LOGIN =
      "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"%s\""
          + " password=\"%s\";";

  private final Path dir;
  private final Properties secrets;

  private LocalSecurity(final Path dir, final Properties secrets) {
    this.dir = dir;
    this.secrets = secrets;
  }

  /** Where the security of a broker with data in {@code data} lives. */
  static Path securityDir(final Path data) {
    return data.resolveSibling(data.getFileName() + "-security");
  }

  /**
   * Reads back, or makes at the first start, the certificates and passwords for a broker whose data
   * is in {@code data}: in {@code <data>-security} beside it (Kafka allows no other directory in
   * its log directory).
   */
  static LocalSecurity prepare(final Path data) {
    final Path dir = securityDir(data);
    final Path secretsFile = dir.resolve("secrets.properties");
    try {
      final Properties secrets = new Properties();
      if (Files.exists(secretsFile)) {
        try (Reader in = Files.newBufferedReader(secretsFile, UTF_8)) {
          secrets.load(in);
        }
      } else {
        Files.createDirectories(dir);
        secrets.setProperty("store", secret());
        secrets.setProperty(ADMIN, secret());
        secrets.setProperty(USER, secret());
        secrets.setProperty(DETECTOR_USER, secret());
        makeCertificates(dir, secrets.getProperty("store"));
        try (Writer out = Files.newBufferedWriter(secretsFile, UTF_8)) {
          secrets.store(out, "passwords of the local broker's stores and users");
        }
      }
      for (final String user : List.of(USER, DETECTOR_USER)) {
        // data made before client certificates existed gets them now
        if (!Files.exists(dir.resolve(user + ".p12"))) {
          makeClientCertificate(dir, secrets.getProperty("store"), user);
        }
      }
      return new LocalSecurity(dir, secrets);
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot prepare the local broker's security in " + dir, e);
    }
  }

  /** Where the Java tools' client properties are: {@code --client-config} takes this file. */
  public Path clientProperties() {
    return dir.resolve("client.properties");
  }

  /** The certificate authority's certificate, PEM, for clients that are not Java. */
  public Path caPem() {
    return dir.resolve("ca.pem");
  }

  /** Where the Java tools' client properties for the mTLS listener are (client certificates). */
  public Path mtlsClientProperties() {
    return dir.resolve("mtls.properties");
  }

  /**
   * The broker's listener settings for a SASL_SSL listener named {@code listener} and an SSL one
   * named {@code mtlsListener} that asks every client for a certificate the CA signed; a
   * certificate's {@code CN} is its principal's name, so ACLs and super users are the same users on
   * both.
   */
  Map<String, String> brokerProperties(final String listener, final String mtlsListener) {
    final String prefix = "listener.name." + listener.toLowerCase() + ".";
    final Map<String, String> props = new LinkedHashMap<>();
    props.put("listener.name." + mtlsListener.toLowerCase() + ".ssl.client.auth", "required");
    props.put("ssl.principal.mapping.rules", "RULE:^CN=([^,]+)$/$1/,DEFAULT");
    props.put("sasl.enabled.mechanisms", MECHANISM);
    props.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
    props.put(
        prefix + MECHANISM.toLowerCase() + ".sasl.jaas.config",
        String.format(SCRAM_LOGIN, ADMIN, secrets.getProperty(ADMIN)));
    props.put("ssl.keystore.type", "PKCS12");
    props.put("ssl.keystore.location", dir.resolve("broker.p12").toString());
    props.put("ssl.keystore.password", secrets.getProperty("store"));
    props.put("ssl.key.password", secrets.getProperty("store"));
    props.putAll(trust());
    // Kafka's StandardAuthorizer: nothing is allowed without an ACL but to the super users, the
    // stack's admin, the commands' user and the broker's own PLAINTEXT controller listener, which
    // binds 127.0.0.1 only (KRaft's controller cannot authenticate with SCRAM)
    props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    props.put("super.users", "User:" + ADMIN + ";User:" + USER + ";User:ANONYMOUS");
    props.put("allow.everyone.if.no.acl.found", "false");
    return props;
  }

  /** Where the client properties of {@value #DETECTOR_USER} are. */
  public Path detectorProperties() {
    return dir.resolve("detector.properties");
  }

  /** The users to create when the storage is formatted, as {@code kafka-storage --add-scram}. */
  List<String> scramArguments() {
    final List<String> users = new ArrayList<>();
    for (final String user : List.of(ADMIN, USER, DETECTOR_USER)) {
      users.add(MECHANISM + "=[name=" + user + ",password=" + secrets.getProperty(user) + "]");
    }
    return users;
  }

  /** Client properties of the stack's own clients, as {@value #ADMIN}. */
  Map<String, Object> adminClient() {
    return new HashMap<>(client(ADMIN));
  }

  private Map<String, String> client(final String user) {
    final Map<String, String> props = new LinkedHashMap<>();
    props.put("security.protocol", "SASL_SSL");
    props.put("sasl.mechanism", MECHANISM);
    props.put("sasl.jaas.config", String.format(SCRAM_LOGIN, user, secrets.getProperty(user)));
    props.putAll(trust());
    return props;
  }

  private Map<String, String> trust() {
    final Map<String, String> props = new LinkedHashMap<>();
    props.put("ssl.truststore.type", "PKCS12");
    props.put("ssl.truststore.location", dir.resolve("truststore.p12").toString());
    props.put("ssl.truststore.password", secrets.getProperty("store"));
    return props;
  }

  /**
   * The local registry's access: HTTPS with the broker's certificate, and the users' passwords for
   * HTTP basic authentication.
   */
  LocalSchemaRegistry.Access registryAccess() {
    final String password = secrets.getProperty("store");
    try (InputStream in = Files.newInputStream(dir.resolve("broker.p12"))) {
      final KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(in, password.toCharArray());
      final KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(keys, password.toCharArray());
      final SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(factory.getKeyManagers(), null, null);
      final Map<String, String> passwords = new HashMap<>();
      for (final String user : List.of(ADMIN, USER, DETECTOR_USER)) {
        passwords.put(user, secrets.getProperty(user));
      }
      return new LocalSchemaRegistry.Access(tls, passwords);
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot read the broker's key in " + dir, e);
    } catch (final GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot use the broker's key in " + dir + " for the registry: " + e.getMessage(), e);
    }
  }

  /**
   * Writes the client files: SASL_SSL ones for the broker at {@code bootstrap}, mTLS ones for its
   * listener at {@code mtlsBootstrap}, with the settings for the registry at {@code registryUrl}
   * (HTTPS, basic authentication as the same user) when given.
   */
  void writeClientFiles(
      final String bootstrap, final String mtlsBootstrap, final Optional<String> registryUrl) {
    final String commands = "repayguard's commands (a super user)";
    final String detector =
        "a detector with only its ACLs (README, Deploying), application id repayguard-detector";
    try {
      writeClient(
          clientProperties(),
          commands + " on SASL_SSL",
          bootstrap,
          client(USER),
          registryUrl,
          USER);
      writeClient(
          detectorProperties(),
          detector + ", on SASL_SSL",
          bootstrap,
          client(DETECTOR_USER),
          registryUrl,
          DETECTOR_USER);
      writeClient(
          mtlsClientProperties(),
          commands + " with a client certificate (mTLS)",
          mtlsBootstrap,
          certificateClient(USER),
          registryUrl,
          USER);
      writeClient(
          dir.resolve("detector-mtls.properties"),
          detector + ", with a client certificate (mTLS)",
          mtlsBootstrap,
          certificateClient(DETECTOR_USER),
          registryUrl,
          DETECTOR_USER);
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot write the client files in " + dir, e);
    }
  }

  /** Client settings of {@code user} on the mTLS listener: its certificate, no password. */
  private Map<String, String> certificateClient(final String user) {
    final Map<String, String> props = new LinkedHashMap<>();
    props.put("security.protocol", "SSL");
    props.put("ssl.keystore.type", "PKCS12");
    props.put("ssl.keystore.location", dir.resolve(user + ".p12").toString());
    props.put("ssl.keystore.password", secrets.getProperty("store"));
    props.put("ssl.key.password", secrets.getProperty("store"));
    props.putAll(trust());
    return props;
  }

  private void writeClient(
      final Path file,
      final String what,
      final String bootstrap,
      final Map<String, String> kafka,
      final Optional<String> registryUrl,
      final String user)
      throws IOException {
    final StringBuilder text = new StringBuilder("# " + what + ": --client-config " + file + "\n");
    text.append("bootstrap.servers=").append(bootstrap).append('\n');
    kafka.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    registryUrl.ifPresent(
        url -> {
          text.append("# the local schema registry: HTTPS, basic authentication\n");
          registryClient(url, user)
              .forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        });
    Files.writeString(file, text.toString(), UTF_8);
  }

  /** Confluent's serde keys for the registry at {@code url}, as {@code user}. */
  private Map<String, String> registryClient(final String url, final String user) {
    final Map<String, String> props = new LinkedHashMap<>();
    props.put("schema.registry.url", url);
    props.put("basic.auth.credentials.source", "USER_INFO");
    props.put("basic.auth.user.info", user + ":" + secrets.getProperty(user));
    props.put("schema.registry.ssl.truststore.type", "PKCS12");
    props.put("schema.registry.ssl.truststore.location", dir.resolve("truststore.p12").toString());
    props.put("schema.registry.ssl.truststore.password", secrets.getProperty("store"));
    return props;
  }

  /**
   * A key for {@code user}, in {@code <user>.p12} with the certificate the CA signed for {@code
   * CN=<user>} and the CA's own, for the mTLS listener.
   */
  private static void makeClientCertificate(
      final Path dir, final String password, final String user) {
    signedKey(dir, password, user, "CN=" + user);
  }

  /**
   * A CA, a broker key signed by it for 127.0.0.1 and localhost (in {@code broker.p12}, with the
   * chain), the CA's certificate as PEM and in {@code truststore.p12}; every store PKCS12 with
   * {@code password}.
   */
  private static void makeCertificates(final Path dir, final String password) {
    final String ca = dir.resolve("ca.p12").toString();
    final String caPem = dir.resolve("ca.pem").toString();
    newKey(ca, password, "ca", "CN=repayguard local CA", "-ext", "bc:c");
    keytool(ca, password, "-exportcert", "-rfc", "-alias", "ca", "-file", caPem);
    signedKey(dir, password, "broker", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost");
    keytool(
        dir.resolve("truststore.p12").toString(),
        password,
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-storetype",
        "PKCS12",
        "-file",
        caPem);
  }

  /**
   * A new key in {@code <alias>.p12} whose certificate for {@code dname} the CA (in {@code ca.p12},
   * its certificate in {@code ca.pem}) signs with {@code extensions}; the store holds the chain.
   */
  private static void signedKey(
      final Path dir,
      final String password,
      final String alias,
      final String dname,
      final String... extensions) {
    final String store = dir.resolve(alias + ".p12").toString();
    final String csr = dir.resolve(alias + ".csr").toString();
    final String signed = dir.resolve(alias + ".pem").toString();
    newKey(store, password, alias, dname);
    keytool(store, password, "-certreq", "-alias", alias, "-file", csr);
    final List<String> sign =
        new ArrayList<>(
            List.of("-gencert", "-alias", "ca", "-rfc", "-infile", csr, "-outfile", signed));
    sign.addAll(List.of(extensions));
    sign.addAll(List.of("-validity", VALIDITY_DAYS));
    keytool(dir.resolve("ca.p12").toString(), password, sign.toArray(String[]::new));
    keytool(
        store,
        password,
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        dir.resolve("ca.pem").toString());
    keytool(store, password, "-importcert", "-alias", alias, "-file", signed);
  }

  /** A new EC key pair with a self-signed certificate in {@code store}. */
  private static void newKey(
      final String store,
      final String password,
      final String alias,
      final String dname,
      final String... more) {
    final List<String> args =
        new ArrayList<>(
            List.of(
                "-genkeypair",
                "-alias",
                alias,
                "-dname",
                dname,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                VALIDITY_DAYS,
                "-storetype",
                "PKCS12",
                "-keypass",
                password));
    args.addAll(List.of(more));
    keytool(store, password, args.toArray(String[]::new));
  }

  /** Runs keytool on {@code store} with {@code password}. */
  private static void keytool(final String store, final String password, final String... args) {
    final List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("-keystore", store, "-storepass", password));
    runKeytool(all.toArray(String[]::new));
  }

  private static void runKeytool(final String... args) {
    final List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    try {
      final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      final String said = new String(process.getInputStream().readAllBytes(), UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("keytool " + args[0] + " failed: " + said.strip());
      }
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot run the JDK's keytool", e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while making certificates", e);
    }
  }

  private static String secret() {
    final byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
