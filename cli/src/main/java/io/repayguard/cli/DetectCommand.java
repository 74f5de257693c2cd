package io.repayguard.cli;

import com.sun.net.httpserver.HttpServer;
import io.repayguard.detector.DetectorRunner;
import io.repayguard.detector.DetectorSerdes;
import io.repayguard.detector.DetectorTopology;
import io.repayguard.detector.http.DetectorHttpServer;
import io.repayguard.detector.http.HttpTls;
import io.repayguard.detector.http.PlanApi;
import io.repayguard.sim.ClientSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Runs the detector. */
@Command(
    name = "detect",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the detector: joins credit-use, merchant-order and repayment-plan, "
          + "applies analysts' commands from repayguard-ops, and publishes alerts to "
          + "repayment-alerts and holds to repayment-hold-commands, exactly once.",
      "Settings: defaults < --config file < environment < flags. Runs until Ctrl-C."
    })
final class DetectCommand implements Callable<Integer> {

  @ParentCommand RepayGuard parent;

  @Mixin ConnectionOptions connection;

  @Option(
      names = "--application-id",
      paramLabel = "ID",
      description = "Kafka Streams application id (default repayguard-detector).")
  String applicationId;

  @Option(
      names = "--grace",
      paramLabel = "DURATION",
      description = "How long after its eventTime an event is decided (default PT5M).")
  String grace;

  @Option(
      names = "--idle-timeout",
      paramLabel = "DURATION",
      description = "Quiet time after which a partition is idle (default PT5S).")
  String idleTimeout;

  @Option(
      names = "--max-fee-bps",
      paramLabel = "BPS",
      description = "Fee cap over the principal, in basis points (default 800 = 8%%).")
  Integer maxFeeBps;

