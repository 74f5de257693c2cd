package io.repayguard.detector;

import static org.assertj.core.api.Assertions.assertThat;

import io.repayguard.serde.AvroSerdeConfig;
import io.repayguard.serde.MockSchemaRegistry;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyDescription.Node;
import org.apache.kafka.streams.TopologyDescription.Processor;
import org.apache.kafka.streams.TopologyDescription.Sink;
import org.apache.kafka.streams.TopologyDescription.Source;
import org.apache.kafka.streams.TopologyDescription.Subtopology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pins every node and store name of the topology: a renamed store loses its changelog, so a rename
 * must show up here first (STYLE.md, Shape).
 */
class TopologyNamesTest {
  private static final String SCOPE = "topology-names";

  private final TopologyDescription description =
      describe(DetectorConfig.SourcePartitions.single());

  /** The detector's serdes against this test's mock registry scope. */
  private static DetectorSerdes serdes() {
    return DetectorSerdes.fromConfig(
        Map.of(
            AvroSerdeConfig.SCHEMA_REGISTRY_URL,
            "mock://" + SCOPE,
            AvroSerdeConfig.SPECIFIC_AVRO_READER,
            true));
  }

  private static TopologyDescription describe(final DetectorConfig.SourcePartitions partitions) {
    return DetectorTopology.build(DetectorConfig.defaults(partitions), serdes()).describe();
  }

  /** Each source node's sub-topology id. */
  private static Map<String, Integer> subtopologyBySource(final TopologyDescription topology) {
    final Map<String, Integer> bySource = new TreeMap<>();
    for (final Subtopology subtopology : topology.subtopologies()) {
      for (final Node node : subtopology.nodes()) {
        if (node instanceof Source) {
          bySource.put(node.name(), subtopology.id());
        }
      }
    }
    return bySource;
  }

  @AfterEach
  void dropRegistry() {
    MockSchemaRegistry.dropScope(SCOPE);
  }

  @Test
  void shouldNameEveryNodeExactlyAsPinned() {
    // Given
    final Set<String> nodes = new TreeSet<>();

    // When
    for (final Subtopology subtopology : description.subtopologies()) {
      subtopology.nodes().forEach(node -> nodes.add(node.name()));
    }

    // Then
    assertThat(description.globalStores()).isEmpty();
    assertThat(nodes)
        .containsExactlyInAnyOrder(
            "credit-use-source",
            "merchant-order-source",
            "repayment-plan-source",
            "ops-source",
            "order-links-source",
            "facts-source",
            "credit-use-ingest",
            "merchant-order-ingest",
            "repayment-plan-ingest",
            "ops-ingest",
            "order-link",
            "decision",
            "credit-use-facts-sink",
            "credit-use-order-links-sink",
            "credit-use-dlq-sink",
            "merchant-order-order-links-sink",
            "merchant-order-facts-sink",
            "merchant-order-dlq-sink",
            "repayment-plan-facts-sink",
            "repayment-plan-dlq-sink",
            "ops-facts-sink",
            "ops-dlq-sink",
            "order-link-facts-sink",
            "order-link-dlq-sink",
            "decision-alerts-sink",
            "decision-holds-sink",
            "decision-ticks-sink",
            "decision-dlq-sink");
  }

  @Test
  void shouldFeedTheDecisionStageFromAReplaysFlushTopicOnlyWhenAsked() {
    // Given
    final DetectorConfig replay =
        DetectorConfig.defaults(DetectorConfig.SourcePartitions.single())
            .withLiveClock(false)
            .withReplay(new DetectorConfig.Replay(Map.of(), "run-flush", Long.MIN_VALUE));

    // When
    final TopologyDescription withFlush =
        DetectorTopology.buildDecisionStage(replay, serdes()).describe();

    // Then
    final Map<String, String> sources = new TreeMap<>();
    Set<String> decisionParents = Set.of();
    for (final Subtopology subtopology : withFlush.subtopologies()) {
      for (final Node node : subtopology.nodes()) {
        if (node instanceof Source source) {
          sources.put(source.name(), String.join(",", source.topicSet()));
        }
        if (node.name().equals(Names.DECISION)) {
          decisionParents = new TreeSet<>(node.predecessors().stream().map(Node::name).toList());
        }
      }
    }
    assertThat(sources)
        .isEqualTo(Map.of("facts-source", "repayguard-facts", "replay-flush-source", "run-flush"));
    assertThat(decisionParents).containsExactlyInAnyOrder("facts-source", "replay-flush-source");
    final Set<String> live = new TreeSet<>();
    description.subtopologies().forEach(t -> t.nodes().forEach(n -> live.add(n.name())));
    assertThat(live).doesNotContain(Names.Replay.FLUSH_SOURCE);
  }

