package io.repayguard.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a Confluent-compatible schema registry for Avro over HTTP on 127.0.0.1, keeping its state
 * in the Kafka topic {@code _schemas}.
 *
 * <p>It implements the part of Confluent Schema Registry's REST API that serializers, Confluent's
 * Python and Go clients and UIs use: registering and looking up schemas under subjects ({@code POST
 * /subjects/{s}/versions}, {@code POST /subjects/{s}}), reading them ({@code GET /schemas/ids/{id}}
 * and {@code /subjects}, {@code /versions}, {@code /versions/{v}} or {@code latest}), compatibility
 * levels ({@code GET|PUT /config}, {@code /config/{s}}) and compatibility tests ({@code POST
 * /compatibility/subjects/{s}/versions[/{v}]}). One global id per distinct schema, versions per
 * subject, BACKWARD by default; an incompatible schema answers 409. Errors and content types follow
 * Confluent's ({@link RegistryHttpHandler}); rules live in {@link SchemaStore}. Only Avro, no
 * schema references, no deletes.
 *
 * <p>Every change is written to the compacted topic {@code _schemas} (created if missing) and
 * acknowledged by the broker before it is answered; a new registry started on the same broker reads
 * the topic to its end first, so ids, versions and levels survive restarts. The record format is
 * described on {@link SchemaLog}. Run one registry per broker at a time. Given an {@link Access},
 * it serves HTTPS only and asks every request for a user and password (HTTP basic authentication),
 * as Confluent's registry does with {@code authentication.method=BASIC}.
 */
public final class LocalSchemaRegistry implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalSchemaRegistry.class);
  private static final int HTTP_THREADS = 4;

  private final HttpServer server;
  private final ExecutorService executor;
  private final SchemaLog log;
  private final boolean secured;
  private boolean closed;

  private LocalSchemaRegistry(
      final HttpServer server,
      final ExecutorService executor,
      final SchemaLog log,
      final boolean secured) {
    this.server = server;
    this.executor = executor;
    this.log = log;
    this.secured = secured;
  }

  /**
   * Rebuilds the registry's state from {@code _schemas} and starts serving HTTP.
   *
   * @param port the HTTP port on 127.0.0.1, or 0 to pick a free one
   * @param bootstrapServers the Kafka cluster that holds {@code _schemas}
   */
  public static LocalSchemaRegistry start(final int port, final String bootstrapServers) {
    return start(port, Map.of("bootstrap.servers", bootstrapServers));
  }

  /**
   * As {@link #start(int, String)}, reaching Kafka with the client properties {@code kafka}
   * (bootstrap servers and security).
   */
  public static LocalSchemaRegistry start(final int port, final Map<String, Object> kafka) {
    return start(port, kafka, Optional.empty());
  }

  /**
   * Who may use a registry, and over what: HTTPS with {@code tls}, and HTTP basic authentication
   * against {@code passwords} (user to password).
   */
  public record Access(SSLContext tls, Map<String, String> passwords) {
    @Override
    public String toString() {
      return "Access[users=" + passwords.keySet() + "]";
    }
  }

  /** As {@link #start(int, Map)}, requiring {@code access} when given. */
  public static LocalSchemaRegistry start(
      final int port, final Map<String, Object> kafka, final Optional<Access> access) {
    final ObjectMapper json = new ObjectMapper();
    final SchemaStore store = new SchemaStore();
    final SchemaLog log = SchemaLog.open(kafka, store, json);
    final ExecutorService executor = Executors.newFixedThreadPool(HTTP_THREADS, daemonThreads());
    try {
      final InetSocketAddress address =
          new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
      final HttpServer server;
      if (access.isPresent()) {
        final HttpsServer https = HttpsServer.create(address, 0);
        https.setHttpsConfigurator(new HttpsConfigurator(access.get().tls()));
        server = https;
      } else {
        server = HttpServer.create(address, 0);
      }
      final HttpContext context =
          server.createContext("/", new RegistryHttpHandler(store, log, json));
      access.ifPresent(a -> context.setAuthenticator(new Passwords(a.passwords())));
      server.setExecutor(executor);
      server.start();
      final LocalSchemaRegistry registry =
          new LocalSchemaRegistry(server, executor, log, access.isPresent());
      LOG.info(
          "Schema registry ready at {}{}",
          registry.url(),
          access.isPresent() ? " (HTTPS, basic authentication)" : "");
      return registry;
    } catch (final IOException e) {
      executor.shutdownNow();
      log.close();
      throw new UncheckedIOException("Cannot start the schema registry on port " + port, e);
    }
  }

  /** Returns the registry's base URL, {@code http://127.0.0.1:PORT} or {@code https://...}. */
  public String url() {
    return (secured ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort();
  }

  /** HTTP basic authentication against fixed passwords, compared in constant time. */
  private static final class Passwords extends BasicAuthenticator {
    private final Map<String, byte[]> passwords;

    Passwords(final Map<String, String> passwords) {
      super("schema-registry", StandardCharsets.UTF_8);
      this.passwords = new HashMap<>();
      passwords.forEach((u, p) -> this.passwords.put(u, p.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public boolean checkCredentials(final String user, final String password) {
      final byte[] expected = passwords.get(user);
      return expected != null
          && MessageDigest.isEqual(expected, password.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Stops serving HTTP, lets running requests finish and closes the Kafka producer. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.stop(0);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("Schema registry requests still running after 10 s; interrupting them");
        executor.shutdownNow();
      }
    } catch (final InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
    log.close();
    LOG.info("Schema registry stopped");
  }

  private static ThreadFactory daemonThreads() {
    final AtomicInteger count = new AtomicInteger();
    return runnable -> {
      final Thread thread = new Thread(runnable, "schema-registry-http-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
