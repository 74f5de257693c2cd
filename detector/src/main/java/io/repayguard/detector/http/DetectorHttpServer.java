package io.repayguard.detector.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.repayguard.events.OpsAction;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detector's HTTP surface, served from the detector's own process: health for probes and
 * Prometheus metrics. Thin handlers over {@link KafkaStreams}' state and a Micrometer registry.
 *
 * <ul>
 *   <li>{@code GET /health/live}: 200 while the detector can still work, 503 once Kafka Streams
 *       stopped or failed;
 *   <li>{@code GET /health/ready}: 200 only while Kafka Streams is RUNNING, else 503 with {@code
 *       Retry-After} (starting, rebalancing, restoring);
 *   <li>{@code GET /metrics}: Prometheus text: Kafka Streams' own metrics through Micrometer's
 *       {@link KafkaStreamsMetrics} (repayguard's task metrics among them: dead letters, ignored
 *       ops commands), alerts and hold commands published (counted in Micrometer's global registry,
 *       which this server joins), the JVM's, and {@code repayguard_detector_running};
 *   <li>with a {@link PlanApi}: {@code GET /plans/{planId}}, {@code GET /holds}, {@code GET
 *       /alerts}, {@code POST /plans/{planId}/alerts/{rule}/ack} or {@code /resolve}, and the
 *       dashboard: {@code GET /} (with its script and style sheet), {@code GET /events}
 *       (server-sent events of committed alerts and holds, and status) and {@code GET /status}.
 * </ul>
 *
 * With a token, every request but {@code /health/*} and the dashboard's own files needs {@code
 * Authorization: Bearer <token>} and gets 401 without it: Prometheus can send a token, a container
 * probe cannot always.
 */
public final class DetectorHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DetectorHttpServer.class);
  private static final String JSON = "application/json";
  private static final Pattern PLAN = Pattern.compile("/plans/([^/]+)");
  private static final Pattern COMMAND =
      Pattern.compile("/plans/([^/]+)/alerts/([^/]+)/(ack|resolve)");
  private static final int MAX_BODY_BYTES = 64 * 1024;
  private static final int MAX_STREAMS = 16;
  private static final int MAX_THREADS = MAX_STREAMS + 16;
  private static final int STREAM_BACKLOG = 10_000;
  private static final Duration STATUS_EVERY = Duration.ofSeconds(2);

  /**
   * The dashboard's own files: served to anyone, since they hold no data (path: resource, type).
   */
  private static final Map<String, String[]> PAGE =
      Map.of(
          "/",
          new String[] {"dashboard/index.html", "text/html; charset=utf-8"},
          "/dashboard.js",
          new String[] {"dashboard/dashboard.js", "text/javascript; charset=utf-8"},
          "/dashboard.css",
          new String[] {"dashboard/dashboard.css", "text/css; charset=utf-8"});

  private final Semaphore streamSlots = new Semaphore(MAX_STREAMS);
  private volatile boolean closed;

  private final HttpServer server;
  private final ExecutorService executor;
  private final PrometheusMeterRegistry registry;
  private final KafkaStreamsMetrics streamsMetrics;
  private final JvmGcMetrics gcMetrics;
  private final KafkaStreams streams;
  private final Optional<byte[]> token;
  private final Optional<PlanApi> plans;

  private DetectorHttpServer(
      final HttpServer server,
      final KafkaStreams streams,
      final Optional<String> token,
      final PrometheusMeterRegistry registry,
      final Optional<PlanApi> plans) {
    this.server = server;
    this.streams = streams;
    this.plans = plans;
    this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
    this.registry = registry;
    this.streamsMetrics = new KafkaStreamsMetrics(streams);
    this.streamsMetrics.bindTo(registry);
    this.gcMetrics = new JvmGcMetrics();
    this.gcMetrics.bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Metrics.addRegistry(registry);
    Gauge.builder("repayguard.detector.running", streams, s -> running(s) ? 1 : 0)
        .description("1 while Kafka Streams is RUNNING (ready), 0 otherwise")
        .register(registry);
    plans.ifPresent(
        p -> {
          Gauge.builder("repayguard.holds.active", p.feed(), f -> f.counts()[0])
              .description(
                  "Plans held now, as the committed hold topic says (the whole cluster's: the"
                      + " same on every instance)")
              .register(registry);
          Gauge.builder("repayguard.alerts.open", p.feed(), f -> f.counts()[1])
              .description(
                  "Alerts open now, as the committed alert topic says (the whole cluster's)")
              .register(registry);
        });
    // a page's event stream keeps its thread while it is open (at most MAX_STREAMS of them);
    // beyond MAX_THREADS busy at once, a new connection is refused rather than queued
    this.executor =
        new ThreadPoolExecutor(
            2,
            MAX_THREADS,
            60,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            DetectorHttpServer::daemon);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /**
   * Serves {@code streams} on {@code address} (port 0 picks a free one); {@code token}, when
   * present, guards everything but the health checks. Fails with a one-line {@link
   * IllegalStateException} when the address cannot be bound.
   */
  public static DetectorHttpServer start(
      final InetSocketAddress address, final KafkaStreams streams, final Optional<String> token) {
    return start(address, streams, token, Optional.empty());
  }

  /**
   * As {@link #start(InetSocketAddress, KafkaStreams, Optional)}, serving {@code plans} under
   * {@code /plans/} too; the server closes it when it closes.
   */
  public static DetectorHttpServer start(
      final InetSocketAddress address,
      final KafkaStreams streams,
      final Optional<String> token,
      final Optional<PlanApi> plans) {
    return start(bind(address), streams, token, plans);
  }

  /**
   * Binds {@code address} without serving yet, so the port it got can be told to Kafka Streams
   * ({@code application.server}) before the streams it will serve are built. Fails with a one-line
   * {@link IllegalStateException} when the address cannot be bound.
   */
  public static HttpServer bind(final InetSocketAddress address) {
    return bind(address, Optional.empty());
  }

  /** As {@link #bind(InetSocketAddress)}, serving HTTPS with {@code tls} when given. */
  public static HttpServer bind(final InetSocketAddress address, final Optional<HttpTls> tls) {
    try {
      if (tls.isPresent()) {
        final HttpsServer https = HttpsServer.create(address, 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls.get().server()));
        return https;
      }
      return HttpServer.create(address, 0);
    } catch (final IOException e) {
      throw new IllegalStateException(
          "cannot serve HTTP on "
              + address.getHostString()
              + ":"
              + address.getPort()
              + " ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  /** As {@link #start(InetSocketAddress, KafkaStreams, Optional, Optional)} on a bound server. */
  public static DetectorHttpServer start(
      final HttpServer bound,
      final KafkaStreams streams,
      final Optional<String> token,
      final Optional<PlanApi> plans) {
    final DetectorHttpServer http =
        new DetectorHttpServer(
            bound,
            streams,
            token.filter(t -> !t.isBlank()),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            plans);
    bound.start();
    LOG.info("Serving HTTP at {}", http.uri());
    return http;
  }

  /** Where it listens, e.g. {@code http://127.0.0.1:8080}. */
  public URI uri() {
    final InetSocketAddress bound = server.getAddress();
    return URI.create(
        (server instanceof HttpsServer ? "https://" : "http://")
            + bound.getHostString()
            + ":"
            + bound.getPort());
  }

  private void handle(final HttpExchange exchange) throws IOException {
    try (exchange) {
      final String path = exchange.getRequestURI().getPath();
      final Matcher command = COMMAND.matcher(path);
      final boolean post = command.matches() && plans.isPresent();
      final String allowed = post ? "POST" : "GET";
      if (!allowed.equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", allowed);
        send(exchange, 405, JSON, "{\"error\":\"only " + allowed + " is served here\"}");
        return;
      }
      if (!path.startsWith("/health/") && !PAGE.containsKey(path) && !authorized(exchange)) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"repayguard\"");
        send(exchange, 401, JSON, "{\"error\":\"a bearer token is required\"}");
        return;
      }
      final Matcher plan = PLAN.matcher(path);
      if (plans.isPresent() && dashboard(exchange, path)) {
        return;
      }
      if (post) {
        final String body;
        try (InputStream in = exchange.getRequestBody()) {
          body = new String(in.readNBytes(MAX_BODY_BYTES), StandardCharsets.UTF_8);
        }
        answer(
            exchange,
            plans
                .get()
                .command(
                    decode(command.group(1)),
                    decode(command.group(2)),
                    "ack".equals(command.group(3)) ? OpsAction.ACKNOWLEDGE : OpsAction.RESOLVE,
                    body,
                    Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization"))));
        return;
      }
      if (plan.matches() && plans.isPresent()) {
        answer(
            exchange,
            plans
                .get()
                .plan(
                    decode(plan.group(1)),
                    query(exchange.getRequestURI()),
                    Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization"))));
        return;
      }
      switch (path) {
        case "/health/live" -> live(exchange);
        case "/health/ready" -> ready(exchange);
        case "/metrics" ->
            send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        default -> send(exchange, 404, JSON, "{\"error\":\"no such endpoint: " + path + "\"}");
      }
    } catch (final RuntimeException e) {
      LOG.warn("HTTP request failed: {}", e.toString());
    }
  }

  /** The dashboard's routes; false when {@code path} is none of them. */
  private boolean dashboard(final HttpExchange exchange, final String path) throws IOException {
    final String[] page = PAGE.get(path);
    if (page != null) {
      try (InputStream in = DetectorHttpServer.class.getResourceAsStream(page[0])) {
        send(exchange, 200, page[1], new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      return true;
    }
    final Map<String, String> query = query(exchange.getRequestURI());
    switch (path) {
      case "/events" -> events(exchange);
      case "/status" -> send(exchange, 200, JSON, plans.get().status());
      case "/holds" -> answer(exchange, plans.get().holds(query));
      case "/alerts" -> answer(exchange, plans.get().alerts(query));
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code GET /events}: server-sent events, {@code item} for each committed alert or hold command
   * (the newest ones first, then each as it is read) and {@code status} every two seconds.
   */
  private void events(final HttpExchange exchange) throws IOException {
    if (!streamSlots.tryAcquire()) {
      exchange.getResponseHeaders().set("Retry-After", "5");
      send(exchange, 503, JSON, "{\"error\":\"too many open event streams\"}");
      return;
    }
    final LiveFeed feed = plans.get().feed();
    final BlockingQueue<String> items = new LinkedBlockingQueue<>(STREAM_BACKLOG);
    final AtomicBoolean overflow = new AtomicBoolean();
    final Consumer<String> subscriber =
        line -> {
          if (!items.offer(line)) {
            overflow.set(true);
          }
        };
    try {
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.sendResponseHeaders(200, 0);
      feed.subscribe(subscriber);
      try (OutputStream out = exchange.getResponseBody()) {
        long nextStatus = 0;
        // a page too slow to take its items ends its stream; it reconnects and starts afresh
        while (!closed && !overflow.get()) {
          final StringBuilder chunk = new StringBuilder();
          if (System.nanoTime() - nextStatus >= 0) {
            chunk.append("event: status\ndata: ").append(plans.get().status()).append("\n\n");
            nextStatus = System.nanoTime() + STATUS_EVERY.toNanos();
          }
          String item = items.poll(250, TimeUnit.MILLISECONDS);
          while (item != null) {
            chunk.append("event: item\ndata: ").append(item).append("\n\n");
            item = items.poll();
          }
          if (!chunk.isEmpty()) {
            out.write(chunk.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
          }
        }
      }
    } catch (final IOException e) {
      // the page went away
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      feed.unsubscribe(subscriber);
      streamSlots.release();
    }
  }

  private static Map<String, String> query(final URI uri) {
    final Map<String, String> query = new HashMap<>();
    final String raw = uri.getRawQuery();
    if (raw != null) {
      for (final String pair : raw.split("&")) {
        final int eq = pair.indexOf('=');
        if (eq > 0) {
          query.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
        }
      }
    }
    return query;
  }

  private static void answer(final HttpExchange exchange, final PlanApi.Answer answer)
      throws IOException {
    if (answer.status() == 503) {
      exchange.getResponseHeaders().set("Retry-After", "5");
    }
    send(exchange, answer.status(), JSON, answer.body());
  }

  private static String decode(final String segment) {
    return URLDecoder.decode(segment, StandardCharsets.UTF_8);
  }

  private void live(final HttpExchange exchange) throws IOException {
    final KafkaStreams.State state = streams.state();
    final boolean alive =
        state != KafkaStreams.State.ERROR
            && state != KafkaStreams.State.PENDING_ERROR
            && state != KafkaStreams.State.NOT_RUNNING
            && state != KafkaStreams.State.PENDING_SHUTDOWN;
    send(
        exchange,
        alive ? 200 : 503,
        JSON,
        "{\"status\":\"" + (alive ? "UP" : "DOWN") + "\",\"state\":\"" + state + "\"}");
  }

  private void ready(final HttpExchange exchange) throws IOException {
    final KafkaStreams.State state = streams.state();
    if (state == KafkaStreams.State.RUNNING) {
      send(exchange, 200, JSON, "{\"status\":\"READY\",\"state\":\"RUNNING\"}");
    } else {
      exchange.getResponseHeaders().set("Retry-After", "5");
      send(exchange, 503, JSON, "{\"status\":\"NOT_READY\",\"state\":\"" + state + "\"}");
    }
  }

  private boolean authorized(final HttpExchange exchange) {
    if (token.isEmpty()) {
      return true;
    }
    final String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.startsWith("Bearer ")) {
      return false;
    }
    final byte[] given =
        header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token.get());
  }

  private static boolean running(final KafkaStreams streams) {
    return streams.state() == KafkaStreams.State.RUNNING;
  }

  private static void send(
      final HttpExchange exchange, final int status, final String type, final String body)
      throws IOException {
    final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Thread daemon(final Runnable runnable) {
    final Thread thread = new Thread(runnable, "repayguard-http");
    thread.setDaemon(true);
    return thread;
  }

  @Override
  public void close() {
    closed = true;
    server.stop(0);
    executor.shutdownNow();
    plans.ifPresent(PlanApi::close);
    Metrics.removeRegistry(registry);
    streamsMetrics.close();
    gcMetrics.close();
    registry.close();
  }
}