  @Test
  void shouldNameEveryStoreExactlyAsPinned() {
    // Given
    final Map<String, Set<String>> storesByProcessor = new TreeMap<>();

    // When
    for (final Subtopology subtopology : description.subtopologies()) {
      for (final Node node : subtopology.nodes()) {
        if (node instanceof Processor processor && !processor.stores().isEmpty()) {
          storesByProcessor.put(processor.name(), new TreeSet<>(processor.stores()));
        }
      }
    }

    // Then: the data ingests are connected to the plan-credit store only to share one
    // sub-topology with the plan ingest; they never read or write it
    assertThat(storesByProcessor)
        .isEqualTo(
            Map.of(
                "credit-use-ingest", Set.of("ingest-plan-credits"),
                "merchant-order-ingest", Set.of("ingest-plan-credits"),
                "repayment-plan-ingest", Set.of("ingest-plan-credits"),
                "ops-ingest", Set.of("ingest-plan-credits"),
                "order-link", Set.of("order-link-orders", "order-link-clock"),
                "decision",
                    Set.of(
                        "decision-borrowings",
                        "decision-orders",
                        "decision-plans",
                        "decision-credit-plans",
                        "decision-clock",
                        "decision-pending",
                        "decision-expiry",
                        "decision-deferred")));
  }

  @Test
  void shouldReadOpsCommandsInTheTaskThatKnowsWhereEachPlanLives() {
    // When
    final Map<String, Integer> subtopologyBySource = subtopologyBySource(description);

    // Then: one sub-topology, so partition n of both topics is read by one task with one store,
    // and the other inputs with them (one ingest task per partition number, timestamp order)
    assertThat(subtopologyBySource.get(Names.OPS_SOURCE))
        .isEqualTo(subtopologyBySource.get(Names.REPAYMENT_PLAN_SOURCE))
        .isEqualTo(subtopologyBySource.get(Names.CREDIT_USE_SOURCE))
        .isEqualTo(subtopologyBySource.get(Names.MERCHANT_ORDER_SOURCE));
    // ingest, order-link, decision
    assertThat(subtopologyBySource.values().stream().distinct()).hasSize(3);
  }

  @Test
  void shouldKeepASubTopologyPerInputWhenTheInputsHaveDifferentPartitionCounts() {
    // Given: more credit-use partitions than plan partitions
    final DetectorConfig.SourcePartitions mixed = new DetectorConfig.SourcePartitions(12, 6, 6, 6);

    // When
    final Map<String, Integer> subtopologyBySource = subtopologyBySource(describe(mixed));

    // Then: the ops commands still with the plans; the plan-credit changelog keeps the plans'
    // partition count, as a detector that ran before created it
    assertThat(subtopologyBySource.get(Names.OPS_SOURCE))
        .isEqualTo(subtopologyBySource.get(Names.REPAYMENT_PLAN_SOURCE));
    assertThat(subtopologyBySource.values().stream().distinct()).hasSize(5);
  }

  @Test
  void shouldReadAndWriteTheDefaultTopics() {
    // Given
    final Map<String, String> topicByNode = new TreeMap<>();

    // When
    for (final Subtopology subtopology : description.subtopologies()) {
      for (final Node node : subtopology.nodes()) {
        if (node instanceof Source source) {
          topicByNode.put(source.name(), String.join(",", new TreeSet<>(source.topicSet())));
        } else if (node instanceof Sink sink) {
          topicByNode.put(sink.name(), sink.topic());
        }
      }
    }

    // Then
    assertThat(topicByNode)
        .isEqualTo(
            Map.ofEntries(
                Map.entry("credit-use-source", "credit-use"),
                Map.entry("merchant-order-source", "merchant-order"),
                Map.entry("repayment-plan-source", "repayment-plan"),
                Map.entry("ops-source", "repayguard-ops"),
                Map.entry("order-links-source", "repayguard-order-links"),
                Map.entry("facts-source", "repayguard-facts"),
                Map.entry("credit-use-facts-sink", "repayguard-facts"),
                Map.entry("credit-use-order-links-sink", "repayguard-order-links"),
                Map.entry("credit-use-dlq-sink", "repayguard-dlq"),
                Map.entry("merchant-order-order-links-sink", "repayguard-order-links"),
                Map.entry("merchant-order-facts-sink", "repayguard-facts"),
                Map.entry("merchant-order-dlq-sink", "repayguard-dlq"),
                Map.entry("repayment-plan-facts-sink", "repayguard-facts"),
                Map.entry("repayment-plan-dlq-sink", "repayguard-dlq"),
                Map.entry("ops-facts-sink", "repayguard-facts"),
                Map.entry("ops-dlq-sink", "repayguard-dlq"),
                Map.entry("order-link-facts-sink", "repayguard-facts"),
                Map.entry("order-link-dlq-sink", "repayguard-dlq"),
                Map.entry("decision-alerts-sink", "repayment-alerts"),
                Map.entry("decision-holds-sink", "repayment-hold-commands"),
                Map.entry("decision-ticks-sink", "repayguard-facts"),
                Map.entry("decision-dlq-sink", "repayguard-dlq")));
  }
}
