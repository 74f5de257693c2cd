package io.repayguard.detector.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.repayguard.detector.DetectorSerdes;
import io.repayguard.events.Alert;
import io.repayguard.events.AlertStatus;
import io.repayguard.events.HoldAction;
import io.repayguard.events.HoldCommand;
import io.repayguard.events.Rule;
import io.repayguard.events.Severity;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the alert and hold topics say, as committed: a read_committed consumer reads both from their
 * beginning, so the dashboard never shows an aborted alert and sees every instance's decisions, not
 * only this one's. It keeps the open alerts, the last resolved ones, the held plans (the freeze
 * service's view: a plan is held from its HOLD to its RELEASE), counts, the alerts opened per
 * minute over the last hour, and the newest items for a page that connects; each new item goes to
 * every subscriber as one JSON line.
 *
 * <p>Reading from the beginning at start costs one pass over both topics; alerts are rare (a few
 * per hundred plans), so this stays small where the inputs are large.
 */
public final class LiveFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int RECENT = 200;
  private static final int RESOLVED_KEPT = 1_000;
  private static final int MINUTES = 60;
  private static final long LAG_SAMPLE_EVERY_MS = 10_000;

  private final KafkaConsumer<String, byte[]> consumer;
  private final DetectorSerdes serdes;
  private final String alertsTopic;
  private final String holdsTopic;
  private final Clock clock;
  private final LongSupplier lag;
  private final Thread thread;
  private final Set<Consumer<String>> subscribers = new CopyOnWriteArraySet<>();

  // guarded by this
  private final Map<String, Alert> open = new HashMap<>();
  private final Deque<Alert> resolved = new ArrayDeque<>();
  private final Map<String, HoldCommand> held = new HashMap<>();
  private final Map<Rule, Map<Severity, Long>> opened = new EnumMap<>(Rule.class);
  private long resolvedTotal;
  private final Deque<String> recent = new ArrayDeque<>();
  private final long[] perMinute = new long[MINUTES];
  private final long[] minuteOf = new long[MINUTES];
  private final Map<Long, Long> lagByMinute = new LinkedHashMap<>();
  private volatile boolean caughtUp;

  /** Why the feed stopped reading, or null while it reads. */
  private volatile String stopped;

  private long lastLagSample = Long.MIN_VALUE / 2;

  private LiveFeed(
      final KafkaConsumer<String, byte[]> consumer,
      final DetectorSerdes serdes,
      final String alertsTopic,
      final String holdsTopic,
      final Clock clock,
      final LongSupplier lag) {
    this.consumer = consumer;
    this.serdes = serdes;
    this.alertsTopic = alertsTopic;
    this.holdsTopic = holdsTopic;
    this.clock = clock;
    this.lag = lag;
    this.thread = new Thread(this::run, "repayguard-live-feed");
    thread.setDaemon(true);
  }

  /**
   * Starts reading {@code alertsTopic} and {@code holdsTopic} with {@code clientProperties}
   * (bootstrap servers, schema registry, security); {@code lag} says how many input records the
   * detector has not read yet, sampled every ten seconds for the lag chart.
   */
  public static LiveFeed start(
      final Map<String, Object> clientProperties,
      final String alertsTopic,
      final String holdsTopic,
      final LongSupplier lag) {
    final Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    final LiveFeed feed =
        new LiveFeed(
            new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()),
            DetectorSerdes.fromConfig(clientProperties),
            alertsTopic,
            holdsTopic,
            Clock.systemUTC(),
            lag);
    feed.thread.start();
    return feed;
  }

  /**
   * Sends {@code subscriber} the newest items, then every new one as it is read, each as one JSON
   * object; {@link #unsubscribe} stops it.
   */
  public void subscribe(final Consumer<String> subscriber) {
    synchronized (this) {
      recent.forEach(subscriber);
      subscribers.add(subscriber);
    }
  }

  public void unsubscribe(final Consumer<String> subscriber) {
    subscribers.remove(subscriber);
  }

  /** Whether the feed has read both topics up to where they were when it started. */
  public boolean caughtUp() {
    return caughtUp;
  }

  /** {plans held, alerts open} now. */
  public synchronized long[] counts() {
    return new long[] {held.size(), open.size()};
  }

  /** The counts and charts the dashboard shows, as JSON. */
  public synchronized ObjectNode summary() {
    final ObjectNode json = JSON.createObjectNode();
    json.put("caughtUp", caughtUp);
    if (stopped != null) {
      json.put("feedStopped", stopped);
    }
    json.put("openAlerts", open.size());
    json.put("holdsActive", held.size());
    json.put("resolvedTotal", resolvedTotal);
    final ObjectNode byRule = json.putObject("openedByRuleAndSeverity");
    long total = 0;
    for (final Rule rule : Rule.values()) {
      final ObjectNode severities = byRule.putObject(rule.name());
      for (final Severity severity : Severity.values()) {
        final long n = opened.getOrDefault(rule, Map.of()).getOrDefault(severity, 0L);
        severities.put(severity.name(), n);
        total += n;
      }
    }
    json.put("openedTotal", total);
    final long now = minute(clock.millis());
    final ArrayNode alertsPerMinute = json.putArray("alertsPerMinute");
    final ArrayNode lagPerMinute = json.putArray("lagPerMinute");
    for (long m = now - MINUTES + 1; m <= now; m++) {
      final int slot = (int) Math.floorMod(m, MINUTES);
      alertsPerMinute.add(minuteOf[slot] == m ? perMinute[slot] : 0);
      final Long sample = lagByMinute.get(m);
      if (sample == null) {
        lagPerMinute.addNull();
      } else {
        lagPerMinute.add(sample);
      }
    }
    return json;
  }

  /** Open alerts (or the last resolved ones), of {@code rule} when given, newest first. */
  public synchronized List<Alert> alerts(final AlertStatus status, final Rule rule) {
    final List<Alert> all =
        new ArrayList<>(status == AlertStatus.OPEN ? open.values() : List.copyOf(resolved));
    all.removeIf(a -> rule != null && a.getRule() != rule);
    all.sort(Comparator.comparing(Alert::getDecidedAt).reversed().thenComparing(Alert::getAlertId));
    return all;
  }

  /** The plans held now, each with the HOLD command that froze it, newest first. */
  public synchronized List<HoldCommand> holds() {
    final List<HoldCommand> all = new ArrayList<>(held.values());
    all.sort(
        Comparator.comparing(HoldCommand::getDecidedAt)
            .reversed()
            .thenComparing(HoldCommand::getPlanId));
    return all;
  }

  private void run() {
    try {
      final Map<TopicPartition, Long> ends = assign();
      while (true) {
        for (final ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          read(r);
        }
        if (!caughtUp && caughtUp(ends)) {
          caughtUp = true;
        }
        sampleLag();
      }
    } catch (final WakeupException e) {
      // closing
    } catch (final RuntimeException e) {
      stopped = e.toString();
      LOG.warn("The dashboard's live feed stopped: {}", stopped);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Assigns every partition of both topics, waiting for them to exist; their end offsets now. */
  private Map<TopicPartition, Long> assign() {
    while (true) {
      final List<TopicPartition> partitions = new ArrayList<>();
      try {
        for (final String topic : List.of(alertsTopic, holdsTopic)) {
          consumer
              .partitionsFor(topic, Duration.ofSeconds(10))
              .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        if (partitions.stream().map(TopicPartition::topic).distinct().count() == 2) {
          consumer.assign(partitions);
          consumer.seekToBeginning(partitions);
          return consumer.endOffsets(partitions, Duration.ofSeconds(30));
        }
      } catch (final TimeoutException e) {
        LOG.debug("The dashboard's live feed waits for the cluster: {}", e.getMessage());
      }
      try {
        Thread.sleep(1_000);
      } catch (final InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new WakeupException();
      }
    }
  }

  private boolean caughtUp(final Map<TopicPartition, Long> ends) {
    return ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  private void read(final ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return;
    }
    final ObjectNode item;
    try {
      item =
          r.topic().equals(alertsTopic)
              ? onAlert(serdes.alert().deserializer().deserialize(r.topic(), r.value()))
              : onHold(serdes.holdCommand().deserializer().deserialize(r.topic(), r.value()));
    } catch (final RuntimeException e) {
      LOG.warn(
          "The dashboard skips an unreadable record at {}-{}@{}: {}",
          r.topic(),
          r.partition(),
          r.offset(),
          e.getMessage());
      return;
    }
    final String line = item.toString();
    synchronized (this) {
      recent.addLast(line);
      if (recent.size() > RECENT) {
        recent.removeFirst();
      }
    }
    subscribers.forEach(s -> s.accept(line));
  }

  private synchronized ObjectNode onAlert(final Alert a) {
    final boolean acknowledgement = a.getEvidence().containsKey("acknowledgedBy");
    if (a.getStatus() == AlertStatus.OPEN) {
      open.put(a.getAlertId(), a);
      if (!acknowledgement) {
        opened
            .computeIfAbsent(a.getRule(), r -> new EnumMap<>(Severity.class))
            .merge(a.getSeverity(), 1L, Long::sum);
        final long m = minute(clock.millis());
        final int slot = (int) Math.floorMod(m, MINUTES);
        if (minuteOf[slot] != m) {
          minuteOf[slot] = m;
          perMinute[slot] = 0;
        }
        perMinute[slot]++;
      }
    } else {
      open.remove(a.getAlertId());
      resolved.addFirst(a);
      if (resolved.size() > RESOLVED_KEPT) {
        resolved.removeLast();
      }
      resolvedTotal++;
    }
    final ObjectNode item = alertJson(a);
    item.put("kind", "alert");
    return item;
  }

  private synchronized ObjectNode onHold(final HoldCommand h) {
    if (h.getAction() == HoldAction.HOLD) {
      held.put(h.getPlanId(), h);
    } else {
      held.remove(h.getPlanId());
    }
    final ObjectNode item = holdJson(h);
    item.put("kind", "hold");
    return item;
  }

  /** Every ten seconds: the lag chart keeps each minute's largest sample. */
  private void sampleLag() {
    final long now = clock.millis();
    if (now - lastLagSample < LAG_SAMPLE_EVERY_MS) {
      return;
    }
    lastLagSample = now;
    final long records = lag.getAsLong();
    final long m = minute(now);
    synchronized (this) {
      lagByMinute.merge(m, records, Math::max);
      lagByMinute.keySet().removeIf(k -> k <= m - MINUTES);
    }
  }

  /** An alert as the API and the dashboard show it. */
  static ObjectNode alertJson(final Alert a) {
    final ObjectNode json = JSON.createObjectNode();
    json.put("alertId", a.getAlertId());
    json.put("planId", a.getPlanId());
    json.put("rule", a.getRule().name());
    json.put("severity", a.getSeverity().name());
    json.put("status", a.getStatus().name());
    json.put("creditId", a.getCreditId());
    json.put("accountId", a.getAccountId());
    json.put("explanation", a.getExplanation());
    json.put("eventTime", a.getEventTime().toString());
    json.put("decidedAt", a.getDecidedAt().toString());
    final ObjectNode evidence = json.putObject("evidence");
    a.getEvidence().forEach(evidence::put);
    return json;
  }

  /** A hold command as the API and the dashboard show it. */
  static ObjectNode holdJson(final HoldCommand h) {
    final ObjectNode json = JSON.createObjectNode();
    json.put("commandId", h.getCommandId());
    json.put("action", h.getAction().name());
    json.put("planId", h.getPlanId());
    json.put("accountId", h.getAccountId());
    final ArrayNode rules = json.putArray("rules");
    h.getRules().forEach(r -> rules.add(r.name()));
    final ArrayNode alertIds = json.putArray("alertIds");
    h.getAlertIds().forEach(alertIds::add);
    json.put("decidedAt", h.getDecidedAt().toString());
    return json;
  }

  private static long minute(final long millis) {
    return Math.floorDiv(millis, 60_000L);
  }

  @Override
  public void close() {
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