  @Option(
      names = "--hold-severity",
      paramLabel = "SEVERITY",
      description =
          "Lowest open-alert severity that holds a plan: LOW, MEDIUM, HIGH, CRITICAL "
              + "(default HIGH).")
  String holdSeverity;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "Where Kafka Streams keeps local state (default <tmp>/repayguard-streams).")
  Path stateDir;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Properties file with the settings above (application.id, grace, "
              + "idle.timeout, max.fee.bps, hold.severity, state.dir, topic.<name>) and any Kafka "
              + "Streams or client property.")
  Path configFile;

  @Option(
      names = "--instance-id",
      paramLabel = "ID",
      description =
          "A name for this instance that stays the same across its restarts (env "
              + "REPAYGUARD_INSTANCE_ID, file group.instance.id): Kafka's static membership, so "
              + "a restarted instance takes its tasks back at once instead of after the session "
              + "timeout; unique per instance of one application id.")
  String instanceId;

  @Option(names = "--describe", description = "Print the topology and exit.")
  boolean describe;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      description =
          "Serve /health/live, /health/ready and /metrics on this port (env "
              + "REPAYGUARD_HTTP_PORT, file http.port; 0 picks a free one; default: no HTTP).")
  Integer httpPort;

  @Option(
      names = "--http-host",
      paramLabel = "HOST",
      description =
          "Address to serve HTTP on (env REPAYGUARD_HTTP_HOST, file http.host; "
              + "default 127.0.0.1).")
  String httpHost;

  @Option(
      names = "--http-advertised-host",
      paramLabel = "HOST",
      description =
          "The name other instances reach this one's HTTP by, told to Kafka Streams as "
              + "application.server so a plan held by another instance is fetched from it (env "
              + "REPAYGUARD_HTTP_ADVERTISED_HOST, file http.advertised.host; default: --http-host, "
              + "or this machine's name when that is a wildcard address).")
  String httpAdvertisedHost;

  @Option(
      names = "--http-keystore",
      paramLabel = "FILE",
      description =
          "Serve HTTPS with this PKCS12 or JKS key store's key and certificate; the other "
              + "instances' HTTPS is trusted through it too (env REPAYGUARD_HTTP_KEYSTORE, file "
              + "http.keystore; its password: env REPAYGUARD_HTTP_KEYSTORE_PASSWORD, file "
              + "http.keystore.password).")
  Path httpKeystore;

  @Option(
      names = "--http-token",
      paramLabel = "TOKEN",
      description =
          "Require 'Authorization: Bearer TOKEN' on every request but /health/* (env "
              + "REPAYGUARD_HTTP_TOKEN, file http.token; prefer the environment: flags show in "
              + "process lists).")
  String httpToken;

  @Override
  public Integer call() throws InterruptedException {
    final Map<String, String> file =
        new HashMap<>(configFile == null ? Map.of() : ConnectionOptions.readProperties(configFile));
    final DetectSettings.Layers layers = new DetectSettings.Layers(file, parent.env());
    final Optional<InetSocketAddress> http = httpAddress(layers);
    final Optional<HttpTls> tls = httpTls(layers, http.isPresent());
    final String advertisedHost =
        layers.pick(
            httpAdvertisedHost, "http.advertised.host", "REPAYGUARD_HTTP_ADVERTISED_HOST", null);
    final Optional<String> token =
        Optional.ofNullable(layers.pick(httpToken, "http.token", "REPAYGUARD_HTTP_TOKEN", null));
    final String instance =
        layers.pick(
            instanceId, ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "REPAYGUARD_INSTANCE_ID", null);
    if (instance != null && instance.isBlank()) {
      throw UserException.badInput("instance-id must not be blank");
    }
    final DetectSettings settings =
        DetectSettings.resolve(
            new DetectSettings.Flags(
                applicationId, grace, idleTimeout, maxFeeBps, holdSeverity, stateDir),
            file,
            parent.env());
    final ClientSettings client = connection.resolve(parent.env(), settings.passThrough());
    final Object guarantee =
        client.clientProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
    if (guarantee != null && !StreamsConfig.EXACTLY_ONCE_V2.equals(guarantee.toString())) {
      throw UserException.badInput(DetectorRunner.guaranteeRefused(guarantee));
    }
    if (describe) {
      parent
          .out()
          .println(
              DetectorTopology.build(
                      settings.config(), DetectorSerdes.fromConfig(client.clientProperties()))
                  .describe());
      return 0;
    }
    Preflight.requireKafka(client);
    final Map<String, Object> props = new HashMap<>(client.clientProperties());
    if (instance != null) {
      // Kafka Streams gives each stream thread's consumer this id with the thread's index
      props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance.trim());
    }
    final Optional<HttpServer> bound;
    try {
      bound = http.map(a -> DetectorHttpServer.bind(a, tls));
    } catch (final IllegalStateException e) {
      throw new UserException(UserException.UNUSABLE_ENVIRONMENT, e.getMessage(), e);
    }
    final Optional<HostInfo> self =
        bound.map(
            b -> advertised(props, http.get().getHostString(), advertisedHost, b.getAddress()));
    final DetectorRunner runner;
    try {
      runner =
          DetectorRunner.start(
              settings.config(),
              new DetectorRunner.Settings(settings.applicationId(), settings.stateDir(), props));
    } catch (final IllegalStateException e) {
      throw new UserException(UserException.UNUSABLE_ENVIRONMENT, e.getMessage(), e);
    }
    final DetectorHttpServer server =
        bound
            .map(
                b ->
                    DetectorHttpServer.start(
                        b,
                        runner.streams(),
                        token,
                        Optional.of(
                            PlanApi.create(
                                runner.streams(),
                                client.clientProperties(),
                                runner.config().topics(),
                                self.map(h -> new PlanApi.Peers(h, tls.map(HttpTls::client)))))))
            .orElse(null);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (server != null) {
                    server.close();
                  }
                  runner.close();
                },
                "detector-shutdown"));
    parent
        .out()
        .println(
            "detector "
                + settings.applicationId()
                + " running: "
                + runner.config().topics().inputs()
                + " -> "
                + runner.config().topics().alerts()
                + ", "
                + runner.config().topics().holdCommands()
                + (instance == null ? "" : ", static member " + instance.trim())
                + " (Ctrl-C stops)");
    if (server != null) {
      parent
          .out()
          .println(
              "detector HTTP at "
                  + server.uri()
                  + "/ (dashboard), /health/live, /health/ready, /metrics, /plans/{planId},"
                  + " /holds, /alerts"
                  + (token.isPresent()
                      ? " (bearer token required but for /health and the page itself)"
                      : ""));
    }
    runner.awaitTermination();
    return 0;
  }

  /**
   * This instance as the others reach its HTTP, set as {@code application.server} in {@code props}
   * unless the config file already names one: {@code advertisedHost}, else the address HTTP is
   * bound to, else (a wildcard address) this machine's name.
   */
  private static HostInfo advertised(
      final Map<String, Object> props,
      final String bindHost,
      final String advertisedHost,
      final InetSocketAddress bound) {
    final Object configured = props.get(StreamsConfig.APPLICATION_SERVER_CONFIG);
    if (configured != null && !configured.toString().isBlank()) {
      try {
        return HostInfo.buildFromEndpoint(configured.toString().trim());
      } catch (final ConfigException e) {
        throw UserException.badInput("application.server: " + e.getMessage());
      }
    }
    String host = advertisedHost;
    if (host == null || host.isBlank()) {
      host = bindHost;
      if (bound.getAddress() != null && bound.getAddress().isAnyLocalAddress()) {
        try {
          host = InetAddress.getLocalHost().getHostName();
        } catch (final UnknownHostException e) {
          throw UserException.badInput(
              "http-advertised-host: this machine has no name to advertise; set one");
        }
      }
    }
    final HostInfo self = new HostInfo(host.trim(), bound.getPort());
    props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
    return self;
  }

  /**
   * TLS for the HTTP API, from the key store flag, environment or file; empty without one or
   * without HTTP. Its file keys are taken either way, so they never reach Kafka.
   */
  private Optional<HttpTls> httpTls(final DetectSettings.Layers layers, final boolean serving) {
    final String store =
        layers.pick(
            httpKeystore == null ? null : httpKeystore.toString(),
            "http.keystore",
            "REPAYGUARD_HTTP_KEYSTORE",
            null);
    final String password =
        layers.pick(null, "http.keystore.password", "REPAYGUARD_HTTP_KEYSTORE_PASSWORD", "");
    if (!serving || store == null || store.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(HttpTls.fromKeyStore(Path.of(store.trim()), password.toCharArray()));
    } catch (final IllegalArgumentException e) {
      throw UserException.badInput(e.getMessage());
    }
  }

  /** Where to serve HTTP: flag, else environment, else file; empty without a port. */
  private Optional<InetSocketAddress> httpAddress(final DetectSettings.Layers layers) {
    final String port =
        layers.pick(
            httpPort == null ? null : httpPort.toString(),
            "http.port",
            "REPAYGUARD_HTTP_PORT",
            null);
    final String host = layers.pick(httpHost, "http.host", "REPAYGUARD_HTTP_HOST", "127.0.0.1");
    if (port == null) {
      return Optional.empty();
    }
    final int number;
    try {
      number = Integer.parseInt(port.trim());
    } catch (final NumberFormatException e) {
      throw UserException.badInput("http-port: '" + port + "' is not a port number");
    }
    if (number < 0 || number > 65_535) {
      throw UserException.badInput("http-port: " + number + " is not between 0 and 65535");
    }
    return Optional.of(new InetSocketAddress(host, number));
  }
}
